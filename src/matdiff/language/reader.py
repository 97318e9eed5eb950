"""The language's entry point: text and declarations in, typed IR out."""

from __future__ import annotations

from ..errors import ParseError
from .declarations import Declarations, check_variable_name, parse_declarations
from .lowering import Lowered, lower
from .parser import parse_text


def read(text: str, given: Declarations | None = None, also: tuple[str, ...] = ()) -> Lowered:
    """Parse, type and lower `text`; `also` names variables to type even if absent (a
    derivative by one is zero, of the right dims), each checked to be a variable name."""
    if not isinstance(text, str):
        raise ParseError(f"expected the expression as a string, got {type(text).__name__}")
    tree = parse_text(text)
    decls = parse_declarations(given)
    for name in also:
        check_variable_name(name, decls)
    return lower(tree, text, decls, also)
