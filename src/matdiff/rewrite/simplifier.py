"""`simplify`: the rules to a fixpoint, then the bounded search, under one cost."""

from __future__ import annotations

from ..ir import Expr
from ..notation import printed_cost
from .engine import Context, Cost, Rewrite, Rewriter, using
from .rules import RULES
from .search import shortest


def simplify(expr: Expr, record: list[Rewrite] | None = None, cost: Cost = printed_cost) -> Expr:
    """The simplified form of `expr`; appends each rewrite to `record` if given.

    The rules run to a fixpoint, then `search.shortest` tries the identities that pay off
    only sometimes. `cost` says which of two equal forms is better (by default the one
    with fewer operators in print); rules that try a candidate simplify it with the rules
    alone (a trial), which starts no trial of its own."""
    with using(Context(cost, lambda e: _trial(e, cost))):
        rewriter = Rewriter(RULES, record)
        result = rewriter.rewrite(expr)
        with rewriter.recording(None):
            return shortest(result, rewriter, cost, record)


def _trial(e: Expr, cost: Cost) -> Expr:
    """A candidate rewrite, simplified by the rules alone, with no trials inside."""
    with using(Context(cost)):
        return Rewriter(RULES).rewrite(e)
