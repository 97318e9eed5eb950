"""Products of tensors read as quadratic forms: the structure the PSD rules look for.

A Hessian term is an einsum; `as_monomial` reads it with axes (rows…, cols…, batch…),
one δ among its operands for each repeated out label. On that:

- `blocks` splits it into independent factors: scalars, and one block per group of
  (row, col) pairs that share operands (a Kronecker product, permuted);
- `gram` finds L·M·L': operands on the rows, their mirror image on the cols, and the
  middle M between them (a label L shares with its mirror puts δ into M);
- `frames` lists the ways to read a product as F(R), F linear in R, so that terms with a
  common F can be summed inside: Σ cₜ F(Rₜ) = F(Σ cₜ Rₜ);
- `expand` distributes products over the sums among their operands.

Nothing here decides definiteness (`definite.py` does); it only finds structure.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import permutations
from typing import Callable

from ..ir.build import einsum
from ..ir import Add, Einsum, Expr, Identity
from ..ir.unionfind import UnionFind

Symmetric = Callable[[Expr], bool]  # is this operand known to be a symmetric matrix?
MAX_MONOMIALS = 64  # a sum is expanded into at most this many products

@dataclass(frozen=True)
class Monomial:
    """Operands with their labels, out = rows + cols + batch (labels, not positions)."""

    ops: tuple[Expr, ...]
    ix: tuple[tuple[int, ...], ...]
    rows: tuple[int, ...]
    cols: tuple[int, ...]
    batch: tuple[int, ...]

    def build(self) -> Expr:
        return einsum(self.ops, self.ix, self.rows + self.cols + self.batch)

    def labels(self) -> set[int]:
        return {a for ix in self.ix for a in ix} | set(self.rows + self.cols + self.batch)


def as_monomial(e: Expr, k: int, nb: int) -> Monomial:
    """The einsum (or any node, as a one-operand product) with each repeated out label
    replaced by a fresh one and an identity δ(a, a') among the operands."""
    ops, ix, out = (list(e.operands), list(e.indices), list(e.out)) if isinstance(e, Einsum) \
        else ([e], [tuple(range(e.rank))], list(range(e.rank)))
    fresh = max([a for i in ix for a in i] + out, default=-1) + 1
    dims = dict(zip(out, e.dims))
    seen: set[int] = set()
    for pos, a in enumerate(out):
        if a in seen:
            ops.append(Identity(dims[a]))
            ix.append((a, fresh))
            out[pos], fresh = fresh, fresh + 1
        seen.add(a)
    return Monomial(tuple(ops), tuple(ix), tuple(out[:k]), tuple(out[k:2 * k]), tuple(out[2 * k:]))


def blocks(p: Monomial) -> tuple[list[Monomial], list[Monomial]]:
    """(scalar factors, blocks): operands joined by shared labels, a row joined to its col.
    A batch label joins nothing: for a fixed batch value, factors sharing it are independent."""
    uf: UnionFind[tuple[str, int]] = UnionFind()
    batch = set(p.batch)
    for r, c in zip(p.rows, p.cols):
        uf.union(("l", r), ("l", c))
    for n, ix in enumerate(p.ix):
        uf.find(("o", n))
        for a in ix:
            if a not in batch:
                uf.union(("o", n), ("l", a))
    groups: dict = {}
    for n in range(len(p.ops)):
        groups.setdefault(uf.find(("o", n)), []).append(n)
    scalar_ops, parts = [], []
    for members in groups.values():
        labels = {a for n in members for a in p.ix[n]}
        pos = [t for t, r in enumerate(p.rows) if r in labels or p.cols[t] in labels]
        if not pos:  # all scalar factors go together, so that a*a is seen as a square
            scalar_ops += members
            continue
        parts.append(_sub(p, members, pos))
    return ([_sub(p, scalar_ops, [])] if scalar_ops else []), parts


def _sub(p: Monomial, members: list[int], pos: list[int]) -> Monomial:
    """The operands `members` of p, with the (row, col) pairs at `pos`."""
    labels = {a for n in members for a in p.ix[n]}
    return Monomial(tuple(p.ops[n] for n in members), tuple(p.ix[n] for n in members),
                   tuple(p.rows[t] for t in pos), tuple(p.cols[t] for t in pos),
                   tuple(b for b in p.batch if b in labels))


def mirror(p: Monomial, symmetric: Symmetric) -> tuple[list[int], dict[int, int]] | None:
    """The left operands (touching rows) and a label map π onto the right ones (touching
    cols) with π(rows) = cols, each left operand equal to its image (a symmetric matrix
    also to its transpose); None if there is none."""
    rows, cols = set(p.rows), set(p.cols)
    left = [n for n, ix in enumerate(p.ix) if rows & set(ix)]
    right = [n for n, ix in enumerate(p.ix) if cols & set(ix)]
    if set(left) & set(right) or len(left) != len(right):
        return None
    start = dict(zip(p.rows, p.cols)) | {b: b for b in p.batch}
    found = _match(p, left, right, start, symmetric)
    return (left, found) if found is not None else None


def _match(p: Monomial, left: list[int], right: list[int], pi: dict[int, int], symmetric):
    if not left:
        return pi
    n = left[0]
    for m in right:
        if p.ops[m] != p.ops[n]:
            continue
        images = [p.ix[m]] + ([p.ix[m][::-1]] if symmetric(p.ops[m]) else [])
        for image in images:
            ext = dict(pi)
            if all(ext.setdefault(a, b) == b for a, b in zip(p.ix[n], image)) and \
                    len(set(ext.values())) == len(ext):
                found = _match(p, left[1:], [r for r in right if r != m], ext, symmetric)
                if found is not None:
                    return found
    return None


def gram(p: Monomial, symmetric: Symmetric) -> tuple[Expr, Monomial] | None:
    """p = L·M·L' (see the module docstring): (L with out rows + C, the middle M)."""
    found = mirror(p, symmetric)
    if found is None:
        return None
    left, pi = found
    right = {m for m, ix in enumerate(p.ix) if set(p.cols) & set(ix)}
    middle = [n for n in range(len(p.ops)) if n not in left and n not in right]
    left_labels = {a for n in left for a in p.ix[n]}
    other_labels = {a for n in range(len(p.ops)) if n not in left for a in p.ix[n]}
    shared = sorted(left_labels & other_labels - set(p.rows) - set(p.batch))
    if not _mirror_is_separate(p, left, middle, pi, shared):
        return None
    fresh = max(p.labels(), default=-1) + 1
    ops = [p.ops[n] for n in middle]
    ix = [p.ix[n] for n in middle]
    image = []
    for c in shared:
        if pi[c] == c:  # on the diagonal of M: δ(c, c')
            dim = _dim_of(p, c)
            ops.append(Identity(dim))
            ix.append((c, fresh))
            image.append(fresh)
            fresh += 1
        else:
            image.append(pi[c])
    batch = tuple(b for b in p.batch if any(b in i for i in ix))
    l_expr = einsum([p.ops[n] for n in left], [p.ix[n] for n in left],
                    p.rows + tuple(shared) + tuple(b for b in p.batch if b in left_labels))
    return l_expr, Monomial(tuple(ops), tuple(ix), tuple(shared), tuple(image), batch)


def _mirror_is_separate(p: Monomial, left, middle, pi, shared) -> bool:
    """The right factor must be L's mirror alone: a label summed inside L maps to one
    summed inside L' only, and a shared label maps either to itself (diagonal) or to a
    label of the middle that L does not carry."""
    left_labels = {a for n in left for a in p.ix[n]}
    middle_labels = {a for n in middle for a in p.ix[n]}
    outer = set(p.rows) | set(p.batch)
    for a in left_labels - outer:
        image = pi[a]
        if a in shared and image == a:
            continue
        if image in left_labels:
            return False
        if (image in middle_labels) != (a in shared):
            return False
    return True


def _dim_of(p: Monomial, label: int):
    for op, ix in zip(p.ops, p.ix):
        if label in ix:
            return op.dims[ix.index(label)]
    raise AssertionError(label)


def frames(p: Monomial, symmetric: Symmetric) -> list[tuple[tuple, Monomial, list]]:
    """Ways to read p as F(R) with F linear in R: (key of F, R, what F contributes).

    Terms with equal keys are summed inside: Σ cₜ F(Rₜ) = F(Σ cₜ Rₜ)."""
    scalars, parts = blocks(p)
    out: list[tuple[tuple, Monomial, list]] = []
    if len(parts) + len(scalars) > 1:
        for t, part in enumerate(parts):
            others = [q for s, q in enumerate(parts) if s != t]
            key = ("kron", tuple((q.build().key(), _where(q, p)) for q in scalars + others),
                   _where(part, p))
            out.append((key, part, scalars + others))
    if len(parts) == 1:  # scalar factors go into the middle
        split = gram(p, symmetric)
        if split is not None and split[1].ops:
            l_expr, mid = split
            for order in _orders(len(mid.rows)):
                m = Monomial(mid.ops, mid.ix, tuple(mid.rows[i] for i in order),
                            tuple(mid.cols[i] for i in order), mid.batch)
                l_perm = einsum([l_expr], [tuple(range(l_expr.rank))],
                                tuple(range(len(p.rows))) + tuple(len(p.rows) + i for i in order)
                                + tuple(range(len(p.rows) + len(order), l_expr.rank)))
                out.append((("gram", l_perm.key()), m, []))
    return out


def _orders(n: int):
    return permutations(range(n)) if n <= 3 else [tuple(range(n))]


def _where(q: Monomial, p: Monomial) -> tuple:
    """Where the axes of the block q sit among those of p."""
    return tuple(p.rows.index(r) for r in q.rows), tuple(p.batch.index(b) for b in q.batch)


# --- sums as lists of products -----------------------------------------------------------


def expand(h: Expr, k: int, nb: int) -> list[tuple[float, Monomial]]:
    """h as Σ cₜ·productₜ, sums inside products that carry out labels distributed."""
    out: list[tuple[float, Monomial]] = []
    for c, t in (h.terms if isinstance(h, Add) else [(1.0, h)]):
        for c2, p in expand_monomial(as_monomial(t, k, nb)):
            out.append((c * c2, p))
            if len(out) > MAX_MONOMIALS:
                return []
    return out


def expand_monomial(p: Monomial) -> list[tuple[float, Monomial]]:
    """Distribute the product over its first sum operand that carries an out label."""
    outs = set(p.rows + p.cols + p.batch)
    for n, (op, ix) in enumerate(zip(p.ops, p.ix)):
        if isinstance(op, Add) and outs & set(ix):
            result = []
            for c, t in op.terms:
                ops = p.ops[:n] + (t,) + p.ops[n + 1:]
                e = einsum(ops, p.ix, p.rows + p.cols + p.batch)
                for c2, q in expand(e, len(p.rows), len(p.batch)):
                    result.append((c * c2, q))
                if len(result) > MAX_MONOMIALS:
                    return [(1.0, p)]
            return result
    return [(1.0, p)]
