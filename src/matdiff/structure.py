"""What the IR proves about its values: entry bounds, Gram forms, semidefiniteness.

These are the facts generated code and certificates may rely on, proved from the structure
of an expression alone (never from sampled numbers):

    bounds(e)           an interval [lo, hi] holding every entry of e, for all inputs
    is_nonnegative(e)   every entry ≥ 0 (squares, exp, sigmoid·(1 − sigmoid), sums of such)
    gram_form(e)        e = c·Mᵀ diag(d) M (or M diag(d) Mᵀ) as an einsum; with the sign of d
    definiteness(e)     +1: e is proved symmetric positive semidefinite; −1: negative; 0: unknown

Bounds are interval arithmetic over the IR: each entry-wise function contributes its image
(`rules.EntrywiseRule.image`), an einsum the product of its factors' intervals — a factor
that occurs twice with the same indices is a square, so x'*x and y.*y are ≥ 0 — and a sum
over indices keeps only the sign. Every result is sound: an unknown is (−inf, inf), never a
guess. Code generation uses the Gram sign to compute Mᵀ diag(d) M as Fᵀ F with
F = diag(sqrt(d)) M, a product NumPy computes with SYRK (half the multiplications).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from functools import reduce

from .build import einsum
from .ir import (
    Add, Einsum, Elementwise, Expr, Identity, MatrixFunction, Number, Ones, Power, Var, Zero,
)

Interval = tuple[float, float]
UNKNOWN: Interval = (-math.inf, math.inf)
_MATRIX_IMAGE = {"softmax": (0.0, 1.0)}  # functions of a matrix or vector with a known range


def bounds(e: Expr) -> Interval:
    """An interval holding every entry of `e` whatever the inputs (UNKNOWN when unproved)."""
    if isinstance(e, Number):
        return (e.value, e.value)
    if isinstance(e, Zero):
        return (0.0, 0.0)
    if isinstance(e, Ones):
        return (1.0, 1.0)
    if isinstance(e, Identity):
        return (0.0, 1.0)
    if isinstance(e, Var):
        return UNKNOWN
    if isinstance(e, Add):
        return reduce(_plus, (_times((c, c), bounds(t)) for c, t in e.terms))
    if isinstance(e, Einsum):
        return einsum_bounds(e.operands, e.indices, e.out)
    if isinstance(e, Elementwise):
        from .rules import ELEMENTWISE

        return ELEMENTWISE[e.fn].image
    if isinstance(e, Power):
        return _power_bounds(bounds(e.base), e.exponent)
    if isinstance(e, MatrixFunction):
        return _MATRIX_IMAGE.get(e.fn, UNKNOWN)
    return UNKNOWN


def is_nonnegative(e: Expr) -> bool:
    """True when every entry of `e` is proved ≥ 0 for all inputs."""
    return bounds(e)[0] >= 0.0


def is_nonpositive(e: Expr) -> bool:
    """True when every entry of `e` is proved ≤ 0 for all inputs."""
    return bounds(e)[1] <= 0.0


def einsum_bounds(operands, indices, out) -> Interval:
    """Bounds of Σ_{labels not in out} Π operands[k][indices[k]].

    A factor repeated with the same labels is a square (even powers are ≥ 0); a sum over
    labels of an unknown number of terms keeps the sign of the product, not its size."""
    counts = Counter(zip(operands, (tuple(ix) for ix in indices)))
    product = (1.0, 1.0)
    for (op, _), k in counts.items():
        product = _times(product, _integer_power(bounds(op), k))
    summed = {a for ix in indices for a in ix} - set(out)
    if not summed or product == (0.0, 0.0):
        return product
    return (0.0 if product[0] >= 0 else -math.inf, 0.0 if product[1] <= 0 else math.inf)


def _sign(interval: Interval) -> int:
    return 1 if interval[0] >= 0 else -1 if interval[1] <= 0 else 0


# --- Gram forms and semidefiniteness -------------------------------------------------------

@dataclass(frozen=True)
class Gram:
    """Σ_s w[s]·M[s,i]·M[s,j] over the einsum's labels: Mᵀ diag(w) M when `rows` is 0, M
    diag(w) Mᵀ when it is 1 (s runs over axis `rows` of M). `weights` are the other factors
    of the einsum (vectors over s, or scalars), their product w; `sign` is +1 when w ≥ 0 is
    proved, −1 when w ≤ 0, 0 when unknown. `labels` are (s, i, j)."""

    factor: Expr
    rows: int
    weights: tuple[tuple[Expr, tuple[int, ...]], ...]
    sign: int
    labels: tuple[int, int, int]


def split_gram(operands, indices, out) -> Gram | None:
    """The Gram form of an einsum given by its parts, or None when it is not one."""
    if len(out) != 2 or out[0] == out[1]:
        return None
    i, j = out
    for a in range(len(operands)):
        for b in range(a + 1, len(operands)):
            found = _pair(operands, indices, a, b, i, j)
            if found is not None:
                return found
    return None


def _pair(operands, indices, a, b, i, j) -> Gram | None:
    """Operands a and b as M[s,i], M[s,j] (or M[i,s], M[j,s]), the rest weights over s."""
    m, ia, ib = operands[a], tuple(indices[a]), tuple(indices[b])
    if m.rank != 2 or operands[b] != m or len(set(ia)) != 2:
        return None
    for rows in (0, 1):
        s = ia[rows]
        if ib[rows] != s or {ia[1 - rows], ib[1 - rows]} != {i, j} or s in (i, j):
            continue
        rest = [(op, tuple(ix)) for k, (op, ix) in enumerate(zip(operands, indices))
                if k not in (a, b)]
        if any(set(ix) - {s} or len(ix) > 1 for _, ix in rest):
            return None
        sign = _sign(einsum_bounds([op for op, _ in rest], [ix for _, ix in rest], (s,)))
        first = i if ia[1 - rows] == i else j
        return Gram(m, rows, tuple(rest), sign, (s, first, j if first == i else i))
    return None


def gram_form(e: Expr) -> Gram | None:
    """`e` as a Gram form c·Mᵀ diag(d) M (an einsum node), or None."""
    if isinstance(e, Einsum):
        return split_gram(e.operands, e.indices, e.out)
    return None


def definiteness(e: Expr) -> int:
    """+1 when `e` is proved symmetric positive semidefinite, −1 when proved negative
    semidefinite, 0 when not proved. `e` is a scalar, a square matrix, or a 4-axis tensor
    H[a,b,c,d] read as the matrix of rows (a,b) and columns (c,d) — the Hessian of a
    function of a matrix.

    Proved: Gram forms Mᵀ diag(d) M with d of known sign, c·I, Kronecker products of such
    (I ⊗ 2VᵀV: the sign of the product), and sums with coefficients of matching sign; a
    scalar by its bounds."""
    if e.rank == 0:
        return _sign(bounds(e))
    half = e.rank // 2
    if e.rank not in (2, 4) or e.dims[:half] != e.dims[half:]:
        return 0
    if isinstance(e, Identity):
        return 1
    if isinstance(e, Add):
        signs = {(1 if c > 0 else -1) * definiteness(t) for c, t in e.terms}
        return signs.pop() if len(signs) == 1 else 0
    if isinstance(e, Einsum) and e.rank == 4:
        return _kronecker_sign(e)
    if isinstance(e, Einsum):
        gram = gram_form(e)
        if gram is not None:
            return gram.sign
        return _scaled_identity_sign(e)
    return 0


def _kronecker_sign(e: Einsum) -> int:
    """H[a,b,c,d] = s·P[a,c]·Q[b,d] with the operands of P and Q apart: sign(s)·sign(P)·sign(Q)
    (the eigenvalues of P ⊗ Q are the products of theirs)."""
    a, b, c, d = e.out
    if len(set(e.out)) != 4:
        return 0
    scalars = [k for k, op in enumerate(e.operands) if op.rank == 0]
    sign = _sign(einsum_bounds([e.operands[k] for k in scalars], [()] * len(scalars), ()))
    groups = [_connected(e, {a, c}), _connected(e, {b, d})]
    if groups[0] & groups[1] or len(groups[0] | groups[1]) + len(scalars) != len(e.operands):
        return 0
    for group, out in zip(groups, ((a, c), (b, d))):
        if not set(out) <= {x for k in group for x in e.indices[k]}:
            return 0  # constant along an axis: no Kronecker factor
        part = einsum([e.operands[k] for k in sorted(group)],
                      [e.indices[k] for k in sorted(group)], out)
        sign *= definiteness(part)
    return sign


def _connected(e: Einsum, labels: set[int]) -> set[int]:
    """The operands reached from `labels` through shared summed labels."""
    summed = {x for ix in e.indices for x in ix} - set(e.out)
    reach, found = set(labels), set()
    while True:
        more = {k for k, ix in enumerate(e.indices) if k not in found and set(ix) & reach}
        if not more:
            return found
        found |= more
        reach |= {x for k in more for x in e.indices[k] if x in summed}


def _scaled_identity_sign(e: Einsum) -> int:
    """c·I written as einsum(c, I): the sign of c."""
    eyes = [ix for op, ix in zip(e.operands, e.indices) if isinstance(op, Identity)]
    rest = [op for op in e.operands if not isinstance(op, Identity)]
    if len(eyes) == 1 and set(eyes[0]) == set(e.out) and all(op.rank == 0 for op in rest):
        return _sign(einsum_bounds(rest, [()] * len(rest), ()))
    return 0


# --- interval arithmetic -----------------------------------------------------------------

def _plus(a: Interval, b: Interval) -> Interval:
    lo, hi = a[0] + b[0], a[1] + b[1]
    return (-math.inf if math.isnan(lo) else lo, math.inf if math.isnan(hi) else hi)


def _times(a: Interval, b: Interval) -> Interval:
    """[a]·[b]; 0·inf counts as 0 (a zero endpoint is a value, an infinite one a limit)."""
    products = [0.0 if math.isnan(p) else p for p in (x * y for x in a for y in b)]
    return (min(products), max(products))


def _integer_power(a: Interval, k: int) -> Interval:
    if k == 1:
        return a
    lo, hi = a
    if k % 2 == 0 and lo < 0 < hi:
        return (0.0, max(-lo, hi) ** k)
    low, high = sorted((lo ** k, hi ** k))  # monotone on each side of 0
    return (low, high)


def _power_bounds(base: Interval, exponent: Expr) -> Interval:
    if not isinstance(exponent, Number):
        return (0.0, math.inf) if base[0] > 0 else UNKNOWN
    p = exponent.value
    if p == int(p) and p > 0:
        return _integer_power(base, int(p))
    if base[0] > 0 or (base[0] >= 0 and p > 0):
        return (0.0, math.inf)
    return UNKNOWN
