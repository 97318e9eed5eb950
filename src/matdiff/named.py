"""Long results, shortened for people: a subexpression that repeats is named once.

    Xᵀ diag(y ⊙ y ⊙ s ⊙ (𝟙 − s)) X,  where s = σ(−y ⊙ (Xw))

The rule, applied to the matrix notation (`forms`) of a result:

- a subexpression is named when it occurs at least twice (its transpose counts
  as an occurrence: `s` and `sᵀ`) and it is not tiny: at least `MIN_SIZE` form
  nodes, so `Xw` or `−y` stay as written;
- the largest such subexpression is named first, then the count is taken again
  over what remains and the definitions, so a repeat inside a named one is not
  named twice over, and one that repeats across definitions is;
- a row is named through its column (`sᵀ`), never on its own, so that a name
  is typed as matdiff types variables: scalars a–g, vectors h–z, matrices A–Z;
- names never clash with the result's variables, dimensions or functions: a
  function's customary letter where it has one (σ → `s`, softmax → `p`,
  tanh → `h`), else the next free letter of the kind (scalars a, b, c…;
  vectors s, t, u, v…; matrices M, N, P…), capitalised for matrices.

Only the Unicode and LaTeX displays use it; plain text (`str(d)`) stays one
re-parseable expression. Subexpressions with free indices (index notation) are
never named.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Iterable, Iterator

from .forms import Delta, Entry, Form, IndexSum, Indexed, Sym, T, form_size, transpose
from .parser import KNOWN_FUNCTIONS

MIN_SIZE = 4  # form nodes: u ⊙ (Xw) is named when it repeats, Xw is not
_HINTS = {"sigmoid": "s", "softmax": "p", "tanh": "h"}
_LETTERS = {
    "scalar": "abcdefg",
    "col": "stuvrqpzhk",
    "matrix": "MNPQRSTUVGH",
}
_FREE_INDEX = (Indexed, Delta, IndexSum, Entry)


@dataclass(frozen=True)
class Named:
    """A form with its repeated parts named: `body`, where each (name, definition)."""

    body: Form
    where: tuple[tuple[str, Form], ...] = ()


def name_repeats(form: Form, taken: Iterable[str] = ()) -> Named:
    """Name the repeated subexpressions of `form` (see the module docstring)."""
    used = set(taken) | set(KNOWN_FUNCTIONS) | {"eye", "vector", "matrix"}
    used |= {f.name for f in _nodes(form) if isinstance(f, Sym)}
    body, defs = form, []
    while (target := _largest_repeat([body] + [d for _, d in defs])) is not None:
        name = _fresh_name(target, used)
        used.add(name)
        symbol = Sym(target.kind, name)
        body = _replace(body, target, symbol)
        defs = [(n, _replace(d, target, symbol)) for n, d in defs]
        defs.append((name, target))
    return Named(body, _reading_order(body, defs))


# --- finding repeats -----------------------------------------------------------------------


def _children(f: Form) -> Iterator[Form]:
    for field in dataclasses.fields(f):
        value = getattr(f, field.name)
        if isinstance(value, Form):
            yield value
        elif isinstance(value, tuple):
            for item in value:
                if isinstance(item, Form):
                    yield item
                elif isinstance(item, tuple):  # Sum terms: (coefficient, form)
                    yield from (x for x in item if isinstance(x, Form))


def _nodes(f: Form) -> Iterator[Form]:
    """Every node of the tree, parents first, repeats included."""
    stack = [f]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(list(_children(node))))


def _occurrences(f: Form) -> Iterator[Form]:
    """Every node, except that an occurrence of x as xᵀ counts as one occurrence of x."""
    stack = [f]
    while stack:
        node = stack.pop()
        node = node.arg if isinstance(node, T) else node
        yield node
        stack.extend(reversed(list(_children(node))))


def _candidate(f: Form) -> bool:
    return (f.kind in ("scalar", "col", "matrix") and not isinstance(f, T)
            and form_size(f) >= MIN_SIZE
            and not any(isinstance(x, _FREE_INDEX) for x in _nodes(f)))


def _largest_repeat(forms: list[Form]) -> Form | None:
    counts: dict[Form, int] = {}
    order: list[Form] = []
    for root in forms:
        for node in _occurrences(root):
            if node not in counts:
                order.append(node)
            counts[node] = counts.get(node, 0) + 1
    repeats = [f for f in order if counts[f] >= 2 and _candidate(f)]
    return max(repeats, key=form_size, default=None)  # first of the largest: deterministic


# --- rewriting -------------------------------------------------------------------------------


def _replace(f: Form, target: Form, symbol: Sym) -> Form:
    """f with every occurrence of target (and of its transpose) replaced by the symbol."""
    if f == target:
        return symbol
    if isinstance(f, T) and f.arg == target:
        return transpose(symbol)
    changes = {}
    for field in dataclasses.fields(f):
        value = getattr(f, field.name)
        new = _replace_in(value, target, symbol)
        if new is not value:
            changes[field.name] = new
    return dataclasses.replace(f, **changes) if changes else f


def _replace_in(value, target: Form, symbol: Sym):
    if isinstance(value, Form):
        return _replace(value, target, symbol)
    if isinstance(value, tuple):
        new = tuple(_replace_in(x, target, symbol) for x in value)
        return value if all(a is b for a, b in zip(new, value)) else new
    return value


# --- names -------------------------------------------------------------------------------------


def _fresh_name(f: Form, used: set[str]) -> str:
    kind = f.kind
    hint = _HINTS.get(getattr(f, "fn", None)) if kind != "scalar" else None
    if hint:
        hint = hint.upper() if kind == "matrix" else hint
        if hint not in used:
            return hint
    letters = _LETTERS[kind]
    for suffix in ("", *range(1, 1000)):
        for letter in letters:
            if f"{letter}{suffix}" not in used:
                return f"{letter}{suffix}"
    raise RuntimeError("no free name")  # a thousand names per letter: unreachable


def _reading_order(body: Form, defs: list[tuple[str, Form]]) -> tuple[tuple[str, Form], ...]:
    """Definitions in the order a reader meets their names: the body first, then each
    definition in turn."""
    by_name = dict(defs)
    ordered: list[str] = []
    queue = [body]
    while queue:
        for node in _nodes(queue.pop(0)):
            if isinstance(node, Sym) and node.name in by_name and node.name not in ordered:
                ordered.append(node.name)
                queue.append(by_name[node.name])
    return tuple((n, by_name[n]) for n in ordered)
