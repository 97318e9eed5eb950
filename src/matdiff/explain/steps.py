"""The data of an explanation: steps, partial-derivative symbols, numeric-check hooks.

A `Step` is one line of a derivation: a left-hand side (`u1` or ∂u2/∂u1), what
it equals (a form printed from IR, or a symbolic chain-rule formula), its
shape in the layout being used, and the rule that justifies it. Every step
that states a derivative carries a `Check`: the function differentiated, the
variable, and the claimed derivative in the mixed layout — all real IR, so a
test can compare it with finite differences.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..notation.forms import Form
from ..ir import Expr, Var

SECTIONS = {
    1: "Intermediate variables",
    2: "Derivatives of the intermediates",
    3: "Chain rule",
    4: "Substitute back and simplify",
}


@dataclass(frozen=True)
class Partial:
    """The symbol ∂num/∂den; `total` (printed dnum/dden) when it runs through every path."""

    num: str
    den: str
    total: bool = False


Chain = tuple[tuple[Partial, ...], ...]  # a sum of products of partials


@dataclass(frozen=True)
class Check:
    """∂of/∂by = mixed (mixed layout), over the user's variables and the intermediates;
    with `symmetric` ('sym' or 'cookbook'), symmetrized as `matdiff.symmetric` says."""

    of: Expr
    by: Var
    mixed: Expr
    symmetric: str | None = None


@dataclass(frozen=True)
class Step:
    """One line: `lhs = form` (or `lhs = chain`), with its shape and rule.

    `expr` is the IR of the right-hand side as shown (arranged in the layout);
    `form` is how it prints; a symbolic chain-rule line has `chain` instead
    and `shapes` spells the product of shapes (`(1×m)(m×n) → 1×n`)."""

    section: int
    lhs: str | Partial
    expr: Expr | None
    form: Form | None
    shape: str
    rule: str
    note: str = ""
    chain: Chain = ()
    shapes: str = ""
    check: Check | None = None
    stage: int = 1  # which derivative of a second (or higher) derivative


def shape_text(dims: tuple, row: bool = False) -> str:
    """1×1 for a scalar, n×1 for a column, 1×n for a row, m×n, n×m×k …"""
    names = [str(d) for d in dims]
    if not names:
        return "1×1"
    if len(names) == 1:
        return f"1×{names[0]}" if row else f"{names[0]}×1"
    return "×".join(names)
