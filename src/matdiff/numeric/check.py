"""Finite-difference checks: the numeric oracle for every derivative matdiff returns.

`check_derivative(d)` samples a random point (sizes 2, 3, 4, … per dim
symbol; symmetric variables sampled symmetric), compares `d` with central
differences of the function (or of the previous derivative, for higher
orders) and returns a `CheckReport`. By a symmetric matrix the differences are
symmetrized as the derivative is (`calculus.symmetric`). Points come from `sampling`. Points where the function is not finite
are retried with positive entries, then with well-conditioned matrices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from ..calculus.symmetric import applies, symmetrize_array
from ..ir import Expr, Var
from ..pipeline import derive
from .evaluate import evaluate
from .sampling import SAMPLERS, default_sizes, free_sizes, random_point

def central_difference(f: Expr, var: Var, values: Mapping[str, object], context=None,
                       sizes=None,
                       step: float = 1e-6):
    """∂f/∂var by central differences, mixed layout (f's axes, then var's)."""
    x0 = np.asarray(values[var.name], dtype=float)
    base = np.asarray(evaluate(f, values, sizes, context=context), dtype=float)
    out = np.zeros(base.shape + x0.shape)
    for idx in np.ndindex(*x0.shape) if x0.shape else [()]:
        h = step * max(1.0, abs(float(x0[idx])))
        plus, minus = x0.copy(), x0.copy()
        plus[idx] += h
        minus[idx] -= h
        fp = np.asarray(evaluate(f, {**values, var.name: plus}, sizes, context=context),
                        dtype=float)
        fm = np.asarray(evaluate(f, {**values, var.name: minus}, sizes, context=context),
                        dtype=float)
        out[(Ellipsis,) + tuple(idx)] = (fp - fm) / (2 * h)
    return out


@dataclass
class CheckReport:
    """The outcome of a finite-difference check; truthy when it passed."""

    ok: bool
    max_error: float
    values: dict = field(repr=False, default_factory=dict)
    message: str = ""

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        verdict = "OK" if self.ok else "FAILED"
        return f"finite-difference check {verdict}: max relative error {self.max_error:.2e}" + (
            f" ({self.message})" if self.message else "")


def relative_error(a, b) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = max(1.0, float(np.max(np.abs(b))) if b.size else 1.0)
    return float(np.max(np.abs(a - b))) / scale if a.size else 0.0


def check_derivative(d, values=None, *, seed: int = 0, rtol: float = 1e-6) -> CheckReport:
    """Compare d (a Derivative) with finite differences; see the module docstring."""
    rng = np.random.default_rng(seed)
    variables = d.function.variables
    prefix = d.function.expr
    for name in d.wrt[:-1]:
        prefix = derive(prefix, variables[name], d.symmetric)
    last = variables[d.wrt[-1]]
    attempts: list[Any] = [values] if values is not None else [None] * 0
    if values is None:
        attempts = [random_point(variables, rng, how, default_sizes(variables, reverse))
                    for reverse in (False, True) for how in SAMPLERS]
    sizes = free_sizes((d.mixed, prefix), variables)
    message = "the function is not finite at any sampled point"
    for point in attempts:
        with np.errstate(all="ignore"):
            exact = np.asarray(evaluate(d.mixed, point, sizes, context=variables), dtype=float)
            if not np.all(np.isfinite(exact)):
                continue
            numeric = central_difference(prefix, last, point, variables, sizes)
            if applies(last):  # the derivative on symmetric matrices, as `d` gives it
                numeric = symmetrize_array(numeric, d.symmetric)
        if not np.all(np.isfinite(numeric)):
            continue
        err = relative_error(exact, numeric)
        return CheckReport(err <= rtol, err, point, "" if err <= rtol else "mismatch")
    return CheckReport(False, float("nan"), {}, message)


def check_product(p, values=None, *, seed: int = 0, rtol: float = 1e-6) -> CheckReport:
    """Compare a `products.Product` with the finite-difference Jacobian of `p.inner` (∇f for
    an hvp, f otherwise) applied to the direction: J·v, or uᵀJ for a vjp."""
    rng = np.random.default_rng(seed)
    variables = p.function.variables
    x, direction = variables[p.wrt[0]], variables[p.direction]
    attempts = [values] if values is not None else [
        random_point(variables, rng, how, default_sizes(variables, reverse))
        for reverse in (False, True) for how in SAMPLERS]
    for point in attempts:
        with np.errstate(all="ignore"):
            exact = np.asarray(evaluate(p.mixed, point, context=variables), dtype=float)
            if not np.all(np.isfinite(exact)):
                continue
            jacobian = central_difference(p.inner, x, point, variables)
        if not np.all(np.isfinite(jacobian)):
            continue
        d = np.asarray(point[direction.name], dtype=float)
        if p.kind == "vjp":
            numeric = np.tensordot(d, jacobian, axes=d.ndim)
        else:
            numeric = np.tensordot(jacobian, d, axes=(tuple(range(jacobian.ndim - d.ndim,
                                                                 jacobian.ndim)),
                                                      tuple(range(d.ndim))))
        err = relative_error(exact, numeric)
        return CheckReport(err <= rtol, err, point, "" if err <= rtol else "mismatch")
    return CheckReport(False, float("nan"), {}, "the function is not finite at any sampled point")
