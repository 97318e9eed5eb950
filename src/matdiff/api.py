"""The public API: `parse`, `derivative`, `hessian`, `convexity`, `value_grad_hess` and
the objects they return.

    >>> import numpy as np
    >>> import matdiff as md
    >>> d = md.derivative("x'*A*x", wrt="x")
    >>> str(d)
    "(A + A')*x"
    >>> d.evaluate({"x": np.ones(2), "A": np.eye(2)})
    array([2., 2.])

Every call runs `pipeline` (read → simplify → differentiate → simplify); printing goes
through `notation`, numbers through `numeric`, code through `codegen`.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import replace
from typing import TYPE_CHECKING, Mapping

import numpy as np

from .calculus.layout import Arrangement, arrange, arrangement
from .calculus.symmetric import check_mode
from .codegen import derivative_program, grad_hess_program
from .convex.verdict import analyse
from .errors import MatdiffError, MatdiffWarning, did_you_mean
from .explain import explain
from .ir import Expr, Var
from .language import Declarations, Lowered, declared, read, with_domains
from .notation import (
    Named, NoMatrixForm, index_names, name_repeats, render, render_named, to_form, vec_dims,
    vec_form,
)
from .numeric.check import check_derivative
from .numeric.evaluate import evaluate
from .pipeline import deep_recursion, derivative_of
from .rewrite import Rewrite

_NOT_KRONECKER = ("no Kronecker form: shown in mixed order, D[i,j,k,l]; evaluate returns the "
                  "vec matrix, whose entry (i + m*j, k + p*l) is D[i,j,k,l] (F m×n, X p×q)")


class _Printable:
    """Printing shared by expressions and derivatives: text, Unicode, LaTeX, Jupyter.

    Subclasses have `expr` (IR) and `variables`, and say whether a vector is shown as a row."""

    expr: Expr

    if TYPE_CHECKING:  # an attribute of Expression, a property of Derivative
        @property
        def variables(self) -> dict[str, Var]: ...

    def _shown_as_row(self) -> bool:
        raise NotImplementedError

    def form(self):
        """The matrix notation (`forms`) every display prints; made once."""
        if getattr(self, "_form", None) is None:
            with deep_recursion():
                self._form = self._make_form()
        return self._form

    def _make_form(self):
        return to_form(self.expr, "row" if self._shown_as_row() else None)

    def __str__(self) -> str:
        return render(self.form(), "text")

    def named(self) -> Named:
        """The form with repeated subexpressions named once (`named.name_repeats`)."""
        if getattr(self, "_named", None) is None:
            taken = set(self.variables)
            taken |= {d for v in self.variables.values() for d in v.dims if isinstance(d, str)}
            self._named = name_repeats(self.form(), taken)
        return self._named

    def unicode(self) -> str:
        """Unicode, repeated parts named: `Xᵀ diag(s ⊙ (𝟙 − s)) X,  where s = σ(Xw)`."""
        return render_named(self.named(), "unicode")

    def latex(self) -> str:
        """LaTeX, repeated parts named: `… \\quad \\text{where } s = …`."""
        return render_named(self.named(), "latex")

    def where(self) -> list[dict]:
        """The named subexpressions of the displays: name, text, unicode and LaTeX of each."""
        return [{"name": n, **{style: render(f, style) for style in ("text", "unicode", "latex")}}
                for n, f in self.named().where]

    def _repr_latex_(self) -> str:
        return f"$${self.latex()}$$"

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/plain": str(self), "text/latex": self._repr_latex_()}


class Expression(_Printable):
    """A parsed, typed expression: `.dims`, `.evaluate(values)`, printing."""

    def __init__(self, text: str, lowered: Lowered, decls: Declarations | None = None):
        self.text = text
        self.expr = lowered.expr
        self.kind = lowered.kind
        self.variables: dict[str, Var] = lowered.variables
        self.declarations = dict(decls or {})

    @property
    def dims(self) -> tuple:
        return self.expr.dims

    @property
    def types(self) -> dict[str, str]:
        """The type of every variable, written as a declaration.

        >>> import matdiff as md
        >>> md.parse("x'*A*x").types
        {'x': 'vector(n)', 'A': 'matrix(n,n)'}
        """
        return {name: str(decl) for name, decl in declared(self.variables).items()}

    def evaluate(self, values: Mapping[str, object], sizes: Mapping[str, int] | None = None):
        """The value at `values`; `sizes` gives dims no variable fixes (as in `eye`)."""
        with deep_recursion():
            return _oriented(evaluate(self.expr, values, sizes, context=self.variables),
                             "row" if self.kind == "row" else None)

    def _shown_as_row(self) -> bool:
        return self.kind == "row"

    def __repr__(self) -> str:
        return f"<matdiff.Expression {self} dims={self.dims}>"



def _oriented(value, orientation: str | None):
    """A 1-D value as a 1×n row or an n×1 column when `orientation` says so."""
    if orientation and isinstance(value, np.ndarray) and value.ndim == 1:
        return value.reshape((1, -1) if orientation == "row" else (-1, 1))
    return value


def _oriented_dims(dims: tuple, orientation: str | None) -> tuple:
    if orientation and len(dims) == 1:
        return (1,) + dims if orientation == "row" else dims + (1,)
    return dims


def parse(text: str, vars: Declarations | None = None) -> Expression:
    """Parse and type-check `text`; `vars` declares types, e.g. {"A": "matrix(n,n)"}."""
    with deep_recursion():
        return Expression(text, read(text, vars), vars)


class Derivative(_Printable):
    """∂f/∂wrt (or a higher derivative), in the chosen layout."""

    def __init__(self, function: Expression, wrt: tuple[str, ...], layout: str,
                 mixed: Expr, steps: list[Rewrite], symmetric: str = "sym"):
        self.function = function
        self.wrt = wrt
        self.layout = layout
        self.symmetric = symmetric  # how a derivative by a symmetric matrix is given
        self.mixed = mixed  # output axes, then the axes of each wrt variable in turn
        self.steps = steps  # the simplifier's record
        wrt_rank = sum(function.variables[w].rank for w in wrt)
        self.arrangement: Arrangement = arrangement(function.expr.rank, wrt_rank, layout,
                                                    order=len(wrt),
                                                    last_rank=function.variables[wrt[-1]].rank)
        self.expr = arrange(mixed, self.arrangement)
        self._vec_matrix = self._vec_form() if self.arrangement.vec else None
        if self.arrangement.vec and self._vec_matrix is None:
            self.arrangement = replace(self.arrangement, note=_NOT_KRONECKER)

    def _vec_form(self):
        """The vec layout's matrix form; None when it has no Kronecker structure."""
        split = self.arrangement.vec
        assert split is not None  # made for the vec layout only
        try:
            with deep_recursion():
                return vec_form(self.expr, split)
        except NoMatrixForm:
            return None

    def _make_form(self):
        return self._vec_matrix or super()._make_form()

    # --- shape and numbers ---
    @property
    def dims(self) -> tuple:
        if self.arrangement.vec:
            return vec_dims(self.expr.dims, self.arrangement.vec)
        return _oriented_dims(self.expr.dims, self.arrangement.orientation)

    @property
    def variables(self) -> dict[str, Var]:
        return self.function.variables

    def evaluate(self, values: Mapping[str, object], sizes: Mapping[str, int] | None = None):
        """The derivative at `values` as a numpy array in this layout (float for a scalar;
        the vec layout's matrix is the mixed tensor reshaped in column-major order)."""
        with deep_recursion():
            value = evaluate(self.expr, values, sizes, context=self.variables)
        if self.arrangement.vec:
            rows = self.arrangement.vec[0]
            shape = np.shape(value)
            size = lambda axes: int(np.prod(axes, dtype=int))  # noqa: E731
            return np.reshape(value, (size(shape[:rows]), size(shape[rows:])), order="F")
        return _oriented(value, self.arrangement.orientation)

    def check(self, values: Mapping[str, object] | None = None, *, seed: int = 0,
              rtol: float = 1e-6):
        """Compare with central finite differences at `values` (random if None)."""
        return check_derivative(self, values, seed=seed, rtol=rtol)

    # --- generated code (matdiff.codegen) ---
    def code(self, target: str = "numpy", value: bool = False, **options) -> str:
        """Source of a function computing this derivative (with `value`: value, derivative)."""
        return derivative_program(self, target, value, **options).source

    def compile(self, target: str = "numpy", value: bool = False, **options):
        """The generated function itself (see `code`; options: name, structured, sizes)."""
        return derivative_program(self, target, value, **options).compile()

    # --- printing ---
    def _shown_as_row(self) -> bool:
        return self.arrangement.row

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    def to_dict(self) -> dict:
        return {
            "expression": self.function.text,
            "wrt": list(self.wrt),
            "layout": self.layout,
            "symmetric": self.symmetric,
            "dims": [d if isinstance(d, int) else str(d) for d in self.dims],
            "text": str(self),
            "unicode": self.unicode(),
            "latex": self.latex(),
            "where": self.where(),
            "note": self.arrangement.note,
            "axes": self.axes(),
        }

    def axes(self) -> str:
        """For index notation (3+ axes): which index runs over what, e.g.
        'D[i,j,k]: i indexes the output (n); j, k index W (m×n)'. Empty otherwise."""
        if self.expr.rank <= 2 or self._vec_matrix is not None:
            return ""
        names = index_names(self.expr.rank)
        groups = [("the output", self.function.expr.dims)]
        groups += [(w, self.variables[w].dims) for w in self.wrt]
        parts, k = [], 0
        for what, dims in groups:
            if dims:
                shown = ", ".join(names[k:k + len(dims)])
                size = "×".join(str(d) for d in dims)
                verb = "indexes" if len(dims) == 1 else "index"
                parts.append(f"{shown} {verb} {what} ({size})")
                k += len(dims)
        return f"D[{','.join(names)}]: " + "; ".join(parts)

    def __repr__(self) -> str:
        return f"<matdiff.Derivative {self} dims={self.dims} layout={self.layout}>"

    def stages(self) -> list["Derivative"]:
        """One first derivative per wrt variable, each of the previous one's printed result
        (how a higher derivative is explained); the last is in this layout."""
        decls, text, stages = declared(self.variables), self.function.text, []
        for k, name in enumerate(self.wrt):
            last = k == len(self.wrt) - 1
            stages.append(derivative(text, name, decls, self.layout if last else "mixed",
                                     self.symmetric))
            text = str(stages[-1])
        return stages

    def convexity(self, domain: Mapping[str, str] | None = None, **options):
        """Is the function convex or concave in the variable (see `matdiff.convexity`)?"""
        if len(set(self.wrt)) != 1:
            raise MatdiffError("convexity is about one variable; this derivative is by "
                               + ", ".join(self.wrt))
        return convexity(self.function.text, self.wrt[0], self.function.declarations, domain,
                         **options)

    def explain(self, format: str = "text"):
        """A step-by-step derivation, as text: 'text', 'markdown' (LaTeX) or 'json' (step list)."""
        return explain(self, format)


def derivative(expr: str, wrt: str | list[str] | tuple[str, ...], vars: Declarations | None = None,
               layout: str = "mixed", symmetric: str = "sym") -> Derivative:
    """∂expr/∂wrt; a list differentiates by each in turn (dims: out + wrt₁ + wrt₂ …).

    By a matrix declared symmetric the result is sym(G) = (G + G')/2 of the entry-wise
    gradient G, or with `symmetric="cookbook"` G + G' - I∘G (see `matdiff.symmetric`)."""
    wrt_names = (wrt,) if isinstance(wrt, str) else tuple(wrt)
    if not wrt_names:
        raise MatdiffError("wrt names no variable")
    check_mode(symmetric)
    with deep_recursion():
        lowered, result, steps = derivative_of(expr, wrt_names, vars, symmetric)
        _warn_if_absent(wrt_names, lowered.occurring)
        return Derivative(Expression(expr, lowered, vars), wrt_names, layout, result, steps,
                          symmetric)


def _warn_if_absent(wrt: tuple[str, ...], occurring: tuple[str, ...]) -> None:
    """A `wrt` the expression does not name differentiates to zero: likely a typo, so say so."""
    for name in dict.fromkeys(w for w in wrt if w not in occurring):
        present = ", ".join(occurring) if occurring else "none"
        warnings.warn(f"'{name}' does not occur in the expression, so the derivative is zero"
                      f" (its variables: {present}).{did_you_mean(name, occurring)}",
                      MatdiffWarning, stacklevel=3)


def convexity(expr: str, wrt: str, vars: Declarations | None = None,
              domain: Mapping[str, str] | None = None, **options):
    """Convexity and concavity of a scalar `expr` in `wrt`: certified, refuted or unknown.

    What the variables range over is declared in `vars` (`{"X": "matrix(n,n) spd"}`);
    `domain` says the same per variable, e.g. {"X": "spd", "x": "positive"}. Options:
    `samples` (points searched for a counterexample), `seed`."""
    with deep_recursion():
        decls = with_domains(vars, read(expr, vars).variables, domain)
        h = hessian(expr, wrt, decls)
        return analyse(expr, h.function.expr, h.mixed, h.variables, wrt, lambda: str(h),
                       **options)


def hessian(expr: str, wrt: str, vars: Declarations | None = None,
            layout: str = "mixed", symmetric: str = "sym") -> Derivative:
    """The second derivative by `wrt` twice (= derivative(expr, [wrt, wrt]))."""
    return derivative(expr, [wrt, wrt], vars, layout, symmetric)


def value_grad_hess(expr: str, wrt: str, vars: Declarations | None = None,
                    target: str = "numpy", layout: str = "mixed", *,
                    name: str = "value_grad_hess", structured: bool = True, sizes=None,
                    symmetric: str = "sym"):
    """One generated function returning (value, gradient, Hessian) of `expr` by `wrt`,
    sharing work (a `codegen.Program`). The gradient follows `layout`; the Hessian is in
    mixed layout (as `hessian`)."""
    g = derivative(expr, wrt, vars, layout, symmetric)
    h = hessian(expr, wrt, vars, layout, symmetric)
    return grad_hess_program(g, h, target, name=name, structured=structured, sizes=sizes)
