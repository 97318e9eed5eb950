"""The input language: text → typed IR.

`parser` turns text into a syntax tree (`syntax`), errors pointing at their column;
`lowering` types it (declarations or first letters, dims unified by the operators) and builds
the IR; `declarations` checks declared types; `reader.read` does all of it:

    >>> from matdiff.language import read
    >>> lowered = read("x'*A*x", {"A": "matrix(n,n)"})
    >>> lowered.kind, lowered.expr.dims, sorted(lowered.variables)
    ('scalar', (), ['A', 'x'])
"""

from .declarations import (
    Declarations, check_variable_name, declared, parse_declarations, with_domains,
)
from .lowering import DIM_NAMES, Lowered, Lowering, Typed, lower
from .parser import parse_text, parse_type
from .reader import read
from .syntax import TypeDecl

__all__ = [
    "DIM_NAMES", "Declarations", "Lowered", "Lowering", "TypeDecl", "Typed",
    "check_variable_name", "declared", "lower", "parse_declarations", "parse_text", "parse_type",
    "read", "with_domains",
]
