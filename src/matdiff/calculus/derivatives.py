"""The derivative formulas of the built-in functions, read from the function tables.

Each function's entry (`functions`) writes its derivative in the input language: f'(u) of
an entry-wise function (`"cos(u)"`), the differential of a matrix function, linear in its
`dX` (`"-inv(X)*dX*inv(X)"`), or f'(X) of a primary matrix function (`"inv(X)"`). A formula
is lowered to IR once, with symbolic sizes, and instantiated for each node:

- `entrywise_derivative`: the scalar formula applied to every entry of the argument;
- `differential`: X bound to the argument and dX to the argument's derivative; dX's extra
  axes (those of the variable differentiated by) pass through the linear map unchanged;
- `primary_derivative`: X bound to the argument.
"""

from __future__ import annotations

from functools import cache

from ..ir.build import add, einsum, elementwise, hadamard, ones, power, scale, zero
from ..errors import UnsupportedError
from ..functions import ENTRYWISE, MATRIX, PRIMARY
from ..ir import Add, Dim, Einsum, Elementwise, Expr, Identity, Number, Ones, Power, Var, Zero
from ..ir import map_bottom_up, walk
from ..language import lower, parse_text, parse_type

_ENTRYWISE_NAMES = (("u", "scalar"), ("f", "scalar"))
_SQUARE_NAMES = (("X", "matrix(n,n)"), ("dX", "matrix(n,n)"))
_VECTOR_NAMES = (("u", "vector(n)"), ("du", "vector(n)"))


@cache
def formula(text: str, names: tuple[tuple[str, str], ...]) -> Expr:
    """`text` lowered to IR, its names declared as in `names` ((name, type) pairs)."""
    decls = {name: parse_type(decl) for name, decl in names}
    return lower(parse_text(text), text, decls).expr


def entrywise_derivative(fn: str, u: Expr, fu: Expr) -> Expr:
    """f'(u), entry by entry, from the formula of `ENTRYWISE[fn]` (fu = f(u))."""
    template = formula(ENTRYWISE[fn].derivative, _ENTRYWISE_NAMES)
    return _Lift({"u": u, "f": fu}, u.dims).of(template)


def differential(fn: str, node: Expr, d_arg: Expr, k: int) -> Expr:
    """d f(X) for the matrix function node f(X), given dX = ∂X/∂x with k axes of x last."""
    entry = MATRIX[fn]
    names = _SQUARE_NAMES if entry.argument == "square" else _VECTOR_NAMES
    template = formula(entry.differential, names)
    (x, _), (dx, _) = names
    arg = node.children()[0]
    return _Linear({x: arg}, {"n": arg.dims[0]}, dx, d_arg, k).of(template)


def primary_derivative(fn: str, x: Expr, p: float | None = None) -> Expr:
    """f'(X) = L_f(X, I) of the primary matrix function `fn` (X^p: p given)."""
    text = PRIMARY[fn].derivative
    if p is not None:
        text = text.format(p=repr(float(p)), q=repr(float(p) - 1.0))
    return substitute(formula(text, _SQUARE_NAMES[:1]), {"X": x}, {"n": x.dims[0]})


def substitute(template: Expr, values: dict[str, Expr], dims: dict[Dim, Dim]) -> Expr:
    """The template with its variables replaced by `values` and its sizes renamed by `dims`.

    Only the template's own leaves are replaced: a node that rebuilding makes of the values
    (inv(inv(X)) is X) is the caller's, whatever its name."""
    leaves = {id(n) for n in walk(template) if not n.children()}

    def replace(node: Expr) -> Expr:
        if id(node) not in leaves:
            return node
        if isinstance(node, Var) and node.name in values:
            return values[node.name]
        if isinstance(node, Identity):
            return Identity(dims.get(node.dims[0], node.dims[0]))
        if isinstance(node, (Ones, Zero)):
            return type(node)(tuple(dims.get(d, d) for d in node.dims))
        return node

    return map_bottom_up(template, replace)


class _Lift:
    """A formula of scalars applied entry by entry over `dims`."""

    def __init__(self, values: dict[str, Expr], dims: tuple):
        self.values, self.dims = values, dims

    def of(self, e: Expr) -> Expr:
        if isinstance(e, Var):
            return self.values[e.name]
        if isinstance(e, Number):
            return zero(self.dims) if e.value == 0 else scale(e.value, ones(self.dims))
        if isinstance(e, Add):  # constants first: 1 - f.^2
            terms = sorted(e.terms, key=lambda term: not isinstance(term[1], Number))
            return add(*((c, self.of(t)) for c, t in terms))
        if isinstance(e, Einsum):  # a product of scalars: their entry-wise product
            return hadamard(*(self.of(op) for op in e.operands))
        if isinstance(e, Elementwise):
            return elementwise(e.fn, self.of(e.arg))
        if isinstance(e, Power):
            exponent = e.exponent if isinstance(e.exponent, Number) else self.of(e.exponent)
            return power(self.of(e.base), exponent)
        raise UnsupportedError(f"an entry-wise derivative formula cannot hold {e!r}")


class _Linear:
    """A formula linear in the variable `d`, with d bound to a tensor of k extra axes: each
    product that holds d carries those axes to its result, last."""

    def __init__(self, values: dict[str, Expr], dims: dict[Dim, Dim], d: str, bound: Expr,
                 k: int):
        self.values, self.dims, self.d, self.bound, self.k = values, dims, d, bound, k

    def holds_d(self, e: Expr) -> bool:
        return (isinstance(e, Var) and e.name == self.d) or any(
            self.holds_d(c) for c in e.children())

    def of(self, e: Expr) -> Expr:
        if isinstance(e, Var) and e.name == self.d:
            return self.bound
        if isinstance(e, Add) and all(self.holds_d(t) for _, t in e.terms):
            return add(*((c, self.of(t)) for c, t in e.terms))
        if isinstance(e, Einsum) and sum(map(self.holds_d, e.operands)) == 1:
            fresh = max((a for ix in e.indices for a in ix), default=-1) + 1
            w = tuple(range(fresh, fresh + self.k))
            ops, ixs = [], []
            for op, ix in zip(e.operands, e.indices):
                linear = self.holds_d(op)
                ops.append(self.of(op) if linear else substitute(op, self.values, self.dims))
                ixs.append(tuple(ix) + (w if linear else ()))
            return einsum(ops, ixs, tuple(e.out) + w)
        raise UnsupportedError(f"a differential formula must be linear in {self.d}: {e!r}")
