"""IR → matrix notation (`forms`), in the orientation the layout asks for.

An einsum whose operands and result have at most two axes is a graph: each
matrix joins its two indices, each vector ends a path at its index, and the
result's indices are open ends. After entry-wise products are split off
(`y .* (X*w)`, `diag(v)*M`), every index has two ends, so the graph falls
apart into paths and cycles: a path between result indices is a matrix
product, a path from a result index to a vector is `M*…*v`, a path between
two vectors is the scalar `u'*M*v`, a cycle is `tr(M*…)`. Results with three
or more axes are written in index notation, with named indices (`index.py`, whose `to_form` chooses
between the two).
"""

from __future__ import annotations

from typing import Any, Callable

from ..analysis.symmetry import is_symmetric
from ..functions import frechet_name
from ..ir import (
    Add, Einsum, Elementwise, Expr, Frechet, Identity, MatrixFunction, Number, Ones, Power, Var,
    Zero,
)
from ..ir.build import einsum
from ..ir.sizes import split_sizes
from .forms import Call, Const, Form, Lit, Pow, Prod, Sym, kind_of_rank
from .tidy import hadamard_form, product_form, sum_form, transpose_form


def strict_form(e: Expr) -> Form:
    """The matrix notation of e (vectors as columns); NoMatrixForm if it has none."""
    return _Converter().form(e)


def frechet_call(e: Frechet, directions: tuple[Form, ...], form) -> Call:
    """dexpm(X, E), d2expm(X, E, F), dpowm(X, E, p): L⁽ᵏ⁾_f written as a call."""
    power = (Lit("scalar", e.param),) if e.param is not None else ()
    return Call("matrix", frechet_name(e.fn, e.order), form(e.point), directions + power)


class NoMatrixForm(Exception):
    """Raised inside the converter when a piece has no faithful matrix notation."""


class _Converter:
    def __init__(self):
        self.memo: dict[Expr, Form] = {}

    def form(self, e: Expr) -> Form:
        """Column orientation for vectors."""
        if e not in self.memo:
            self.memo[e] = self._form(e)
        return self.memo[e]

    def _form(self, e: Expr) -> Form:
        kind = kind_of_rank(e.rank)
        if kind == "tensor" and isinstance(e, (Einsum, Identity)):
            raise NoMatrixForm(e)  # contractions of 3+ axes: index notation
        return FORM[type(e)](self, e, kind)

    def _var(self, e: Var, kind: str) -> Form:
        return Sym(kind, e.name, e.symmetric and kind == "matrix")

    def _sum(self, e: Add, kind: str) -> Form:
        return sum_form([(c, self.form(t)) for c, t in e.terms], kind)

    def _entrywise(self, e: Elementwise, kind: str) -> Form:
        return Call(kind, e.fn, self.form(e.arg), symmetric=kind == "matrix" and is_symmetric(e))

    def _power(self, e: Power, kind: str) -> Form:
        return _norm2(e, self.form) or Pow(kind, self.form(e.base), self.form(e.exponent))

    def _matrix_function(self, e: MatrixFunction, kind: str) -> Form:
        symmetric = kind == "matrix" and is_symmetric(e)
        power = (Lit("scalar", e.param),) if e.param is not None else ()
        return Call(kind, e.fn, self.form(e.arg), power, symmetric)

    def _frechet(self, e: Frechet, kind: str) -> Form:
        if kind != "matrix":
            raise NoMatrixForm(e)
        return frechet_call(e, tuple(self.form(d) for d in e.directions), self.form)

    # --- einsum -------------------------------------------------------------------
    def _einsum(self, e: Einsum, kind: str | None = None) -> Form:
        if any(op.rank > 2 for op in e.operands):
            raise NoMatrixForm(e)
        split = split_sizes(e)
        if split is not None:  # n*x, not vector(1)'*vector(1)*x: no size left unfixed
            sizes, rest = split
            rest_form = [self.form(rest)] if rest is not None else []
            return product_form([size_form(d) for d in sizes] + rest_form, kind_of_rank(e.rank))
        special = self._recognised(e) or self._split_entrywise(e)
        if special is not None:
            return special
        scalars: list[Form] = []
        items: list[_Item] = []
        for op, ix in zip(e.operands, e.indices):
            f = self.form(op)
            if op.rank == 0:
                scalars.append(f)
            else:
                items.append(_Item(f, tuple(ix)))
        graph = _Graph(items, e.out)
        main = graph.reduce(scalars)
        return product_form(scalars + ([main] if main is not None else []), kind_of_rank(e.rank))

    def _recognised(self, e: Einsum) -> Form | None:
        """sum(u), tr(X), diag(v), diag(X): single-operand einsums with a name."""
        if len(e.operands) != 1:
            return None
        (op,), (ix,) = e.operands, e.indices
        if not e.out and len(set(ix)) == len(ix):
            if isinstance(op, Elementwise) and op.fn == "abs":
                return Call("scalar", "norm1", self.form(op.arg))
            return sum_of(self.form(op))
        if op.rank == 2 and ix[0] == ix[1] and not e.out:
            return Call("scalar", "tr", self.form(op))
        if op.rank == 2 and ix[0] == ix[1] and e.out == (ix[0],):
            return Call("col", "diag", self.form(op))
        if op.rank == 1 and e.out == (ix[0], ix[0]):
            if isinstance(op, Ones):
                return Const("matrix", "eye")
            return Call("matrix", "diag", self.form(op))
        return None

    def _split_entrywise(self, e: Einsum) -> Form | None:
        """Write vectors that share a result index with other factors as `.*` or `diag(v)*`."""
        out = e.out
        if len(out) == 2 and out[0] == out[1]:
            inner = einsum(e.operands, e.indices, out[:1])
            return Call("matrix", "diag", self.form(inner))
        if not out:
            return None
        for pos, a in enumerate(out):
            vecs = [k for k, ix in enumerate(e.indices) if ix == (a,)]
            others = [k for k, ix in enumerate(e.indices) if a in ix and k not in vecs]
            if not vecs or (not others and (len(out) == 2 or len(vecs) == 1)):
                continue  # a lone vector ends a path (or makes an outer product)
            rest = [k for k in range(len(e.operands)) if k not in vecs]
            rest_out = out if others else tuple(x for x in out if x != a)
            vec_forms = [self.form(e.operands[k]) for k in vecs]
            body = (self.form(einsum([e.operands[k] for k in rest],
                                     [e.indices[k] for k in rest], rest_out)) if rest else None)
            if len(out) == 1:
                return hadamard_form(vec_forms + ([body] if body is not None else []), "col")
            diag = Call("matrix", "diag", hadamard_form(vec_forms, "col"))
            assert body is not None  # a matrix: `others` is not empty, nor is `rest`
            return product_form([diag, body] if pos == 0 else [body, diag], "matrix")
        return None


# How each kind of IR node is written (every class of `ir.nodes` has an entry).
FORM: dict[type[Expr], Callable[[_Converter, Any, str], Form]] = {
    Var: _Converter._var,
    Number: lambda self, e, kind: Lit("scalar", e.value),
    Ones: lambda self, e, kind: Const(kind, "ones"),
    Zero: lambda self, e, kind: Const(kind, "zeros"),
    Identity: lambda self, e, kind: Const(kind, "eye"),
    Add: _Converter._sum,
    Elementwise: _Converter._entrywise,
    Power: _Converter._power,
    MatrixFunction: _Converter._matrix_function,
    Frechet: _Converter._frechet,
    Einsum: _Converter._einsum,
}


class _Item:
    """A vector (one index) or matrix (row, column indices) in the einsum graph."""

    def __init__(self, form: Form, labels: tuple[int, ...]):
        self.form, self.labels = form, labels


class _Graph:
    """Paths and cycles of an einsum whose factors are vectors and matrices."""

    def __init__(self, items: list[_Item], out: tuple[int, ...]):
        self.items, self.out = items, out
        self.fresh = max([a for it in items for a in it.labels] + list(out), default=-1) + 1

    def count(self, a: int) -> int:
        return sum(it.labels.count(a) for it in self.items) + self.out.count(a)

    def reduce(self, scalars: list[Form]) -> Form | None:
        self._diagonals(scalars)
        while True:
            changed = self._lonely(scalars) or self._merge_vectors() or self._matvec_first() \
                or self._split_by_diag()
            if changed or self._merge_matrices():
                continue
            if not self._stuck() or not self._contract_pair():
                break
        if self._stuck():
            raise NoMatrixForm(None)
        return self._paths(scalars)

    def _stuck(self) -> bool:
        return any(self.count(a) > 2 for it in self.items for a in it.labels)

    def _contract_pair(self) -> bool:
        """Multiply out two factors joined by an index nobody else uses: (W'*R)[i,b], (A*x)[a].

        Used only when an index is shared by three factors, so that what remains
        becomes an entry-wise product: ((W'*R) .* M)*X', diag(A*x)*A."""
        for a in sorted({a for it in self.items for a in it.labels}):
            if self.count(a) != 2 or a in self.out:
                continue
            carriers = [it for it in self.items if a in it.labels]
            if len(carriers) != 2:  # one factor holds both ends: a diagonal, not a pair
                continue
            left, right = carriers
            if len(left.labels) + len(right.labels) < 3:
                continue
            if len(left.labels) == 1:
                left, right = right, left  # the matrix first: M*v
            lf = left.form if left.labels[-1] == a else transpose_form(left.form)
            rf = right.form if right.labels[0] == a else transpose_form(right.form)
            kept = [b for b in left.labels if b != a] + [b for b in right.labels if b != a]
            self.items.remove(left)
            self.items.remove(right)
            kind = "matrix" if len(kept) == 2 else "col"
            self.items.append(_Item(product_form([lf, rf], kind), tuple(kept)))
            return True
        return False

    def _diagonals(self, scalars):
        """X[a,a] → diag(X)[a], or tr(X) when a is summed only there."""
        for it in list(self.items):
            if len(it.labels) == 2 and it.labels[0] == it.labels[1]:
                a = it.labels[0]
                self.items.remove(it)
                if self.count(a) == 0:
                    scalars.append(Call("scalar", "tr", it.form))
                else:
                    self.items.append(_Item(Call("col", "diag", it.form), (a,)))

    def _lonely(self, scalars) -> bool:
        """An index summed inside one factor only: sum(v), or row/column sums of M."""
        for it in self.items:
            for pos, a in enumerate(it.labels):
                if self.count(a) != 1 or a in self.out:
                    continue
                self.items.remove(it)
                if len(it.labels) == 1:
                    scalars.append(sum_of(it.form))
                else:
                    m = it.form if pos == 1 else transpose_form(it.form)
                    ones = Const("col", "ones")
                    self.items.append(_Item(Prod("col", (m, ones)), (it.labels[1 - pos],)))
                return True
        return False

    def _merge_vectors(self) -> bool:
        """u[a] v[a] with a shared by a third factor (or the result) → (u .* v)[a]."""
        for a in {a for it in self.items for a in it.labels}:
            vecs = [it for it in self.items if it.labels == (a,)]
            if len(vecs) >= 2 and self.count(a) > 2:
                for it in vecs[:2]:
                    self.items.remove(it)
                self.items.append(_Item(hadamard_form([vecs[0].form, vecs[1].form], "col"), (a,)))
                return True
        return False

    def _matvec_first(self) -> bool:
        """M[c,b] v[b] with c busy and b private → (M*v)[c]: d .* (X*v), not diag(d)*X*v.

        Applied only where a vector waits on a busy index, so the product is written in the
        order it is best computed (a Hessian-vector product never shows the Hessian)."""
        busy = {a for it in self.items for a in it.labels
                if self.count(a) > 2 and any(o.labels == (a,) for o in self.items)}
        for m in self.items:
            if len(m.labels) != 2 or not busy & set(m.labels):
                continue
            for pos, b in enumerate(m.labels):
                c = m.labels[1 - pos]
                vec = next((v for v in self.items if v.labels == (b,)), None)
                if c not in busy or vec is None or self.count(b) != 2 or b in self.out:
                    continue
                self.items.remove(m)
                self.items.remove(vec)
                mf = m.form if pos == 1 else transpose_form(m.form)
                self.items.append(_Item(product_form([mf, vec.form], "col"), (c,)))
                return True
        return False

    def _split_by_diag(self) -> bool:
        """v[a] M[a,b] N[a,c] → M'·diag(v)·N: a vector on a busy summed index becomes diag(v)."""
        for it in self.items:
            if len(it.labels) == 1 and self.count(it.labels[0]) > 2:
                a, b = it.labels[0], self.fresh
                self.fresh += 1
                other = next(o for o in self.items if o is not it and a in o.labels)
                other.labels = tuple(b if x == a else x for x in other.labels)
                it.form = Call("matrix", "diag", it.form)
                it.labels = (a, b)
                return True
        return False

    def _merge_matrices(self) -> bool:
        """M[a,b] N[a,b] on a busy index → (M .* N)[a,b] (N transposed if it runs b→a)."""
        mats = [it for it in self.items if len(it.labels) == 2]
        for i, m in enumerate(mats):
            for n in mats[i + 1:]:
                if set(m.labels) == set(n.labels) and max(map(self.count, m.labels)) > 2:
                    nf = n.form if n.labels == m.labels else transpose_form(n.form)
                    self.items.remove(n)
                    m.form = hadamard_form([m.form, nf], "matrix")
                    return True
        return False

    def _walk(self, start: _Item, label: int) -> tuple[list[Form], int | None, _Item | None]:
        """Follow factors from `start`, entered through `label`, to a vector or result index."""
        chain, it, a = [], start, label
        while True:
            self.items.remove(it)
            if len(it.labels) == 1:
                chain.append(it.form)
                return chain, None, it
            if it.labels[0] == a:
                chain.append(it.form)
                a = it.labels[1]
            else:
                chain.append(transpose_form(it.form))
                a = it.labels[0]
            if a in self.out:
                return chain, a, None
            nxt = next((o for o in self.items if a in o.labels), None)
            if nxt is None:  # closed a cycle
                return chain, a, None
            it = nxt

    def _carrier(self, a: int) -> _Item:
        return next(it for it in self.items if a in it.labels)

    def _paths(self, scalars) -> Form | None:
        main = None
        if self.out:
            first = self._carrier(self.out[0])
            chain, end, _ = self._walk(first, self.out[0])
            col = product_form(chain, "col" if end is None else "matrix")
            if len(self.out) == 1:
                main = col
            elif end == self.out[1]:
                main = col
            else:
                chain2, _, _ = self._walk(self._carrier(self.out[1]), self.out[1])
                main = product_form([col, transpose_form(product_form(chain2, "col"))], "matrix")
        while self.items:
            start = next((it for it in self.items if len(it.labels) == 1), self.items[0])
            if len(start.labels) == 1:
                self.items.remove(start)
                a = start.labels[0]
                rest, _, _ = self._walk(self._carrier(a), a)
                scalars.append(product_form([transpose_form(start.form)] + rest, "scalar"))
            else:
                chain, _, _ = self._walk(start, start.labels[0])
                scalars.append(Call("scalar", "tr", product_form(chain, "matrix")))
        return main


def sum_of(f: Form) -> Form:
    """sum(f); sum(u.^2) is written norm2(u)^2, as a person keeps it."""
    if isinstance(f, Pow) and f.kind == "col" and f.exponent == Lit("scalar", 2.0):
        return Pow("scalar", Call("scalar", "norm2", f.base), f.exponent)
    return Call("scalar", "sum", f)


def size_form(d) -> Form:
    """The size of dimension d: its name, or its number."""
    return Lit("scalar", float(d)) if isinstance(d, int) else Sym("scalar", d)


def _norm2(e: Power, form) -> Form | None:
    """sum(u.^2)^p → norm2(u)^(2p) for p = ±1/2, ±3/2 …: a Euclidean norm, named."""
    s, p = e.base, e.exponent
    if not (isinstance(p, Number) and (2 * p.value) % 2 == 1 and isinstance(s, Einsum)
            and len(s.operands) == 1 and not s.out
            and len(set(s.indices[0])) == len(s.indices[0])):
        return None
    sq = s.operands[0]
    if not (isinstance(sq, Power) and sq.exponent == Number(2.0)):
        return None
    norm = Call("scalar", "norm2", form(sq.base))
    return norm if p.value == 0.5 else Pow("scalar", norm, Lit("scalar", 2 * p.value))
