"""Generated NumPy, JAX and PyTorch code for derivatives.

    >>> import numpy as np
    >>> import matdiff as md
    >>> d = md.derivative("sum(log(exp(-y.*(X*w)) + vector(1)))", wrt="w")
    >>> print(d.code("numpy").splitlines()[-1])
        return -(X.T @ (y * (1 / (1 + np.exp(y * (X @ w))))))
    >>> grad = d.compile("numpy")         # also "jax" and "torch"; value=True: (value, grad)
    >>> grad(X=np.eye(2), w=np.zeros(2), y=np.ones(2))
    array([-0.5, -0.5])
    >>> f = md.value_grad_hess("x'*A*x", "x").compile()   # value, gradient, Hessian
    >>> float(f(x=np.array([1.0, 2.0]), A=np.eye(2))[0])
    5.0

Pipeline: IR → `from_ir` (array program, common subexpressions once, einsums contracted
pairwise in opt_einsum's order as matrix products) → `printer` with a `targets` table →
`program.load` (the audited exec). Results equal `Derivative.evaluate`; a Hessian with
Kronecker-delta structure (I ⊗ M, M ⊗ I) of three or more axes comes back as a
`StructuredTensor` (`.todense()`, `@`) unless `structured=False`.

Identifiers in generated code are sanitized (`names`): a variable called `lambda` is the
parameter `lambda_`. Importing this package imports neither JAX nor PyTorch.
"""

from __future__ import annotations

from ..errors import UnsupportedError
from .program import DEFAULT_SIZE, Options, Program, audit, generate, load
from .runtime import StructuredTensor
from .targets import TARGETS

__all__ = [
    "DEFAULT_SIZE", "Options", "Program", "StructuredTensor", "TARGETS", "audit",
    "derivative_program", "generate", "grad_hess_program", "load",
]


def derivative_program(d, target: str = "numpy", value: bool = False, *, name: str | None = None,
                       structured: bool = True, sizes=None) -> Program:
    """The program of Derivative `d`: returns d (in d's layout), or (value, d) with `value`."""
    _refuse_vec(d.layout)
    outputs = [("derivative", d.expr, d.arrangement.orientation)]
    if value:
        outputs.insert(0, ("value", d.function.expr, _orientation(d.function)))
    default = "value_and_derivative" if value else "derivative"
    return generate(outputs, d.variables, target, name or default,
                    Options(structured, dict(sizes or {})))


def grad_hess_program(g, h, target: str = "numpy", *, name: str = "value_grad_hess",
                      structured: bool = True, sizes=None) -> Program:
    """One function returning (value, gradient, Hessian) from Derivatives `g` and `h` of one
    function, sharing work (`matdiff.value_grad_hess` builds them from text)."""
    _refuse_vec(g.layout)
    outputs = [("value", g.function.expr, _orientation(g.function)),
               ("gradient", g.expr, g.arrangement.orientation),
               ("hessian", h.expr, h.arrangement.orientation)]
    return generate(outputs, g.variables, target, name, Options(structured, dict(sizes or {})))


def _orientation(function) -> str | None:
    """A function's own value: a row vector is returned 1×n, as `Expression.evaluate` does."""
    return "row" if function.kind == "row" else None


def _refuse_vec(layout: str) -> None:
    if layout == "vec":
        raise UnsupportedError("generated code for the vec layout is not available; generate "
                               "it in the mixed layout and reshape the result in column-major "
                               "(Fortran) order")
