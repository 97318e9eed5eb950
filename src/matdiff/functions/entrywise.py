"""Entry-wise functions: one entry each, everything matdiff knows about the function.

An entry holds the numerics, the derivative f'(u) written in the input language (a
formula of the scalar `u` and of `f`, the value f(u), which the calculus applies entry by
entry: d f(u) = f'(u) ⊙ du, the diagonal Jacobian of an entry-wise function becoming a
Hadamard product), how it is written in LaTeX and Unicode, the code of each generated
target, its value at zero, its range (for sign proofs) and where it is defined. Adding a
function is one entry here plus its tests, which iterate this table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np

INF = math.inf
Interval = tuple[float, float]
ALL_REALS: Interval = (-INF, INF)


def _relu(x):
    return np.maximum(x, 0.0)


def _step(x):
    return np.heaviside(x, 0.0)


def _sigmoid(x):
    x = np.asarray(x, dtype=float)
    return np.exp(-np.logaddexp(0.0, -x))


def array_api(name: str, torch: str | None = None) -> dict[str, str]:
    """The code of a function every target spells `<module>.<name>(x)`."""
    return {"numpy": f"np.{name}({{x}})", "jax": f"jnp.{name}({{x}})",
            "torch": f"torch.{torch or name}({{x}})"}


@dataclass(frozen=True)
class EntrywiseFunction:
    """A scalar function applied to every entry of its argument."""

    numpy: Callable
    derivative: str  # f'(u) in the input language, of the scalars u and f = f(u)
    latex: str  # LaTeX of f(x), {x} the argument
    code: Mapping[str, str]  # per generated target, {x} the argument ({neg_x}: -x, {x_}: (x))
    summary: str  # what it is, for the reference
    at_zero: float | None = None  # f(0), to fold f(zero tensor)
    domain: str = "real"  # 'real' | 'positive' | 'unit' (|u| < 1): where it is defined
    smooth: bool = True  # False: the derivative holds almost everywhere only
    monotone: str = "none"  # 'increasing' | 'decreasing' | 'none'
    range: Interval = ALL_REALS  # every value f takes lies in it
    unicode: str = "{name}({x})"  # {x_}: the argument, parenthesized unless an atom
    letter: str | None = None  # customary name of f(u) when a display names it (σ → s)


ENTRYWISE: dict[str, EntrywiseFunction] = {
    # d exp(u) = exp(u) du
    "exp": EntrywiseFunction(
        np.exp, "f", r"\exp\left({x}\right)", array_api("exp"), "exponential",
        at_zero=1.0, monotone="increasing", range=(0.0, INF)),
    # d log(u) = du ./ u
    "log": EntrywiseFunction(
        np.log, "1/u", r"\log\left({x}\right)", array_api("log"), "natural logarithm",
        domain="positive", monotone="increasing"),
    # d sin(u) = cos(u) du
    "sin": EntrywiseFunction(
        np.sin, "cos(u)", r"\sin\left({x}\right)", array_api("sin"), "sine", at_zero=0.0,
        range=(-1.0, 1.0)),
    # d cos(u) = -sin(u) du
    "cos": EntrywiseFunction(
        np.cos, "-sin(u)", r"\cos\left({x}\right)", array_api("cos"), "cosine", at_zero=1.0,
        range=(-1.0, 1.0)),
    # d tan(u) = du ./ cos(u)^2
    "tan": EntrywiseFunction(
        np.tan, "cos(u)^-2", r"\tan\left({x}\right)", array_api("tan"), "tangent",
        at_zero=0.0),
    # d tanh(u) = (1 - tanh(u)^2) du
    "tanh": EntrywiseFunction(
        np.tanh, "1 - f^2", r"\tanh\left({x}\right)", array_api("tanh"),
        "hyperbolic tangent", at_zero=0.0, monotone="increasing", range=(-1.0, 1.0),
        letter="h"),
    # d arcsin(u) = du ./ sqrt(1 - u^2)
    "arcsin": EntrywiseFunction(
        np.arcsin, "(1 - u^2)^-0.5", r"\arcsin\left({x}\right)", array_api("arcsin"),
        "inverse sine", at_zero=0.0, domain="unit", monotone="increasing",
        range=(-math.pi / 2, math.pi / 2)),
    # d arccos(u) = -du ./ sqrt(1 - u^2)
    "arccos": EntrywiseFunction(
        np.arccos, "-(1 - u^2)^-0.5", r"\arccos\left({x}\right)", array_api("arccos"),
        "inverse cosine", domain="unit", monotone="decreasing", range=(0.0, math.pi)),
    # d arctan(u) = du ./ (1 + u^2)
    "arctan": EntrywiseFunction(
        np.arctan, "(1 + u^2)^-1", r"\arctan\left({x}\right)", array_api("arctan"),
        "inverse tangent", at_zero=0.0, monotone="increasing",
        range=(-math.pi / 2, math.pi / 2)),
    # d |u| = sign(u) du   (almost everywhere)
    "abs": EntrywiseFunction(
        np.abs, "sign(u)", r"\left| {x} \right|", array_api("abs"), "absolute value",
        at_zero=0.0, smooth=False, range=(0.0, INF), unicode="|{x}|"),
    # d sign(u) = 0        (almost everywhere)
    "sign": EntrywiseFunction(
        np.sign, "0", r"\operatorname{{sign}}\left({x}\right)", array_api("sign"),
        "sign: -1, 0 or 1", at_zero=0.0, smooth=False, monotone="increasing",
        range=(-1.0, 1.0)),
    # d relu(u) = step(u) du   (almost everywhere)
    "relu": EntrywiseFunction(
        _relu, "step(u)", r"\operatorname{{relu}}\left({x}\right)",
        {"numpy": "np.maximum({x}, 0.0)", "jax": "jnp.maximum({x}, 0.0)",
         "torch": "torch.relu({x})"},
        "max(u, 0)", at_zero=0.0, smooth=False, monotone="increasing", range=(0.0, INF)),
    # d step(u) = 0        (almost everywhere); step is Heaviside's, with step(0) = 0
    "step": EntrywiseFunction(
        _step, "0", r"\operatorname{{step}}\left({x}\right)",
        {"numpy": "np.heaviside({x}, 0.0)", "jax": "jnp.heaviside({x}, 0.0)",
         "torch": "({x_} > 0).to(torch.float64)"},
        "Heaviside step: 1 for u > 0, else 0", at_zero=0.0, smooth=False,
        monotone="increasing", range=(0.0, 1.0)),
    # d sqrt(u) = du ./ (2 sqrt(u))
    "sqrt": EntrywiseFunction(
        np.sqrt, "0.5/f", r"\sqrt{{{x}}}", array_api("sqrt"), "square root", at_zero=0.0,
        domain="positive", monotone="increasing", range=(0.0, INF), unicode="√{x_}"),
    # d sigmoid(u) = sigmoid(u) .* (1 - sigmoid(u)) du
    "sigmoid": EntrywiseFunction(
        _sigmoid, "f*(1 - f)", r"\sigma\left({x}\right)",
        # σ(x) = 1 / (1 + exp(-x)): accurate for every x (exp may overflow to inf, with
        # NumPy's warning, for x < -709, and the result is then the correct 0)
        {"numpy": "1 / (1 + np.exp({neg_x}))", "jax": "jax.nn.sigmoid({x})",
         "torch": "torch.sigmoid({x})"},
        "logistic function 1/(1 + exp(-u))", at_zero=0.5, monotone="increasing",
        range=(0.0, 1.0), unicode="σ({x})", letter="s"),
}
