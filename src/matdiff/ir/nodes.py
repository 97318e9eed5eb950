"""The tensor IR: a closed set of immutable nodes, each knowing its dims.

Every node is a tensor with a tuple of dims: `()` for a scalar, `(n,)` for a
vector, `(m, n)` for a matrix and longer tuples beyond. A dim is a symbol
(`str`) or a fixed size (`int`). Orientation (row or column) is not part of
the IR: it lives in the einsum structure and is chosen when rendering.

Nodes are compared and hashed structurally through `key()`, which is cached,
so equal subexpressions are recognised anywhere (common subexpressions,
like terms). Build nodes with the smart constructors in `build.py`, which
keep them canonical; the classes here only store (operations on them are tables
keyed by node type, in the modules that perform them: `build.rebuild`, `SHOW` below).

Contract of every node: `dims`, `children()` and `key()`; `repr` shows dims on every
leaf, e.g. `einsum(ab,b->a; A[m,n], x[n])`.
"""

from __future__ import annotations

import hashlib
import math
from typing import Callable

from ..errors import UnsupportedError
from ..functions import whole_matrix

Dim = str | int
Dims = tuple[Dim, ...]


class Expr:
    """Base of all IR nodes."""

    __slots__ = ("dims", "_key", "_hash", "_digest", "_size")

    def __init__(self, dims: Dims):
        self.dims = tuple(dims)
        self._key: tuple | None = None
        self._hash: int | None = None
        self._digest: str | None = None
        self._size: int | None = None

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


    @property
    def rank(self) -> int:
        return len(self.dims)

    def __repr__(self) -> str:
        return show(self)


class Var(Expr):
    """A named input; `symmetric` and `domain` (a word of `functions.DOMAINS`) record its
    declaration: what values it takes, which rules and checks may rely on."""

    __slots__ = ("name", "symmetric", "domain")

    def __init__(self, name: str, dims: Dims, symmetric: bool = False,
                 domain: str | None = None):
        super().__init__(dims)
        self.name = name
        self.symmetric = symmetric
        self.domain = domain

    def _local(self):
        # a variable without a domain keeps the identity (and digest, hence the canonical
        # order of operands) it had before domains existed
        base = (self.name, self.dims, self.symmetric)
        return base if self.domain is None else base + (self.domain,)


def _finite(value: float) -> float:
    """A constant of the IR; one that overflowed (2*1e308) is refused, never printed."""
    if not math.isfinite(value):
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


class Power(Expr):
    """Entry-wise power `base .^ exponent`; the exponent is a scalar or has base's dims."""

    __slots__ = ("base", "exponent")

    def __init__(self, base: Expr, exponent: Expr):
        super().__init__(base.dims)
        self.base = base
        self.exponent = exponent

    def children(self):
        return (self.base, self.exponent)


class MatrixFunction(_Application):
    """A function of a whole square matrix or vector, not entry-wise.

    `fn` names an entry of `functions.MATRIX` (inv, det, logdet, softmax, logsumexp) or
    `functions.PRIMARY` (expm, logm, sqrtm, powm: X^param); the entry says whether the
    result has the argument's dims or is a scalar.
    """

    __slots__ = ("param",)

    def __init__(self, fn: str, arg: Expr, param: float | None = None):
        facts = whole_matrix(fn)
        assert facts is not None, f"{fn} is not a function of a whole matrix"
        super().__init__(fn, arg, arg.dims if facts.same_dims else ())
        self.param = param

    def _local(self):
        return (self.fn, self.param)


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


# --- repr: a compact, unambiguous text of a node, dims shown --------------------------------

def _labels(ix) -> str:
    return "".join(chr(ord("a") + a) if a < 26 else f"<{a}>" for a in ix)


def _dims(e: Expr) -> str:
    return "[" + ",".join(str(d) for d in e.dims) + "]"


def _show_application(e) -> str:
    param = "" if getattr(e, "param", None) is None else f", {e.param:g}"
    return f"{e.fn}({show(e.arg)}{param})"


def _show_frechet(e: Frechet) -> str:
    args = ", ".join(show(c) for c in e.children())
    return f"d{e.order}{e.fn}({args}{'' if e.param is None else f', {e.param:g}'})"


SHOW: dict[type, Callable[..., str]] = {
    Var: lambda e: f"{e.name}{_dims(e)}" + (f" {e.domain}" if e.domain else ""),
    Number: lambda e: repr(e.value),
    Zero: lambda e: f"zeros{_dims(e)}",
    Ones: lambda e: f"ones{_dims(e)}",
    Identity: lambda e: f"I{_dims(e)}",
    Add: lambda e: "(" + " + ".join(f"{c:g}*{show(t)}" for c, t in e.terms) + ")",
    Einsum: lambda e: (f"einsum({','.join(_labels(ix) for ix in e.indices)}->{_labels(e.out)}; "
                       + ", ".join(show(o) for o in e.operands) + ")"),
    Elementwise: _show_application,
    MatrixFunction: _show_application,
    Power: lambda e: f"({show(e.base)})^({show(e.exponent)})",
    Frechet: _show_frechet,
}


def show(e: Expr) -> str:
    """E.g. `einsum(ab,b->a; A[m,n], x[n])`."""
    return SHOW[type(e)](e)
