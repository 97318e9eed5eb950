"""Step 2: the derivative of each intermediate by each of its arguments, named by kind.

`local_derivative(u, a)` differentiates the definition of intermediate `u`
by its argument `a` (an earlier intermediate or the wrt variable) and says
what kind of derivative it is — the seeds' vocabulary: a derivative, a
gradient, a Jacobian, the diagonal Jacobian of an element-wise operation
(MIT A.9.5), the row of ones of a sum, a 3-axis tensor (MIT A.9.2).
"""

from __future__ import annotations

from ..ir.build import split_coefficient
from ..calculus.diff import diff
from ..ir import Add, Einsum, Expr, Identity, Ones, Var
from ..rewrite import simplify

DIAGONAL_NOTE = (
    "element-wise: entry i of {u} depends only on entry i of {a}, so every "
    "off-diagonal partial is 0 and the Jacobian is diagonal; multiplying by "
    "diag(v) scales each row by v, so in the chain rule it becomes the "
    "element-wise product v.*(…) (MIT A.9.5)")
SUM_NOTE = "each entry of {a} enters the sum once, so every partial is 1: {ones} of ones"
TENSOR_NOTE = (
    "{n} axes: one slice per entry of {u}, so no matrix holds it (MIT A.9.2); "
    "in the chain rule it is contracted with the derivative of the function by {u}, "
    "and collapses to a matrix")


def local_derivative(local: Expr, by: Var) -> Expr:
    """∂local/∂by in the mixed layout, simplified."""
    return simplify(diff(local, by))


def is_diagonal(e: Expr) -> bool:
    """True for c·I, diag(v) and sums of them (an n×n IR whose off-diagonal is zero)."""
    _, t = split_coefficient(e)
    if isinstance(t, Identity):
        return True
    if isinstance(t, Einsum):
        return len(t.out) == 2 and t.out[0] == t.out[1]
    if isinstance(t, Add):
        return all(is_diagonal(x) for _, x in t.terms)
    return False


def describe(u: str, u_rank: int, a: str, a_rank: int, mixed: Expr, layout: str):
    """(rule, note) naming the derivative ∂u/∂a whose mixed-layout IR is `mixed`."""
    if u_rank + a_rank > 2:
        return f"{u_rank + a_rank}-axis tensor", TENSOR_NOTE.format(n=u_rank + a_rank, u=u)
    if u_rank == 0 and a_rank == 0:
        return "derivative", ""
    if u_rank == 0:
        if isinstance(mixed, Ones):
            row = "a row" if layout == "numerator" else "a column"
            which = row if a_rank == 1 else "a matrix"
            return "sum reduction", SUM_NOTE.format(a=a, ones=which)
        return "gradient", ""
    if a_rank == 0:
        return ("vector/scalar derivative" if u_rank == 1 else "matrix/scalar derivative"), ""
    if u_rank == 1 and a_rank == 1 and is_diagonal(mixed):
        _, t = split_coefficient(mixed)
        if isinstance(t, Identity):
            return "identity Jacobian", ""
        return "diagonal Jacobian", DIAGONAL_NOTE.format(u=u, a=a)
    return "Jacobian", ""
