"""matdiff: matrix calculus in compact matrix notation.

    >>> import matdiff as md
    >>> str(md.derivative("x'*A*x", wrt="x"))
    "(A + A')*x"
"""

from . import codegen  # md.codegen.value_grad_hess; imports neither jax nor torch
from . import structure  # proved bounds, Gram forms, semidefiniteness
from .api import Derivative, Expression, derivative, hessian, parse
from .errors import MatdiffError, ParseError, ShapeError, UnsupportedError
from .optimize import minimize
from .products import Product, hvp, jvp, vjp

__all__ = [
    "Derivative", "Expression", "MatdiffError", "ParseError", "ShapeError", "UnsupportedError",
    "Product", "codegen", "structure", "derivative", "hessian", "hvp", "jvp", "minimize", "parse",
    "vjp",
]
__version__ = "0.1.0"
