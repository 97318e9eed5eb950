"""Counterexamples to convexity: sampled points where the Hessian has a negative eigenvalue.

`search(...)` evaluates the Hessian (generated NumPy code, small sizes) at random
points drawn from each variable's domain, and keeps the first point with a negative
(and the first with a positive) eigenvalue. Nothing is reported unless it re-checks
twice, independently of the generated code: the reference evaluator gives the same
curvature along the eigenvector, and the function's own second difference
f(x + t·v) + f(x - t·v) - 2 f(x) has that sign and size. A variable that ranges over
symmetric matrices is probed in symmetric directions only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from ..codegen import Options, generate
from ..codegen.names import sanitize
from ..errors import MatdiffError
from ..ir import Expr, Var
from ..numeric.evaluate import evaluate
from ..numeric.sampling import default_sizes, sample

SAMPLING_MODES = ("normal", "wide", "positive")  # undeclared variables: N(0,1), N(0,9), (0.05, 3)
WIDE_POSITIVE = (0.05, 3.0)  # positive entries, spread wider than the checks' (0.5, 2)
SYMMETRIC_DOMAINS = ("psd", "spd")


@dataclass(frozen=True)
class Counterexample:
    """A point, the Hessian's eigenvalue there, and its eigenvector (in the variable's shape)."""

    point: dict
    eigenvalue: float
    direction: np.ndarray | float

    def to_dict(self) -> dict:
        return {"point": {k: np.asarray(v).tolist() for k, v in self.point.items()},
                "eigenvalue": self.eigenvalue,
                "direction": np.asarray(self.direction).tolist()}


def symmetric_directions(var: Var, domains: Mapping[str, str]) -> bool:
    return len(var.dims) == 2 and (var.symmetric or domains.get(var.name) in SYMMETRIC_DOMAINS)


def search(f: Expr, h: Expr, variables: Mapping[str, Var], wrt: str, domains: Mapping[str, str],
           samples: int = 200, seed: int = 0) -> tuple[Counterexample | None,
                                                       Counterexample | None]:
    """(a point with a negative eigenvalue, a point with a positive one); None where none."""
    hessian_at = probe(h, variables)
    var = variables[wrt]
    found: list[Counterexample | None] = [None, None]
    for sizes, point in random_points(variables, domains, samples, seed):
        if all(found):
            break
        hess = hessian_at(point)
        if hess is None:
            continue
        basis = direction_basis(var, sizes, symmetric_directions(var, domains))
        values, vectors = np.linalg.eigh(basis.T @ hess @ basis)
        for slot, pick, sign in ((0, 0, -1.0), (1, -1, 1.0)):
            if found[slot] is None and sign * values[pick] > _tolerance(hess):
                found[slot] = confirm(f, h, variables, var, point, basis @ vectors[:, pick])
    return found[0], found[1]


def _tolerance(hess: np.ndarray) -> float:
    return 1e-6 * max(1.0, float(np.max(np.abs(hess))))


def probe(h: Expr, variables: Mapping[str, Var]):
    """point -> the Hessian as an N×N symmetric matrix, or None where it is not finite."""
    compute = _hessian_function(h, variables)

    def hessian_at(point):
        with np.errstate(all="ignore"):
            try:
                value = np.asarray(compute(point), float)
            except (ValueError, np.linalg.LinAlgError, FloatingPointError):
                return None
        if not np.all(np.isfinite(value)):
            return None
        size = int(round(np.sqrt(value.size)))
        square = value.reshape(size, size)
        return (square + square.T) / 2

    return hessian_at


def _hessian_function(h: Expr, variables: Mapping[str, Var]):
    """Generated NumPy code for h (fast); the reference evaluator where there is none."""
    try:
        program = generate([("hessian", h, None)], variables, "numpy", "hessian",
                           Options(False, {})).compile()
    except (MatdiffError, TypeError):
        return lambda point: evaluate(h, point, context=variables)
    return lambda point: program(**{sanitize(k): v for k, v in point.items()})


def random_points(variables: Mapping[str, Var], domains: Mapping[str, str], count: int,
                  seed: int = 0):
    """`count` random (sizes, point) pairs: small sizes, each variable drawn from its domain."""
    rng = np.random.default_rng(seed)
    for n in range(count):
        sizes = default_sizes(variables, reverse=n % 2 == 1)
        yield sizes, {name: sample_value(v, domains.get(name, "real"), sizes, rng,
                                         SAMPLING_MODES[n % 3]) for name, v in variables.items()}


def sample_value(var: Var, domain: str, sizes, rng, mode: str):
    """A random value of `var` in its domain; `mode` varies undeclared (real) variables."""
    if var.domain is not None or domain != "real" or mode == "positive":
        # `sample` draws a declared variable inside its domain; positive entries spread wide
        how = {"spd": "spd", "psd": "spd"}.get(domain, "positive")
        return sample(var, sizes, how, rng, WIDE_POSITIVE)
    value = sample(var, sizes, "normal", rng)
    return value * 3.0 if mode == "wide" else value


def direction_basis(var: Var, sizes, symmetric: bool) -> np.ndarray:
    """Orthonormal directions (columns, flattened): all, or the symmetric matrices."""
    shape = tuple(d if isinstance(d, int) else sizes[d] for d in var.dims)
    total = int(np.prod(shape)) if shape else 1
    if not symmetric:
        return np.eye(total)
    n = shape[0]
    columns = []
    for i in range(n):
        for j in range(i, n):
            e = np.zeros((n, n))
            e[i, j] = e[j, i] = 1.0 if i == j else 1.0 / np.sqrt(2.0)
            columns.append(e.ravel())
    return np.array(columns).T


def confirm(f: Expr, h: Expr, variables, var: Var, point: dict,
            direction: np.ndarray) -> Counterexample | None:
    """The curvature along `direction`, re-checked (see the module docstring); None if not."""
    x0 = np.asarray(point[var.name], dtype=float)
    v = direction.reshape(x0.shape) if x0.shape else float(direction[0])
    with np.errstate(all="ignore"):
        hess = np.asarray(evaluate(h, point, context=variables), float)
    flat = np.ravel(v)
    curvature = float(flat @ hess.reshape(flat.size, flat.size) @ flat)
    if not np.isfinite(curvature) or abs(curvature) <= _tolerance(hess):
        return None
    for t in (1e-2, 1e-3, 1e-4):
        second = _second_difference(f, variables, point, var.name, v, t)
        if np.isfinite(second) and abs(second - curvature) <= 0.05 * abs(curvature):
            return Counterexample(point, curvature, v)
    return None


def _second_difference(f: Expr, variables, point: dict, name: str, v, t: float) -> float:
    """(f(x + t v) + f(x - t v) - 2 f(x)) / t², the curvature of f along v."""
    x0 = np.asarray(point[name], dtype=float)

    def at(x):
        with np.errstate(all="ignore"):
            return float(evaluate(f, {**point, name: x}, context=variables))

    return (at(x0 + t * v) + at(x0 - t * v) - 2 * at(x0)) / t ** 2
