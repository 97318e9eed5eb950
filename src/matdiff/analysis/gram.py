"""Gram forms in an einsum, with the sign of their weights: what code generation computes
as a symmetric product.

    Σ_s w[s]·M[s,i]·M[s,j] = (Mᵀ diag(w) M)[i,j]

is symmetric, and when w ≥ 0 is proved (`signs.bounds`: squares, exp, sigmoid·(1 − sigmoid),
sums of such) it equals Fᵀ F with F = diag(sqrt(w)) M — a product NumPy computes with
SYRK, one triangle and half the multiplications of a general product (w ≤ 0: −Fᵀ F with
F = diag(sqrt(−w)) M). `split_gram` finds the form among an einsum's operands;
`gram_form` reads one einsum node. Whether a whole Hessian is positive semidefinite is the
convexity certificate's question (`definite.py`), which rests on the same `signs.bounds`
and on the general L·M·Lᵀ reading of `quadform.gram`, of which this is the special case
M = diag(w).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..ir.build import einsum
from ..ir import Einsum, Expr
from .quadform import Monomial, mirror
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
    """The Gram form of an einsum given by its parts, or None when it is not one.

    A special case of `quadform.mirror`: the operands on the result's first axis mirror
    those on its second, here a single matrix M[s,i] ↔ M[s,j] whose other label s maps to
    itself (the diagonal of the middle), every other operand a weight over s or a scalar."""
    if len(out) != 2 or out[0] == out[1]:
        return None
    i, j = out
    p = Monomial(tuple(operands), tuple(tuple(ix) for ix in indices), (i,), (j,), ())
    found = mirror(p, lambda e: False)
    if found is None or len(found[0]) != 1:
        return None
    (a,), pi = found
    m, ia = p.ops[a], p.ix[a]
    if m.rank != 2 or len(set(ia)) != 2:
        return None
    s = ia[1 - ia.index(i)]
    if pi.get(s) != s or s == j:
        return None
    rest = tuple((op, ix) for op, ix in zip(p.ops, p.ix) if i not in ix and j not in ix)
    if any(set(ix) - {s} or len(ix) > 1 for _, ix in rest):
        return None
    return Gram(m, ia.index(s), rest, weights_sign(rest), (s, i, j))


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
