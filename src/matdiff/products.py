"""Derivatives applied to a direction, never formed: ∇²f·v, J·v and uᵀJ.

    >>> import matdiff as md
    >>> p = md.hvp("sum(log(exp(-y.*(X*w)) + vector(1)))", wrt="w")
    >>> print(p)
    X'*(y.*y.*sigmoid(-y.*(X*w)).*(1 - sigmoid(-y.*(X*w))).*(X*v))
    >>> p.direction  # the new variable, of w's shape
    'v'

Each is symbolic differentiation of a pairing, so the result is an ordinary expression in
the inputs and the direction — printed, evaluated, compiled and checked like a derivative,
at the cost of a few gradients, never of a Hessian or a Jacobian:

    hvp(f, x)  = ∂/∂x ⟨∇f(x), v⟩          (f scalar; the result has x's shape)
    vjp(f, x)  = ∂/∂x ⟨u, f(x)⟩           (the result has x's shape)
    jvp(f, x)  = Σ_x-axes ∂f/∂x · v       (the directional derivative; f's shape)

The direction is named `v` (`V` when it is a matrix; `u`/`U` for a vjp), or `v1`, `v2`, …
when the expression already uses that name; `direction=` chooses another.
"""

from __future__ import annotations

from .api import Derivative, Expression, derivative
from .ir.build import einsum, labels
from .calculus.diff import diff
from .errors import MatdiffError, UnsupportedError
from .functions import KNOWN_FUNCTIONS, NAMED_CONSTANTS
from .ir import Expr, Var
from .language import Lowered, TypeDecl
from .notation.forms import kind_of_rank
from .numeric.check import check_product
from .pipeline import deep_recursion
from .rewrite import Rewrite, simplify



class Product(Derivative):
    """A derivative applied to a direction (see the module doc). `kind` is 'hvp', 'jvp' or
    'vjp'; `direction` the name of the new variable; `function` the function f (so
    `compile(value=True)` returns (f, product)); `inner` the IR whose derivative is applied
    (∇f for an hvp, f otherwise)."""

    def __init__(self, kind: str, function: Expression, wrt: str, mixed: Expr,
                 steps: list[Rewrite], direction: str, inner: Expr, pairing: Derivative | None):
        super().__init__(function, (wrt,), "mixed", mixed, steps)
        self.kind = kind
        self.direction = direction
        self.inner = inner
        self.pairing = pairing  # ∂⟨…⟩/∂x as a Derivative, for explain (hvp, vjp)

    def check(self, values=None, *, seed: int = 0, rtol: float = 1e-6):
        """Compare with the finite-difference Jacobian of `inner` applied to the direction."""
        return check_product(self, values, seed=seed, rtol=rtol)

    def explain(self, format: str = "text"):
        """The derivation of ∂⟨pairing⟩/∂x (hvp, vjp); a jvp explains its Jacobian first."""
        if self.pairing is None:
            raise UnsupportedError(
                "a Jacobian-vector product is explained through its Jacobian: "
                f"md.derivative({self.function.text!r}, {self.wrt[0]!r}).explain()")
        return self.pairing.explain(format)

    def axes(self) -> str:
        return ""

    def to_dict(self) -> dict:
        return super().to_dict() | {"product": self.kind, "direction": self.direction}

    def __repr__(self) -> str:
        return f"<matdiff.Product {self.kind} {self} dims={self.dims} direction={self.direction}>"


def hvp(expr: str, wrt: str, vars=None, direction: str | None = None) -> Product:
    """∇²f·v for a scalar f: ∂/∂wrt of ⟨∇f, v⟩ (v has wrt's shape; see the module doc)."""
    with deep_recursion():
        g = derivative(expr, wrt, vars)
        if g.function.expr.rank:
            raise MatdiffError(f"hvp needs a scalar function; {expr!r} has dims "
                               f"{g.function.expr.dims} (use md.jvp or md.vjp)")
        x = g.variables[wrt]
        v = _direction(direction, g.variables, x.dims, "v")
        pairing = _inner_product(g.mixed, v)
        text = _pairing_text(str(g), "col" if x.rank == 1 else kind_of_rank(x.rank), v.name, left=False)
        return _product("hvp", g, x, v, pairing, text, inner=g.mixed)


def vjp(expr: str, wrt: str, vars=None, direction: str | None = None) -> Product:
    """uᵀ·∂f/∂wrt: ∂/∂wrt of ⟨u, f⟩ (u has f's shape, the result wrt's shape)."""
    with deep_recursion():
        j = derivative(expr, wrt, vars)
        f, x = j.function, j.variables[wrt]
        u = _direction(direction, j.variables, f.expr.dims, "u")
        pairing = _inner_product(f.expr, u)
        text = _pairing_text(f.text, f.kind, u.name, left=True)
        return _product("vjp", j, x, u, pairing, text, inner=f.expr)


def jvp(expr: str, wrt: str, vars=None, direction: str | None = None) -> Product:
    """∂f/∂wrt · v: the derivative of f along v (v has wrt's shape, the result f's shape)."""
    with deep_recursion():
        j = derivative(expr, wrt, vars)
        f, x = j.function, j.variables[wrt]
        v = _direction(direction, j.variables, x.dims, "v")
        out, ins = labels(f.expr.rank), labels(x.rank, f.expr.rank)
        steps: list[Rewrite] = []
        mixed = simplify(einsum([j.mixed, v], [out + ins, ins], out), steps)
        return Product("jvp", _with_direction(f, f.expr, f.text, f.kind, v), wrt, mixed,
                       j.steps + steps, v.name, f.expr, None)


# --- the pieces ------------------------------------------------------------------------------

def _product(kind: str, base: Derivative, x: Var, direction: Var, pairing: Expr, text: str,
             inner: Expr) -> Product:
    """∂pairing/∂x as a Product whose function is base's f, and the pairing's Derivative."""
    f = base.function
    steps: list[Rewrite] = []
    pairing = simplify(pairing)
    mixed = simplify(diff(pairing, x), steps)
    scalar = _with_direction(f, pairing, text, "scalar", direction)
    paired = Derivative(scalar, (x.name,), "mixed", mixed, steps)
    return Product(kind, _with_direction(f, f.expr, f.text, f.kind, direction), x.name, mixed,
                   steps, direction.name, inner, paired)


def _with_direction(f: Expression, expr: Expr, text: str, kind: str, v: Var) -> Expression:
    """An Expression of `expr` over f's variables and the direction."""
    variables = {**f.variables, v.name: v}
    decls = {**f.declarations, v.name: TypeDecl.of(v)}
    return Expression(text, Lowered(expr, kind, variables), decls)


def _inner_product(a: Expr, b: Expr) -> Expr:
    """⟨a, b⟩ = Σ a ⊙ b over every axis."""
    ix = labels(a.rank)
    return einsum([a, b], [ix, ix], ())


def _pairing_text(f: str, kind: str, name: str, left: bool) -> str:
    """⟨f, name⟩ in the input language (f's text of orientation `kind`), for explanations."""
    if kind == "scalar":
        return f"{name}*({f})" if left else f"({f})*{name}"
    if kind == "col":
        return f"{name}'*({f})" if left else f"({f})'*{name}"
    if kind == "row":
        return f"({f})*{name}"
    if kind == "matrix":
        return f"tr({name}'*({f}))" if left else f"tr(({f})'*{name})"
    return f"<{f}, {name}>"  # a tensor pairing has no text in the input language


def _direction(requested: str | None, taken: dict[str, Var], dims: tuple, base: str) -> Var:
    """The direction variable: `requested`, or base (upper case for a matrix) made unique."""
    if requested is not None:
        if not isinstance(requested, str) or not requested.isidentifier() \
                or requested in KNOWN_FUNCTIONS or requested in NAMED_CONSTANTS:
            raise MatdiffError(f"direction {requested!r} is not a variable name")
        if requested in taken:
            raise MatdiffError(f"direction '{requested}' is already a variable of the "
                               "expression; choose another name")
        return Var(requested, dims)
    stem = base.upper() if len(dims) == 2 else base
    name, k = stem, 0
    while name in taken:
        k += 1
        name = f"{stem}{k}"
    return Var(name, dims)
