"""The functions that rearrange or reduce entries (sums, traces, diagonals, norms) and the
named constants. The input language lowers each to einsums of its argument (`tr(X)` is
Σᵢ X[i,i]), so they need no numerics or derivative of their own: one entry each says what
it is, where it is defined and how it is written.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StructuralFunction:
    """A linear map or norm of the entries, written by name."""

    summary: str  # what it is, for the reference
    domain: str  # what it takes, in words
    latex: str  # LaTeX of f(x), {x} the argument
    unicode: str = "{name}({x})"
    smooth: bool = True


STRUCTURAL: dict[str, StructuralFunction] = {
    "sum": StructuralFunction("sum of all entries", "any shape",
                              r"\operatorname{{sum}}\left({x}\right)"),
    "mean": StructuralFunction("sum of all entries divided by their number", "any shape",
                               r"\operatorname{{mean}}\left({x}\right)"),
    "tr": StructuralFunction("trace: sum of the diagonal", "square matrix",
                             r"\operatorname{{tr}}\left({x}\right)"),
    "diag": StructuralFunction("vector → diagonal matrix; square matrix → its diagonal",
                               "vector or square matrix",
                               r"\operatorname{{diag}}\left({x}\right)"),
    "norm1": StructuralFunction("sum(abs(u)), the 1-norm of the entries",
                                "any shape; not smooth where an entry is 0",
                                r"\left\lVert {x} \right\rVert_1", "‖{x}‖₁", smooth=False),
    "norm2": StructuralFunction("sqrt(sum(u.^2)), the 2-norm (Frobenius norm of a matrix)",
                                "any shape, u ≠ 0", r"\left\lVert {x} \right\rVert_2",
                                "‖{x}‖₂"),
}

# vector(c) and matrix(c): a constant of that value, its size inferred; `eye`: the identity.
LITERAL_ARG_FUNCTIONS = frozenset({"vector", "matrix"})
NAMED_CONSTANTS = frozenset({"eye"})
