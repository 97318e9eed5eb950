"""Symbolic differentiation: one rule per node type, the chain rule written once.

`diff(f, x)` returns ∂f/∂x in the mixed layout: dims = f.dims + x.dims, entry
[i…, j…] = ∂f[i…]/∂x[j…]. Every rule below receives the node and `d`, a
function giving the derivative of a child (same layout), and builds the
node's derivative with the smart constructors. Subexpressions that do not
contain x get a zero without being visited. A variable declared symmetric is
differentiated entry by entry, its entries treated as independent.
"""

from __future__ import annotations

from typing import Any, Callable

from ..ir.build import (
    add, einsum, elementwise, frechet, hadamard, identity_tensor, is_zero, labels, ones, power,
    zero,
)
from .derivatives import differential, entrywise_derivative
from ..errors import UnsupportedError
from ..functions import MAX_ORDER, PRIMARY
from ..ir import (
    Add, Einsum, Elementwise, Expr, Frechet, Identity, MatrixFunction, Number, Ones, Power, Var,
    Zero, depends_on,
)

MAX_WORK = 40_000  # operand slots the product rule may create (≈ a 200-factor product)

# (node, d, wrt dims); the node is of the type the rule is registered for in NODE_RULES
DerivativeRule = Callable[[Any, Callable[[Expr], Expr], tuple], Expr]


def diff(f: Expr, x: Var) -> Expr:
    """∂f/∂x, unsimplified beyond the smart constructors' canonical form."""
    return _Differentiator(f, x).run()


class _Differentiator:
    """Memoised walk: each distinct subexpression is differentiated once."""

    def __init__(self, f: Expr, x: Var):
        self.f, self.x = f, x
        self.memo: dict[Expr, Expr] = {}
        self.work = 0
        self.depends = depends_on(f, x.name)

    def _charge(self, work: int) -> None:
        """The product rule is quadratic in a product's length; refuse what would hang."""
        self.work += work
        if self.work > MAX_WORK:
            raise UnsupportedError(
                "the derivative is too large to build symbolically "
                f"(a product of {int(work ** 0.5)} factors); shorten the expression")

    def run(self) -> Expr:
        return self.d(self.f)

    def d(self, e: Expr) -> Expr:
        if not self.depends.get(id(e), True):
            return zero(e.dims + self.x.dims)
        if e not in self.memo:
            if isinstance(e, Einsum):
                self._charge(len(e.operands) ** 2)
            self.memo[e] = NODE_RULES[type(e)](e, self.d, self.x.dims)
        return self.memo[e]


def _with_wrt(ix: tuple[int, ...], w: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(ix) + tuple(w)


# --- the rules --------------------------------------------------------------------


def _var(e: Var, d, wd) -> Expr:
    # ∂x/∂x = δ (identity of matching dims); constants never reach a rule
    return identity_tensor(e.dims)


def _add(e: Add, d, wd) -> Expr:
    # d Σ cᵢ tᵢ = Σ cᵢ dtᵢ
    return add(*((c, d(t)) for c, t in e.terms))


def _einsum(e: Einsum, d, wd) -> Expr:
    # product rule: Σ_k (operands with the k-th one replaced by its derivative)
    fresh = max((a for ix in e.indices for a in ix), default=-1) + 1
    w = labels(len(wd), fresh)
    terms = []
    for pos, op in enumerate(e.operands):
        dop = d(op)
        if is_zero(dop):
            continue
        ops = list(e.operands)
        ops[pos] = dop
        ix = list(e.indices)
        ix[pos] = _with_wrt(ix[pos], w)
        terms.append(einsum(ops, ix, _with_wrt(e.out, w)))
    return add(*terms) if terms else zero(e.dims + wd)


def _chain_entrywise(fprime: Expr, du: Expr, k: int) -> Expr:
    """f'(u) ⊙ du: the diagonal Jacobian diag(f'(u)) applied to du, as a Hadamard product."""
    ix = labels(fprime.rank)
    w = labels(k, fprime.rank)
    return einsum([fprime, du], [ix, ix + w], ix + w)


def _elementwise(e: Elementwise, d, wd) -> Expr:
    # d f(u) = f'(u) ⊙ du
    fprime = entrywise_derivative(e.fn, e.arg, e)
    return _chain_entrywise(fprime, d(e.arg), len(wd))


def _power(e: Power, d, wd) -> Expr:
    # d u^p = p u^(p-1) ⊙ du + u^p ⊙ log(u) ⊙ dp
    u, p, k = e.base, e.exponent, len(wd)
    terms = []
    du = d(u)
    if not is_zero(du):
        lowered = power(u, add(p, (-1.0, ones(p.dims))))
        terms.append(_chain_entrywise(hadamard(p, lowered), du, k))
    dp = d(p)
    if not is_zero(dp):
        factor = hadamard(e, elementwise("log", u))
        ix = labels(e.rank)
        w = labels(k, e.rank)
        pix = ix if p.rank else ()
        terms.append(einsum([factor, dp], [ix, pix + w], ix + w))
    return add(*terms) if terms else zero(e.dims + wd)


def _matrix_function(e: MatrixFunction, d, wd) -> Expr:
    if e.fn in PRIMARY:
        # d f(X) = L_f(X, dX): the Fréchet derivative applied to dX
        return frechet(e.fn, e.arg, (d(e.arg),), e.param)
    # the differential of `functions.MATRIX[fn]`, d inv(X) = -inv(X)*dX*inv(X), with dX = d(X)
    return differential(e.fn, e, d(e.arg), len(wd))


def _frechet(e: Frechet, d, wd) -> Expr:
    # d L⁽ᵏ⁾(X; E₁…E_k) = L⁽ᵏ⁺¹⁾(X; E₁…E_k, dX) + Σᵢ L⁽ᵏ⁾(X; …dEᵢ…), wrt axes moved last
    terms = []
    dx = d(e.point)
    if not is_zero(dx):
        if e.order >= MAX_ORDER:
            raise UnsupportedError(
                f"derivatives of order {e.order + 1} of {e.fn}(X) are not supported")
        terms.append(frechet(e.fn, e.point, e.directions + (dx,), e.param))
    k = len(wd)
    start = 2
    for i, direction in enumerate(e.directions):
        extra = direction.rank - 2
        de = d(direction)
        if not is_zero(de):
            dirs = e.directions[:i] + (de,) + e.directions[i + 1:]
            raw = frechet(e.fn, e.point, dirs, e.param)
            ix = labels(raw.rank)
            split = start + extra
            out = ix[:split] + ix[split + k:] + ix[split:split + k]
            terms.append(einsum([raw], [ix], out))
        start += extra
    return add(*terms) if terms else zero(e.dims + wd)


def _constant(e: Expr, d, wd) -> Expr:
    # constants are skipped before any rule runs (they do not depend on x); for completeness
    return zero(e.dims + wd)


NODE_RULES: dict[type, DerivativeRule] = {
    Number: _constant,
    Zero: _constant,
    Ones: _constant,
    Identity: _constant,
    Var: _var,
    Add: _add,
    Einsum: _einsum,
    Elementwise: _elementwise,
    Power: _power,
    MatrixFunction: _matrix_function,
    Frechet: _frechet,
}
