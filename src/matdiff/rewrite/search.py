"""A bounded beam search for the shortest of several equal forms.

Rewriting to a fixpoint (`engine.py`) only takes steps that are always wanted.
Some identities are worth taking only sometimes: inv(AB) = inv(B)·inv(A) is
longer by itself, and shorter when inv(A) then meets A. Those are the
`ALTERNATIVES` here. The search applies each alternative at each place it
fits, simplifies every candidate with the ordinary rules, and keeps the
`BEAM_WIDTH` cheapest; `ROUNDS` times at most, never more than `MAX_CANDIDATES`
candidates in all. The expression it starts from stays unless a candidate
costs strictly less.

The cost of a form is a parameter (the simplifier passes its own; by default
`notation.printed_cost`: the operators of the printed matrix notation, then its depth,
then the IR's size). Every candidate equals the start: each alternative is an identity,
and the tests check each chosen form numerically.
"""

from __future__ import annotations

from ..ir import Expr, MatrixFunction, map_bottom_up, walk
from .engine import Cost, Rewrite, Rewriter, Rule
from .identities import inverse_of_product

BEAM_WIDTH = 3
ROUNDS = 2
MAX_CANDIDATES = 24
MAX_SEARCH_SIZE = 300  # larger expressions are left as the rules made them

ALTERNATIVES: tuple[Rule, ...] = (
    Rule("inverse-of-product", "inv(A·B) → inv(B)·inv(A) for square A, B", MatrixFunction,
         inverse_of_product),
)


def shortest(expr: Expr, rewriter: Rewriter, cost: Cost,
             record: list[Rewrite] | None = None) -> Expr:
    """The cheapest form by `cost` found from `expr`; its steps are appended to `record`."""
    if expr.size() > MAX_SEARCH_SIZE or not _places(expr):
        return expr
    best: tuple[tuple, Expr, list[Rewrite]] = (cost(expr), expr, [])
    beam, seen, tried = [best], {expr}, 0
    for _ in range(ROUNDS):
        found = []
        for _, e, steps in beam:
            for rule, node, new in _places(e):
                if tried >= MAX_CANDIDATES:
                    break
                candidate, more = _apply(e, node, new, rewriter)
                tried += 1
                if candidate in seen:
                    continue
                seen.add(candidate)
                found.append((cost(candidate), candidate,
                              steps + [Rewrite(rule.name, node, new)] + more))
        if not found:
            break
        found.sort(key=lambda item: item[0])
        beam = found[:BEAM_WIDTH]
        best = min(best, beam[0], key=lambda item: item[0])
    if best[1] is expr:
        return expr
    if record is not None:
        record.extend(best[2])
    return best[1]


def _places(e: Expr) -> list[tuple[Rule, Expr, Expr]]:
    """Every (alternative, node, replacement) that applies somewhere in e."""
    out = []
    for node in walk(e):
        for rule in ALTERNATIVES:
            if isinstance(node, rule.node_type):
                new = rule.apply(node)
                if new is not None and new != node:
                    out.append((rule, node, new))
    return out


def _apply(e: Expr, node: Expr, new: Expr, rewriter: Rewriter) -> tuple[Expr, list[Rewrite]]:
    """e with `node` replaced by `new` wherever it occurs, then simplified."""
    replaced = map_bottom_up(e, lambda x: new if x == node else x)
    steps: list[Rewrite] = []
    with rewriter.recording(steps):
        return rewriter.rewrite(replaced), steps
