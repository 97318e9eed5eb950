"""A bounded beam search for the shortest of several equal forms.

Rewriting to a fixpoint (`rewrite.py`) only takes steps that are always wanted.
Some identities are worth taking only sometimes: inv(AB) = inv(B)·inv(A) is
longer by itself, and shorter when inv(A) then meets A. Those are the
`ALTERNATIVES` here. The search applies each alternative at each place it
fits, simplifies every candidate with the ordinary rules, and keeps the
`BEAM_WIDTH` cheapest; `ROUNDS` times at most, never more than `MAX_CANDIDATES`
candidates in all. The expression it starts from stays unless a candidate
costs strictly less.

Cost (stated): the number of operators and function applications in the
printed matrix notation (`forms.operator_count` of `matrixform.to_form`), then
its depth, then the IR's size. Every candidate equals the start: each alternative is an
identity, and the tests check each chosen form numerically.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from .identities import inverse_of_product
from .ir import Expr, MatrixFunction, map_bottom_up, walk
from .rewrite import Rewriter, Rule, Step

BEAM_WIDTH = 3
ROUNDS = 2
MAX_CANDIDATES = 24
MAX_SEARCH_SIZE = 300  # larger expressions are left as the rules made them

ALTERNATIVES: tuple[Rule, ...] = (
    Rule("inverse-of-product", "inv(A·B) → inv(B)·inv(A) for square A, B", MatrixFunction,
         inverse_of_product),
)


@dataclass
class SearchStats:
    """Time spent searching and candidates tried, for the benchmark."""

    seconds: float = 0.0
    candidates: int = 0
    improved: int = 0
    calls: int = field(default=0)


STATS = SearchStats()


def cost(e: Expr) -> tuple[int, int, int]:
    """(operators in the printed form, depth of the printed form, IR size)."""
    from .forms import form_depth, operator_count
    from .matrixform import NoMatrixForm, strict_form

    try:
        f = strict_form(e) if e.rank <= 2 else None
    except NoMatrixForm:
        f = None
    if f is None:
        return (e.size(), 0, e.size())
    return (operator_count(f), form_depth(f), e.size())


def shortest(expr: Expr, rewriter: Rewriter, record: list[Step] | None = None) -> Expr:
    """The cheapest form found from `expr`; its steps are appended to `record`."""
    start = time.perf_counter()
    STATS.calls += 1
    try:
        return _beam(expr, rewriter, record)
    finally:
        STATS.seconds += time.perf_counter() - start


def _beam(expr: Expr, rewriter: Rewriter, record: list[Step] | None) -> Expr:
    if expr.size() > MAX_SEARCH_SIZE or not _places(expr):
        return expr
    best = (cost(expr), expr, [])
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
                              steps + [Step(rule.name, node, new)] + more))
        if not found:
            break
        found.sort(key=lambda item: item[0])
        beam = found[:BEAM_WIDTH]
        best = min(best, beam[0], key=lambda item: item[0])
    STATS.candidates += tried
    if best[1] is expr:
        return expr
    STATS.improved += 1
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


def _apply(e: Expr, node: Expr, new: Expr, rewriter: Rewriter) -> tuple[Expr, list[Step]]:
    """e with `node` replaced by `new` wherever it occurs, then simplified."""
    replaced = map_bottom_up(e, lambda x: new if x == node else x)
    steps: list[Step] = []
    rewriter.record = steps
    try:
        return rewriter.rewrite(replaced), steps
    finally:
        rewriter.record = None
