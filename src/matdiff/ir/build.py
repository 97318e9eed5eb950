"""Smart constructors: the only way to make IR nodes, and they keep them canonical.

Canonical here means cheap, always-wanted normalisations that never change a
value: nested sums and products are flattened, numbers are folded into
coefficients, zeros vanish, einsum labels are renumbered and operands put in a
deterministic order (so like terms compare equal up to index renaming).
Anything that is a *choice* of form lives in `simplify.py` as a named rule.

`rebuild(node, children)` makes a node of the same kind over new children, through the
same constructors, so a rewrite anywhere below keeps the whole tree canonical.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import UnsupportedError
from ..functions import ENTRYWISE, whole_matrix
from .nodes import (
    Add, Dim, Dims, Einsum, Elementwise, Expr, Frechet, Identity, MatrixFunction, Number, Ones,
    Power, Var, Zero,
)
from .unionfind import UnionFind

# --- leaves ------------------------------------------------------------------


def num(value: float) -> Number:
    return Number(value)


def zero(dims: Dims) -> Expr:
    return Number(0.0) if not dims else Zero(dims)


def ones(dims: Dims) -> Expr:
    return Number(1.0) if not dims else Ones(dims)


def eye(n: Dim) -> Identity:
    return Identity(n)


def finite_number(value, what: str) -> Number:
    """A folded constant; one that is not finite (1/0, log(0)) is refused, never printed."""
    value = float(value)
    if not math.isfinite(value):
        raise UnsupportedError(f"the constant {what} is not a finite number")
    return Number(value)


def is_zero(e: Expr) -> bool:
    return isinstance(e, Zero) or (isinstance(e, Number) and e.value == 0.0)


def is_number(e: Expr, value: float | None = None) -> bool:
    return isinstance(e, Number) and (value is None or e.value == value)


# --- linear combinations -------------------------------------------------------


def add(*terms) -> Expr:
    """Σ cᵢ·tᵢ; each term is an Expr or a (coefficient, Expr) pair; all dims equal."""
    merged: dict[Expr, float] = {}
    constant = 0.0
    dims = None
    for term in _flat_terms(terms):
        c, t = term
        dims = t.dims if dims is None else dims
        if c == 0.0 or is_zero(t):
            continue
        if isinstance(t, Number):
            constant += c * t.value
            continue
        merged[t] = merged.get(t, 0.0) + c
    if dims is None:
        raise ValueError("add() needs at least one term")
    out = [(c, t) for t, c in merged.items() if c != 0.0]
    if constant != 0.0:
        out.append((constant, Number(1.0)))
    if not out:
        return zero(dims)
    if len(out) == 1 and out[0][0] == 1.0:
        return out[0][1]
    if len(out) == 1 and isinstance(out[0][1], Number):
        return Number(out[0][0] * out[0][1].value)
    return Add(tuple(out))


def _flat_terms(terms):
    """Yield (coefficient, non-Add expr) pairs, expanding nested sums."""
    stack = [(1.0, t) for t in reversed(terms)]
    while stack:
        c, t = stack.pop()
        if isinstance(t, tuple):
            c, t = c * t[0], t[1]
        if isinstance(t, Add):
            stack.extend((c * tc, tt) for tc, tt in reversed(t.terms))
        else:
            yield c, t


def scale(c: float, e: Expr) -> Expr:
    """c·e."""
    return add((c, e))


def neg(e: Expr) -> Expr:
    return scale(-1.0, e)


def sub(a: Expr, b: Expr) -> Expr:
    return add(a, (-1.0, b))


def split_coefficient(e: Expr) -> tuple[float, Expr]:
    """(c, t) with e = c·t and t not a scaled term."""
    if isinstance(e, Add) and len(e.terms) == 1:
        return e.terms[0]
    if isinstance(e, Number):
        return e.value, Number(1.0)
    return 1.0, e


# --- einsum ----------------------------------------------------------------------


def einsum(operands, indices, out) -> Expr:
    """Σ_{labels not in out} Π operands[k][indices[k]]; see `ir.Einsum`."""
    operands, indices, out = list(operands), [tuple(i) for i in indices], tuple(out)
    label_dims = _label_dims(operands, indices)
    out_dims = tuple(label_dims[a] for a in out)
    coef, ops, idxs, labels = _inline(operands, indices, label_dims)
    if coef == 0.0:
        return zero(out_dims)
    out = tuple(labels.find(a) for a in out)
    idxs = [tuple(labels.find(a) for a in ix) for ix in idxs]
    if not ops:
        if out:
            raise ValueError("einsum output label not carried by any operand")
        return Number(coef)
    ops, idxs, out = _canonical_order(ops, idxs, out)
    if len(ops) == 1 and idxs[0] == out and len(set(out)) == len(out):
        body = ops[0]
    else:
        body = Einsum(ops, idxs, out, out_dims)
    return scale(coef, body) if coef != 1.0 else body


def _label_dims(operands, indices) -> dict[int, Dim]:
    dims: dict[int, Dim] = {}
    for op, ix in zip(operands, indices):
        if len(ix) != op.rank:
            raise ValueError(f"einsum: {len(ix)} labels for an operand of rank {op.rank}")
        for a, d in zip(ix, op.dims):
            dims.setdefault(a, d)
    return dims


def _inline(operands, indices, label_dims):
    """Fold numbers into a coefficient and splice nested einsums into one operand list."""
    fresh = max(label_dims, default=-1) + 1
    labels: UnionFind[int] = UnionFind()
    coef, ops, idxs = 1.0, [], []
    stack = list(zip(operands, indices))
    while stack:
        op, ix = stack.pop()
        if isinstance(op, Add) and len(op.terms) == 1:
            coef *= op.terms[0][0]
            op = op.terms[0][1]
        if isinstance(op, Number):
            coef *= op.value
        elif isinstance(op, Zero):
            return 0.0, [], [], labels
        elif isinstance(op, Einsum):
            mapping: dict[int, int] = {}
            for inner, outer in zip(op.out, ix):
                if inner in mapping:
                    labels.union(mapping[inner], outer)
                else:
                    mapping[inner] = outer
            for inner_ix in op.indices:
                for a in inner_ix:
                    if a not in mapping:
                        mapping[a], fresh = fresh, fresh + 1
            stack.extend(
                (o, tuple(mapping[a] for a in oi)) for o, oi in zip(op.operands, op.indices)
            )
        else:
            ops.append(op)
            idxs.append(ix)
    return coef, ops, idxs, labels


_TYPE_ORDER = {Number: 0, Var: 1, Ones: 2, Identity: 2, Elementwise: 3, Power: 3}


def order_key(e: Expr) -> tuple:
    """Deterministic order for operands: numbers, then variables by name, then by size."""
    name = e.name if isinstance(e, Var) else ""
    return (_TYPE_ORDER.get(type(e), 4), e.size(), name, e.digest())


def _canonical_order(ops, idxs, out):
    """Sort operands deterministically, then renumber labels by first appearance."""
    position = {a: i for i, a in enumerate(out)}
    order = sorted(
        range(len(ops)),
        key=lambda k: (order_key(ops[k]), tuple(position.get(a, -1) for a in idxs[k])),
    )
    ops = [ops[k] for k in order]
    idxs = [idxs[k] for k in order]
    renumber: dict[int, int] = {}
    for a in list(out) + [a for ix in idxs for a in ix]:
        renumber.setdefault(a, len(renumber))
    return (
        ops,
        [tuple(renumber[a] for a in ix) for ix in idxs],
        tuple(renumber[a] for a in out),
    )


def replace_operands(e: Einsum, drop, add=(), rename: dict[int, int] | None = None) -> Expr:
    """e with the operands at the positions `drop` removed, the (operand, labels) pairs `add`
    appended and labels renamed by `rename`: the one way a rule rewrites part of a product."""
    rename, gone = rename or {}, set(drop)
    kept = [(op, ix) for k, (op, ix) in enumerate(zip(e.operands, e.indices)) if k not in gone]
    kept += list(add)
    return einsum([op for op, _ in kept],
                  [tuple(rename.get(a, a) for a in ix) for _, ix in kept],
                  tuple(rename.get(a, a) for a in e.out))


# --- common einsum shapes ----------------------------------------------------------


def labels(n: int, start: int = 0) -> tuple[int, ...]:
    return tuple(range(start, start + n))


def transpose(m: Expr) -> Expr:
    """Mᵀ for a matrix; vectors and scalars are returned unchanged."""
    if m.rank != 2:
        return m
    return einsum([m], [(0, 1)], (1, 0))


def matmul(a: Expr, b: Expr) -> Expr:
    """The matrix product of a (…×k) and b (k×…), contracting a's last axis with b's first."""
    ia = labels(a.rank)
    ib = (ia[-1],) + labels(b.rank - 1, a.rank)
    return einsum([a, b], [ia, ib], ia[:-1] + ib[1:])


def hadamard(*factors: Expr) -> Expr:
    """Entry-wise product; scalar factors broadcast."""
    rank = max(f.rank for f in factors)
    ix = labels(rank)
    return einsum(factors, [ix if f.rank else () for f in factors], ix)


def total_sum(e: Expr) -> Expr:
    return einsum([e], [labels(e.rank)], ())


def size(dims: Dims) -> Expr:
    """The number of entries of a tensor of `dims`: Σ 1 over all of them (1 for a scalar).

    A size needs no node of its own: it evaluates, differentiates (to zero) and generates
    code like any sum, and prints as the dimension's name (`ir/sizes.py`)."""
    return total_sum(ones(tuple(dims)))


# f(0) of functions whose `at_zero` is known: softmax(0) = 𝟙/n, logsumexp(0) = log(n)
_AT_ZERO = {
    "uniform": lambda dims: einsum([ones(dims), power(size(dims), -1)], [(0,), ()], (0,)),
    "log-length": lambda dims: elementwise("log", size(dims)),
}


# --- entry-wise functions -----------------------------------------------------------


def elementwise(fn: str, arg: Expr) -> Expr:
    """fn applied to every entry; constants are folded."""
    rule = ENTRYWISE[fn]
    if isinstance(arg, Number):
        with np.errstate(all="ignore"):
            return finite_number(rule.numpy(arg.value), f"{fn}({arg.value:g})")
    if isinstance(arg, Zero) and rule.at_zero is not None:
        return zero(arg.dims) if rule.at_zero == 0 else scale(rule.at_zero, ones(arg.dims))
    return Elementwise(fn, arg)


def power(base: Expr, exponent: Expr | float) -> Expr:
    """base .^ exponent, entry-wise; folds b^0, b^1, numbers and (b^a)^k for integer k."""
    if not isinstance(exponent, Expr):
        exponent = Number(exponent)
    if isinstance(exponent, Number):
        p = exponent.value
        if p == 0.0:
            return ones(base.dims)
        if p == 1.0:
            return base
        if isinstance(base, Number):
            with np.errstate(all="ignore"):
                return finite_number(np.power(base.value, p), f"{base.value:g}^{p:g}")
        if isinstance(base, Power) and isinstance(base.exponent, Number) and p == int(p):
            return power(base.base, base.exponent.value * p)
        if isinstance(base, Ones):
            return base
        if isinstance(base, Zero) and p > 0:
            return base
    return Power(base, exponent)


def matrix_function(fn: str, arg: Expr, param: float | None = None) -> Expr:
    """inv / det / logdet of a square matrix, softmax / logsumexp of a vector, and the
    primary matrix functions expm / logm / sqrtm / powm (X^param) of a square matrix; the
    facts of `functions` fold what they can: f(I) = I, f(0) = 𝟙/n or log(n)."""
    facts = whole_matrix(fn)
    assert facts is not None, f"{fn} is not a function of a whole matrix"
    if fn == "inv" and isinstance(arg, MatrixFunction) and arg.fn == "inv":
        return arg.arg  # inv(inv(X)) = X
    if facts.fixes_identity and isinstance(arg, Identity):
        return arg  # inv(I) = I^p = I
    at_zero = getattr(facts, "at_zero", None)
    if at_zero is not None and isinstance(arg, Zero):
        return _AT_ZERO[at_zero](arg.dims)
    if fn == "powm":
        if param == 0.5:
            return MatrixFunction("sqrtm", arg)  # X^0.5 = sqrtm(X), one name
        if param == 1.0:
            return arg
        if param == 0.0:
            return Identity(arg.dims[0])
    return MatrixFunction(fn, arg, param)


def frechet(fn: str, point: Expr, directions: tuple[Expr, ...], param: float | None = None):
    """L⁽ᵏ⁾_f(X; E₁, …, E_k) (see `ir.Frechet`); zero when a direction is zero."""
    if fn == "powm" and param == 0.5:
        fn, param = "sqrtm", None
    node = Frechet(fn, point, tuple(directions), param)
    if any(is_zero(e) for e in directions):
        return zero(node.dims)
    return node


def identity_tensor(dims: Dims) -> Expr:
    """∂X/∂X: the tensor δ with dims dims + dims (1 for a scalar)."""
    if not dims:
        return Number(1.0)
    k = len(dims)
    return einsum(
        [Identity(d) for d in dims],
        [(i, i + k) for i in range(k)],
        labels(2 * k),
    )


# --- the same node over new children ---------------------------------------------------------

REBUILD = {
    Var: lambda e, kids: e,
    Number: lambda e, kids: e,
    Zero: lambda e, kids: e,
    Ones: lambda e, kids: e,
    Identity: lambda e, kids: e,
    Add: lambda e, kids: add(*((c, t) for (c, _), t in zip(e.terms, kids))),
    Einsum: lambda e, kids: einsum(kids, e.indices, e.out),
    Elementwise: lambda e, kids: elementwise(e.fn, kids[0]),
    Power: lambda e, kids: power(*kids),
    MatrixFunction: lambda e, kids: matrix_function(e.fn, kids[0], e.param),
    Frechet: lambda e, kids: frechet(e.fn, kids[0], tuple(kids[1:]), e.param),
}


def rebuild(e: Expr, children: tuple[Expr, ...]) -> Expr:
    """A node of e's kind and data over new children, kept canonical."""
    return REBUILD[type(e)](e, children)
