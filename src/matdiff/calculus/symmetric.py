"""Derivatives by a variable declared symmetric.

A function of a symmetric matrix S has many extensions to all square matrices (`x'*S*y`
and `y'*S*x` agree on symmetric S), and each has its own entry-by-entry gradient G
(`x*y'` and `y*x'`). The gradient on the space of symmetric matrices is the same for all of
them: sym(G) = (G + Gᵀ)/2 (Srinivasan & Panda, "What is the gradient of a scalar function
of a symmetric matrix?", 2019). That is matdiff's answer by default, `symmetric="sym"`.

`symmetric="cookbook"` gives instead the derivative by the independent entries S_ij,
i ≤ j, each written into both (i, j) and (j, i): G + Gᵀ − I∘G, the form of the Matrix
Cookbook (§2.8.2) and many statistics texts. Written as 2·sym(G) − I∘sym(G) it is the same
for every extension too.

Both act on the variable's two axes, the last two of a mixed-layout derivative by it, so
a second derivative by S is symmetrized over each S's pair of axes in turn.
"""

from __future__ import annotations

import numpy as np

from ..ir.build import add, einsum
from ..errors import MatdiffError
from ..ir import Expr, Var

SYMMETRIC_MODES = ("sym", "cookbook")


def check_mode(mode: str) -> str:
    if mode not in SYMMETRIC_MODES:
        raise MatdiffError(f"unknown symmetric='{mode}'; choose one of {', '.join(SYMMETRIC_MODES)}")
    return mode


def applies(var: Var) -> bool:
    return var.symmetric and var.rank == 2


def symmetrize(derivative: Expr, var: Var, mode: str = "sym") -> Expr:
    """sym(G) = (G + Gᵀ)/2, or 2·sym(G) − I∘sym(G), over the last two axes; G unchanged
    when `var` is not a symmetric matrix."""
    if not applies(var):
        return derivative
    rank = derivative.rank
    labels = tuple(range(rank))
    swapped = labels[:-2] + (labels[-1], labels[-2])
    g_transposed = einsum([derivative], [labels], swapped)
    sym = add((0.5, derivative), (0.5, g_transposed))
    if mode == "sym":
        return sym
    on_diagonal = labels[:-1] + (labels[-2],)  # I∘S: S's diagonal, kept on the diagonal
    diagonal = einsum([sym], [on_diagonal], on_diagonal)
    return add((2.0, sym), (-1.0, diagonal))


def symmetrize_array(g: np.ndarray, mode: str = "sym") -> np.ndarray:
    """The same over the last two axes of a numeric derivative (finite differences)."""
    g = np.asarray(g, dtype=float)
    sym = (g + np.swapaxes(g, -1, -2)) / 2
    if mode == "sym":
        return sym
    return 2 * sym - sym * np.eye(g.shape[-1])
