"""Walks over IR: every node once, the variables, bottom-up rebuilding, what depends on a
variable, and the factors of an einsum joined by shared indices."""

from __future__ import annotations

from typing import Callable, Iterator

from .build import rebuild
from .nodes import Einsum, Expr, Var


def walk(expr: Expr) -> Iterator[Expr]:
    """Every distinct node of `expr` once, children before parents."""
    seen: set[int] = set()
    stack: list[tuple[Expr, bool]] = [(expr, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            yield node
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        stack.extend((c, False) for c in reversed(node.children()))


def variables(expr: Expr) -> dict[str, Var]:
    """The variables of `expr` by name."""
    return {n.name: n for n in walk(expr) if isinstance(n, Var)}


def map_bottom_up(expr: Expr, fn: Callable[[Expr], Expr]) -> Expr:
    """Rebuild `expr` applying `fn` to every node after its children (shared nodes once)."""
    done: dict[int, Expr] = {}
    for node in walk(expr):
        kids = node.children()
        new_kids = tuple(done[id(k)] for k in kids)
        rebuilt = node if all(a is b for a, b in zip(kids, new_kids)) else rebuild(node, new_kids)
        done[id(node)] = fn(rebuilt)
    return done[id(expr)]


def depends_on(expr: Expr, name: str) -> dict[int, bool]:
    """For every node of `expr` (by id): does it contain the variable `name`?"""
    depends: dict[int, bool] = {}
    for node in walk(expr):
        depends[id(node)] = (isinstance(node, Var) and node.name == name) or any(
            depends[id(c)] for c in node.children())
    return depends


def components(indices, joined: Callable[[int], bool] = lambda label: True) -> list[list[int]]:
    """The operands (positions in `indices`) grouped by the labels they share, counting only
    labels for which `joined(label)` holds; each group sorted, groups in order of their
    last member."""
    groups: list[tuple[set[int], list[int]]] = []
    for k, ix in enumerate(indices):
        labels, members = {a for a in ix if joined(a)}, [k]
        for group in [g for g in groups if g[0] & labels]:
            groups.remove(group)
            labels |= group[0]
            members = group[1] + members
        groups.append((labels, members))
    return [sorted(members) for _, members in groups]


def einsum_components(e: Einsum) -> list[list[int]]:
    """The operands of `e` grouped by the summed indices that join them."""
    return components(e.indices, lambda label: label not in e.out)
