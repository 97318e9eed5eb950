"""A small rewrite engine: named rules applied bottom-up to a fixpoint.

Contract of every rule: it takes one node (its children already rewritten)
and returns an equal-valued node with the same dims, or None when it does not
apply. The engine asserts that dims are preserved, stops on cycles, and can
record every `Rewrite(rule, before, after)` — the record that explanations print.
The rules themselves are data, in `rules.RULES`.

A few rules weigh alternatives: they ask the running simplification for its `Context`,
the cost of a form and a trial (simplify a candidate to see whether it gets smaller).
Rules see only a node, so the context travels in a context variable, set by the
simplifier for the duration of one simplification; inside a trial there is no trial
(`trial` is None), so trials never nest.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

from ..ir import Expr
from ..ir.build import rebuild
from ..notation import printed_cost

MAX_REWRITES_PER_NODE = 64

Cost = Callable[[Expr], tuple]


@dataclass(frozen=True)
class Rule:
    name: str
    identity: str  # what it does, in the algebra's notation
    node_type: type
    apply: Callable[[Any], Expr | None]  # given nodes of node_type only


@dataclass(frozen=True)
class Rewrite:
    """One step of a simplification: `rule` turned `before` into `after`."""

    rule: str
    before: Expr
    after: Expr


@dataclass(frozen=True)
class Context:
    """What rules that weigh alternatives may ask of the simplification running them."""

    cost: Cost  # the cost of a form: lower is better
    trial: Callable[[Expr], Expr] | None = None  # simplify a candidate; None: no trials


_CONTEXT: ContextVar[Context] = ContextVar("matdiff_rewrite_context",
                                           default=Context(printed_cost))


def context() -> Context:
    """The context of the simplification running now (outside one: printed cost, no trials)."""
    return _CONTEXT.get()


@contextmanager
def using(ctx: Context) -> Iterator[None]:
    token = _CONTEXT.set(ctx)
    try:
        yield
    finally:
        _CONTEXT.reset(token)


class Rewriter:
    """Applies `rules` to every node of an expression; shared subtrees are rewritten once."""

    def __init__(self, rules: Iterable[Rule], record: list[Rewrite] | None = None):
        self.by_type: dict[type, tuple[Rule, ...]] = {}
        for rule in rules:
            self.by_type[rule.node_type] = self.by_type.get(rule.node_type, ()) + (rule,)
        self.record = record
        self.memo: dict[Expr, Expr] = {}

    @contextmanager
    def recording(self, steps: list[Rewrite] | None) -> Iterator[None]:
        """Record the rewrites made inside the block into `steps` (None: record nothing)."""
        saved, self.record = self.record, steps
        try:
            yield
        finally:
            self.record = saved

    def rewrite(self, e: Expr) -> Expr:
        done = self.memo.get(e)
        if done is not None:
            return done
        node = self._with_rewritten_children(e)
        seen = {node}
        for _ in range(MAX_REWRITES_PER_NODE):
            step = self._first_rewrite(node)
            if step is None:
                break
            rule, new = step
            assert new.dims == node.dims, f"rule {rule.name} changed dims {node.dims} → {new.dims}"
            if self.record is not None:
                self.record.append(Rewrite(rule.name, node, new))
            new = self._with_rewritten_children(new)
            if new in seen:  # a cycle: stop at a form already reached
                node = new
                break
            seen.add(new)
            node = new
        self.memo[e] = node
        self.memo[node] = node
        return node

    def _with_rewritten_children(self, e: Expr) -> Expr:
        kids = e.children()
        new = tuple(self.rewrite(k) for k in kids)
        if all(a is b for a, b in zip(kids, new)):
            return e
        rebuilt = rebuild(e, new)
        if type(rebuilt) is not type(e):  # c·T[…] folded out of a product: rewrite T too
            return self.rewrite(rebuilt)
        return rebuilt

    def _first_rewrite(self, node: Expr):
        for rule in self.by_type.get(type(node), ()):
            new = rule.apply(node)
            if new is not None and new != node:
                return rule, new
        return None
