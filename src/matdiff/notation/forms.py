"""Matrix notation: the small tree that renderers print and code generators translate.

A form is what a person writes: products with transposes, sums, entry-wise
products, function applications, and — for results with three or more
axes — index notation. Each form knows its `kind`: 'scalar', 'col', 'row',
'matrix' or 'tensor'. Forms are built by `matrix.to_form` from the IR, through the builders of `tidy.py`,
which keep them tidy (numbers in front, transposes pushed inward). The classes here only
store.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Form:
    kind: str


@dataclass(frozen=True)
class Sym(Form):
    """A variable; a symmetric one is its own transpose."""

    name: str
    symmetric: bool = False


@dataclass(frozen=True)
class Lit(Form):
    """A number."""

    value: float


@dataclass(frozen=True)
class Const(Form):
    """A named constant: 'ones' (vector(1), matrix(1)), 'zeros', 'eye'."""

    name: str


@dataclass(frozen=True)
class Sum(Form):
    """Σ cᵢ·tᵢ."""

    terms: tuple[tuple[float, Form], ...]


@dataclass(frozen=True)
class Prod(Form):
    """A matrix product (scalar factors first), written with `*`."""

    factors: tuple[Form, ...]


@dataclass(frozen=True)
class Had(Form):
    """An entry-wise product; a factor Pow(u, -1) is written as a division `./ u`."""

    factors: tuple[Form, ...]


@dataclass(frozen=True)
class T(Form):
    """A transpose."""

    arg: Form


@dataclass(frozen=True)
class Call(Form):
    """A function application: entry-wise functions, sum, tr, det, logdet, inv, diag, norms…

    `more` holds the arguments after the first: the directions of a Fréchet derivative
    `dexpm(X, E)`, and last the exponent of `X^p` or `dpowm(X, E, p)`.
    `symmetric`: a matrix known to equal its transpose (inv(X'*X)), so printed untransposed."""

    fn: str
    arg: Form
    more: tuple[Form, ...] = ()
    symmetric: bool = False


@dataclass(frozen=True)
class SingleEntry(Form):
    """J(k,l): the matrix with a one in row k, column l and zeros elsewhere (index notation)."""

    index: tuple[str, str]


@dataclass(frozen=True)
class Pow(Form):
    """A power: `^` for scalars, `.^` entry-wise otherwise."""

    base: Form
    exponent: Form


@dataclass(frozen=True)
class MatPow(Form):
    """A matrix power X^k (k ≥ 2): the product of k equal square factors."""

    base: Form
    exponent: int


@dataclass(frozen=True)
class Indexed(Form):
    """Entry `base[i, j, …]` of a vector or matrix form, for index notation."""

    base: Form
    index: tuple[str, ...]


@dataclass(frozen=True)
class Delta(Form):
    """The Kronecker delta δ(i, j)."""

    index: tuple[str, str]


@dataclass(frozen=True)
class IndexSum(Form):
    """Σ over the named indices of a product of indexed factors (index notation)."""

    over: tuple[str, ...]
    factors: tuple[Form, ...]


@dataclass(frozen=True)
class Entry(Form):
    """`D[i, j, k] = body`: a tensor shown entry by entry, axis order spelled out."""

    index: tuple[str, ...]
    body: Form


@dataclass(frozen=True)
class Kron(Form):
    """The Kronecker product P ⊗ Q of the vec layout: (P ⊗ Q)[(j,i),(l,k)] = P[j,l]·Q[i,k]."""

    factors: tuple[Form, ...]


@dataclass(frozen=True)
class Commutation(Form):
    """The commutation matrix K(m,n) of Magnus & Neudecker: K(m,n)·vec(X) = vec(Xᵀ), X m×n."""

    rows: str
    cols: str


def is_scalar(f: Form) -> bool:
    return f.kind == "scalar"


def kind_of_rank(rank: int) -> str:
    """The kind a tensor of `rank` axes is written as, a vector as a column."""
    return ("scalar", "col", "matrix")[rank] if rank <= 2 else "tensor"
