"""matdiff: matrix calculus in compact matrix notation.

    >>> import matdiff as md
    >>> str(md.derivative("x'*A*x", wrt="x"))
    "(A + A')*x"
"""

from .api import Derivative, Expression, derivative, hessian, parse
from .errors import MatdiffError, ParseError, ShapeError, UnsupportedError

__all__ = [
    "Derivative", "Expression", "MatdiffError", "ParseError", "ShapeError", "UnsupportedError",
    "derivative", "hessian", "parse",
]
__version__ = "0.1.0"
