"""matdiff: matrix calculus in compact matrix notation.

    >>> import matdiff as md
    >>> str(md.derivative("x'*A*x", wrt="x"))
    "(A + A')*x"
"""

from . import codegen  # md.codegen.value_grad_hess; imports neither jax nor torch
from .api import Derivative, Expression, convexity, derivative, hessian, parse
from .errors import MatdiffError, MatdiffWarning, ParseError, ShapeError, UnsupportedError

__all__ = [
    "Derivative", "Expression", "MatdiffError", "MatdiffWarning", "ParseError", "ShapeError",
    "UnsupportedError", "codegen", "convexity", "derivative", "hessian", "parse",
]
__version__ = "0.1.0"
