"""The simplification rules that make derivatives readable.

Each rule is a function of one node (see `engine.py` for the contract:
same value, same dims, or None) listed in `RULES` with the identity it
implements, written in the algebra's notation. A new rule is one function
and one entry there, plus an example in tests/test_rules.py.
"""

from __future__ import annotations

from typing import TypeGuard

from ..analysis.symmetry import is_symmetric
from ..calculus.derivatives import primary_derivative
from ..functions import whole_matrix
from ..ir import (
    Add, Einsum, Elementwise, Expr, Frechet, Identity, MatrixFunction, Number, Ones, Power, Var,
)
from ..ir.build import (
    add, einsum, elementwise, frechet, matmul, matrix_function, ones, power, replace_operands,
    transpose,
)
from .engine import Rule, context
from .identities import (
    det_of_product, ones_outer, scaled_inverse, sign_times_value, split_power_to_cancel,
)


# --- einsum rules ------------------------------------------------------------------


def _carried(e: Einsum, skip: int) -> set[int]:
    return {a for k, ix in enumerate(e.indices) if k != skip for a in ix}


def contract_identity(e: Einsum) -> Expr | None:
    """δ(a,b) T[…b…] → T[…a…]: an identity factor renames one index into the other."""
    for k, (op, ix) in enumerate(zip(e.operands, e.indices)):
        if not isinstance(op, Identity):
            continue
        a, b = ix
        carried = _carried(e, k)
        if a == b and a in carried:
            return replace_operands(e, (k,))  # δ(a,a) = 1 on the index it shares
        if a != b and (a in carried or b in carried):
            keep, gone = (a, b) if a in carried else (b, a)
            return replace_operands(e, (k,), rename={gone: keep})
    return None


def identity_row_sum(e: Einsum) -> Expr | None:
    """Σ_a δ(a,b) → 1_b: summing the identity over one index leaves a ones vector."""
    for k, (op, ix) in enumerate(zip(e.operands, e.indices)):
        if isinstance(op, Identity) and ix[0] != ix[1]:
            carried = _carried(e, k)
            for lone, other in (ix, ix[::-1]):
                if lone not in carried and lone not in e.out:
                    return replace_operands(e, (k,), [(Ones((op.dims[0],)), (other,))])
    return None


def absorb_ones(e: Einsum) -> Expr | None:
    """1[a…] T[a…] → T[a…]: an all-ones factor is 1 along every index another factor has."""
    for k, (op, ix) in enumerate(zip(e.operands, e.indices)):
        if not isinstance(op, Ones):
            continue
        carried = _carried(e, k)
        keep = tuple(dict.fromkeys(a for a in ix if a not in carried))
        if keep != ix:
            dims = dict(zip(ix, op.dims))
            extra = [(Ones(tuple(dims[a] for a in keep)), keep)] if keep else []
            return replace_operands(e, (k,), extra)
    return None


def collect_powers(e: Einsum) -> Expr | None:
    """u^p ⊙ u^q → u^(p+q) for factors with the same indices, all of them kept."""
    groups: dict[tuple, list[int]] = {}
    for k, (op, ix) in enumerate(zip(e.operands, e.indices)):
        base, p = (op.base, op.exponent) if isinstance(op, Power) else (op, Number(1.0))
        if not p.rank:
            groups.setdefault((base, ix), []).append(k)
    for (base, ix), members in groups.items():
        if len(members) > 1:
            exps = [e.operands[k].exponent if isinstance(e.operands[k], Power) else Number(1.0)
                    for k in members]
            merged = power(base, add(*exps))
            if ix and not set(ix) <= set(e.out) and not isinstance(merged, (Number, Ones)):
                continue  # keep the inner product x'*x; only a cancellation (s ⊘ s) is taken
            return replace_operands(e, members, [(merged, ix)])
    return None


MAX_SYMMETRIC_FLIPS = 4  # orientations tried: 2^k for the first k symmetric operands


def symmetric_orientation(e: Einsum) -> Expr | None:
    """Sᵀ → S for a matrix known to be symmetric (`symmetry.is_symmetric`).

    Every orientation of the symmetric operands is tried and the least kept (smaller,
    then shorter in print, then a fixed order), so M + Mᵀ becomes 2M, inv(M)ᵀ becomes
    inv(M), and terms that differ only there become like terms."""
    sym = [k for k, (op, ix) in enumerate(zip(e.operands, e.indices))
           if len(ix) == 2 and ix[0] != ix[1] and is_symmetric(op)][:MAX_SYMMETRIC_FLIPS]
    if not sym:
        return None
    best: Expr = e
    best_order = _printed_order(e)
    for mask in range(1, 2 ** len(sym)):
        ixs = list(e.indices)
        for bit, k in enumerate(sym):
            if mask >> bit & 1:
                ixs[k] = ixs[k][::-1]
        candidate = einsum(e.operands, ixs, e.out)
        order = _printed_order(candidate)
        if order < best_order:
            best, best_order = candidate, order
    return None if best is e else best


def _printed_order(e: Expr) -> tuple:
    """The smaller IR first, then the shorter printed form (S*x, not S'*x), then a fixed
    order among equals."""
    return (e.size(),) + context().cost(e) + (e.digest(),)


def sigmoid_from_exp(e: Einsum) -> Expr | None:
    """exp(u) ⊙ (exp(u) + 1)⁻¹ → sigmoid(u): the logistic function, named."""
    for k, (op, ix) in enumerate(zip(e.operands, e.indices)):
        u = _reciprocal_of_exp_plus_one(op)
        if u is None:
            continue
        for j, (other, jx) in enumerate(zip(e.operands, e.indices)):
            if j != k and jx == ix and other == elementwise("exp", u):
                return replace_operands(e, (j, k), [(elementwise("sigmoid", u), ix)])
    return None


def _reciprocal_of_exp_plus_one(op: Expr) -> Expr | None:
    """u when op is (exp(u) + 1)⁻¹, else None."""
    if not (isinstance(op, Power) and op.exponent == Number(-1.0)):
        return None
    s = op.base
    if not (isinstance(s, Add) and len(s.terms) == 2):
        return None
    terms = dict((t.key(), (c, t)) for c, t in s.terms)
    one = ones(s.dims)
    if terms.get(one.key()) != (1.0, one):
        return None
    (c, t), = [v for k, v in terms.items() if k != one.key()]
    if c == 1.0 and isinstance(t, Elementwise) and t.fn == "exp":
        return t.arg
    return None


def distribute_tensor_sums(e: Einsum) -> Expr | None:
    """T·(D₁ + D₂) → T·D₁ + T·D₂ for a sum with 3+ axes (a derivative tensor).

    Such sums have no matrix form; multiplied out, each term contracts its
    identities away (d(A*A') = dA*A' + A*dA' inside a trace, say)."""
    if e.rank > 2:
        return None
    for k, op in enumerate(e.operands):
        if isinstance(op, Add) and op.rank > 2:
            terms = []
            for c, t in op.terms:
                ops = list(e.operands)
                ops[k] = t
                terms.append((c, einsum(ops, e.indices, e.out)))
            return add(*terms)
    return None


def inverse_cancel(e: Einsum) -> Expr | None:
    """X·inv(X) → I and inv(X)·X → I, however the two factors are oriented."""
    for k, (op, ix) in enumerate(zip(e.operands, e.indices)):
        if not (isinstance(op, MatrixFunction) and op.fn == "inv"):
            continue
        for j, (other, jx) in enumerate(zip(e.operands, e.indices)):
            if j == k or other != op.arg or len(set(ix + jx)) != 3:
                continue
            shared = set(ix) & set(jx)
            if len(shared) != 1:
                continue
            (s,) = shared
            if s in e.out or sum(s in i for i in e.indices) != 2:
                continue
            # X[p,s] inv[s,q] = δ(p,q) and inv[p,s] X[s,q] = δ(p,q); s must join row to column
            if (jx[1] == s and ix[0] == s) or (ix[1] == s and jx[0] == s):
                p = jx[0] if jx[1] == s and ix[0] == s else ix[0]
                q = ix[1] if jx[1] == s and ix[0] == s else jx[1]
                return replace_operands(e, (j, k), [(Identity(op.dims[0]), (p, q))])
    return None


# --- matrix functions ----------------------------------------------------------------------


def transpose_out(e: MatrixFunction) -> Expr | None:
    """inv(Xᵀ) → inv(X)ᵀ, expm(Xᵀ) → expm(X)ᵀ, det(Xᵀ) → det(X): one canonical form
    (each function's `transpose` fact: it commutes with transposing, or ignores it)."""
    facts = whole_matrix(e.fn)
    assert facts is not None, f"{e.fn} is not a function of a whole matrix"
    arg, behaviour = e.arg, facts.transpose
    if behaviour is None or not _is_transpose(arg):
        return None
    inner = matrix_function(e.fn, arg.operands[0], e.param)
    return inner if behaviour == "invariant" else transpose(inner)


def frechet_adjoint(e: Einsum) -> Expr | None:
    """⟨G, L_f(X, E)⟩ → ⟨L_f(Xᵀ, G), E⟩: the adjoint of L_f(X, ·) is L_f(Xᵀ, ·).

    Fires when the two matrix axes of L_f(X, E) are summed against a matrix G made of
    other factors (the identity for a trace, ones for a sum) and E has more axes (a
    derivative's identity tensor), which then contracts away: a gradient in matrix form."""
    for k, (op, ix) in enumerate(zip(e.operands, e.indices)):
        if not (isinstance(op, Frechet) and op.order == 1 and op.directions[0].rank > 2):
            continue
        g, others = _adjoint_weight(e, k)
        if g is None:
            continue
        fresh = max(a for jx in e.indices for a in jx) + 1
        p, q = fresh, fresh + 1
        adjoint = frechet(op.fn, transpose(op.point), (g,), op.param)
        ops = [e.operands[j] for j in others] + [adjoint, op.directions[0]]
        ixs = [e.indices[j] for j in others] + [(p, q), (p, q) + ix[2:]]
        return einsum(ops, ixs, e.out)
    return None


def frechet_direction(e: Einsum) -> Expr | None:
    """Σ_w L_f(X, E)[i,j,w] T[w,…] → L_f(X, Σ_w E[:,:,w] T[w,…])[i,j,…]: L_f is linear in E,
    so factors summed against the direction's extra axes move into the direction."""
    for k, (op, ix) in enumerate(zip(e.operands, e.indices)):
        if not (isinstance(op, Frechet) and op.order == 1 and op.directions[0].rank > 2):
            continue
        head, extra = ix[:2], ix[2:]
        if len(set(ix)) != len(ix) or set(extra) & set(e.out):
            continue
        touching = [j for j, jx in enumerate(e.indices) if j != k and set(jx) & set(extra)]
        used = {a for j in touching for a in e.indices[j]}
        if not touching or used & set(head):
            continue
        rest = tuple(dict.fromkeys(a for a in used if a not in extra))
        direction = einsum([op.directions[0]] + [e.operands[j] for j in touching],
                           [head + extra] + [e.indices[j] for j in touching], head + rest)
        moved = frechet(op.fn, op.point, (direction,), op.param)
        return replace_operands(e, [k, *touching], [(moved, head + rest)])
    return None


def _adjoint_weight(e: Einsum, k: int):
    """(G, the operands not in G) with Σ_ab G[a,b]·F[a,b,…] the only use of F's a, b."""
    ix = e.indices[k]
    a, b = ix[0], ix[1]
    n = e.operands[k].dims[0]
    if a in e.out or b in e.out or a in ix[2:] or b in ix[2:]:
        return None, None
    touching = [j for j, jx in enumerate(e.indices) if j != k and (a in jx or b in jx)]
    others = [j for j in range(len(e.operands)) if j != k and j not in touching]
    if a == b:
        return (Identity(n), others) if not touching else (None, None)
    inner = {c for j in touching for c in e.indices[j]} - {a, b}
    outside = set(e.out) | set(ix[2:]) | {c for j in others for c in e.indices[j]}
    if inner & outside:
        return None, None
    if not touching:
        return ones((n, n)), others
    ops = [e.operands[j] for j in touching]
    ixs = [e.indices[j] for j in touching]
    carried = {c for ix_ in ixs for c in ix_}
    for label in (a, b):  # an index no other factor carries is summed alone: a ones factor
        if label not in carried:
            ops.append(ones((n,)))
            ixs.append((label,))
    return einsum(ops, ixs, (a, b)), others


def frechet_commuting(e: Frechet) -> Expr | None:
    """L_f(X, E) → f'(X)·E when X E = E X: E = I, or X and E both combinations of I and
    one matrix M with scalar coefficients (d/dt expm(t·A) = expm(t·A)·A)."""
    if e.order != 1 or e.directions[0].rank != 2:
        return None
    direction = e.directions[0]
    if not isinstance(direction, Identity):
        spans = _span_of_identity_and(direction) | _span_of_identity_and(e.point)
        if None in spans or len(spans - {"I"}) > 1:
            return None
    fprime = primary_derivative(e.fn, e.point, e.param)
    return fprime if isinstance(direction, Identity) else matmul(fprime, direction)


def _span_of_identity_and(m: Expr) -> set:
    """The matrices M with m = Σ sᵢ·M + s·I for scalar expressions s, as (key, transposed);
    I as "I"; None in the set when some term is not of that form."""
    terms = m.terms if isinstance(m, Add) else ((1.0, m),)
    found: set[str | tuple[tuple, bool] | None] = set()
    for _, t in terms:
        if isinstance(t, Identity):
            found.add("I")
            continue
        flipped = False
        if isinstance(t, Einsum):
            mats = [(op, ix) for op, ix in zip(t.operands, t.indices) if op.rank]
            if len(mats) != 1 or set(mats[0][1]) != set(t.out) or len(set(t.out)) != 2:
                return {None}
            flipped = mats[0][1] != t.out  # Mᵀ: commutes with combinations of I and Mᵀ
            t = mats[0][0]
        found.add("I" if isinstance(t, Identity) else (t.key(), flipped))
    return found


def frechet_transpose(e: Einsum) -> Expr | None:
    """L_f(S, E)ᵀ → L_f(S, Eᵀ) for S known symmetric (L_f(X, E)ᵀ = L_f(Xᵀ, Eᵀ))."""
    if not (_is_transpose(e) and isinstance(e.operands[0], Frechet)):
        return None
    f = e.operands[0]
    if f.order != 1 or f.directions[0].rank != 2 or not is_symmetric(f.point):
        return None
    return frechet(f.fn, f.point, (transpose(f.directions[0]),), f.param)


def frechet_linear(e: Add) -> Expr | None:
    """a·L_f(X, E) + b·L_f(X, F) → L_f(X, a·E + b·F): one operator, linear in its direction."""
    groups: dict[tuple, list[tuple[float, Frechet]]] = {}
    for c, t in e.terms:
        if isinstance(t, Frechet) and t.order == 1 and t.directions[0].rank == 2:
            groups.setdefault((t.fn, t.param, t.point), []).append((c, t))
    for (fn, param, point), members in groups.items():
        if len(members) > 1:
            direction = add(*((c, t.directions[0]) for c, t in members))
            merged = frechet(fn, point, (direction,), param)
            rest = [(c, t) for c, t in e.terms if not any(t is m for _, m in members)]
            return add(merged, *rest)
    return None


def trace_of_logm(e: Einsum) -> Expr | None:
    """tr(logm(X)) → logdet(X)."""
    if len(e.operands) == 1 and not e.out and e.indices[0] == (0, 0):
        op = e.operands[0]
        if isinstance(op, MatrixFunction) and op.fn == "logm":
            return matrix_function("logdet", op.arg)
    return None


def _is_transpose(e: Expr) -> TypeGuard[Einsum]:
    if not (isinstance(e, Einsum) and len(e.operands) == 1 and e.rank == 2):
        return False
    (ix,) = e.indices
    return len(ix) == 2 and ix[0] != ix[1] and e.out == (ix[1], ix[0])


# --- entry-wise function rules ---------------------------------------------------------


def inverse_functions(e: Elementwise) -> Expr | None:
    """log(exp(u)) → u and exp(log(u)) → u (where log(u) is defined)."""
    arg = e.arg
    if isinstance(arg, Elementwise) and {e.fn, arg.fn} == {"log", "exp"}:
        return arg.arg
    return None


# --- sums ----------------------------------------------------------------------------------


def factor_common(e: Add) -> Expr | None:
    """F⋅R₁ + F⋅R₂ → F⋅(R₁ + R₂): a factor shared by several terms is written once.

    A term that is the factor alone counts as F⋅1: b^b + log(b)⋅b^b → b^b⋅(1 + log(b))."""
    groups: dict[tuple, list[tuple[int, float, Expr, tuple]]] = {}
    for t, (c, term) in enumerate(e.terms):
        if isinstance(term, Einsum) and len(term.operands) >= 2:
            splits = _splits(term)
        elif isinstance(term, (Elementwise, Power, MatrixFunction, Var)):
            splits = [_bare_split(term)]
        else:
            continue
        for key, rem, layout in splits:
            groups.setdefault(key, []).append((t, c, rem, layout))
    best = max(groups.values(), key=lambda g: len({t for t, *_ in g}), default=[])
    used: dict[int, tuple[float, Expr, tuple]] = {}
    for t, c, rem, layout in best:
        used.setdefault(t, (c, rem, layout))
    if len(used) < 2:
        return None
    (f_op, f_ix, r_ix, out) = next(iter(used.values()))[2]
    remainder = add(*((c, rem) for c, rem, _ in used.values()))
    combined = einsum([f_op, remainder], [f_ix, r_ix], out)
    others = [(c, term) for t, (c, term) in enumerate(e.terms) if t not in used]
    return add(combined, *others)


def merge_linear_wrappers(e: Add) -> Expr | None:
    """diag(u) + diag(v) → diag(u + v), tr(A) + tr(B) → tr(A + B): one linear map, applied once."""
    wrapped = [_as_linear_wrapper(term) for _, term in e.terms]
    groups: dict[tuple, list[int]] = {}
    for t, w in enumerate(wrapped):
        if w is not None:
            groups.setdefault(w[0], []).append(t)
    for (_, indices, out), members in groups.items():
        if len(members) > 1:
            merged = einsum([add(*((e.terms[t][0], wrapped[t][1]) for t in members))],
                            [indices], out)
            rest = [term for t, term in enumerate(e.terms) if t not in members]
            return add(merged, *rest)
    return None


def _as_linear_wrapper(term: Expr):
    """(key, inner) when term is a linear map of one tensor: diag(v) with v = the einsum
    with its result index kept once, or a single-operand einsum (trace, sum, transpose)."""
    if not isinstance(term, Einsum):
        return None
    out = term.out
    if len(out) == 2 and out[0] == out[1]:
        inner = einsum(term.operands, term.indices, out[:1])
        return ((inner.dims, (0,), (0, 0)), inner)
    if len(term.operands) == 1:
        return ((term.operands[0].dims, term.indices[0], out), term.operands[0])
    return None


MAX_EXPANDED_TERMS = 32


def expand_if_smaller(e: Add) -> Expr | None:
    """(a + b)⊙c + … → a⊙c + b⊙c + …, kept only when cancellation makes it smaller."""
    expanded, grew = [], False
    for c, term in e.terms:
        parts = _distribute_entrywise(term)
        grew = grew or len(parts) > 1
        expanded += [(c * pc, pt) for pc, pt in parts]
        if len(expanded) > MAX_EXPANDED_TERMS:
            return None
    trial = context().trial
    if not grew or trial is None:
        return None
    candidate = trial(add(*expanded))
    cancelled = len(candidate.terms) if isinstance(candidate, Add) else 1
    if cancelled < len(expanded) and candidate.size() < e.size():
        return candidate
    return None


def distribute_if_smaller(e: Einsum) -> Expr | None:
    """T·(a + b) → T·a + T·b, kept only when the terms then cancel to something smaller.

    (y ⊘ s)ᵀ(diag(s) W − s sᵀ W) becomes yᵀW − sum(y) sᵀW this way."""
    trial = context().trial
    if trial is None or e.size() > MAX_TRIAL_SIZE:
        return None
    for k, op in enumerate(e.operands):
        if isinstance(op, Add) and len(op.terms) <= 4:
            parts = []
            for c, t in op.terms:
                ops = list(e.operands)
                ops[k] = t
                parts.append((c, einsum(ops, e.indices, e.out)))
            candidate = trial(add(*parts))
            if candidate.size() < e.size():
                return candidate
    return None


MAX_TRIAL_SIZE = 400


def _distribute_entrywise(term: Expr) -> list[tuple[float, Expr]]:
    """The terms of an einsum with its entry-wise sum factors multiplied out (one level).

    Only factors whose indices are all kept (Hadamard factors) are distributed:
    expanding a matrix product `A'*(A*x - b)` never reads better."""
    if not isinstance(term, Einsum):
        return [(1.0, term)]
    parts: list[tuple[float, list[Expr]]] = [(1.0, [])]
    for op, ix in zip(term.operands, term.indices):
        entrywise = set(ix) <= set(term.out)
        choices = op.terms if isinstance(op, Add) and entrywise else ((1.0, op),)
        parts = [(c * oc, ops + [o]) for c, ops in parts for oc, o in choices]
        if len(parts) > MAX_EXPANDED_TERMS:
            return [(1.0, term)]
    return [(c, einsum(ops, term.indices, term.out)) for c, ops in parts]


def _bare_split(term: Expr):
    """term = term ⊙ 1, as a split of `_splits`."""
    ix = tuple(range(term.rank))
    return (term.key(), ix, ix, ix), ones(term.dims), (term, ix, ix, ix)


def _splits(term: Einsum):
    """Each way to write term = F ⋅ R with F one operand: (group key, R, layout)."""
    for k, (f_op, f_ix) in enumerate(zip(term.operands, term.indices)):
        rest = [j for j in range(len(term.operands)) if j != k]
        carried = {a for j in rest for a in term.indices[j]}
        iface = tuple(dict.fromkeys(a for a in term.out + f_ix if a in carried))
        if len(iface) > 2:
            continue  # a remainder with 3+ axes has no matrix form: not worth sharing
        rem = einsum([term.operands[j] for j in rest], [term.indices[j] for j in rest], iface)
        renumber: dict[int, int] = {}
        for a in term.out + f_ix + iface:
            renumber.setdefault(a, len(renumber))
        layout = (
            f_op,
            tuple(renumber[a] for a in f_ix),
            tuple(renumber[a] for a in iface),
            tuple(renumber[a] for a in term.out),
        )
        yield (f_op.key(),) + layout[1:], rem, layout


RULES: tuple[Rule, ...] = (
    Rule("distribute-tensor-sums", "T·(D₁ + D₂) → T·D₁ + T·D₂ when D has 3+ axes", Einsum,
         distribute_tensor_sums),
    Rule("contract-identity", "δ(a,b)·T[…b…] → T[…a…]", Einsum, contract_identity),
    Rule("identity-row-sum", "Σ_a δ(a,b) → 1_b", Einsum, identity_row_sum),
    Rule("absorb-ones", "1[a]·T[a] → T[a]", Einsum, absorb_ones),
    Rule("ones-outer", "1_a·1_b → 1_ab (vector(1)*vector(1)' → matrix(1))", Einsum, ones_outer),
    Rule("collect-powers", "u^p ⊙ u^q → u^(p+q)", Einsum, collect_powers),
    Rule("symmetric", "Sᵀ → S when S is symmetric (XᵀX, A + Aᵀ, inv(S), …)", Einsum,
         symmetric_orientation),
    Rule("sign-times-value", "sign(u) ⊙ u → |u|", Einsum, sign_times_value),
    Rule("split-power", "(u ⊙ v)^k → u^k ⊙ v^k when u meets u^p", Einsum,
         split_power_to_cancel),
    Rule("sigmoid", "exp(u) ⊘ (exp(u) + 1) → sigmoid(u)", Einsum, sigmoid_from_exp),
    Rule("inverse-cancel", "X·inv(X) → I,  inv(X)·X → I", Einsum, inverse_cancel),
    Rule("transpose-out", "inv(Xᵀ) → inv(X)ᵀ,  det(Xᵀ) → det(X)", MatrixFunction,
         transpose_out),
    Rule("det-of-product", "det(A·B) → det(A)·det(B) when a square factor repeats: "
         "det(X^k) → det(X)^k", MatrixFunction, det_of_product),
    Rule("scaled-inverse", "inv(c·X) → inv(X)/c", MatrixFunction, scaled_inverse),
    Rule("frechet-adjoint", "⟨G, L_f(X, E)⟩ → ⟨L_f(Xᵀ, G), E⟩", Einsum, frechet_adjoint),
    Rule("frechet-direction", "Σ_w L_f(X, E)[…,w] T[w] → L_f(X, Σ_w E[…,w] T[w])", Einsum,
         frechet_direction),
    Rule("frechet-commuting", "L_f(X, E) → f'(X)·E when X·E = E·X (E = I, t·A for X = t·A)",
         Frechet, frechet_commuting),
    Rule("trace-logm", "tr(logm(X)) → logdet(X)", Einsum, trace_of_logm),
    Rule("frechet-transpose", "L_f(S, E)ᵀ → L_f(S, Eᵀ) for S symmetric", Einsum,
         frechet_transpose),
    Rule("frechet-linear", "a·L_f(X, E) + b·L_f(X, F) → L_f(X, a·E + b·F)", Add,
         frechet_linear),
    Rule("inverse-functions", "log(exp(u)) → u,  exp(log(u)) → u", Elementwise,
         inverse_functions),
    Rule("distribute-cancel", "T·(a + b) → T·a + T·b (only when it gets smaller)", Einsum,
         distribute_if_smaller),
    Rule("expand-cancel", "(a + b)⊙c − b⊙c → a⊙c (only when it gets smaller)", Add,
         expand_if_smaller),
    Rule("factor-common", "F·R₁ + F·R₂ → F·(R₁ + R₂)", Add, factor_common),
    Rule("merge-linear", "diag(u) + diag(v) → diag(u + v)", Add, merge_linear_wrappers),
)
