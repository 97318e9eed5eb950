"""Contracting an einsum as a careful person would: pairwise, in opt_einsum's order, each
pair written as the cheapest array operation.

Contract of `Contractor.contract(operands, out)`: operands are (op, labels) pairs with int
labels; `out` lists distinct labels, each carried by some operand. The result is one op
whose axes follow `out`, equal to Σ over the other labels of Π operands. The order of the
pairwise contractions is chosen once, at generation time, by `opt_einsum.contract_path` on
the sizes the caller supplies (a hint; the code is correct for every size). Each pair is:

- no summed label: an entry-wise product with broadcasting (`v[:, None] * X`);
- summed labels on vectors and matrices only: a matrix product (`X.T @ v`, `A @ B.T`);
- summed labels on larger tensors: `tensordot`;
- summed and shared kept labels together: a two-operand `einsum`.

A label repeated inside one operand is its diagonal; a label only one operand carries and
the result does not keep is summed over first.
"""

from __future__ import annotations

from typing import Callable

from ..errors import UnsupportedError
from ..ir import Dim
from .ops import Graph, Op

Labels = tuple[int, ...]
Operand = tuple[Op, Labels]


def letters(labels, symbol: dict[int, str]) -> str:
    return "".join(symbol[a] for a in labels)


def label_symbols(operands: list[Operand], out: Labels) -> dict[int, str]:
    """A letter for each label, in order of first appearance."""
    order = list(dict.fromkeys([a for _, ix in operands for a in ix] + list(out)))
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    if len(order) > len(alphabet):
        raise UnsupportedError("an einsum with more than 52 indices cannot be written as code")
    return {a: alphabet[k] for k, a in enumerate(order)}


class Contractor:
    """Builds contraction ops in `graph`; `size(dim)` gives the size hint of a dim."""

    def __init__(self, graph: Graph, size: Callable[[Dim], int]):
        self.g = graph
        self.size = size

    # --- views -----------------------------------------------------------------------
    def transpose(self, x: Op) -> Op:
        if x.rank < 2:
            return x
        if x.kind == "T":
            return x.args[0]  # (Xᵀ)ᵀ = X
        return self.g.op("T", (x,), None, x.dims[::-1])

    def permute(self, x: Op, labels: Labels, want: Labels) -> Op:
        """x (axes `labels`) with its axes in the order `want` (a permutation of labels)."""
        if labels == want:
            return x
        if x.rank == 2:
            return self.transpose(x)
        perm = tuple(labels.index(a) for a in want)
        return self.g.op("permute", (x,), perm, tuple(x.dims[p] for p in perm))

    def align(self, x: Op, labels: Labels, out: Labels) -> Op:
        """x viewed with axes in `out` order, size-1 axes where x lacks a label."""
        mine = tuple(a for a in out if a in labels)
        x = self.permute(x, labels, mine)
        if mine == out or not mine:
            return x
        first = next(k for k, a in enumerate(out) if a in labels)
        pattern = tuple(":" if a in labels else "None" for a in out[first:])
        if all(p == ":" for p in pattern):
            return x  # leading axes broadcast by themselves
        return self.g.op("expand", (x,), pattern, _spread(x.dims, pattern))

    # --- single operands -----------------------------------------------------------------
    def prepare(self, x: Op, labels: Labels, needed: set[int]) -> Operand:
        """Take diagonals of repeated labels, then sum labels nobody else needs."""
        if len(set(labels)) < len(labels):
            unique = tuple(dict.fromkeys(labels))
            sym = label_symbols([(x, labels)], unique)
            spec = f"{letters(labels, sym)}->{letters(unique, sym)}"
            dims = tuple(x.dims[labels.index(a)] for a in unique)
            x, labels = self.g.op("diagonal", (x,), spec, dims), unique
        lonely = tuple(k for k, a in enumerate(labels) if a not in needed)
        if lonely:
            dims = tuple(d for k, d in enumerate(x.dims) if k not in lonely)
            x = self.g.op("sum", (x,), lonely, dims)
            labels = tuple(a for k, a in enumerate(labels) if k not in lonely)
        return x, labels

    # --- the whole contraction ---------------------------------------------------------------
    def contract(self, operands: list[Operand], out: Labels, coef: float = 1.0) -> Op:
        """`coef` times the contraction; the number multiplies the smallest operand (and
        moves on to a product's result where that is smaller, see `pair`)."""
        ops = []
        for k, (x, ix) in enumerate(operands):
            others = {a for j, (_, jx) in enumerate(operands) if j != k for a in jx}
            ops.append(self.prepare(x, ix, others | set(out)))
        if coef != 1.0:
            k = min(range(len(ops)), key=lambda j: self._count(ops[j][0].dims))
            ops[k] = (self.scale(coef, ops[k][0]), ops[k][1])
        for step in self._path(ops, out):
            picked = [ops[k] for k in step]
            for k in sorted(step, reverse=True):
                del ops[k]
            rest = {a for _, ix in ops for a in ix} | set(out)
            acc = picked[0]
            for j in range(1, len(picked)):
                keep = rest | {a for _, ix in picked[j + 1:] for a in ix}
                want = out if not ops and j == len(picked) - 1 else None
                acc = self.pair(acc, picked[j], keep, want)
            ops.append(acc)
        (x, labels), = ops
        return self.permute(x, labels, out)

    def _path(self, ops: list[Operand], out: Labels) -> list[tuple[int, ...]]:
        if len(ops) < 2:
            return []
        if len(ops) == 2:
            return [(0, 1)]
        import opt_einsum

        sym = label_symbols(ops, out)
        spec = ",".join(letters(ix, sym) for _, ix in ops) + "->" + letters(out, sym)
        shapes = [tuple(self.size(d) for d in x.dims) for x, _ in ops]
        # exhaustive search while it is cheap: it also weighs the entry-wise products that
        # make big intermediates (auto-hq may scale a 10⁸-entry result instead of its factor)
        how = "optimal" if len(ops) <= 7 else "auto-hq"
        path, _ = opt_einsum.contract_path(spec, *shapes, shapes=True, optimize=how)
        return [tuple(step) for step in path]

    # --- one pair ----------------------------------------------------------------------------
    def pair(self, a: Operand, b: Operand, keep: set[int], want: Labels | None) -> Operand:
        """a ⊙ b summed over the labels `keep` lacks; a number factor of an operand moves to
        the result when that is smaller: (2 R) @ V is computed as 2 (R @ V)."""
        (x, la), (y, lb) = a, b
        summed = set(la) & set(lb) - keep
        free = (set(la) | set(lb)) - summed
        dims = dict(zip(la, x.dims)) | dict(zip(lb, y.dims))
        out_size = self._count([dims[s] for s in free])
        coef, ops = 1.0, []
        for op, ix in (a, b):
            c, inner = split_scale(op)
            if c != 1.0 and out_size <= self._count(op.dims):
                coef, op = coef * c, inner
            ops.append((op, ix))
        op, out = self._pair(ops[0], ops[1], keep, want)
        return (op if coef == 1.0 else self.scale(coef, op)), out

    def scale(self, c: float, x: Op) -> Op:
        """c·x, folding c·(d·y) into (c d)·y."""
        d, inner = split_scale(x)
        c *= d
        return inner if c == 1.0 else self.g.op("add", (inner,), (c,), x.dims)

    def _count(self, dims) -> int:
        total = 1
        for d in dims:
            total *= self.size(d)
        return total

    def _pair(self, a: Operand, b: Operand, keep: set[int], want: Labels | None) -> Operand:
        (x, la), (y, lb) = a, b
        shared = set(la) & set(lb)
        summed = [s for s in la if s in shared and s not in keep]
        batch = [s for s in la if s in shared and s in keep]
        if not summed:
            out = la + tuple(s for s in lb if s not in la)
            if want is not None and set(want) == set(out):
                out = want
            dims = self._dims(a, b, out)
            return self.g.op("mul", (self.align(x, la, out), self.align(y, lb, out)),
                             None, dims), out
        if not batch and x.rank <= 2 and y.rank <= 2 and len(summed) == 1:
            return self._matmul(a, b, summed[0], want)
        if not batch:
            free = tuple(s for s in la if s not in summed) + tuple(s for s in lb if s not in summed)
            axes = (tuple(la.index(s) for s in summed), tuple(lb.index(s) for s in summed))
            return self.g.op("tensordot", (x, y), axes, self._dims(a, b, free)), free
        out = tuple(s for s in la if s in keep) + tuple(s for s in lb if s in keep and s not in la)
        if want is not None and set(want) == set(out):
            out = want
        sym = label_symbols([a, b], out)
        spec = f"{letters(la, sym)},{letters(lb, sym)}->{letters(out, sym)}"
        return self.g.op("einsum", (x, y), spec, self._dims(a, b, out)), out

    def _matmul(self, a: Operand, b: Operand, s: int, want: Labels | None) -> Operand:
        """One summed label between vectors and matrices: a product written with @."""
        (x, la), (y, lb) = a, b
        fa = tuple(c for c in la if c != s)
        fb = tuple(c for c in lb if c != s)
        left = x if la[-1] == s else self.transpose(x)     # (fa…, s)
        right = y if lb[0] == s else self.transpose(y)     # (s, fb…)
        if (not fa and fb) or (fa and fb and want == fb + fa):
            # v'B is written B'v, and (AB)' as B'A': the matrix stays on the left
            left, right, fa, fb = self.transpose(right), self.transpose(left), fb, fa
        out = fa + fb
        dims = self._dims(a, b, out)
        terms = self._matrix_terms(left) if right.rank == 1 else None
        if terms:  # (A + B) v = A v + B v: two passes over matrices instead of three
            prods = [self.g.op("matmul", (m, right), None, dims) for _, m in terms]
            return self.g.op("add", prods, tuple(c for c, _ in terms), dims), out
        return self.g.op("matmul", (left, right), None, dims), out

    def _matrix_terms(self, m: Op) -> list[tuple[float, Op]] | None:
        """The terms of a sum of matrices (under at most one transpose), else None."""
        flip = m.kind == "T"
        m = m.args[0] if flip else m
        if m.kind != "add" or len(m.args) < 2 or any(t.rank != 2 for t in m.args):
            return None
        return [(c, self.transpose(t) if flip else t) for c, t in zip(m.attr, m.args)]

    @staticmethod
    def _dims(a: Operand, b: Operand, out: Labels) -> tuple:
        dim: dict[int, Dim] = {}
        for x, ix in (a, b):
            dim.update(zip(ix, x.dims))
        return tuple(dim[s] for s in out)


def split_scale(x: Op) -> tuple[float, Op]:
    """(c, y) with x = c·y; (1, x) when x is not a scaled op."""
    if x.kind == "add" and len(x.args) == 1:
        return x.attr[0], x.args[0]
    return 1.0, x


def _spread(dims: tuple, pattern: tuple[str, ...]) -> tuple:
    """dims placed at the ':' positions of pattern (1 at the 'None' positions)."""
    it = iter(dims)
    return tuple(next(it) if p == ":" else 1 for p in pattern)
