"""The cost of an IR expression as printed: what the simplifier minimizes between equal
forms (`rewrite.search`, the orientation of symmetric factors).

Cost (stated): the number of operators and function applications in the printed matrix
notation (`measure.operator_count`), then its depth, then the IR's size. An expression
with no matrix notation costs its IR size.
"""

from __future__ import annotations

from ..ir import Expr
from .matrix import NoMatrixForm, strict_form
from .measure import form_depth, operator_count


def printed_cost(e: Expr) -> tuple[int, int, int]:
    """(operators in the printed form, depth of the printed form, IR size)."""
    try:
        f = strict_form(e) if e.rank <= 2 else None
    except NoMatrixForm:
        f = None
    if f is None:
        return (e.size(), 0, e.size())
    return (operator_count(f), form_depth(f), e.size())
