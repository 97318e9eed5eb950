"""The tensor IR: a closed set of immutable nodes, each knowing its dims.

Every node is a tensor with a tuple of dims: `()` for a scalar, `(n,)` for a
vector, `(m, n)` for a matrix and longer tuples beyond. A dim is a symbol
(`str`) or a fixed size (`int`). Orientation (row or column) is not part of
the IR: it lives in the einsum structure and is chosen when rendering.

Nodes are compared and hashed structurally through `key()`, which is cached,
so equal subexpressions are recognised anywhere (common subexpressions,
like terms). Build nodes with the smart constructors in `build.py`, which
keep them canonical; the classes here only store.

Contract of every node: `dims`, `children()`, `rebuild(children)` returning
the same kind of node over new children, and `key()`.
"""

from __future__ import annotations

import hashlib
import math
from typing import Iterator

from .functions import whole_matrix

Dim = str | int
Dims = tuple[Dim, ...]


class Expr:
    """Base of all IR nodes."""

    __slots__ = ("dims", "_key", "_hash", "_digest", "_size")

    def __init__(self, dims: Dims):
        self.dims = tuple(dims)
        self._key = None
        self._hash = None
        self._digest = None
        self._size = None

    # structural identity -------------------------------------------------
    def _local(self) -> tuple:
        """The node's own data, children excluded."""
        return (self.dims,)

    def key(self) -> tuple:
        """A hashable structural identity: equal keys, equal tensors."""
        if self._key is None:
            kids = tuple(c.key() for c in self.children())
            self._key = (type(self).__name__, self._local(), kids)
        return self._key

    def digest(self) -> str:
        """A short deterministic fingerprint of the structure (stable across runs)."""
        if self._digest is None:
            h = hashlib.blake2b(digest_size=8)
            h.update(repr((type(self).__name__, self._local())).encode())
            for c in self.children():
                h.update(c.digest().encode())
            self._digest = h.hexdigest()
        return self._digest

    def size(self) -> int:
        """Number of nodes, shared ones counted each time they occur."""
        if self._size is None:
            self._size = 1 + sum(c.size() for c in self.children())
        return self._size

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(self.key())
        return self._hash

    def __eq__(self, other) -> bool:
        if self is other:
            return True
        if not isinstance(other, Expr) or hash(self) != hash(other):
            return False
        return self.key() == other.key()

    # traversal -----------------------------------------------------------
    def children(self) -> tuple["Expr", ...]:
        return ()

    def rebuild(self, children: tuple["Expr", ...]) -> "Expr":
        return self

    @property
    def rank(self) -> int:
        return len(self.dims)

    def __repr__(self) -> str:
        from .debug import show

        return show(self)


class Var(Expr):
    """A named input; `symmetric` records a declaration (used only to simplify)."""

    __slots__ = ("name", "symmetric")

    def __init__(self, name: str, dims: Dims, symmetric: bool = False):
        super().__init__(dims)
        self.name = name
        self.symmetric = symmetric

    def _local(self):
        return (self.name, self.dims, self.symmetric)


def _finite(value: float) -> float:
    """A constant of the IR; one that overflowed (2*1e308) is refused, never printed."""
    if not math.isfinite(value):
        from .errors import UnsupportedError

        raise UnsupportedError(f"a constant is not a finite number ({value}): it overflows")
    return value


class Number(Expr):
    """A numeric scalar constant."""

    __slots__ = ("value",)

    def __init__(self, value: float):
        super().__init__(())
        self.value = _finite(float(value))

    def _local(self):
        return (self.value,)


class Zero(Expr):
    """The all-zeros tensor of the given dims."""

    __slots__ = ()


class Ones(Expr):
    """The all-ones tensor of the given dims (`vector(1)`, `matrix(1)`)."""

    __slots__ = ()


class Identity(Expr):
    """The n×n identity matrix, the Kronecker delta δ(i,j)."""

    __slots__ = ()

    def __init__(self, n: Dim):
        super().__init__((n, n))


class Add(Expr):
    """A linear combination Σ cᵢ·tᵢ of terms with equal dims."""

    __slots__ = ("terms",)

    def __init__(self, terms: tuple[tuple[float, Expr], ...]):
        super().__init__(terms[0][1].dims)
        self.terms = tuple((_finite(c), t) for c, t in terms)

    def _local(self):
        return tuple(c for c, _ in self.terms)

    def children(self):
        return tuple(t for _, t in self.terms)

    def rebuild(self, children):
        from .build import add

        return add(*((c, t) for (c, _), t in zip(self.terms, children)))


class Einsum(Expr):
    """Every multilinear operation: Σ over the labels not in `out` of Π operands.

    `indices[k]` labels the axes of `operands[k]` with ints; a label repeated
    inside one operand takes its diagonal; a label repeated in `out` places
    the result on a diagonal (as `diag(v)` does). `x'*A*y` is
    `Einsum((x, A, y), ((0,), (0, 1), (1,)), ())`.
    """

    __slots__ = ("operands", "indices", "out")

    def __init__(self, operands, indices, out, dims: Dims):
        super().__init__(dims)
        self.operands = tuple(operands)
        self.indices = tuple(tuple(ix) for ix in indices)
        self.out = tuple(out)

    def _local(self):
        return (self.indices, self.out)

    def children(self):
        return self.operands

    def rebuild(self, children):
        from .build import einsum

        return einsum(children, self.indices, self.out)

    def label_dims(self) -> dict[int, Dim]:
        """The dim of every label."""
        sizes: dict[int, Dim] = {}
        for op, ix in zip(self.operands, self.indices):
            for label, dim in zip(ix, op.dims):
                sizes.setdefault(label, dim)
        return sizes


class _Application(Expr):
    """A named function applied to one argument: the shared shape of the two below."""

    __slots__ = ("fn", "arg")

    def __init__(self, fn: str, arg: Expr, dims: Dims):
        super().__init__(dims)
        self.fn = fn
        self.arg = arg

    def _local(self):
        return (self.fn,)

    def children(self):
        return (self.arg,)


class Elementwise(_Application):
    """A scalar function (from `rules.ELEMENTWISE`) applied to every entry."""

    __slots__ = ()

    def __init__(self, fn: str, arg: Expr):
        super().__init__(fn, arg, arg.dims)

    def rebuild(self, children):
        from .build import elementwise

        return elementwise(self.fn, children[0])


class Power(Expr):
    """Entry-wise power `base .^ exponent`; the exponent is a scalar or has base's dims."""

    __slots__ = ("base", "exponent")

    def __init__(self, base: Expr, exponent: Expr):
        super().__init__(base.dims)
        self.base = base
        self.exponent = exponent

    def children(self):
        return (self.base, self.exponent)

    def rebuild(self, children):
        from .build import power

        return power(*children)


class MatrixFunction(_Application):
    """A function of a whole square matrix or vector, not entry-wise.

    `fn` names an entry of `functions.MATRIX` (inv, det, logdet, softmax, logsumexp) or
    `functions.PRIMARY` (expm, logm, sqrtm, powm: X^param); the entry says whether the
    result has the argument's dims or is a scalar.
    """

    __slots__ = ("param",)

    def __init__(self, fn: str, arg: Expr, param: float | None = None):
        super().__init__(fn, arg, arg.dims if whole_matrix(fn).same_dims else ())
        self.param = param

    def _local(self):
        return (self.fn, self.param)

    def rebuild(self, children):
        from .build import matrix_function

        return matrix_function(self.fn, children[0], self.param)


class Frechet(Expr):
    """L⁽ᵏ⁾_f(X; E₁, …, E_k): the k-th Fréchet derivative of a primary matrix function.

    `fn` and `param` name f as in MatrixFunction; `point` is X (n×n); each direction Eᵢ
    has dims (n, n) + extraᵢ and the map, linear in each Eᵢ, is applied to every slice
    over the extra axes: dims = (n, n) + extra₁ + … + extra_k. So d f(X) = L_f(X, dX)
    in the mixed layout. Numerics in `matfun.py`.
    """

    __slots__ = ("fn", "param", "point", "directions")

    def __init__(self, fn: str, point: Expr, directions: tuple[Expr, ...],
                 param: float | None = None):
        super().__init__(point.dims + sum((e.dims[2:] for e in directions), ()))
        self.fn, self.param = fn, param
        self.point, self.directions = point, tuple(directions)

    @property
    def order(self) -> int:
        return len(self.directions)

    def _local(self):
        return (self.fn, self.param, self.dims)

    def children(self):
        return (self.point,) + self.directions

    def rebuild(self, children):
        from .build import frechet

        return frechet(self.fn, children[0], tuple(children[1:]), self.param)


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


def map_bottom_up(expr: Expr, fn) -> Expr:
    """Rebuild `expr` applying `fn` to every node after its children (shared nodes once)."""
    done: dict[int, Expr] = {}
    for node in walk(expr):
        kids = node.children()
        new_kids = tuple(done[id(k)] for k in kids)
        rebuilt = node if all(a is b for a, b in zip(kids, new_kids)) else node.rebuild(new_kids)
        done[id(node)] = fn(rebuilt)
    return done[id(expr)]
