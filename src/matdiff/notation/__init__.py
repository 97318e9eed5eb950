"""IR → what a person reads: matrix notation, index notation, the vec layout's Kronecker
products, and their text, Unicode and LaTeX.

`forms` are the nodes of notation and `tidy` their builders; `matrix` writes an IR
expression as products, transposes, entry-wise products and calls, `index` as
`D[i,j,k] = …` where that is impossible (`to_form` chooses), `vec` as Kronecker products;
`printer` prints any form in three styles (`render`); `named` names repeated parts of long results;
`measure` and `cost` say how long a form is in print.

    >>> from matdiff.ir import Var, build
    >>> from matdiff.notation import render, to_form
    >>> x, A = Var("x", ("n",)), Var("A", ("n", "n"))
    >>> render(to_form(build.matmul(build.transpose(A), x)), "unicode")
    'Aᵀx'
"""

from .cost import printed_cost
from .index import index_names, to_form
from .matrix import NoMatrixForm, strict_form
from .named import Named, name_repeats
from .printer import render, render_named
from .vec import vec_dims, vec_form

__all__ = [
    "Named", "NoMatrixForm", "index_names", "name_repeats", "printed_cost", "render",
    "render_named", "strict_form", "to_form", "vec_dims", "vec_form",
]
