"""Index notation for results with three or more axes (or no matrix form): `D[i,j,k] = …`,
and `to_form`, which writes matrix notation where it exists and index notation elsewhere.

The result's axes are named i, j, k, … in order, summed indices a, b, c, …
Factors joined by summed indices that have a matrix form are written as one
entry of it, `(V'*V)[j,l]`; identities become `delta(i,k)`.
"""

from __future__ import annotations

from ..ir import Add, Einsum, Expr, Frechet, Identity, Number, Ones, Zero
from ..ir.build import einsum
from ..ir.traverse import einsum_components
from .forms import Delta, Entry, Form, IndexSum, Indexed, Lit, Prod, SingleEntry
from .matrix import NoMatrixForm, frechet_call, strict_form
from .tidy import product_form, sum_form, transpose_form

OUT_NAMES = "ijklmnop"
SUM_NAMES = "abcdefgh"


def _summed_names():
    """a, b, …, h, then a1, b1, …: never clashes with the result's i, j, k, …"""
    yield from SUM_NAMES
    n = 1
    while True:
        yield from (f"{c}{n}" for c in SUM_NAMES)
        n += 1


def index_names(rank: int) -> tuple[str, ...]:
    """Names of a result's axes: i, j, k, … (i1, i2, … beyond eight)."""
    if rank <= len(OUT_NAMES):
        return tuple(OUT_NAMES[:rank])
    return tuple(f"i{k + 1}" for k in range(rank))


def to_form(e: Expr, orient: str | None = None) -> Form:
    """The matrix notation of e, or index notation where it has none (3+ axes, or a
    contraction no matrix product writes); `orient` = 'row' writes a vector as a row."""
    if e.rank > 2:
        return to_index_form(e)
    try:
        form = strict_form(e)
    except NoMatrixForm:
        return to_index_form(e)
    return transpose_form(form) if (orient == "row" and e.rank == 1) else form


def to_index_form(e: Expr) -> Form:
    """`D[i,j,k] = …` with the result's axes named i, j, k, … in order."""
    names = index_names(e.rank)
    return Entry("scalar", names, _index_body(e, names, _summed_names()))


def _index_body(e: Expr, names: tuple[str, ...], summed) -> Form:
    if isinstance(e, Add):
        return sum_form([(c, _index_body(t, names, summed)) for c, t in e.terms], "scalar")
    if isinstance(e, Einsum):
        return _index_einsum(e, names, summed)
    if isinstance(e, Zero):
        return Lit("scalar", 0.0)
    if isinstance(e, Ones):
        return Lit("scalar", 1.0)
    return _indexed(e, names, summed)


def _index_einsum(e: Einsum, names: tuple[str, ...], summed) -> Form:
    label_name: dict[int, str] = {}
    for a, n in zip(e.out, names):
        if a in label_name:  # a repeated result index: the entry is zero off the diagonal
            continue
        label_name[a] = n
    factors: list[Form] = [_delta(label_name[a], n)
                           for a, n in zip(e.out, names) if label_name[a] != n]
    loose: list[int] = []
    for group in einsum_components(e):
        matrix = _component_form(e, group, label_name)
        if matrix is None:
            loose += group
        else:
            factors.append(matrix)
    for k in loose:
        for a in e.indices[k]:
            if a not in label_name:
                label_name[a] = next(summed)
    for k in loose:
        idx = tuple(label_name[a] for a in e.indices[k])
        factors.append(_indexed(e.operands[k], idx, summed))
    over = tuple(dict.fromkeys(label_name[a] for k in loose for a in e.indices[k]
                               if a not in e.out))
    coef, rest = 1.0, []
    for f in factors:
        if isinstance(f, Lit):
            coef *= f.value
        else:
            rest.append(f)
    deltas = iter(sorted((f for f in rest if isinstance(f, Delta)), key=lambda d: d.index))
    rest = [next(deltas) if isinstance(f, Delta) else f for f in rest]  # δ(i,k)·δ(j,l)
    body = IndexSum("scalar", over, tuple(rest)) if over else product_form(rest, "scalar")
    return product_form([Lit("scalar", coef), body], "scalar") if coef != 1.0 else body


def _component_form(e: Einsum, group: list[int], label_name) -> Form | None:
    """(V'*V)[j,l]: a group of factors with summed indices and ≤ 2 free ones, in matrix form."""
    ops = [e.operands[k] for k in group]
    free = tuple(dict.fromkeys(a for k in group for a in e.indices[k] if a in e.out))
    if len(group) < 2 or len(free) > 2 or any(op.rank > 2 for op in ops):
        return None
    sub = einsum(ops, [e.indices[k] for k in group], free)
    try:
        form = strict_form(sub)
    except NoMatrixForm:
        return None
    if not free:
        return form
    return Indexed("scalar", form, tuple(label_name[a] for a in free))


def _delta(i: str, j: str) -> Delta:
    """δ(i,j), its indices sorted."""
    lo, hi = sorted((i, j))
    return Delta("scalar", (lo, hi))


def _indexed(e: Expr, idx: tuple[str, ...], summed) -> Form:
    if isinstance(e, Identity):
        return _delta(*idx)
    if isinstance(e, Number):
        return Lit("scalar", e.value)
    if e.rank == 0:
        return to_form(e)
    if isinstance(e, (Add, Einsum)) and e.rank > 2:
        return _index_body(e, idx, summed)
    if isinstance(e, Frechet) and e.rank > 2:
        return _frechet_entry(e, idx, summed)
    if e.rank > 2:  # a tensor variable, or an entry-wise function of one
        return Indexed("scalar", strict_form(e), idx)
    return Indexed("scalar", to_form(e), idx)


def _frechet_entry(e: Frechet, idx: tuple[str, ...], summed) -> Form:
    """L_f(X, E)[i,j,k,l] = Σ_ab L_f(X, J(a,b))[i,j] E[a,b,k,l], by linearity in E;
    written L_f(X, J(k,l))[i,j] when E is the identity tensor (the Jacobian of f).
    Each direction with extra axes is written so, in turn."""
    coef, over, factors, directions = 1.0, [], [], []
    start = 2
    for direction in e.directions:
        if direction.rank == 2:
            directions.append(to_form(direction))
            continue
        names = idx[start:start + direction.rank - 2]
        start += direction.rank - 2
        c, entry, body = _single_entry(direction, names, summed)
        coef *= c
        directions.append(entry)
        if body is not None:
            over += list(entry.index)
            factors.append(body)
    call = frechet_call(e, tuple(directions), to_form)
    factors = [Indexed("scalar", call, idx[:2])] + factors
    body = IndexSum("scalar", tuple(over), tuple(factors)) if over else product_form(factors, "scalar")
    return product_form([Lit("scalar", coef), body], "scalar") if coef != 1.0 else body


def _single_entry(direction: Expr, names: tuple[str, ...], summed):
    """(c, J(k,l), None) when E[a,b,k,l] = c·δ(a,k)·δ(b,l) (or its transpose), else
    (1, J(a,b), E[a,b,k,l]) to be summed over a, b."""
    a, b = next(summed), next(summed)
    body = _index_body(direction, (a, b) + names, summed)
    coef, factors = 1.0, list(body.factors) if isinstance(body, Prod) else [body]
    first = factors[0] if factors else None
    if isinstance(first, Lit):
        coef = first.value
        factors.pop(0)
    rename = {d.index[0]: d.index[1] for d in factors if isinstance(d, Delta)}
    if len(factors) == 2 and all(isinstance(d, Delta) for d in factors) \
            and set(rename) == {a, b} and set(rename.values()) <= set(names):
        return coef, SingleEntry("matrix", (rename[a], rename[b])), None
    return 1.0, SingleEntry("matrix", (a, b)), body
