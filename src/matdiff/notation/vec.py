"""The vec layout of Magnus & Neudecker: ∂vec(F)/∂vec(X)ᵀ, a matrix, in Kronecker form.

vec stacks columns, so entry (i + m·j, k + p·l) of the matrix is the mixed-layout
entry D[i,j,k,l] (F m×n, X p×q). A term of D that factors as P[j,l]·Q[i,k] is
the Kronecker product P ⊗ Q; one that factors as P[j,k]·Q[i,l] is
(P ⊗ Q)·K(p,q), where the commutation matrix K(p,q) maps vec(X) to vec(Xᵀ):

    A*X*B by X  →  Bᵀ ⊗ A          X' by X  →  K(m,n)
    X*X by X    →  Xᵀ ⊗ 𝕀 + 𝕀 ⊗ X    inv(X) by X  →  −X⁻ᵀ ⊗ X⁻¹

A term R[i,j]·C[k,l] is the outer product vec(R)·vec(C)ᵀ, and G[i,j]·δ(i,k)·δ(j,l)
is diag(vec(G)). A vector is its own vec (a missing axis has size 1). A term
with none of these structures raises `NoMatrixForm`: the caller writes the
mixed tensor in index notation instead, never a guess.
"""

from __future__ import annotations

from ..ir import Add, Einsum, Expr, Identity, Zero
from ..ir.build import einsum, eye
from ..ir.unionfind import UnionFind
from .forms import Call, Commutation, Const, Form, Kron
from .index import to_form
from .matrix import NoMatrixForm, strict_form
from .measure import form_size
from .tidy import product_form, sum_form, transpose_form


def vec_form(e: Expr, split: tuple[int, int]) -> Form:
    """The form of ∂vec(F)/∂vec(X)ᵀ, given its mixed tensor `e` whose first `split[0]`
    axes are F's and last `split[1]` are X's (each at most two)."""
    rows, cols = split
    if rows <= 1 and cols <= 1:  # no matrix: the numerator layout's Jacobian, row or column
        return to_form(e, "row" if (rows, cols) == (0, 1) else None)
    if rows == 0 or cols == 0:  # ∂s/∂vec(X)ᵀ = vec(G)ᵀ, ∂vec(F)/∂s = vec(dF/ds)
        column = _vec(strict_form(e), 2)
        return transpose_form(column) if rows == 0 else column
    return sum_form([(c, _term(t, rows, cols)) for c, t in _distributed(e)], "matrix")


MAX_TERMS = 64  # distributing sums of tensors: beyond this, index notation


def _distributed(e: Expr) -> list[tuple[float, Expr]]:
    """e as Σ c·t with no sum of tensors (3+ axes) left inside an einsum's operands."""
    terms = list(e.terms) if isinstance(e, Add) else [(1.0, e)]
    out: list[tuple[float, Expr]] = []
    while terms:
        c, t = terms.pop(0)
        k = next((k for k, op in enumerate(t.operands) if isinstance(op, Add) and op.rank > 2),
                 None) if isinstance(t, Einsum) else None
        if k is None:
            out.append((c, t))
            continue
        assert isinstance(t, Einsum)  # k is found in an einsum only: its operand k is a sum
        summand = t.operands[k]
        assert isinstance(summand, Add)
        for c2, inner in summand.terms:
            ops = t.operands[:k] + (inner,) + t.operands[k + 1:]
            expanded = einsum(ops, t.indices, t.out)
            terms.extend((c * c2 * c3, x) for c3, x in _distributed(expanded))
        if len(out) + len(terms) > MAX_TERMS:
            raise NoMatrixForm(e)
    return out


def vec_dims(dims: tuple, split: tuple[int, int]) -> tuple:
    """(R, C): the sizes of vec(F) and vec(X), as `m*n` when symbolic."""
    rows = dims[:split[0]]
    return (_size(rows), _size(dims[split[0]:]))


def _size(dims: tuple):
    if all(isinstance(d, int) for d in dims):
        total = 1
        for d in dims:
            total *= d
        return total
    return "*".join(str(d) for d in dims)


def _vec(f: Form, rank: int) -> Form:
    """vec of a matrix form; a vector (or scalar) is its own vec."""
    return Call("col", "vec", f) if rank == 2 else f


# --- one term of the mixed tensor ------------------------------------------------------------


class _Term:
    """An einsum term with every result label distinct (a repeated one becomes an `eye`)."""

    def __init__(self, t: Expr, rows: int):
        if isinstance(t, Einsum):
            ops, idxs, out = list(t.operands), list(t.indices), list(t.out)
        else:
            ops, idxs, out = [t], [tuple(range(t.rank))], list(range(t.rank))
        self.diagonal = rows == 2 and len(out) == 4 and out[:2] == out[2:] \
            and out[0] != out[1]
        self.ops, self.idxs = ops, idxs
        fresh = 1 + max([a for ix in idxs for a in ix] + out)
        seen = set()
        for pos, a in enumerate(out):
            if a in seen:  # D = … δ(a, b): the identity joins the two axes
                ops.append(eye(t.dims[pos]))
                idxs.append((a, fresh))
                out[pos], fresh = fresh, fresh + 1
            seen.add(a)
        self.out, self.dims, self.rows = tuple(out), t.dims, rows
        # (diagonal: out was doubled, so t is an einsum)
        self.diagonal_of = (einsum(t.operands, t.indices, t.out[:2])
                            if self.diagonal and isinstance(t, Einsum) else None)

    def components(self) -> list[list[int]]:
        """Operands grouped by the labels they share."""
        groups: UnionFind[int] = UnionFind()
        owner: dict[int, int] = {}
        for k, ix in enumerate(self.idxs):
            groups.find(k)
            for a in ix:
                if a in owner:
                    groups.union(owner[a], k)
                owner.setdefault(a, k)
        found: dict[int, list[int]] = {}
        for k in range(len(self.ops)):
            found.setdefault(groups.find(k), []).append(k)
        return list(found.values())

    def free(self, group: list[int]) -> set[int]:
        return {a for k in group for a in self.idxs[k] if a in self.out}

    def form(self, groups: list[list[int]], labels: list[int | None]) -> Form | None:
        """The matrix (or vector) over `labels` (row label, column label; None: absent)
        that the groups' operands make together; None when there are none."""
        members = [k for g in groups for k in g]
        if not members:
            return None
        present = tuple(a for a in labels if a is not None)
        ops, idxs, out = _absorb_identities([self.ops[k] for k in members],
                                            [self.idxs[k] for k in members], present)
        f = strict_form(einsum(ops, idxs, out))
        return transpose_form(f) if labels[0] is None and labels[1] is not None else f


def _absorb_identities(ops, idxs, out):
    """δ(a,b) next to other factors: b renamed a, so diag(g)·I reads diag(g)."""
    ops, idxs, out = list(ops), list(idxs), list(out)
    k = 0
    while len(ops) > 1 and k < len(ops):
        if isinstance(ops[k], Identity) and idxs[k][0] != idxs[k][1]:
            p, q = idxs[k]
            a, b = (q, p) if p not in out and q in out else (p, q)  # b goes: a summed one
            del ops[k], idxs[k]
            idxs = [tuple(a if x == b else x for x in ix) for ix in idxs]
            out = [a if x == b else x for x in out]
            k = 0
        else:
            k += 1
    return ops, idxs, tuple(out)


def _term(t: Expr, rows: int, cols: int) -> Form:
    if isinstance(t, Zero):
        return Const("matrix", "zeros")
    term = _Term(t, rows)
    if term.diagonal_of is not None:  # diagonal, G[i,j] δ(i,k) δ(j,l): diag(vec(G))
        return Call("matrix", "diag", _vec(strict_form(term.diagonal_of), 2))
    out = term.out
    i, j = out[0], out[1] if rows == 2 else None
    k, l = out[rows], out[rows + 1] if cols == 2 else None
    groups = term.components()
    scalars = [g for g in groups if not term.free(g)]
    tensors = [g for g in groups if term.free(g)]
    factors: list[Form] = []
    for g in scalars:
        scalar = term.form([g], [None, None])
        assert scalar is not None  # a group has operands
        factors.append(scalar)
    main = _kron(term, tensors, (i, k), (j, l))
    if main is None and l is not None:  # P[j,k] Q[i,l] = ((P ⊗ Q) K(p,q))[(i,j),(k,l)]
        swapped = _kron(term, tensors, (i, l), (j, k))
        if swapped is not None:
            p, q = (str(d) for d in t.dims[rows:rows + 2])
            commutation = Commutation("matrix", p, q)
            main = commutation if _is_eye(swapped) else product_form([swapped, commutation],
                                                                  "matrix")
    if main is None:
        main = _outer(term, tensors, (i, j), (k, l))
    members = [k for g in tensors for k in g]
    if main is None:
        main = _entrywise(term, members, (i, j), (k, l))
    if main is None:
        main = _chain(term, members, (i, j), (k, l))
    if main is None:
        raise NoMatrixForm(t)
    return product_form(factors + [main], "matrix")


def _split(term: _Term, tensors, first: tuple, second: tuple):
    """The groups whose free labels lie in `first`, and those in `second`; None if a group
    straddles both."""
    a, b = [], []
    for g in tensors:
        free = term.free(g)
        if free <= set(first):
            a.append(g)
        elif free <= set(second):
            b.append(g)
        else:
            return None
    return a, b


def _kron(term: _Term, tensors, inner: tuple, outer: tuple) -> Form | None:
    """P ⊗ Q with Q over the inner labels (i, k) and P over the outer ones (j, l)."""
    halves = _split(term, tensors, inner, outer)
    if halves is None:
        return None
    q, p = term.form(halves[0], list(inner)), term.form(halves[1], list(outer))
    if p is None or q is None:
        return q if p is None else p
    if _is_eye(p) and _is_eye(q):
        return Const("matrix", "eye")  # I ⊗ I = I
    return Kron("matrix", (p, q))


def _outer(term: _Term, tensors, row: tuple, col: tuple) -> Form | None:
    """vec(R)·vec(C)ᵀ for a term R[i,j]·C[k,l]."""
    halves = _split(term, tensors, row, col)
    if halves is None:
        return None
    r, c = term.form(halves[0], list(row)), term.form(halves[1], list(col))
    if r is None or c is None:
        return None
    rank = lambda labels: sum(x is not None for x in labels)  # noqa: E731
    return product_form([_vec(r, rank(row)), transpose_form(_vec(c, rank(col)))], "matrix")


def _entrywise(term: _Term, members: list[int], row: tuple, col: tuple) -> Form | None:
    """G[i,j]·E[i,j,k,l] = (diag(vec(G))·E)[(i,j),(k,l)]: factors over exactly F's axes
    make an entry-wise product, diag(vec(G)) on the left (over X's axes: on the right).
    An axis of the other side tied to one of these by δ counts as that one."""
    out = tuple(a for a in row + col if a is not None)
    for labels, others_, on_left in ((row, col, True), (col, row, False)):
        present = tuple(a for a in labels if a is not None)
        alias = _ties(term, members, others_, present)
        seen = lambda k: tuple(alias.get(a, a) for a in term.idxs[k])  # noqa: E731
        mine = [k for k in members if sorted(seen(k)) == sorted(present)
                and not isinstance(term.ops[k], Identity)]
        rest = [m for m in members if m not in mine]
        if not mine or not rest or not set(out) <= {a for m in rest for a in term.idxs[m]}:
            continue
        g = strict_form(einsum([term.ops[k] for k in mine], [seen(k) for k in mine], present))
        diag = Call("matrix", "diag", _vec(g, len(present)))
        split = (len(present), len(out) - len(present))
        try:
            others = vec_form(einsum([term.ops[m] for m in rest], [term.idxs[m] for m in rest],
                                     out), split if on_left else split[::-1])
        except NoMatrixForm:
            continue
        if _is_eye(others):
            return diag
        return product_form([diag, others] if on_left else [others, diag], "matrix")
    return None


def _ties(term: _Term, members: list[int], source: tuple, target: tuple) -> dict[int, int]:
    """Labels of `source` joined to one of `target` by an identity factor δ(a, b)."""
    ties = {}
    for k in members:
        if isinstance(term.ops[k], Identity):
            a, b = term.idxs[k]
            if a in source and b in target:
                ties[a] = b
            elif b in source and a in target:
                ties[b] = a
    return ties


MAX_SPLITS = 256  # ways to cut a chain tried before giving up


def _chain(term: _Term, members: list[int], row: tuple, col: tuple) -> Form | None:
    """The chain rule in the vec layout: ∂vec(F)/∂vec(X)ᵀ = ∂vec(F)/∂vec(U)ᵀ · ∂vec(U)/∂vec(X)ᵀ.

    The factors are cut in two, those with F's axes and those with X's, joined by at
    most two summed labels (U's axes); each side is written in the vec layout in
    turn. Of the cuts that work, the shortest result is kept."""
    carries = lambda k, labels: any(a in labels for a in term.idxs[k])  # noqa: E731
    left = [k for k in members if carries(k, row)]
    right = [k for k in members if carries(k, col)]
    loose = [k for k in members if k not in left and k not in right]
    if set(left) & set(right) or 2 ** len(loose) > MAX_SPLITS:
        return None
    best = None
    for mask in range(2 ** len(loose)):
        to_left = [k for n, k in enumerate(loose) if mask >> n & 1]
        found = _cut(term, left + to_left, right + [k for k in loose if k not in to_left],
                     row, col)
        if found is not None and (best is None or form_size(found) < form_size(best)):
            best = found
    return best


def _cut(term: _Term, left: list[int], right: list[int], row: tuple, col: tuple):
    """∂vec(F)/∂vec(U)ᵀ · ∂vec(U)/∂vec(X)ᵀ for one cut; None if it has no vec form."""
    labels = lambda side: [a for k in side for a in term.idxs[k]]  # noqa: E731
    shared = list(dict.fromkeys(a for a in labels(left) if a in labels(right)))
    if not 1 <= len(shared) <= 2:
        return None
    rows = tuple(a for a in row if a is not None)
    cols = tuple(a for a in col if a is not None)
    sides = [(left, rows + tuple(shared), (len(rows), len(shared))),
             (right, tuple(shared) + cols, (len(shared), len(cols)))]
    try:
        forms = [vec_form(einsum([term.ops[k] for k in side], [term.idxs[k] for k in side],
                                 out), split) for side, out, split in sides]
    except NoMatrixForm:
        return None
    return product_form(forms, "matrix")


def _is_eye(f: Form) -> bool:
    return isinstance(f, Const) and f.name == "eye"
