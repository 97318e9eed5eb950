"""Gram forms in an einsum, with the sign of their weights: what code generation computes
as a symmetric product.

    Σ_s w[s]·M[s,i]·M[s,j] = (Mᵀ diag(w) M)[i,j]

is symmetric, and when w ≥ 0 is proved (`signs.bounds`: squares, exp, sigmoid·(1 − sigmoid),
sums of such) it equals Fᵀ F with F = diag(sqrt(w)) M — a product NumPy computes with
SYRK, one triangle and half the multiplications of a general product (w ≤ 0: −Fᵀ F with
F = diag(sqrt(−w)) M). `split_gram` finds the form among an einsum's operands;
`gram_form` reads one einsum node. Whether a whole Hessian is positive semidefinite is the
convexity certificate's question (`definite.py`), which rests on the same `signs.bounds`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .ir.build import einsum
from .ir import Einsum, Expr
from .signs import bounds, nonnegative, nonpositive


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


def gram_form(e: Expr) -> Gram | None:
    """`e` as a Gram form c·Mᵀ diag(d) M (an einsum node), or None."""
    if isinstance(e, Einsum):
        return split_gram(e.operands, e.indices, e.out)
    return None


def weights_sign(weights) -> int:
    """+1 when the product of the (operand, labels) weights is proved ≥ 0, −1 when ≤ 0."""
    if not weights:
        return 1
    labels = tuple(dict.fromkeys(a for _, ix in weights for a in ix))
    interval = bounds(einsum([op for op, _ in weights], [ix for _, ix in weights], labels))
    return 1 if nonnegative(interval) else -1 if nonpositive(interval) else 0


def _pair(operands, indices, a, b, i, j) -> Gram | None:
    """Operands a and b as M[s,i], M[s,j] (or M[i,s], M[j,s]), the rest weights over s."""
    m, ia, ib = operands[a], tuple(indices[a]), tuple(indices[b])
    if m.rank != 2 or operands[b] != m or len(set(ia)) != 2:
        return None
    for rows in (0, 1):
        s = ia[rows]
        if ib[rows] != s or {ia[1 - rows], ib[1 - rows]} != {i, j} or s in (i, j):
            continue
        rest = tuple((op, tuple(ix)) for k, (op, ix) in enumerate(zip(operands, indices))
                     if k not in (a, b))
        if any(set(ix) - {s} or len(ix) > 1 for _, ix in rest):
            return None
        first = i if ia[1 - rows] == i else j
        return Gram(m, rows, rest, weights_sign(rest), (s, first, j if first == i else i))
    return None
