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
  (L*(M₁ + M₂)*L', K ⊗ (M₁ + M₂)).
- covariance: diag(e)/s - e*e'/s² is PSD for e >= 0 and s = sum(e) (Cauchy–Schwarz),
  as in the Hessians of log(sum(exp(u))) and logsumexp(u) (e = softmax(u), s = 1).
- Kronecker: a product whose factors share no index splits into blocks, one per group
  of (row, col) axes, and scalars; H = ⊗ blocks is PSD when every block is definite with
  an even number of NSD ones.
- diagonal: δ(i,j)·g[i] is PSD when g ≥ 0 entry-wise (`signs.bounds`).
- Gram: Σ L[i,c]·M[c,c']·L[j,c'] is PSD when M is (recursively); a label shared by L and
  its mirror makes M diagonal, as in M'*diag(d)*M.

Everything else is "unknown": the rules only ever claim what holds at every point. The
structure they look for (blocks, Gram forms, common factors) is found by `quadform.py`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Mapping, NamedTuple

from ..ir.build import add, einsum, total_sum
from ..ir import Add, Einsum, Expr, Identity, MatrixFunction, Number, Power, Var, Zero
from ..ir.traverse import components
from ..analysis.quadform import Monomial, as_monomial, blocks, expand, expand_monomial, frames, gram
from ..analysis.signs import bounds, nonnegative, nonpositive
from ..analysis.symmetry import is_symmetric
from ..notation import NoMatrixForm, render, to_form

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


def kron_definite(a: Definite, b: Definite) -> Definite:
    """Kronecker product of two forms (a scalar is a form of size 1)."""
    if a == ZERO or b == ZERO:
        return ZERO
    return Definite((a.psd and b.psd) or (a.nsd and b.nsd), (a.psd and b.nsd) or (a.nsd and b.psd))


def total(parts: list[Definite]) -> Definite:
    return Definite(all(p.psd for p in parts), all(p.nsd for p in parts))


def _merge(*rule_lists) -> tuple[str, ...]:
    return tuple(dict.fromkeys(r for rules in rule_lists for r in rules))


def _show(e: Expr) -> str:
    try:
        return render(to_form(e), "text")
    except NoMatrixForm:  # a piece with no printable form: name it by its structure
        return repr(e)

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
            found = self.monomial(as_monomial(h, k, nb), depth)
            terms = expand(h, k, nb) if found.definite == UNKNOWN else []
            return self.grouped(terms, k, nb, depth) if len(terms) > 1 else found
        return self.atom(h, k, nb, depth)

    def symmetric(self, e: Expr) -> bool:
        """Known to be a symmetric matrix (`analysis.symmetry`), declared domains included."""
        return is_symmetric(e, self.domains)

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

    def grouped(self, terms: list[tuple[float, Monomial]], k: int, nb: int, depth: int) -> Finding:
        """Softmax covariances, then terms sharing a factor, then what is left, term by term."""
        terms, done = covariances(terms, lambda e: nonnegative(bounds(e, self.domains)))
        findings = [Finding(scaled(sign, PSD), (
            f"covariance diag(e)/sum(e) - e*e'/sum(e)^2 is PSD for e = {_show(e)} >= 0",))
            for e, sign in done]
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
            found = kron_definite(found, f.definite)
        if found == UNKNOWN:
            return None
        how = "Kronecker product" if key[0] == "kron" else "Gram form L*M*L'"
        rule = f"common factor: {how}, the summed middle is definite"
        return Finding(found, _merge(f_in.rules, *(f.rules for f in f_out), (rule,)))

    def monomial(self, p: Monomial, depth: int) -> Finding:
        scalars, parts = blocks(p)
        findings = [self.sign(s.build()) for s in scalars]
        if len(parts) == 1 and not scalars:
            findings.append(self.block(parts[0], depth))
        else:
            findings += [self.monomial(q, depth + 1) for q in parts]
        found = PSD if not findings else findings[0].definite
        for f in findings[1:]:
            found = kron_definite(found, f.definite)
        rule = ("Kronecker product of definite blocks",) if len(parts) > 1 else ()
        return Finding(found, _merge(*(f.rules for f in findings), rule) if found != UNKNOWN
                       else ())

    def block(self, p: Monomial, depth: int) -> Finding:
        """One block: a single operand, a diagonal, or a Gram form."""
        if len(p.ops) == 1:
            return self.single(p, depth)
        diagonal = self.diagonal(p, depth)
        if diagonal is not None:
            return diagonal
        split = gram(p, self.symmetric)
        if split is None:
            expanded = expand_monomial(p)
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

    def single(self, p: Monomial, depth: int) -> Finding:
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

    def diagonal(self, p: Monomial, depth: int) -> Finding | None:
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


# --- covariances: diag(e)/s - e*e'/s² -----------------------------------------------------


@dataclass(frozen=True)
class Covariance:
    """One term c·m·diag(e) ('diag') or c·m·e*e' ('outer'); m a product of scalar powers."""

    kind: str
    index: int
    c: float
    e: Expr
    scalars: Expr | None  # the scalar factors m as one expression (None: m = 1)
    powers: Counter  # m as {base: exponent}


def covariances(terms, nonneg) -> tuple[list, list[tuple[Expr, float]]]:
    """Pairs c₁·m₁·diag(e) + c₂·m₂·e*e' with c₁c₂ < 0, |c₂| <= |c₁|, e >= 0, m₁ >= 0 and
    m₁ = m₂·sum(e) (sum(softmax(u)) = 1): by Cauchy–Schwarz, (Σ eᵢvᵢ)² <= Σ eᵢ·Σ eᵢvᵢ², so
    such a pair is PSD (c₁ > 0) or NSD. Returns (the other terms, [(e, sign of c₁)…])."""
    parts = [_covariance_term(n, c, p) for n, (c, p) in enumerate(terms)]
    diags = [d for d in parts if d is not None and d.kind == "diag"]
    used, found, extra = set(), [], []
    for o in (q for q in parts if q is not None and q.kind == "outer"):
        for d in diags:
            if d.index in used or o.index in used or not _pairs(d, o, nonneg):
                continue
            used |= {d.index, o.index}
            found.append((d.e, 1.0 if d.c > 0 else -1.0))
            if d.c + o.c != 0:  # what is left of the diagonal: (c₁ + c₂)·m₁·diag(e)
                extra.append((d.c + o.c, terms[d.index][1]))
    return [t for n, t in enumerate(terms) if n not in used] + extra, found


def _pairs(d: Covariance, o: Covariance, nonneg) -> bool:
    if d.e != o.e or not (d.c * o.c < 0 and abs(o.c) <= abs(d.c)):
        return False
    total = Counter(o.powers)
    if not _softmax(d.e):
        total[total_sum(d.e)] += 1
    if {k: v for k, v in total.items() if v} != {k: v for k, v in d.powers.items() if v}:
        return False
    return nonneg(d.e) and (d.scalars is None or nonneg(d.scalars))


def _covariance_term(n: int, c: float, p: Monomial) -> Covariance | None:
    """The term as c·m·diag(e) or c·m·e*e', or None."""
    if len(p.rows) != 1 or p.batch:
        return None
    scalars, parts = blocks(p)
    if len(parts) != 1:
        return None
    m = scalars[0].build() if scalars else None
    powers = power_product(m) if m is not None else Counter()
    r, col = p.rows[0], p.cols[0]
    part = parts[0]
    for k, (op, ix) in enumerate(zip(part.ops, part.ix)):
        if isinstance(op, Identity) and set(ix) == {r, col}:
            rest = [(o, tuple(r if a == col else a for a in i))
                    for j, (o, i) in enumerate(zip(part.ops, part.ix)) if j != k]
            if not any(r in i for _, i in rest):
                return None  # a multiple of I: no vector e
            e = einsum([o for o, _ in rest], [i for _, i in rest], (r,))
            return Covariance("diag", n, c, e, m, powers)
    split = gram(part, lambda e: False)
    if split is not None and not split[1].ops and not split[1].rows:
        return Covariance("outer", n, c, split[0], m, powers)
    return None


def power_product(m: Expr) -> Counter:
    """A scalar product as {base: exponent}: s^-2 * s = {s: -1}."""
    powers: Counter = Counter()
    if not isinstance(m, Einsum):
        m = einsum([m], [()], ())
    if isinstance(m, Number):
        return powers
    sub = as_monomial(m, 0, 0)
    for group in components(sub.ix):
        ops = [sub.ops[n] for n in group]
        if len(ops) == 1 and isinstance(ops[0], Power) and isinstance(ops[0].exponent, Number):
            # a Counter of float exponents: typeshed types a Counter's counts as int
            powers[ops[0].base] += ops[0].exponent.value  # type: ignore[assignment]
        else:
            powers[einsum(ops, [sub.ix[n] for n in group], ())] += 1
    return powers


def _softmax(e: Expr) -> bool:
    return isinstance(e, MatrixFunction) and e.fn == "softmax"
