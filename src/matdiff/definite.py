"""Positive semidefiniteness of a Hessian's IR, shown by rules on its structure.

The method of Klaus, Merk, Wiedom, Laue & Giesen, "Convexity Certificates from
Hessians" (NeurIPS 2022): the symbolic Hessian is an expression, and PSD-ness
propagates through it by rules, as signs do through products. A tensor with
axes (rows…, cols…, batch…) is read as the quadratic form v ↦ Σ v[rows] H v[cols],
one form per value of the batch axes (a block-diagonal family).

`definiteness(h, k)` returns a `Finding`: whether h (rows = its first k axes,
cols = the next k) is PSD, NSD (both: zero), and the rules that showed it. The
rules, each a small function below:

- identity: I is PSD; a variable declared `psd`/`spd` is PSD; inv(M) has M's definiteness.
- sums: Σ cᵢ Hᵢ is PSD when every cᵢ Hᵢ is; terms with a common factor are summed first
  (L*(M₁ + M₂)*L', K ⊗ (M₁ + M₂)), and diag(p) - p*p' is PSD for p = softmax(u).
- Kronecker: a product whose factors share no index splits into blocks, one per group
  of (row, col) axes, and scalars; H = ⊗ blocks is PSD when every block is definite with
  an even number of NSD ones.
- diagonal: δ(i,j)·g[i] is PSD when g ≥ 0 entry-wise (`signs.bounds`).
- Gram: Σ L[i,c]·M[c,c']·L[j,c'] is PSD when M is (recursively); a label shared by L and
  its mirror makes M diagonal, as in M'*diag(d)*M.

Everything else is "unknown": the rules only ever claim what holds at every point.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import permutations
from typing import Callable, Mapping, NamedTuple

from .build import add, einsum
from .ir import Add, Einsum, Expr, Identity, MatrixFunction, Var, Zero
from .signs import bounds, nonnegative, nonpositive
from .unionfind import UnionFind

Symmetric = Callable[[Expr], bool]
MAX_MONOMIALS = 64  # a sum is expanded into at most this many products
MAX_DEPTH = 12
PSD_DOMAINS = ("psd", "spd")
SUM_RULE = "a sum of terms that are all PSD (or all NSD)"


class Definite(NamedTuple):
    """What is known of a quadratic form: PSD, NSD (both: it is zero)."""

    psd: bool
    nsd: bool


UNKNOWN = Definite(False, False)
ZERO = Definite(True, True)
PSD = Definite(True, False)


@dataclass(frozen=True)
class Finding:
    definite: Definite
    rules: tuple[str, ...] = ()


def definiteness(h: Expr, k: int, domains: Mapping[str, str] | None = None) -> Finding:
    """Is `h` (rank 2k: rows, then cols) PSD or NSD at every point? See the module docstring."""
    return _Prover(domains or {}).of(h, k, 0, 0)


# --- combining findings -------------------------------------------------------------------


def scaled(c: float, d: Definite) -> Definite:
    if c == 0:
        return ZERO
    return d if c > 0 else Definite(d.nsd, d.psd)


def product(a: Definite, b: Definite) -> Definite:
    """Kronecker product of two forms (a scalar is a form of size 1)."""
    if a == ZERO or b == ZERO:
        return ZERO
    return Definite((a.psd and b.psd) or (a.nsd and b.nsd), (a.psd and b.nsd) or (a.nsd and b.psd))


def total(parts: list[Definite]) -> Definite:
    return Definite(all(p.psd for p in parts), all(p.nsd for p in parts))


def _merge(*rule_lists) -> tuple[str, ...]:
    return tuple(dict.fromkeys(r for rules in rule_lists for r in rules))


def _show(e: Expr) -> str:
    from .matrixform import to_form
    from .render import render

    try:
        return render(to_form(e), "text")
    except Exception:  # a piece with no printable form: name it by its structure
        return repr(e)


# --- one monomial: an einsum read as a quadratic form ---------------------------------------


@dataclass(frozen=True)
class Product:
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


def as_product(e: Expr, k: int, nb: int) -> Product:
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
    return Product(tuple(ops), tuple(ix), tuple(out[:k]), tuple(out[k:2 * k]), tuple(out[2 * k:]))


def blocks(p: Product) -> tuple[list[Product], list[Product]]:
    """(scalar factors, blocks): operands joined by shared labels, a row joined to its col.
    A batch label joins nothing: for a fixed batch value, factors sharing it are independent."""
    uf = UnionFind()
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


def _sub(p: Product, members: list[int], pos: list[int]) -> Product:
    """The operands `members` of p, with the (row, col) pairs at `pos`."""
    labels = {a for n in members for a in p.ix[n]}
    return Product(tuple(p.ops[n] for n in members), tuple(p.ix[n] for n in members),
                   tuple(p.rows[t] for t in pos), tuple(p.cols[t] for t in pos),
                   tuple(b for b in p.batch if b in labels))


def mirror(p: Product, symmetric: Symmetric) -> tuple[list[int], dict[int, int]] | None:
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


def _match(p: Product, left: list[int], right: list[int], pi: dict[int, int], symmetric):
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


def gram(p: Product, symmetric: Symmetric) -> tuple[Expr, Product] | None:
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
    return l_expr, Product(tuple(ops), tuple(ix), tuple(shared), tuple(image), batch)


def _mirror_is_separate(p: Product, left, middle, pi, shared) -> bool:
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


def _dim_of(p: Product, label: int):
    for op, ix in zip(p.ops, p.ix):
        if label in ix:
            return op.dims[ix.index(label)]
    raise AssertionError(label)


def frames(p: Product, symmetric: Symmetric) -> list[tuple[tuple, Product, list]]:
    """Ways to read p as F(R) with F linear in R: (key of F, R, what F contributes).

    Terms with equal keys are summed inside: Σ cₜ F(Rₜ) = F(Σ cₜ Rₜ)."""
    scalars, parts = blocks(p)
    out = []
    if len(parts) + len(scalars) > 1:
        for t, part in enumerate(parts):
            others = [q for s, q in enumerate(parts) if s != t]
            key = ("kron", tuple((q.build().key(), _where(q, p)) for q in scalars + others),
                   _where(part, p))
            out.append((key, part, scalars + others))
        return out
    if len(parts) == 1:
        split = gram(p, symmetric)
        if split is not None and split[1].ops:
            l_expr, mid = split
            for order in _orders(len(mid.rows)):
                m = Product(mid.ops, mid.ix, tuple(mid.rows[i] for i in order),
                            tuple(mid.cols[i] for i in order), mid.batch)
                l_perm = einsum([l_expr], [tuple(range(l_expr.rank))],
                                tuple(range(len(p.rows))) + tuple(len(p.rows) + i for i in order)
                                + tuple(range(len(p.rows) + len(order), l_expr.rank)))
                out.append((("gram", l_perm.key()), m, []))
    return out


def _orders(n: int):
    return permutations(range(n)) if n <= 3 else [tuple(range(n))]


def _where(q: Product, p: Product) -> tuple:
    """Where the axes of the block q sit among those of p."""
    return tuple(p.rows.index(r) for r in q.rows), tuple(p.batch.index(b) for b in q.batch)


# --- the prover --------------------------------------------------------------------------


class _Prover:
    """Memoised by (expression, rows, batch axes)."""

    def __init__(self, domains: Mapping[str, str]):
        self.domains = domains
        self.memo: dict[tuple, Finding] = {}

    def of(self, h: Expr, k: int, nb: int, depth: int) -> Finding:
        key = (h, k, nb)
        if key not in self.memo:
            self.memo[key] = self._of(h, k, nb, depth) if depth < MAX_DEPTH else Finding(UNKNOWN)
        return self.memo[key]

    def _of(self, h: Expr, k: int, nb: int, depth: int) -> Finding:
        if k == 0 or isinstance(h, Zero):
            return self.sign(h)
        if isinstance(h, Add):
            return self.sum(h, k, nb, depth)
        if isinstance(h, Einsum):
            found = self.monomial(as_product(h, k, nb), depth)
            terms = expand(h, k, nb) if found.definite == UNKNOWN else []
            return self.grouped(terms, k, nb, depth) if len(terms) > 1 else found
        return self.atom(h, k, nb, depth)

    def symmetric(self, e: Expr) -> bool:
        """Known to be a symmetric matrix: I, a symmetric or psd/spd variable, inv of one."""
        if isinstance(e, Identity):
            return True
        if isinstance(e, Var):
            return e.rank == 2 and (e.symmetric or self.domains.get(e.name) in PSD_DOMAINS)
        return isinstance(e, MatrixFunction) and e.fn == "inv" and self.symmetric(e.arg)

    def sign(self, h: Expr) -> Finding:
        notes: list[str] = []
        lo, hi = bounds(h, self.domains, notes.append)
        found = Definite(nonnegative((lo, hi)), nonpositive((lo, hi)))
        if found != UNKNOWN and notes:
            notes = [f"sign of {_show(h)}: " + "; ".join(dict.fromkeys(notes))]
        return Finding(found, tuple(notes) if found != UNKNOWN else ())

    def atom(self, h: Expr, k: int, nb: int, depth: int) -> Finding:
        """A leaf of the quadratic-form structure (k = 1, no batch axes)."""
        if k != 1 or nb:
            return Finding(UNKNOWN)
        if isinstance(h, Identity):
            return Finding(PSD, ("identity I is PSD",))
        if isinstance(h, Var) and self.domains.get(h.name) in PSD_DOMAINS:
            return Finding(PSD, (f"{h.name} is {self.domains[h.name]} (declared domain)",))
        if isinstance(h, MatrixFunction) and h.fn == "inv":
            inner = self.of(h.arg, 1, 0, depth + 1)
            if inner.definite not in (UNKNOWN, ZERO):
                rule = f"inv(M) is definite as M is, wherever it exists: {_show(h)}"
                return Finding(inner.definite, _merge(inner.rules, (rule,)))
        return Finding(UNKNOWN)

    def sum(self, h: Add, k: int, nb: int, depth: int) -> Finding:
        # Σ cᵢ Hᵢ: termwise first, then expanded into products and regrouped
        parts = [self.of(t, k, nb, depth + 1) for _, t in h.terms]
        found = total([scaled(c, f.definite) for (c, _), f in zip(h.terms, parts)])
        if found != UNKNOWN:
            several = found != ZERO and len(parts) > 1
            return Finding(found, _merge(*(f.rules for f in parts),
                                         (SUM_RULE,) if several else ()))
        terms = expand(h, k, nb)
        return self.grouped(terms, k, nb, depth) if terms else Finding(UNKNOWN)

    def grouped(self, terms: list[tuple[float, Product]], k: int, nb: int, depth: int) -> Finding:
        """Softmax covariances, then terms sharing a factor, then what is left, term by term."""
        terms, done = softmax_covariances(terms)
        findings = [Finding(scaled(sign, PSD), (f"diag(p) - p*p' is PSD for p = {_show(p)} "
                                                "(p >= 0, sum(p) = 1)",)) for p, sign in done]
        while terms:
            group, rest = self.best_group(terms, depth)
            if group is None:
                break
            findings.append(group)
            terms = rest
        for c, p in terms:
            f = self.monomial(p, depth + 1)
            findings.append(Finding(scaled(c, f.definite), f.rules))
        found = total([f.definite for f in findings])
        rules = (SUM_RULE,) if found not in (UNKNOWN, ZERO) and len(findings) > 1 else ()
        return Finding(found, _merge(*(f.rules for f in findings), rules))

    def best_group(self, terms, depth):
        """The first common factor of two or more terms whose summed rest is definite."""
        by_key: dict[tuple, list] = {}
        for n, (c, p) in enumerate(terms):
            for key, rest, outside in frames(p, self.symmetric):
                by_key.setdefault(key, []).append((n, c, rest, outside))
        for key, members in by_key.items():
            chosen = {n: m for n, *m in members}
            if len(chosen) < 2:
                continue
            found = self.factored(key, list(chosen.values()), depth)
            if found is not None:
                return found, [t for n, t in enumerate(terms) if n not in chosen]
        return None, terms

    def factored(self, key, members, depth) -> Finding | None:
        c0, rest0, outside = members[0]
        inner = add(*((c, rest.build()) for c, rest, _ in members))
        f_in = self.of(inner, len(rest0.rows), len(rest0.batch), depth + 1)
        f_out = [self.monomial(q, depth + 1) if q.rows else self.sign(q.build()) for q in outside]
        found = f_in.definite
        for f in f_out:
            found = product(found, f.definite)
        if found == UNKNOWN:
            return None
        how = "Kronecker product" if key[0] == "kron" else "Gram form L*M*L'"
        rule = f"common factor: {how}, the summed middle is definite"
        return Finding(found, _merge(f_in.rules, *(f.rules for f in f_out), (rule,)))

    def monomial(self, p: Product, depth: int) -> Finding:
        scalars, parts = blocks(p)
        findings = [self.sign(s.build()) for s in scalars]
        if len(parts) == 1 and not scalars:
            findings.append(self.block(parts[0], depth))
        else:
            findings += [self.monomial(q, depth + 1) for q in parts]
        found = PSD if not findings else findings[0].definite
        for f in findings[1:]:
            found = product(found, f.definite)
        rule = ("Kronecker product of definite blocks",) if len(parts) > 1 else ()
        return Finding(found, _merge(*(f.rules for f in findings), rule) if found != UNKNOWN
                       else ())

    def block(self, p: Product, depth: int) -> Finding:
        """One block: a single operand, a diagonal, or a Gram form."""
        if len(p.ops) == 1:
            return self.single(p, depth)
        diagonal = self.diagonal(p, depth)
        if diagonal is not None:
            return diagonal
        split = gram(p, self.symmetric)
        if split is None:
            expanded = expand_product(p)
            if len(expanded) > 1:
                return self.grouped(expanded, len(p.rows), len(p.batch), depth + 1)
            return Finding(UNKNOWN)
        l_expr, mid = split
        named = f" with L = {_show(l_expr)}" if l_expr.rank <= 2 else ""
        if all(isinstance(op, Identity) for op in mid.ops):
            return Finding(PSD, (f"Gram form L*L'{named}",))
        inner = self.of(mid.build(), len(mid.rows), len(mid.batch), depth + 1)
        if inner.definite == UNKNOWN:
            return Finding(UNKNOWN)
        return Finding(inner.definite, _merge(inner.rules, (f"Gram form L*M*L'{named}",)))

    def single(self, p: Product, depth: int) -> Finding:
        """One operand whose axes are the rows and cols, in matching order (or transposed)."""
        ix, half = p.ix[0], len(p.rows)
        if len(ix) != 2 * half or set(ix) - set(p.rows + p.cols):
            return Finding(UNKNOWN)
        pairs = dict(zip(p.rows, p.cols)) | dict(zip(p.cols, p.rows))
        if any(pairs.get(ix[t]) != ix[half + t] for t in range(half)):
            return Finding(UNKNOWN)
        if len({a in p.rows for a in ix[:half]}) != 1:
            return Finding(UNKNOWN)
        return self.of(p.ops[0], half, 0, depth + 1)

    def diagonal(self, p: Product, depth: int) -> Finding | None:
        """δ(i,j)·g[i] over one (row, col) pair: PSD when g ≥ 0 entry-wise."""
        if len(p.rows) != 1 or p.batch:
            return None
        r, c = p.rows[0], p.cols[0]
        for n, (op, ix) in enumerate(zip(p.ops, p.ix)):
            if isinstance(op, Identity) and set(ix) == {r, c}:
                ops = [o for m, o in enumerate(p.ops) if m != n]
                ixs = [tuple(r if a == c else a for a in i) for m, i in enumerate(p.ix) if m != n]
                g = einsum(ops, ixs, (r,))
                f = self.sign(g)
                rule = "diagonal matrix diag(g) with g >= 0" if f.definite.psd else \
                    "diagonal matrix diag(g) with g <= 0"
                return Finding(f.definite, _merge(f.rules, (rule,)) if f.definite != UNKNOWN
                               else ())
        return None


# --- sums as lists of products ----------------------------------------------------------------


def expand(h: Expr, k: int, nb: int) -> list[tuple[float, Product]]:
    """h as Σ cₜ·productₜ, sums inside products that carry out labels distributed."""
    out: list[tuple[float, Product]] = []
    for c, t in (h.terms if isinstance(h, Add) else [(1.0, h)]):
        for c2, p in expand_product(as_product(t, k, nb)):
            out.append((c * c2, p))
            if len(out) > MAX_MONOMIALS:
                return []
    return out


def expand_product(p: Product) -> list[tuple[float, Product]]:
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


def softmax_covariances(terms):
    """Pairs c·(diag(p) - t·p*p') with 0 < t <= 1, p = softmax(u): (rest, [(p, sign of c)…]).

    diag(p) - p*p' is the covariance of a distribution p: v'(diag(p) - p*p')v =
    Σ pᵢvᵢ² - (Σ pᵢvᵢ)² >= 0 for p >= 0 with Σ pᵢ = 1."""
    diags = {}
    for n, (c, p) in enumerate(terms):
        s = _diag_of(p)
        if s is not None:
            diags[s] = n
    used, found = set(), []
    for n, (c, p) in enumerate(terms):
        s = _outer_square_of(p)
        m = diags.get(s)
        if s is None or m is None or m in used:
            continue
        c_diag = terms[m][0]
        if 0 < -c / c_diag <= 1:
            used |= {n, m}
            found.append((s, 1.0 if c_diag > 0 else -1.0))
            if c + c_diag != 0:  # what is left of the diagonal: (c_diag + c)·diag(p)
                terms = terms + [(c_diag + c, terms[m][1])]
    return [t for n, t in enumerate(terms) if n not in used], found


def _diag_of(p: Product) -> Expr | None:
    """s when p is diag(s) (s = softmax(u))."""
    if len(p.rows) != 1 or p.batch or len(p.ops) != 2:
        return None
    r, c = p.rows[0], p.cols[0]
    by_kind = sorted(zip(p.ops, p.ix), key=lambda oi: isinstance(oi[0], Identity))
    (s, si), (i, ii) = by_kind
    if isinstance(i, Identity) and set(ii) == {r, c} and si in ((r,), (c,)) and _softmax(s):
        return s
    return None


def _outer_square_of(p: Product) -> Expr | None:
    """s when p is s*s' (s = softmax(u))."""
    if len(p.rows) != 1 or p.batch or len(p.ops) != 2 or p.ops[0] != p.ops[1]:
        return None
    if {p.ix[0], p.ix[1]} == {(p.rows[0],), (p.cols[0],)} and _softmax(p.ops[0]):
        return p.ops[0]
    return None


def _softmax(e: Expr) -> bool:
    return isinstance(e, MatrixFunction) and e.fn == "softmax"
