"""The public API: `parse`, `derivative`, `hessian` and the objects they return.

    d = derivative("x'*A*x", wrt="x")
    str(d)        # (A + A')*x
    d.evaluate({"x": x, "A": A})

Every call runs the pipeline parse → lower (types, dims) → diff → simplify;
printing goes through matrix notation (`matrixform`, `render`).
"""

from __future__ import annotations

import json
import sys
import warnings
from contextlib import contextmanager
from typing import Mapping

import numpy as np

from . import parser, syntax
from .diff import diff
from .errors import MatdiffError, MatdiffWarning, ParseError, UnsupportedError, did_you_mean
from .evaluate import evaluate
from .ir import Expr, Var
from .layout import Arrangement, arrange, arrangement
from .lower import Lowered, lower
from .indexform import index_names
from .matrixform import to_form
from .render import render
from .simplify import Step, simplify
from .symmetric import check_mode, symmetrize

Declarations = Mapping[str, "str | syntax.TypeDecl"]


@contextmanager
def _deep_recursion(limit: int = 20000):
    """Deeply nested (but valid) input recurses deeply; give it room, then restore."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, limit))
    try:
        yield
    except RecursionError:
        raise UnsupportedError("expression nested too deeply to process") from None
    finally:
        sys.setrecursionlimit(old)


def _declarations(vars: Declarations | None) -> dict[str, syntax.TypeDecl]:
    decls = {}
    for name, decl in (vars or {}).items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ParseError(f"'{name}' is not a valid variable name")
        decls[name] = decl if isinstance(decl, syntax.TypeDecl) else parser.parse_type(decl)
    return decls


def _lower(text: str, vars: Declarations | None, extra: tuple[str, ...] = ()) -> Lowered:
    if not isinstance(text, str):
        raise ParseError(f"expected the expression as a string, got {type(text).__name__}")
    tree = parser.parse_text(text)
    decls = _declarations(vars)
    for name in extra:
        _check_variable_name(name, decls)
    return lower(tree, text, decls, extra)


def _check_variable_name(name: str, decls) -> None:
    if not isinstance(name, str) or not name.isidentifier() or name == "eye" \
            or name in parser.KNOWN_FUNCTIONS:
        raise MatdiffError(f"cannot differentiate by '{name}': not a variable name."
                           + did_you_mean(str(name), list(decls)))
    if name not in decls and any(name in decl.dims for decl in decls.values()):
        raise MatdiffError(f"cannot differentiate by '{name}': it is a declared dimension, "
                           "a size, not a variable")


class _Printable:
    """Printing shared by expressions and derivatives: text, Unicode, LaTeX, Jupyter.

    Subclasses have `expr` (IR) and say whether a vector is shown as a row."""

    expr: Expr

    def _shown_as_row(self) -> bool:
        raise NotImplementedError

    def form(self):
        with _deep_recursion():
            return to_form(self.expr, "row" if self._shown_as_row() else None)

    def __str__(self) -> str:
        return render(self.form(), "text")

    def unicode(self) -> str:
        return render(self.form(), "unicode")

    def latex(self) -> str:
        return render(self.form(), "latex")

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

    def evaluate(self, values: Mapping[str, object], sizes: Mapping[str, int] | None = None):
        """The value at `values`; `sizes` gives dims no variable fixes (as in `eye`)."""
        with _deep_recursion():
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
    with _deep_recursion():
        return Expression(text, _lower(text, vars), vars)


class Derivative(_Printable):
    """∂f/∂wrt (or a higher derivative), in the chosen layout."""

    def __init__(self, function: Expression, wrt: tuple[str, ...], layout: str,
                 mixed: Expr, steps: list[Step], symmetric: str = "sym"):
        self.function = function
        self.wrt = wrt
        self.layout = layout
        self.symmetric = symmetric  # how a derivative by a symmetric matrix is given
        self.mixed = mixed  # output axes, then the axes of each wrt variable in turn
        self.steps = steps  # the simplifier's record
        wrt_rank = sum(function.variables[w].rank for w in wrt)
        self.arrangement: Arrangement = arrangement(function.expr.rank, wrt_rank, layout,
                                                    order=len(wrt))
        self.expr = arrange(mixed, self.arrangement)

    # --- shape and numbers ---
    @property
    def dims(self) -> tuple:
        return _oriented_dims(self.expr.dims, self.arrangement.orientation)

    @property
    def variables(self) -> dict[str, Var]:
        return self.function.variables

    def evaluate(self, values: Mapping[str, object], sizes: Mapping[str, int] | None = None):
        """The derivative at `values` as a numpy array in this layout (float for a scalar)."""
        with _deep_recursion():
            return _oriented(evaluate(self.expr, values, sizes, context=self.variables),
                             self.arrangement.orientation)

    def check(self, values: Mapping[str, object] | None = None, *, seed: int = 0,
              rtol: float = 1e-6):
        """Compare with central finite differences at `values` (random if None)."""
        from .check import check_derivative

        return check_derivative(self, values, seed=seed, rtol=rtol)

    # --- generated code (matdiff.codegen) ---
    def code(self, target: str = "numpy", value: bool = False, **options) -> str:
        """Source of a function computing this derivative (with `value`: value, derivative)."""
        from .codegen import derivative_program

        return derivative_program(self, target, value, **options).source

    def compile(self, target: str = "numpy", value: bool = False, **options):
        """The generated function itself (see `code`; options: name, structured, sizes)."""
        from .codegen import derivative_program

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
            "note": self.arrangement.note,
            "axes": self.axes(),
        }

    def axes(self) -> str:
        """For index notation (3+ axes): which index runs over what, e.g.
        'D[i,j,k]: i indexes the output (n); j, k index W (m×n)'. Empty otherwise."""
        if self.expr.rank <= 2:
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

    def convexity(self, domain: Mapping[str, str] | None = None, **options):
        """Is the function convex or concave in the variable (see `matdiff.convexity`)?"""
        if len(set(self.wrt)) != 1:
            raise MatdiffError("convexity is about one variable; this derivative is by "
                               + ", ".join(self.wrt))
        return convexity(self.function.text, self.wrt[0], self.function.declarations, domain,
                         **options)

    def explain(self, format: str = "text"):
        """A step-by-step derivation, as text: 'text', 'markdown' (LaTeX) or 'json' (step list)."""
        from .explain import explain

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
    with _deep_recursion():
        lowered = _lower(expr, vars, wrt_names)
        _warn_if_absent(wrt_names, lowered.occurring)
        function = Expression(expr, lowered, vars)
        steps: list[Step] = []
        result = simplify(lowered.expr)  # a smaller function has a smaller derivative
        for name in wrt_names:
            result = derive_by(result, lowered.variables[name], symmetric, steps)
        return Derivative(function, wrt_names, layout, result, steps, symmetric)


def derive_by(expr: Expr, var: Var, symmetric: str = "sym", steps: list[Step] | None = None):
    """∂expr/∂var simplified, symmetrized when var is a symmetric matrix."""
    return simplify(symmetrize(diff(expr, var), var, symmetric), steps)


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

    `domain` states what the variables range over, e.g. {"X": "spd", "x": "positive"};
    options: `samples` (points searched for a counterexample), `seed`."""
    from .convex import convexity as analyse

    with _deep_recursion():
        return analyse(expr, wrt, vars, domain, **options)


def hessian(expr: str, wrt: str, vars: Declarations | None = None,
            layout: str = "mixed", symmetric: str = "sym") -> Derivative:
    """The second derivative by `wrt` twice (= derivative(expr, [wrt, wrt]))."""
    return derivative(expr, [wrt, wrt], vars, layout, symmetric)
