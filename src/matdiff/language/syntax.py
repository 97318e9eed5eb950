"""Abstract syntax of matdiff's input language, as produced by `parser.parse_text`, and the
declared types of variables (`TypeDecl`, produced by `parser.parse_type`).

Every node records `pos`, the 0-based column where it starts in the source, so
later stages (shape inference) can point at the right place in error messages.
Associative chains are kept binary and left-nested, as written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from ..functions import DOMAINS
from ..ir import Var


@dataclass(frozen=True)
class Num:
    """A numeric literal such as `2`, `0.5`, `1e-3`."""

    value: float
    pos: int


@dataclass(frozen=True)
class Name:
    """A variable or named constant (`x`, `theta0`, `eye`)."""

    name: str
    pos: int


@dataclass(frozen=True)
class Call:
    """A function application `func(arg, ...)`; `func` is the name as written."""

    func: str
    args: tuple["Node", ...]
    pos: int


@dataclass(frozen=True)
class Unary:
    """Prefix `-u` or `+u`."""

    op: str
    operand: "Node"
    pos: int


@dataclass(frozen=True)
class Binary:
    """`left op right` with op one of + - * / ^ .* ./ .^"""

    op: str
    left: "Node"
    right: "Node"
    pos: int


@dataclass(frozen=True)
class Transpose:
    """Postfix transpose `u'`."""

    operand: "Node"
    pos: int


Node = Union[Num, Name, Call, Unary, Binary, Transpose]


@dataclass(frozen=True)
class TypeDecl:
    """A declared type: `scalar`, `vector(n)`, `matrix(m,n) [symmetric]`, `tensor(n,m,k)`,
    optionally with a domain: `vector(n) positive`, `matrix(n,n) spd`.

    `dims` holds dimension symbols (str) or fixed sizes (int); () for a scalar.
    """

    kind: str  # 'scalar' | 'vector' | 'matrix' | 'tensor'
    dims: tuple[str | int, ...]
    symmetric: bool = False
    domain: str | None = None  # a word of `functions.DOMAINS`: what the values range over

    @classmethod
    def of(cls, var: Var) -> "TypeDecl":
        """The declaration of a typed variable, with the dims it has (names stay the same)."""
        kind = ("scalar", "vector", "matrix")[var.rank] if var.rank <= 2 else "tensor"
        return cls(kind, tuple(var.dims), var.symmetric, var.domain)

    def __str__(self) -> str:
        """As written in a declaration: `matrix(n,n) symmetric`, `vector(n) positive`."""
        dims = f"({','.join(str(d) for d in self.dims)})" if self.dims else ""
        implied = self.domain is not None and DOMAINS[self.domain].symmetric
        words = (["symmetric"] if self.symmetric and not implied else []) + (
            [self.domain] if self.domain else [])
        return " ".join([self.kind + dims, *words])
