"""Functions of a square matrix or of a vector that are not entry-wise: inv, det, logdet,
softmax, logsumexp. One entry each, everything matdiff knows about the function.

The derivative is the differential written in the input language, linear in `dX` (or
`du`): d inv(X) = -inv(X)*dX*inv(X). The calculus binds X to the argument and dX to the
argument's derivative, whatever axes that has. The primary matrix functions (expm, logm,
sqrtm, X^p), whose derivatives are Fréchet derivatives, are in `primary.py`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np

INF = math.inf
Interval = tuple[float, float]
ALL_REALS: Interval = (-INF, INF)


def _inv(x):
    try:
        return np.linalg.inv(x)
    except np.linalg.LinAlgError:  # singular: not a number, like log of a negative
        return np.full(np.shape(x), np.nan)


def _logdet(x):
    return np.linalg.slogdet(x)[1]  # log|det X|: its gradient inv(X)ᵀ holds for either sign


def _softmax(x):
    z = np.exp(x - np.max(x))
    return z / np.sum(z)


def _logsumexp(x):
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


@dataclass(frozen=True)
class MatrixFunction:
    """A function of a whole square matrix ('square') or vector ('vector')."""

    argument: str  # 'square' | 'vector'
    result: str  # 'same': the argument's dims | 'scalar'
    numpy: Callable
    differential: str  # d f in the input language, linear in dX (square) or du (vector)
    latex: str  # LaTeX of f(x), {x} the argument
    code: Mapping[str, str | tuple[str, ...]]  # per target; a tuple: statements into {out}
    summary: str  # what it is, for the reference
    domain: str  # where it is defined, in words
    transpose: str | None = None  # 'commutes': f(Xᵀ) = f(X)ᵀ; 'invariant': f(Xᵀ) = f(X)
    keeps_symmetry: bool = False  # f(S) is symmetric for a symmetric S
    fixes_identity: bool = False  # f(I) = I
    at_zero: str | None = None  # f(0): 'uniform' (𝟙/n) | 'log-length' (log n)
    range: Interval = ALL_REALS  # every entry of f lies in it
    unicode: str = "{name}({x})"
    letter: str | None = None  # customary name of f(u) when a display names it

    @property
    def same_dims(self) -> bool:
        return self.result == "same"


MATRIX: dict[str, MatrixFunction] = {
    "inv": MatrixFunction(
        "square", "same", _inv, "-inv(X)*dX*inv(X)", r"\operatorname{{inv}}\left({x}\right)",
        {"numpy": "np.linalg.inv({x})", "jax": "jnp.linalg.inv({x})",
         "torch": "torch.linalg.inv({x})"},
        "inverse", "invertible square matrix", transpose="commutes", keeps_symmetry=True,
        fixes_identity=True),
    "det": MatrixFunction(
        "square", "scalar", np.linalg.det, "det(X)*tr(inv(X)*dX)", r"\det\left({x}\right)",
        {"numpy": "np.linalg.det({x})", "jax": "jnp.linalg.det({x})",
         "torch": "torch.linalg.det({x})"},
        "determinant", "square matrix", transpose="invariant"),
    "logdet": MatrixFunction(
        "square", "scalar", _logdet, "tr(inv(X)*dX)", r"\log\det\left({x}\right)",
        {"numpy": "np.linalg.slogdet({x})[1]",  # log |det X|
         "jax": "jnp.linalg.slogdet({x})[1]", "torch": "torch.linalg.slogdet({x})[1]"},
        "log |det X|", "invertible square matrix", transpose="invariant"),
    "softmax": MatrixFunction(
        "vector", "same", _softmax, "softmax(u).*du - softmax(u)*(softmax(u)'*du)",
        r"\operatorname{{softmax}}\left({x}\right)",
        {"numpy": ("{out} = np.exp({x} - np.max({x}))", "{out} = {out} / np.sum({out})"),
         "jax": "jax.nn.softmax({x})", "torch": "torch.softmax({x}, dim=0)"},
        "exp(u) ./ sum(exp(u))", "vector", at_zero="uniform", range=(0.0, 1.0), letter="p"),
    "logsumexp": MatrixFunction(
        "vector", "scalar", _logsumexp, "softmax(u)'*du",
        r"\operatorname{{logsumexp}}\left({x}\right)",
        {"numpy": ("{out} = np.max({x})", "{out} = {out} + np.log(np.sum(np.exp({x} - {out})))"),
         "jax": "jax.nn.logsumexp({x})", "torch": "torch.logsumexp({x}, dim=0)"},
        "log(sum(exp(u)))", "vector", at_zero="log-length"),
}
