"""The rules table of entry-wise functions: one entry per function, all its math in one place.

Each entry gives the numpy implementation and the derivative f'(u) as an IR
expression built from u (and f(u) itself), entry-wise. The chain rule is
written once, in `diff.py`: d f(u) = f'(u) ⊙ du — the diagonal Jacobian of
an entry-wise function becoming a Hadamard product. Adding a function means
one entry here (plus its tests, which iterate this table).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .build import add, elementwise, hadamard, neg, ones, power, scale, zero
from .ir import Expr


def _relu(x):
    return np.maximum(x, 0.0)


def _sigmoid(x):
    x = np.asarray(x, dtype=float)
    return np.exp(-np.logaddexp(0.0, -x))


@dataclass(frozen=True)
class EntrywiseRule:
    """An entry-wise function: numerics, derivative, and how it is written."""

    numpy: Callable
    derivative: Callable[[Expr, Expr], Expr]  # (u, f(u)) -> f'(u), entry-wise
    latex: str
    at_zero: float | None = None  # f(0), to fold f(zero tensor)
    domain: str = "real"  # 'real' | 'positive' | 'unit' (|u| < 1): where sampling is safe
    smooth: bool = True  # False: derivative holds almost everywhere only


def _one_minus_square(fu: Expr) -> Expr:
    return add(ones(fu.dims), (-1.0, power(fu, 2)))


ELEMENTWISE: dict[str, EntrywiseRule] = {
    # d exp(u) = exp(u) du
    "exp": EntrywiseRule(np.exp, lambda u, fu: fu, r"\exp", at_zero=1.0),
    # d log(u) = du ./ u
    "log": EntrywiseRule(np.log, lambda u, fu: power(u, -1), r"\log", domain="positive"),
    # d sin(u) = cos(u) du
    "sin": EntrywiseRule(np.sin, lambda u, fu: elementwise("cos", u), r"\sin", at_zero=0.0),
    # d cos(u) = -sin(u) du
    "cos": EntrywiseRule(np.cos, lambda u, fu: neg(elementwise("sin", u)), r"\cos", at_zero=1.0),
    # d tan(u) = du ./ cos(u)^2
    "tan": EntrywiseRule(
        np.tan, lambda u, fu: power(elementwise("cos", u), -2), r"\tan", at_zero=0.0
    ),
    # d tanh(u) = (1 - tanh(u)^2) du
    "tanh": EntrywiseRule(
        np.tanh, lambda u, fu: _one_minus_square(fu), r"\tanh", at_zero=0.0
    ),
    # d arcsin(u) = du ./ sqrt(1 - u^2)
    "arcsin": EntrywiseRule(
        np.arcsin, lambda u, fu: power(_one_minus_square(u), -0.5), r"\arcsin",
        at_zero=0.0, domain="unit",
    ),
    # d arccos(u) = -du ./ sqrt(1 - u^2)
    "arccos": EntrywiseRule(
        np.arccos, lambda u, fu: neg(power(_one_minus_square(u), -0.5)), r"\arccos",
        domain="unit",
    ),
    # d arctan(u) = du ./ (1 + u^2)
    "arctan": EntrywiseRule(
        np.arctan, lambda u, fu: power(add(ones(u.dims), power(u, 2)), -1), r"\arctan",
        at_zero=0.0,
    ),
    # d |u| = sign(u) du   (almost everywhere)
    "abs": EntrywiseRule(
        np.abs, lambda u, fu: elementwise("sign", u), r"\operatorname{abs}", at_zero=0.0,
        smooth=False,
    ),
    # d sign(u) = 0        (almost everywhere)
    "sign": EntrywiseRule(
        np.sign, lambda u, fu: zero(u.dims), r"\operatorname{sign}", at_zero=0.0, smooth=False
    ),
    # d relu(u) = (sign(u) + 1)/2 du   (almost everywhere: the step function)
    "relu": EntrywiseRule(
        _relu,
        lambda u, fu: scale(0.5, add(elementwise("sign", u), ones(u.dims))),
        r"\operatorname{relu}", at_zero=0.0, smooth=False,
    ),
    # d sqrt(u) = du ./ (2 sqrt(u))
    "sqrt": EntrywiseRule(
        np.sqrt, lambda u, fu: scale(0.5, power(fu, -1)), r"\sqrt", at_zero=0.0,
        domain="positive",
    ),
    # d sigmoid(u) = sigmoid(u) .* (1 - sigmoid(u)) du
    "sigmoid": EntrywiseRule(
        _sigmoid,
        lambda u, fu: hadamard(fu, add(ones(fu.dims), (-1.0, fu))),
        r"\sigma", at_zero=0.5,
    ),
}

# Functions that are not entry-wise: their derivative rules live in diff.py.
MATRIX_FUNCTIONS = ("inv", "det", "logdet", "softmax", "logsumexp")
