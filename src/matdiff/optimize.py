"""`minimize`: scipy.optimize.minimize over one variable, fed by matdiff's generated code.

    >>> import numpy as np
    >>> import matdiff as md
    >>> X, y = np.array([[1.0, 2.0], [3.0, -1.0], [-2.0, 1.0]]), np.array([1.0, 1.0, -1.0])
    >>> res = md.minimize("sum(log(exp(-y.*(X*w)) + vector(1))) + c*norm2(w)^2", wrt="w",
    ...                   values={"X": X, "y": y, "c": 0.1})
    >>> res.success, res.x.shape  # the minimizer, in w's shape
    (True, (2,))

The objective and its gradient come from one generated NumPy function (common work done
once); Newton-type methods (Newton-CG, the default, trust-ncg, trust-krylov, trust-constr)
get the generated Hessian-vector product (`products.hvp`, never a Hessian) — or, for a
variable of at most DENSE_HESSIAN_MAX entries, the Hessian, which then costs about as much
as the few products of one Newton step and is one call instead of several — and the
methods that need a matrix (dogleg, trust-exact) the generated Hessian. The variable may be a scalar, a
vector or a matrix: scipy sees it flattened, the result has its shape again. The generated
functions are kept for the last few problems (expression, variable, declarations, sizes),
so solving the same problem again, with other values, starts at once — as a jitted
function does.
"""

from __future__ import annotations

from functools import lru_cache
from math import prod
from typing import Callable, Mapping

import numpy as np

from .api import derivative, hessian
from .errors import MatdiffError
from .products import hvp

HESSP_METHODS = {"newton-cg", "trust-ncg", "trust-krylov", "trust-constr"}
HESS_METHODS = {"dogleg", "trust-exact"}
NO_GRADIENT_METHODS = {"nelder-mead", "powell", "cobyla", "cobyqa"}
DENSE_HESSIAN_MAX = 16  # entries of the variable up to which a Newton method gets the Hessian


def minimize(expr: str, wrt: str, values: Mapping[str, object], method: str = "Newton-CG",
             vars=None, *, tol: float | None = None, options: dict | None = None,
             callback: Callable | None = None, verbose: bool = False):
    """Minimize the scalar `expr` over the variable `wrt`, the others fixed at `values`.

    Starts from values[wrt] when given, else from zeros. `tol` and `options` go to
    scipy.optimize.minimize; `callback(x)` is called after each iteration with x in wrt's
    shape; `verbose` prints the iteration, the value and the gradient norm. Returns scipy's
    OptimizeResult with `x` (and `jac`) in wrt's shape."""
    from scipy.optimize import minimize as scipy_minimize

    problem = _Problem(expr, wrt, values, method.lower(), vars)
    trace = _Progress(problem, callback, verbose)
    kwargs: dict[str, Callable] = {}
    if problem.method in HESS_METHODS or (problem.method in HESSP_METHODS
                                          and problem.size <= DENSE_HESSIAN_MAX):
        kwargs["hess"] = problem.hess
    elif problem.method in HESSP_METHODS:
        kwargs["hessp"] = problem.hessp
    with_gradient = problem.method not in NO_GRADIENT_METHODS
    res = scipy_minimize(problem.value_and_gradient if with_gradient else problem.value,
                         problem.x0, jac=with_gradient or None, method=method, tol=tol,
                         options=options, callback=trace, **kwargs)
    res.x = res.x.reshape(problem.shape)
    if getattr(res, "jac", None) is not None and np.size(res.jac) == problem.size:
        res.jac = np.asarray(res.jac).reshape(problem.shape)
    return res


class _Problem:
    """The compiled pieces over a flat x: value and gradient together, hvp, Hessian."""

    def __init__(self, expr: str, wrt: str, values, method: str, vars):
        if not isinstance(values, Mapping):
            raise MatdiffError("values must map variable names to arrays")
        self.key: tuple = (expr, wrt, _frozen(vars))  # and the sizes, below
        self.gradient = _gradient(*self.key)
        if self.gradient.function.expr.rank:
            raise MatdiffError(f"minimize needs a scalar objective; {expr!r} has dims "
                               f"{self.gradient.function.expr.dims}")
        self.wrt, self.method = wrt, method
        variables = self.gradient.variables
        missing = [n for n in variables if n != wrt and n not in values]
        if missing:
            raise MatdiffError(f"minimize needs a value for {', '.join(missing)}")
        self.fixed = {n: np.asarray(values[n], dtype=float) for n in variables if n != wrt}
        self.sizes = self._sizes(variables)
        self.shape = self._start_shape(variables[wrt], values)
        self.size = prod(self.shape)
        start = values.get(wrt)
        self.x0 = (np.zeros(self.size) if start is None
                   else np.asarray(start, dtype=float).reshape(-1).copy())
        self.key += (tuple(sorted(self.sizes.items())),)
        self._vg = _compiled(*self.key, "value_and_gradient")
        self._hvp = self._hess = None
        self.value_and_gradient(self.x0)  # wrong shapes fail here, as a MatdiffError

    def _sizes(self, variables) -> dict:
        sizes: dict = {}
        for name, value in self.fixed.items():
            dims = variables[name].dims
            if value.ndim != len(dims):
                raise MatdiffError(f"{name} must have {len(dims)} axes {dims}; "
                                   f"got shape {value.shape}")
            for d, k in zip(dims, value.shape):
                if sizes.setdefault(d, k) != k and not isinstance(d, int):
                    raise MatdiffError(f"{name} has size {k} along {d}, other values {sizes[d]}")
        return {d: k for d, k in sizes.items() if isinstance(d, str)}

    def _start_shape(self, x, values) -> tuple[int, ...]:
        if values.get(self.wrt) is not None:
            shape = np.shape(values[self.wrt])
            if len(shape) != x.rank:
                raise MatdiffError(f"the start value of {self.wrt} must have {x.rank} axes "
                                   f"{x.dims}; got shape {shape}")
            return tuple(shape)
        unknown = [d for d in x.dims if not isinstance(d, int) and d not in self.sizes]
        if unknown:
            raise MatdiffError(f"give a start value for {self.wrt}: its size {unknown[0]} is "
                               "not fixed by the other values")
        return tuple(d if isinstance(d, int) else self.sizes[d] for d in x.dims)

    def _call(self, fn, **extra):
        try:
            return fn(**self.fixed, **extra)
        except ValueError as err:  # the generated shape checks
            raise MatdiffError(str(err)) from None

    def value(self, x) -> float:
        return float(self.value_and_gradient(x)[0])

    def value_and_gradient(self, x):
        f, g = self._call(self._vg, **{self.wrt: x.reshape(self.shape)})
        return float(f), np.asarray(g, dtype=float).reshape(-1)

    def hessp(self, x, p):
        if self._hvp is None:
            self._hvp, self._direction = _compiled(*self.key, "hvp")
        out = self._call(self._hvp, **{self.wrt: x.reshape(self.shape),
                                      self._direction: p.reshape(self.shape)})
        return np.asarray(out, dtype=float).reshape(-1)

    def hess(self, x):
        if self._hess is None:
            self._hess = _compiled(*self.key, "hessian")
        out = self._call(self._hess, **{self.wrt: x.reshape(self.shape)})
        return np.asarray(out, dtype=float).reshape(self.size, self.size)


def _frozen(vars) -> tuple:
    """The declarations as a hashable key (their text or TypeDecl)."""
    if vars is None:
        return ()
    if not isinstance(vars, Mapping):
        raise MatdiffError("vars must map variable names to type declarations")
    return tuple(sorted(vars.items()))


@lru_cache(maxsize=16)
def _gradient(expr: str, wrt: str, vars: tuple):
    return derivative(expr, wrt, dict(vars))


@lru_cache(maxsize=16)
def _compiled(expr: str, wrt: str, vars: tuple, sizes: tuple, what: str):
    """The generated function for `what`: 'value_and_gradient', 'hvp' (with the name of its
    direction) or 'hessian' (dense)."""
    if what == "value_and_gradient":
        return _gradient(expr, wrt, vars).compile(value=True, sizes=dict(sizes))
    if what == "hvp":
        product = hvp(expr, wrt, dict(vars))
        return product.compile(sizes=dict(sizes)), product.direction
    return hessian(expr, wrt, dict(vars)).compile(structured=False, sizes=dict(sizes))


class _Progress:
    """scipy's per-iteration callback: the user's callback(x) and, if verbose, a line."""

    def __init__(self, problem: _Problem, callback, verbose: bool):
        self.problem, self.callback, self.verbose, self.k = problem, callback, verbose, 0
        if verbose:
            print(f"{'iter':>5}  {'value':>22}  {'|gradient|':>11}")

    def __call__(self, xk, *rest):
        self.k += 1
        x = np.asarray(getattr(xk, "x", xk), dtype=float)
        if self.verbose:
            f, g = self.problem.value_and_gradient(x)
            print(f"{self.k:>5}  {f:>22.15g}  {np.linalg.norm(g):>11.3e}")
        if self.callback is not None:
            self.callback(x.reshape(self.problem.shape))
