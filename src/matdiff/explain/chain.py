"""Step 3: combine the local derivatives with the named chain rule.

Two orders, chosen so that no accumulated derivative needs more axes than
necessary: *forward* (∂u/∂x for each intermediate u, innermost first — Parr &
Howard's order) when the function has at least as many axes as x, and
*backward* (∂f/∂u for each intermediate, outermost first — MIT's order for
∂L/∂W) when x has more (a scalar loss by a matrix).

Each accumulation is one application of a chain rule,
    ∂u/∂x = Σ_a ∂u/∂a ∂a/∂x      (numerator layout order)
    ∂u/∂x = Σ_a ∂a/∂x ∂u/∂a      (denominator layout order),
named as Parr & Howard name it: single-variable, single-variable
total-derivative (several terms), or vector chain rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..ir.build import add, einsum, labels
from ..ir import Expr, Var
from ..rewrite import Rewrite, simplify
from .decompose import Intermediate, substitute
from .steps import Chain, Partial


@dataclass(frozen=True)
class Accumulation:
    """One chain-rule application: lhs = Σ products of partials, as IR."""

    lhs: Partial
    chain: Chain  # symbolic, in multiplication order of the layout
    factors: tuple[tuple[tuple[Partial, Expr], ...], ...]  # each partial with its IR
    raw: Expr  # Σ of the contracted products, unsimplified (mixed layout)
    result: Expr  # simplified
    rewrites: tuple[str, ...]  # simplifier rules applied
    of: Expr  # the function differentiated (for checks)
    by: Var


def contract(left: Expr, right: Expr, out_rank: int, mid_rank: int) -> Expr:
    """left (dims O+M) times right (dims M+I), summed over M: the chain-rule product."""
    o = labels(out_rank)
    m = labels(mid_rank, out_rank)
    i = labels(right.rank - mid_rank, out_rank + mid_rank)
    return einsum([left, right], [o + m, m + i], o + i)


def collapse(acc: Accumulation, layout: str, g_name: str) -> tuple[Var, Expr] | None:
    """MIT A.9.2: contracting a 3-axis local derivative with a free g leaves a matrix.

    For a step df/dx = df/du ∂u/∂x (numerator order) whose ∂u/∂x has 3 or more axes,
    returns (g, df/dx with df/du replaced by g), simplified; None for any other step."""
    if len(acc.factors) != 1 or len(acc.factors[0]) != 2:
        return None
    (_, upper), (_, local) = acc.factors[0][::-1] if layout == "denominator" else acc.factors[0]
    mid = local.rank - acc.by.rank
    if local.rank <= 2 or upper.rank - mid < 0:
        return None
    g = Var(g_name, upper.dims)
    return g, simplify(contract(g, local, upper.rank - mid, mid))


class ChainRule:
    """Accumulates derivatives through the intermediates in forward or backward order."""

    def __init__(self, ims: list[Intermediate], x: Var, local: dict, layout: str):
        self.ims, self.x, self.local, self.layout = ims, x, local, layout
        self.root = ims[-1]
        self.by_name = {i.name: i for i in ims}
        self.backward = self.root.var.rank < x.rank

    def run(self) -> tuple[list[Accumulation], Expr]:
        """The accumulations to show, and the final derivative over the intermediates."""
        return self._backward() if self.backward else self._forward()

    def _order(self, terms):
        return tuple(t if self.layout == "numerator" else t[::-1] for t in terms)

    def _accumulate(self, lhs, terms, of, by) -> Accumulation:
        """terms: lists of (partial, IR, rank of the axes it leaves) in numerator order."""
        products = []
        for factors in terms:
            value = factors[0][1]
            for _, ir, mid in factors[1:]:
                value = contract(value, ir, value.rank - mid, mid)
            products.append(value)
        raw = add(*products)
        record: list[Rewrite] = []
        result = simplify(raw, record)
        chain = self._order([tuple(p for p, _, _ in f) for f in terms])
        pairs = self._order([tuple((p, ir) for p, ir, _ in f) for f in terms])
        names = tuple(dict.fromkeys(r.rule for r in record))
        return Accumulation(lhs, chain, pairs, raw, result, names, of, by)

    # --- forward: ∂u/∂x, innermost first ----------------------------------------------
    def _forward(self):
        done: dict[str, Expr] = {}
        shown, shown_names = [], set()
        x = self.x
        for u in self.ims:
            terms = []
            for a in u.args:
                if a != x.name and a not in done:  # an intermediate constant in x (a - a)
                    continue
                partial = Partial(u.name, a)
                ir = self.local[(u.name, a)]
                if a == x.name:
                    terms.append([(partial, ir, 0)])
                else:
                    rank = self.by_name[a].var.rank
                    total = Partial(a, x.name, a in shown_names)
                    terms.append([(partial, ir, 0), (total, done[a], rank)])
            if not terms:
                continue
            acc = self._accumulate(Partial(u.name, x.name, True), terms, u.full, x)
            done[u.name] = acc.result
            if len(terms) > 1 or len(terms[0]) > 1:
                shown.append(acc)
                shown_names.add(u.name)
        return shown, done[self.root.name]

    # --- backward: ∂f/∂u, outermost first ----------------------------------------------
    def _backward(self):
        done: dict[str, Expr] = {}
        shown, shown_names = [], set()
        f = self.root.name
        for name in [i.name for i in reversed(self.ims[:-1])] + [self.x.name]:
            terms = []
            for p in self.ims:
                if name not in p.args or (p is not self.root and p.name not in done):
                    continue  # p does not lead to f (it was constant, as a - a)
                ir = self.local[(p.name, name)]
                if p is self.root:
                    terms.append([(Partial(f, name), ir, 0)])
                else:
                    terms.append([(Partial(f, p.name, p.name in shown_names), done[p.name], 0),
                                  (Partial(p.name, name), ir, p.var.rank)])
            if not terms:
                continue
            by = self.x if name == self.x.name else self.by_name[name].var
            acc = self._accumulate(Partial(f, name, True), terms, self._upper(name), by)
            done[name] = acc.result
            if len(terms) > 1 or len(terms[0]) > 1:
                shown.append(acc)
                shown_names.add(name)
        return shown, done[self.x.name]

    def _upper(self, keep: str) -> Expr:
        """The function over intermediate `keep` (held free) and the user's variables."""
        expanded: dict[str, Expr] = {}
        for i in self.ims:
            expanded[i.name] = substitute(i.local, {k: v for k, v in expanded.items()
                                                    if k != keep})
        return expanded[self.root.name]
