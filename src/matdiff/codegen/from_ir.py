"""IR → array program (`ops`): one walk over the IR of every output, shared nodes once.

Contract: `Lowerer.output(expr, row, structured)` returns an op whose value equals
`evaluate(expr)` (as a 1×n row when `row`), except that with `structured` a result of three
or more axes holding Kronecker deltas (I ⊗ M, M ⊗ I, sums of them) is a
`runtime.StructuredTensor` whose `.todense()` equals it. IR nodes are memoised by
structure, so a subexpression shared by value, gradient and Hessian is lowered once.

Deltas never become dense identities inside a computation: an `Identity` factor of an
einsum merges its two labels; a label the result repeats is a diagonal embedding, kept as
(core, spec) until it is either added onto a matrix's diagonal, returned structured, or —
only where a dense tensor is the answer itself — written out.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..ir import (
    Add, Einsum, Elementwise, Expr, Frechet, Identity, MatrixFunction, Number, Ones, Power, Var,
    Zero,
)
from ..analysis.gram import split_gram
from ..functions import PRIMARY
from ..ir.unionfind import UnionFind
from .contract import Contractor, Operand, label_symbols, letters, split_scale
from .ops import Graph, Op


@dataclass(frozen=True)
class Parts:
    """An einsum as core ⊗ deltas: value[out] = core[core_labels], 0 off repeated labels.

    Labels of `out` missing from `core_labels` are broadcast (the core is constant along
    them); a label repeated in `out` puts the result on that diagonal."""

    core: Op
    core_labels: tuple[int, ...]
    out: tuple[int, ...]
    dims: tuple  # of the result, one per label of `out`

    @property
    def plain(self) -> bool:
        return len(set(self.out)) == len(self.out) and set(self.out) == set(self.core_labels)

    def spec(self) -> str:
        sym = label_symbols([], self.out + self.core_labels)
        return f"{letters(self.core_labels, sym)}->{letters(self.out, sym)}"


class Lowerer:
    def __init__(self, graph: Graph, contractor: Contractor):
        self.g = graph
        self.c = contractor
        self.memo: dict[Expr, Op] = {}

    # --- outputs ------------------------------------------------------------------------
    def output(self, e: Expr, orientation: str | None = None, structured: bool = True) -> Op:
        if structured and e.rank >= 3:
            op = self._structured(e)
            if op is not None:
                return op
        op = self.lower(e)
        if orientation is None or e.rank != 1:
            return op
        dims = (1,) + op.dims if orientation == "row" else op.dims + (1,)
        return self.g.op("orient", (op,), orientation, dims)

    def _structured(self, e: Expr) -> Op | None:
        terms = e.terms if isinstance(e, Add) else ((1.0, e),)
        parts = [(c, self.parts(t) if isinstance(t, Einsum) else None) for c, t in terms]
        if not any(p is not None and not p.plain for _, p in parts):
            return None
        args, specs = [], []
        for (c, t), (_, p) in zip(terms, parts):
            if p is None or p.plain:
                p = Parts(self.lower(t), tuple(range(t.rank)), tuple(range(t.rank)), t.dims)
            args.append(self.scale(c, p.core))
            specs.append(p.spec())
        return self.g.op("structured", args, tuple(specs), e.dims)

    # --- nodes --------------------------------------------------------------------------
    def lower(self, e: Expr) -> Op:
        op = self.memo.get(e)
        if op is None:
            op = self.memo[e] = self._lower(e)
        return op

    def _lower(self, e: Expr) -> Op:
        return LOWER[type(e)](self, e)

    def _leaf(self, e: Expr) -> Op:
        kind = {Var: "var", Zero: "zeros", Ones: "ones", Identity: "eye"}[type(e)]
        return self.g.op(kind, (), e.name if isinstance(e, Var) else None, e.dims)

    def _entrywise(self, e: Elementwise) -> Op:
        softplus_of = _softplus_of(e.arg) if e.fn == "log" else None
        if softplus_of is not None:
            # log(exp(u) + 1) in one accurate step: no overflow, no 1 + tiny rounded to 1
            return self.g.op("fn", (self.lower(softplus_of),), "softplus", e.dims)
        return self.g.op("fn", (self.lower(e.arg),), e.fn, e.dims)

    def _matrix_function(self, e: MatrixFunction) -> Op:
        if e.fn in PRIMARY:
            return self.g.op("matfun", (self.lower(e.arg),), (e.fn, e.param), e.dims)
        return self.g.op("fn", (self.lower(e.arg),), e.fn, e.dims)

    def _frechet(self, e: Frechet) -> Op:
        args = tuple(self.lower(c) for c in e.children())
        return self.g.op("frechet", args, (e.fn, e.param), e.dims)

    def _power(self, e: Power) -> Op:
        if isinstance(e.exponent, Number):
            return self.g.op("pow", (self.lower(e.base),), e.exponent.value, e.dims)
        return self.g.op("pow", (self.lower(e.base), self.lower(e.exponent)), None, e.dims)

    def scale(self, c: float, x: Op) -> Op:
        return self.c.scale(c, x)

    # --- sums ---------------------------------------------------------------------------
    def _add(self, e: Add) -> Op:
        """Σ cᵢ tᵢ: dense terms summed, all-ones terms as a broadcast number, deltas last."""
        if len(e.terms) == 1 and isinstance(e.terms[0][1], Einsum):
            one = self.parts(e.terms[0][1], e.terms[0][0])  # c·einsum: c on its smallest factor
            if one.plain:
                return one.core
        dense, coefs, deltas, constant = [], [], [], 0.0
        for c, t in e.terms:
            p = self.parts(t) if isinstance(t, Einsum) else None
            if isinstance(t, Ones):
                constant += c
            elif p is not None and not p.plain:
                deltas.append((c, p))
            else:
                dense.append(self.lower(t))
                coefs.append(c)
        if constant:
            if not dense:
                dense, coefs = [self.g.op("ones", (), None, e.dims)], [constant]
            else:
                dense.append(self.g.op("lit", (), 1.0))
                coefs.append(constant)
        if not dense:
            c, p = deltas.pop(0)
            dense, coefs = [self.dense(p)], [c]
        acc = self._combine(dense, coefs, e.dims)
        for c, p in deltas:
            acc = self._add_delta(acc, c, p)
        return acc

    def _combine(self, terms: list[Op], coefs: list[float], dims) -> Op:
        """Σ cᵢ tᵢ in a canonical form: terms in a fixed order, a common coefficient in
        front, so 2 R - 2 T and T - R share the op R - T (up to the sign in front)."""
        if len(terms) == 1:
            return self.scale(coefs[0], terms[0])
        split = [split_scale(t) for t in terms]  # 1·(2 P) + 2 Q → 2 (P + Q)
        terms, coefs = [t for _, t in split], [c * d for c, (d, _) in zip(coefs, split)]
        # computed terms before inputs: NumPy then reuses the first term's temporary for
        # the result (U @ V.T - T allocates no new array; T - U @ V.T does)
        order = sorted(range(len(terms)), key=lambda k: (terms[k].kind in _NOT_TEMPORARY,
                                                         terms[k].uid))
        terms, coefs = [terms[k] for k in order], [coefs[k] for k in order]
        c0 = coefs[0]
        if c0 == -1.0 and any(t.kind == "lit" for t in terms):
            c0 = 1.0  # 1 - s stays 1 - s, not -(s - 1)
        if c0 != 1.0 and all(abs(c) == abs(c0) for c in coefs):
            inner = self.g.op("add", terms, tuple(c / c0 for c in coefs), dims)
            return self.scale(c0, inner)
        return self.g.op("add", terms, tuple(coefs), dims)

    def _add_delta(self, acc: Op, c: float, p: Parts) -> Op:
        if len(p.out) == 2 and p.out[0] == p.out[1]:  # a matrix plus c·diag(core)
            return self.g.op("add_diag", (acc, self.scale(c, p.core)), None, acc.dims)
        return self.g.op("add", (acc, self.dense(p)), (1.0, c), acc.dims)

    # --- einsums ------------------------------------------------------------------------
    def parts(self, e: Einsum, coef: float = 1.0) -> Parts:
        """coef·e as a core contraction and the deltas around it."""
        labels: UnionFind[int] = UnionFind()
        for op, ix in zip(e.operands, e.indices):
            if isinstance(op, Identity):
                labels.union(*ix)  # δ(a,b) T[…b…] = T[…a…]
        dims = e.label_dims()
        operands, scalars = [], []
        indices = [tuple(labels.find(a) for a in ix) for ix in e.indices]
        out = tuple(labels.find(a) for a in e.out)
        gram = self._gram(e.operands, indices, out)
        for k, (op, ix) in enumerate(zip(e.operands, indices)):
            if isinstance(op, (Identity, Ones)):
                continue  # merged above; all-ones is 1 along every label
            if op.rank == 0:
                scalars.append(self.lower(op))
            elif gram is not None:
                continue  # every operand of rank ≥ 1 is in the Gram product
            elif _is_square(op) and _private(k, indices, out):
                operands += [(self.lower(op.base), ix)] * 2  # Σ u² = u·u: a dot product
            else:
                operands.append((self.lower(op), ix))
        summed_inside = {a for _, ix in operands for a in ix}
        if gram is not None:
            operands, summed_inside = [gram[0]], gram[1]
        carried = {a for _, ix in operands for a in ix}
        core_out = tuple(a for a in dict.fromkeys(out) if a in carried)
        for a in sorted({a for ix in indices for a in ix} - summed_inside - set(out)):
            scalars.append(self.g.op("size", (), dims[a]))  # Σ_a 1 = n
        core: Op | None
        if operands:
            core = self.c.contract(operands, core_out, coef)
        else:
            core = None if coef == 1.0 else self.g.op("lit", (), coef)
        for s in scalars:
            pair = (core, s) if core is not None and core.kind == "lit" else (s, core)
            core = s if core is None else self.g.op("mul", pair, None, core.dims)
        if core is None:
            core = self.g.op("lit", (), 1.0)
        return Parts(core, core_out, out, e.dims)

    def _gram(self, operands, indices, out):
        """Mᵀ diag(w) M with w ≥ 0 proved (or ≤ 0) as ±Fᵀ F, F = diag(sqrt(±w)) M: a
        symmetric product NumPy computes with SYRK, half the multiplications of a GEMM.
        Returns ((op, its labels), the labels it sums over) for the operands of rank ≥ 1,
        or None."""
        dense = [(op, ix) for op, ix in zip(operands, indices)
                 if op.rank and not isinstance(op, (Identity, Ones))]
        carried = {a for _, ix in dense for a in ix}
        wanted = tuple(a for a in dict.fromkeys(out) if a in carried)
        gram = split_gram([op for op, _ in dense], [ix for _, ix in dense], wanted) \
            if dense else None
        if gram is None or gram.sign == 0:
            return None
        s, i, j = gram.labels
        factor: list[Operand] = [(self.lower(gram.factor), (s, i) if gram.rows == 0 else (i, s))]
        if gram.weights:
            w = self.c.contract([(self.lower(op), ix) for op, ix in gram.weights], (s,))
            root = self.g.op("pow", (self.scale(gram.sign, w),), 0.5, w.dims)
            factor.append((root, (s,)))
        f = self.c.contract(factor, (s, i))
        square = self.g.op("gram", (f,), None, (f.dims[1], f.dims[1]))
        return (self.scale(gram.sign, square), wanted), carried

    def dense(self, p: Parts) -> Op:
        """The value of `p` as an ordinary array of the result's dims."""
        if p.plain:
            return p.core
        dims = p.dims
        if len(set(p.out)) == len(p.out):  # broadcast only
            view = self.c.align(p.core, p.core_labels, p.out)
            return self.g.op("broadcast", (view,), None, dims)
        return self.g.op("embed", (p.core,), p.spec(), dims)


# How each kind of IR node becomes array operations (every class of `ir.nodes` has one).
LOWER = {
    Var: Lowerer._leaf, Zero: Lowerer._leaf, Ones: Lowerer._leaf, Identity: Lowerer._leaf,
    Number: lambda self, e: self.g.op("lit", (), e.value),
    Elementwise: Lowerer._entrywise,
    MatrixFunction: Lowerer._matrix_function,
    Frechet: Lowerer._frechet,
    Power: Lowerer._power,
    Add: Lowerer._add,
    Einsum: lambda self, e: self.dense(self.parts(e)),
}


def _softplus_of(e: Expr) -> Expr | None:
    """u when e is exp(u) + 1 (a number one or all-ones), else None."""
    if not isinstance(e, Add) or len(e.terms) != 2 or any(c != 1.0 for c, _ in e.terms):
        return None
    ones = [t for _, t in e.terms if isinstance(t, Ones) or t == Number(1.0)]
    exps = [t for _, t in e.terms if isinstance(t, Elementwise) and t.fn == "exp"]
    return exps[0].arg if ones and exps else None


def _is_square(op: Expr) -> bool:
    return isinstance(op, Power) and op.exponent == Number(2.0)


# ops whose value is not a fresh temporary array (inputs, constants, views)
_NOT_TEMPORARY = {"var", "lit", "size", "T", "expand", "permute", "diagonal", "broadcast"}


def _private(k: int, indices: list[tuple[int, ...]], out: tuple[int, ...]) -> bool:
    """True when operand k's labels are distinct, summed, and carried by no other operand."""
    mine = indices[k]
    others = {a for j, ix in enumerate(indices) if j != k for a in ix}
    return len(set(mine)) == len(mine) and not set(mine) & (others | set(out))
