"""The tensor IR: a closed set of immutable nodes, each knowing its dims (`nodes`), the
smart constructors that keep them canonical (`build`), walks over them (`traverse`), sizes
as scalars (`sizes`) and a union-find for labels (`unionfind`).

Every expression matdiff handles, input or derivative, is one of these trees:

    >>> from matdiff.ir import Var, build
    >>> x, A = Var("x", ("n",)), Var("A", ("n", "n"))
    >>> build.matmul(build.transpose(x), build.matmul(A, x))
    einsum(ab,b,a->; A[n,n], x[n], x[n])
"""

from .nodes import (
    Add, Dim, Dims, Einsum, Elementwise, Expr, Frechet, Identity, MatrixFunction, Number, Ones,
    Power, Var, Zero,
)
from .traverse import depends_on, map_bottom_up, variables, walk

__all__ = [
    "Add", "Dim", "Dims", "Einsum", "Elementwise", "Expr", "Frechet", "Identity",
    "MatrixFunction", "Number", "Ones", "Power", "Var", "Zero", "depends_on", "map_bottom_up",
    "variables", "walk",
]
