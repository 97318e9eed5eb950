"""Identities of determinants, inverses, signs and entry-wise powers, as rewrite rules.

Each function is a rule in the sense of `engine.py` (one node in, an equal node
with the same dims or None out); `rules.RULES` lists them with their identity.
They hold for every value where the input is defined (an inverse exists, a
determinant is non-zero), the same domain on which the derivative rules hold.
"""

from __future__ import annotations

from collections import Counter

from ..ir.build import (
    add, einsum, elementwise, matrix_function, power, replace_operands, scale,
    split_coefficient,
)
from ..ir import Einsum, Elementwise, Expr, MatrixFunction, Number, Ones, Power, Var

# --- chains of square matrices ---------------------------------------------------------------


def square_chain(e: Expr) -> list[tuple[Expr, bool]] | None:
    """[(factor, transposed?), …] when e is a product F₁F₂…Fₖ of n×n matrices (k ≥ 2)."""
    if not (isinstance(e, Einsum) and e.rank == 2 and e.out[0] != e.out[1]):
        return None
    n = e.dims[0]
    if e.dims[1] != n or any(op.dims != (n, n) or ix[0] == ix[1]
                             for op, ix in zip(e.operands, e.indices)):
        return None
    steps, at = [], e.out[0]
    left = list(range(len(e.operands)))
    while left:
        nxt = [k for k in left if at in e.indices[k]]
        if len(nxt) != 1:
            return None
        (k,) = nxt
        left.remove(k)
        ix = e.indices[k]
        steps.append((e.operands[k], ix[0] != at))
        at = ix[1] if ix[0] == at else ix[0]
    return steps if at == e.out[1] and len(steps) >= 2 else None


def _chain_product(factors: list[tuple[Expr, bool]]) -> Expr:
    """F₁F₂…Fₖ from [(F, transposed?), …]."""
    ops = [f for f, _ in factors]
    ixs = [(i + 1, i) if t else (i, i + 1) for i, (_, t) in enumerate(factors)]
    return einsum(ops, ixs, (0, len(factors)))


# --- determinants and inverses -----------------------------------------------------------------


def det_of_product(e: MatrixFunction) -> Expr | None:
    """det(AB) = det(A)·det(B) and logdet(AB) = logdet(A) + logdet(B), for square factors.

    Taken when a factor repeats, so that the result collects into powers:
    det(X⁴) = det(X)⁴, det(XᵀX) = det(X)², logdet(YYᵀ) = 2·logdet(Y)."""
    if e.fn not in ("det", "logdet"):
        return None
    chain = square_chain(e.arg)
    if chain is None:
        return None
    counts = Counter(f for f, _ in chain)
    if max(counts.values()) < 2:
        return None
    if e.fn == "det":
        parts = [power(matrix_function("det", f), k) for f, k in counts.items()]
        return einsum(parts, [()] * len(parts), ())
    return add(*((float(k), matrix_function("logdet", f)) for f, k in counts.items()))


def scaled_inverse(e: MatrixFunction) -> Expr | None:
    """inv(c·X) = inv(X)/c: a number comes out of an inverse."""
    if e.fn != "inv":
        return None
    c, x = split_coefficient(e.arg)
    if c == 1.0 or isinstance(x, Number):
        return None
    return scale(1.0 / c, matrix_function("inv", x))


def inverse_of_product(e: MatrixFunction) -> Expr | None:
    """inv(AB) = inv(B)·inv(A) for square factors (used by a search, not applied greedily)."""
    if e.fn != "inv":
        return None
    chain = square_chain(e.arg)
    if chain is None:
        return None
    return _chain_product([(matrix_function("inv", f), t) for f, t in reversed(chain)])


# --- constants --------------------------------------------------------------------------------


def ones_outer(e: Einsum) -> Expr | None:
    """1_a 1_bᵀ → 1_ab: a product of all-ones factors on separate axes is all ones."""
    if not e.out or not all(isinstance(op, Ones) for op in e.operands):
        return None
    labels = [a for ix in e.indices for a in ix]
    if len(set(labels)) != len(labels) or set(labels) != set(e.out) or len(e.out) != len(labels):
        return None
    return Ones(e.dims)


# --- signs and entry-wise powers ------------------------------------------------------------------


def sign_times_value(e: Einsum) -> Expr | None:
    """sign(u) ⊙ u → |u|, entry by entry (so that |u| ⊘ |u| can cancel)."""
    for k, (op, ix) in enumerate(zip(e.operands, e.indices)):
        if not (isinstance(op, Elementwise) and op.fn == "sign"):
            continue
        for j, (other, jx) in enumerate(zip(e.operands, e.indices)):
            if j != k and jx == ix and other == op.arg:
                return replace_operands(e, (j, k), [(elementwise("abs", op.arg), ix)])
    return None


def split_power_to_cancel(e: Einsum) -> Expr | None:
    """(u ⊙ v)^k → u^k ⊙ v^k for an integer k, when u or v meets itself in the product.

    (q ⊘ r)⁻¹ ⊙ q² ⊘ r² becomes q⁻¹ ⊙ r ⊙ q² ⊘ r², which collects to q ⊘ r."""
    splittable = [(k, _hadamard_power_parts(op, ix))
                  for k, (op, ix) in enumerate(zip(e.operands, e.indices))
                  if isinstance(op, Power) and not isinstance(op.base, (Var, Power))]
    if not any(parts for _, parts in splittable):
        return None
    present = Counter((_base(op), ix) for op, ix in zip(e.operands, e.indices))
    for k, parts in splittable:
        if parts is None or not any(present[(_base(f), fx)] for f, fx in parts):
            continue
        return replace_operands(e, (k,), parts)
    return None


def _base(op: Expr) -> Expr:
    return op.base if isinstance(op, Power) else op


def _hadamard_power_parts(op: Expr, ix: tuple) -> list[tuple[Expr, tuple]] | None:
    """[(fᵢ^k, labels)] when op = (f₁ ⊙ f₂ ⊙ …)^k, an entry-wise product to an integer power."""
    if not (isinstance(op, Power) and isinstance(op.exponent, Number)):
        return None
    k = op.exponent.value
    c, inner = split_coefficient(op.base)
    if k != int(k) or not isinstance(inner, Einsum):
        return None
    if any(jx not in (inner.out, ()) for jx in inner.indices):
        return None
    relabel = dict(zip(inner.out, ix))
    parts = [(power(f, k), tuple(relabel[a] for a in jx))
             for f, jx in zip(inner.operands, inner.indices)]
    if c != 1.0:
        parts.append((Number(c ** k), ()))
    return parts
