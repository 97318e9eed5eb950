"""Primary matrix functions (expm, logm, sqrtm, X^p) and their Fréchet derivatives.

One entry per function in `PRIMARY`: its value, the stable first divided difference
f[a, b] of its scalar function (for the Daleckii–Krein form), its derivative f'(X) in the
input language (what L_f(X, I) is), and how it is written. The chain rule is the
calculus's: d f(X) = L_f(X, dX), the IR node `Frechet`.

Numerics of the k-th Fréchet derivative L⁽ᵏ⁾_f(X; E₁, …, E_k):
- symmetric X, k = 1: Daleckii–Krein, L = U (F ∘ (Uᵀ E U)) Uᵀ with X = U diag(λ) Uᵀ and
  F[i, j] = f[λᵢ, λⱼ] (Bhatia, Matrix Analysis, Thm V.3.3); f[λ, λ] = f'(λ) in the limit.
- expm, k = 1: `scipy.linalg.expm_frechet` (Al-Mohy & Higham 2009).
- sqrtm, k = 1: the Sylvester equation S L + L S = E with S = sqrtm(X) (Higham, Functions
  of Matrices, 2008, eq. 6.46), by `scipy.linalg.solve_sylvester`.
- otherwise (logm and X^p at k = 1, every function at k = 2): the block formula
  f([[X, E], [0, X]]) = [[f(X), L_f(X, E)], [0, f(X)]] (Higham 2008, Thm 3.6), applied
  twice for k = 2 (Higham & Relton, SIAM J. Matrix Anal. Appl. 35, 2014, Thm 3.5), with
  scipy's logm / fractional_matrix_power / expm / sqrtm on the block matrix.
A direction with more than two axes (a derivative's identity tensor) is applied slice by
slice over its trailing axes. A value outside the function's real domain (logm, sqrtm of
a matrix with eigenvalues on the closed negative real axis) is NaN, like log(-1).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product as cartesian
from typing import Callable

import numpy as np

MAX_ORDER = 2  # highest Fréchet derivative with numerics (second derivatives of f(X))


def _quotient(xp, top, x, limit):
    """top / x, and `limit` where x = 0."""
    safe = xp.where(x == 0, 1.0, x)
    return xp.where(x == 0, limit, top / safe)


def _dd_exp(a, b, p, xp=np):
    # exp[a,b] = exp((a+b)/2) · sinh(d/2)/(d/2), d = a − b
    h = (a - b) / 2
    return xp.exp((a + b) / 2) * _quotient(xp, xp.sinh(h), h, 1.0)


def _dd_log(a, b, p, xp=np):
    # log[a,b] = log(a/b)/(a−b) = 2·atanh(t)/(a−b), t = (a−b)/(a+b)
    t = (a - b) / (a + b)
    return 2 / (a + b) * _quotient(xp, xp.arctanh(t), t, 1.0)


def _dd_sqrt(a, b, p, xp=np):
    # sqrt[a,b] = 1/(√a + √b)
    return 1 / (xp.sqrt(a) + xp.sqrt(b))


def _dd_pow(a, b, p, xp=np):
    # pow[a,b] = (a^p − b^p)/(a−b) = b^(p−1) · expm1(p·log1p(r))/r, r = (a−b)/b
    r = (a - b) / b
    return b ** (p - 1) * _quotient(xp, xp.expm1(p * xp.log1p(r)), r, p)


def _scipy():
    import scipy.linalg  # a well-kept implementation of every function here

    return scipy.linalg


def _expm(x, p):
    return _scipy().expm(x)


def _logm(x, p):
    return _scipy().logm(x)


def _sqrtm(x, p):
    return _scipy().sqrtm(x)


def _powm(x, p):
    return _scipy().fractional_matrix_power(x, p)


def _frechet_expm(x, e, p):
    return _scipy().expm_frechet(x, e, compute_expm=False)


def _frechet_sqrtm(x, e, p):
    s = _sqrtm(x, p)
    return _scipy().solve_sylvester(s, s, e)


@dataclass(frozen=True)
class PrimaryFunction:
    """A primary matrix function: numerics, the derivative f'(X), and how it is written."""

    value: Callable  # (X, p) -> f(X), any square X in the domain
    scalar: Callable  # (λ, p, xp) -> f(λ), entry-wise, for symmetric X
    divided_difference: Callable  # (a, b, p, xp) -> f[a, b], stable as a → b
    derivative: str  # f'(X) = L_f(X, I) in the input language; {p}, {q}: the power p, p − 1
    positive: bool  # needs eigenvalues off the closed negative real axis
    latex: str  # LaTeX of f(X) with {x} the argument; of L_f: latex_frechet
    latex_frechet: str
    summary: str  # what it is, for the reference
    frechet: Callable | None = None  # (X, E, p) -> L_f(X, E); None: the block formula
    fixes_identity: bool = False  # f(I) = I
    spelled: bool = True  # the input language calls it by name (X^p is written with ^)
    # what every primary function shares with `matrix.MATRIX` entries
    argument: str = "square"
    result: str = "same"
    transpose: str = "commutes"  # f(Xᵀ) = f(X)ᵀ
    keeps_symmetry: bool = True  # f(S) is symmetric for a symmetric S

    @property
    def same_dims(self) -> bool:
        return True

    @property
    def domain(self) -> str:
        return ("square matrix without eigenvalues on the closed negative real axis"
                if self.positive else "square matrix")


PRIMARY: dict[str, PrimaryFunction] = {
    # d expm(X) = L_exp(X, dX); L_exp(X, I) = expm(X)
    "expm": PrimaryFunction(
        _expm, lambda v, p, xp=np: xp.exp(v), _dd_exp, "expm(X)", False,
        r"e^{{{x}}}", r"L_{{\exp}}", "matrix exponential", frechet=_frechet_expm),
    # d logm(X) = L_log(X, dX); L_log(X, I) = inv(X)
    "logm": PrimaryFunction(
        _logm, lambda v, p, xp=np: xp.log(v), _dd_log, "inv(X)", True,
        r"\operatorname{{logm}}\left({x}\right)", r"L_{{\log}}",
        "principal matrix logarithm"),
    # d sqrtm(X) = L_sqrt(X, dX); L_sqrt(X, I) = inv(sqrtm(X))/2
    "sqrtm": PrimaryFunction(
        _sqrtm, lambda v, p, xp=np: xp.sqrt(v), _dd_sqrt, "0.5*inv(sqrtm(X))", True,
        r"{x}^{{1/2}}", r"L_{{\sqrt{{\cdot}}}}", "principal matrix square root",
        frechet=_frechet_sqrtm, fixes_identity=True),
    # d X^p = L_pow(X, dX); L_pow(X, I) = p·X^(p−1)   (X symmetric positive definite)
    "powm": PrimaryFunction(
        _powm, lambda v, p, xp=np: v ** p, _dd_pow, "{p}*X^{q}", True,
        r"{x}^{{{p}}}", r"L_{{(\cdot)^{{{p}}}}}", "principal matrix power X^p, p not an integer",
        fixes_identity=True, spelled=False),
}


def frechet_name(fn: str, order: int) -> str:
    """dexpm, d2expm, …: the name of L⁽ᵏ⁾_f in the input language."""
    return ("d" if order == 1 else f"d{order}") + fn


def parse_frechet_name(name: str) -> tuple[str, int] | None:
    """('expm', 1) for 'dexpm', ('logm', 2) for 'd2logm'; None for other names."""
    for fn in PRIMARY:
        for order in range(1, MAX_ORDER + 1):
            if name == frechet_name(fn, order):
                return fn, order
    return None


# --- numerics ---------------------------------------------------------------------------


def _real(value: np.ndarray) -> np.ndarray:
    """The real matrix, or NaN where the principal value is complex (outside the domain)."""
    value = np.asarray(value)
    if np.iscomplexobj(value):
        scale = max(1.0, float(np.max(np.abs(value), initial=0.0)))
        if not np.all(np.isfinite(value)) or np.max(np.abs(value.imag)) > 1e-8 * scale:
            return np.full(value.shape, np.nan)
        value = value.real
    return np.asarray(value, dtype=float)


def _symmetric(x: np.ndarray) -> bool:
    return bool(np.all(np.isfinite(x))) and np.array_equal(x, x.T)


def _eigen(rule: PrimaryFunction, x: np.ndarray):
    """(λ, U) of a symmetric X, or None when λ is outside the function's domain."""
    lam, u = np.linalg.eigh(x)
    if rule.positive and np.min(lam, initial=np.inf) <= 0:
        return None
    return lam, u


def value(fn: str, x, p: float | None = None) -> np.ndarray:
    """f(X)."""
    rule = PRIMARY[fn]
    x = np.asarray(x, dtype=float)
    if not np.all(np.isfinite(x)):
        return np.full(x.shape, np.nan)
    if _symmetric(x):
        eig = _eigen(rule, x)
        if eig is None:
            return np.full(x.shape, np.nan)
        lam, u = eig
        return (u * rule.scalar(lam, p)) @ u.T
    with np.errstate(all="ignore"):
        try:
            return _real(rule.value(x, p))
        except (ValueError, np.linalg.LinAlgError):
            return np.full(x.shape, np.nan)


def frechet(fn: str, x, directions, p: float | None = None) -> np.ndarray:
    """L⁽ᵏ⁾_f(X; E₁, …, E_k), each Eᵢ of shape (n, n) + extraᵢ, result (n, n) + Σ extraᵢ."""
    x = np.asarray(x, dtype=float)
    directions = [np.asarray(e, dtype=float) for e in directions]
    extra = [e.shape[2:] for e in directions]
    out = np.zeros(x.shape + sum(extra, ()))
    if not np.all(np.isfinite(x)):
        return out * np.nan
    if len(directions) == 1 and _symmetric(x):
        return _daleckii_krein(fn, x, directions[0], p)
    for where in cartesian(*(np.ndindex(*s) for s in extra)):
        slices = [e[(slice(None), slice(None)) + w] for e, w in zip(directions, where)]
        out[(slice(None), slice(None)) + sum(where, ())] = _frechet_matrix(fn, x, slices, p)
    return out


def _daleckii_krein(fn: str, x, e, p) -> np.ndarray:
    """U (F ∘ (Uᵀ E U)) Uᵀ for every slice of E at once; F[i,j] = f[λᵢ, λⱼ]."""
    rule = PRIMARY[fn]
    eig = _eigen(rule, x)
    if eig is None:
        return np.full(e.shape, np.nan)
    lam, u = eig
    with np.errstate(all="ignore"):
        f = rule.divided_difference(lam[:, None], lam[None, :], p)
    inner = np.einsum("ai,ab...,bj->ij...", u, e, u)
    inner *= f.reshape(f.shape + (1,) * (e.ndim - 2))
    return np.einsum("ia,ab...,jb->ij...", u, inner, u)


def _frechet_matrix(fn: str, x, es, p) -> np.ndarray:
    """L⁽ᵏ⁾_f(X; E₁, …, E_k) for matrices Eᵢ."""
    rule = PRIMARY[fn]
    if not all(np.all(np.isfinite(e)) for e in es):
        return np.full(x.shape, np.nan)
    with np.errstate(all="ignore"):
        try:
            if len(es) == 1 and rule.frechet is not None:
                return _real(rule.frechet(x, es[0], p))
            return _block_formula(rule, x, es, p)
        except (ValueError, np.linalg.LinAlgError):  # singular: not a number, like log(0)
            return np.full(x.shape, np.nan)


def _block_formula(rule: PrimaryFunction, x, es, p) -> np.ndarray:
    """The top-right n×n block of f(X_k), X_j = [[X_{j−1}, I⊗E_j], [0, X_{j−1}]], X_0 = X.

    Multilinear in the Eᵢ, so each is scaled to the norm of X first (accuracy)."""
    n = x.shape[0]
    size = max(1.0, float(np.linalg.norm(x, 1)))
    scales = [float(np.linalg.norm(e, 1)) for e in es]
    if min(scales, default=1.0) == 0.0:
        return np.zeros_like(x)
    block = x
    for e, s in zip(es, scales):
        m = block.shape[0]
        lift = np.kron(np.eye(m // n), e * (size / s))
        block = np.block([[block, lift], [np.zeros((m, m)), block]])
    f = _real(rule.value(block, p))
    return f[:n, -n:] * np.prod([s / size for s in scales])
