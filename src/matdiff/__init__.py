"""matdiff: matrix calculus in compact matrix notation.

    >>> import matdiff as md
    >>> str(md.derivative("x'*A*x", wrt="x"))
    "(A + A')*x"
"""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _installed_version

from . import codegen  # imports neither jax nor torch
from .api import (Derivative, Expression, convexity, derivative, hessian, parse,
                  value_grad_hess)
from .errors import MatdiffError, MatdiffWarning, ParseError, ShapeError, UnsupportedError
from .optimize import minimize
from .products import Product, hvp, jvp, vjp

__all__ = [
    "Derivative", "Expression", "MatdiffError", "MatdiffWarning", "ParseError", "Product",
    "ShapeError", "UnsupportedError", "codegen", "convexity", "derivative", "hessian", "hvp",
    "jvp", "minimize", "parse", "value_grad_hess", "vjp",
]
try:  # the version is written once, in pyproject.toml
    __version__ = _installed_version("matdiff")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"
