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
- names never clash with the result's variables, dimensions, indices or functions: a
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

from ..functions import ENTRYWISE, KNOWN_FUNCTIONS, MATRIX
from .forms import Delta, Entry, Form, IndexSum, Indexed, Sym, T
from .tidy import transpose_form

MIN_SIZE = 4  # form nodes: u ⊙ (Xw) is named when it repeats, Xw is not
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
    used |= _index_names(form)  # D[i,j] = Σ_a …: a name is never an index
    body = form
    defs: list[tuple[str, Form]] = []
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


def _index_names(form: Form) -> set[str]:
    names: set[str] = set()
    for f in _nodes(form):
        if isinstance(f, (Indexed, Delta, Entry)):
            names.update(f.index)
        elif isinstance(f, IndexSum):
            names.update(f.over)
    return names


def _nodes(f: Form) -> Iterator[Form]:
    """Every node of the tree, parents first, repeats included."""
    stack = [f]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(list(_children(node))))


def _candidate(f: Form, size: int, free_index: bool) -> bool:
    return (f.kind in ("scalar", "col", "matrix") and not isinstance(f, T)
            and size >= MIN_SIZE and not free_index)


class _Scan:
    """Every distinct subexpression of some forms, once: a structural key (an int, so
    equal subtrees are found without hashing whole trees), its size, whether it has free
    indices, and how often it occurs (xᵀ counts as an occurrence of x)."""

    def __init__(self, roots: list[Form]):
        self.keys: dict[int, int] = {}  # id(node) -> key
        self.interned: dict[tuple, int] = {}
        self.size: dict[int, int] = {}
        self.free: dict[int, bool] = {}
        self.count: dict[int, int] = {}
        self.first: dict[int, Form] = {}
        for root in roots:
            self._key(root)
            self._tally(root)

    def _key(self, f: Form) -> int:
        if id(f) in self.keys:
            return self.keys[id(f)]
        kids = list(_children(f))
        kid_keys = tuple(self._key(k) for k in kids)
        signature = (type(f), f.kind, _data(f), kid_keys)
        key = self.interned.setdefault(signature, len(self.interned))
        self.keys[id(f)] = key
        self.size[key] = 1 + sum(self.size[k] for k in kid_keys)
        self.free[key] = isinstance(f, _FREE_INDEX) or any(self.free[k] for k in kid_keys)
        self.first.setdefault(key, f)
        return key

    def _tally(self, f: Form) -> None:
        stack = [f]
        while stack:
            node = stack.pop()
            node = node.arg if isinstance(node, T) else node
            key = self.keys[id(node)]
            self.count[key] = self.count.get(key, 0) + 1
            stack.extend(reversed(list(_children(node))))

    def largest_repeat(self) -> Form | None:
        best = None
        for key, n in self.count.items():  # first met first: deterministic
            f = self.first[key]
            if n >= 2 and _candidate(f, self.size[key], self.free[key]) and \
                    (best is None or self.size[key] > self.size[best]):
                best = key
        return None if best is None else self.first[best]


def _data(f: Form) -> tuple:
    """A node's own data, its children left out (they are keyed separately)."""
    out = []
    for field in dataclasses.fields(f):
        value = getattr(f, field.name)
        if isinstance(value, tuple):
            value = tuple(x[0] if isinstance(x, tuple) else None if isinstance(x, Form) else x
                          for x in value)  # Sum terms keep their coefficients
        elif isinstance(value, Form):
            value = None
        out.append(value)
    return tuple(out)


def _largest_repeat(forms: list[Form]) -> Form | None:
    return _Scan(forms).largest_repeat()


# --- rewriting -------------------------------------------------------------------------------


def _replace(f: Form, target: Form, symbol: Sym) -> Form:
    """f with every occurrence of target (and of its transpose) replaced by the symbol."""
    if f == target:
        return symbol
    if isinstance(f, T) and f.arg == target:
        return transpose_form(symbol)
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
    hint = _letter(getattr(f, "fn", None)) if kind != "scalar" else None
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


def _letter(fn: str | None) -> str | None:
    """A function's customary letter (σ → s, softmax → p, tanh → h), from its entry."""
    entry = ENTRYWISE.get(fn) or MATRIX.get(fn) if fn else None
    return entry.letter if entry is not None else None


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
