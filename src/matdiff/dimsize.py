"""Sizes of dimensions as scalars: `n` in the input language, `n` in printed results.

The size of a dimension n is, in the IR, the sum of an all-ones vector over n
(`size(n)`), so it needs no node of its own: it evaluates, differentiates (to zero) and
generates code like any sum. In the other direction, a contraction over an index that
only all-ones factors or an identity carry is a size, whatever else it multiplies:
`sum(vector(1))` is n, `tr(eye)` is n, `vector(1)'*vector(1)*x` is `n*x`, and the
outer product of two all-ones vectors is the all-ones matrix. `split_sizes` finds those
factors, so that printed results name sizes instead of writing constants whose size
nothing in the text fixes.
"""

from __future__ import annotations

from collections import Counter

from .build import einsum, ones, total_sum
from .ir import Dim, Dims, Einsum, Expr, Identity, Ones


def size(dims: Dims) -> Expr:
    """The number of entries of a tensor of `dims`: Σ 1 over all of them (1 for a scalar)."""
    return total_sum(ones(tuple(dims)))


def _unit_factors(e: Einsum) -> list[tuple[Expr, tuple[int, ...]]]:
    """The operands, each all-ones matrix split into two all-ones vectors (𝟙𝟙ᵀ)."""
    out = []
    for op, ix in zip(e.operands, e.indices):
        if isinstance(op, Ones) and op.rank == 2:
            out += [(ones(op.dims[:1]), ix[:1]), (ones(op.dims[1:]), ix[1:])]
        else:
            out.append((op, tuple(ix)))
    return out


def _is_unit(op: Expr, ix: tuple[int, ...]) -> bool:
    return isinstance(op, Ones) or (isinstance(op, Identity) and ix[0] == ix[1])


def split_sizes(e: Einsum) -> tuple[list[Dim], Expr | None] | None:
    """(sizes, rest) with e = Π sizes · rest, where each size is a summed index that only
    all-ones vectors or diagonals of identities carry; rest is None when nothing else is
    left (e is then a number of entries). None when e has no such factor and no
    all-ones outer product to merge."""
    factors = _unit_factors(e)
    count = Counter(a for _, ix in factors for a in ix) + Counter(e.out)
    dims = {a: d for op, ix in factors for a, d in zip(ix, op.dims)}
    unit_only = {a for a in count if all(_is_unit(op, ix) for op, ix in factors if a in ix)}
    summed = sorted(a for a in unit_only if a not in e.out)
    outer = _all_ones_outer(e)
    if not summed and not outer:
        return None
    kept = [(op, ix) for op, ix in factors if not ix or not set(ix) <= set(summed)]
    if not kept:
        return [dims[a] for a in summed], None
    if outer:  # 𝟙𝟙ᵀ is the all-ones matrix
        matrix = ones(tuple(dims[a] for a in e.out))
        kept = [(op, ix) for op, ix in kept if not ix] + [(matrix, e.out)]
    return [dims[a] for a in summed], einsum([op for op, _ in kept], [ix for _, ix in kept],
                                             e.out)


def _all_ones_outer(e: Einsum) -> bool:
    """All-ones vectors (and scalars) alone make the matrix result: an all-ones matrix."""
    tensors = [op for op in e.operands if op.rank]
    return len(e.out) == 2 and e.out[0] != e.out[1] and len(tensors) > 1 and all(
        isinstance(op, Ones) and op.rank == 1 for op in tensors)
