"""The stages composed once: text → typed IR → simplified → ∂/∂x → symmetrized → simplified.

Everything that differentiates text goes through `derivative_of`; `derive` is one step of
it (also what the finite-difference check uses for the lower orders of a higher
derivative). `deep_recursion` is the boundary every public entry point runs inside: deep
(but valid) input recurses deeply, so the interpreter's limit is raised once, to
`RECURSION_LIMIT`, and a RecursionError that still happens is an UnsupportedError.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator

from .calculus.diff import diff
from .calculus.symmetric import symmetrize
from .errors import UnsupportedError
from .ir import Expr, Var
from .language import Declarations, Lowered, read
from .rewrite import Rewrite, simplify

RECURSION_LIMIT = 20000


@contextmanager
def deep_recursion() -> Iterator[None]:
    """Room for deeply nested input; a RecursionError becomes an UnsupportedError.

    The limit is process-wide, so it is raised once (never lowered, never restored: other
    threads may be inside matdiff too)."""
    if sys.getrecursionlimit() < RECURSION_LIMIT:
        sys.setrecursionlimit(RECURSION_LIMIT)
    try:
        yield
    except RecursionError:
        raise UnsupportedError("expression nested too deeply to process") from None


def derive(expr: Expr, var: Var, symmetric: str = "sym",
           steps: list[Rewrite] | None = None) -> Expr:
    """∂expr/∂var simplified, symmetrized when var is a symmetric matrix."""
    return simplify(symmetrize(diff(expr, var), var, symmetric), steps)


def derivative_of(text: str, wrt: tuple[str, ...], given: Declarations | None = None,
                  symmetric: str = "sym") -> tuple[Lowered, Expr, list[Rewrite]]:
    """(the function read from text, its derivative by each of `wrt` in turn in the mixed
    layout, the simplifier's record of the derivatives)."""
    lowered = read(text, given, wrt)
    steps: list[Rewrite] = []
    result = simplify(lowered.expr)  # a smaller function has a smaller derivative
    for name in wrt:
        result = derive(result, lowered.variables[name], symmetric, steps)
    return lowered, result, steps
