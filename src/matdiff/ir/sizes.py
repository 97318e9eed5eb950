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

from .build import einsum, ones
from .nodes import Dim, Einsum, Expr, Identity, Ones
from .unionfind import UnionFind


def _unit_factors(e: Einsum) -> list[tuple[Expr, tuple[int, ...]]]:
    """The operands, each all-ones matrix split into two all-ones vectors (𝟙𝟙ᵀ)."""
    out = []
    for op, ix in zip(e.operands, e.indices):
        if isinstance(op, Ones) and op.rank == 2:
            out += [(ones(op.dims[:1]), ix[:1]), (ones(op.dims[1:]), ix[1:])]
        else:
            out.append((op, tuple(ix)))
    return out


def _is_unit(op: Expr) -> bool:
    return isinstance(op, (Ones, Identity))


def split_sizes(e: Einsum) -> tuple[list[Dim], Expr | None] | None:
    """(sizes, rest) with e = Π sizes · rest, or None when there is nothing to split.

    Indices joined by identities form classes; a class that only all-ones vectors and
    identities carry contributes its size when it is summed, and otherwise collapses to
    one all-ones vector (one result index) or one identity (two). rest is None when
    nothing else is left (e is then a number of entries)."""
    factors = _unit_factors(e)
    classes: UnionFind[int] = UnionFind()
    for op, ix in factors:
        if isinstance(op, Identity):
            classes.union(*ix)
    dims = {a: d for op, ix in factors for a, d in zip(ix, op.dims)}
    members: dict[int, set[int]] = {}
    for a in dims:
        members.setdefault(classes.find(a), set()).add(a)
    unit = {c for c, labels in members.items()
            if all(_is_unit(op) for op, ix in factors if labels & set(ix))}
    sizes, kept, changed = [], [(op, ix) for op, ix in factors if not ix], False
    for c in unit:
        touching = [(op, ix) for op, ix in factors if members[c] & set(ix)]
        opened = list(dict.fromkeys(a for a in e.out if a in members[c]))
        if not opened:
            sizes.append(dims[c])
        elif len(opened) == 1:
            kept.append((ones((dims[c],)), (opened[0],)))
        else:
            kept.append((Identity(dims[c]), tuple(opened)))
        changed |= len(touching) != (1 if opened else 0) or touching[0][0] != kept[-1][0]
    kept += [(op, ix) for op, ix in factors if ix and classes.find(ix[0]) not in unit]
    outer = _all_ones_outer(e)
    if not changed and not outer:
        return None
    tensors = [(op, ix) for op, ix in kept if ix]
    if not tensors:
        return sizes, (einsum([op for op, _ in kept], [ix for _, ix in kept], ())
                       if kept else None)
    if outer or (all(isinstance(op, Ones) for op, _ in tensors)
                 and len(set(e.out)) == len(e.out) == len(tensors)):
        matrix = ones(tuple(dims[a] for a in e.out))  # 𝟙𝟙ᵀ is the all-ones matrix
        kept = [(op, ix) for op, ix in kept if not ix] + [(matrix, e.out)]
    return sizes, einsum([op for op, _ in kept], [ix for _, ix in kept], e.out)


def _all_ones_outer(e: Einsum) -> bool:
    """All-ones vectors (and scalars) alone make the matrix result: an all-ones matrix."""
    tensors = [op for op in e.operands if op.rank]
    return len(e.out) == 2 and e.out[0] != e.out[1] and len(tensors) > 1 and all(
        isinstance(op, Ones) and op.rank == 1 for op in tensors)
