"""Random points for numeric checks: sizes for every dim, and a value for every variable.

One sampler serves the finite-difference checks and the search for counterexamples to
convexity: 'normal' entries, 'positive' ones (uniform in `positive`, a range), or 'spd'
square matrices (symmetric positive definite); a variable declared symmetric is sampled
symmetric, and one declared with a domain (`functions.DOMAINS`) always inside it:
probability vectors for `simplex`, entries ±1 for `sign`.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from ..ir import Dim, Var, walk

POSITIVE = (0.5, 2.0)  # the range of 'positive' entries, unless a caller asks for another
# how a variable declared with a domain is drawn, whatever the caller asks
_INSIDE = {"positive": "positive", "nonnegative": "positive", "psd": "spd", "spd": "spd",
           "simplex": "simplex", "sign": "sign"}
SAMPLERS = ("normal", "positive", "spd")


def default_sizes(variables: Mapping[str, Var], reverse: bool = False) -> dict[Dim, int]:
    """Distinct small sizes per dim symbol, so a transposition bug cannot hide.

    `reverse` hands them out the other way round: X'*X is singular when X is 2×3,
    not when it is 3×2."""
    symbols = []
    for var in variables.values():
        symbols += [d for d in var.dims if isinstance(d, str) and d not in symbols]
    sizes = [2 + k for k in range(len(symbols))]
    return dict(zip(symbols, reversed(sizes) if reverse else sizes))


def free_sizes(exprs, variables: Mapping[str, Var]) -> dict[Dim, int]:
    """Sizes for dims that no variable fixes (`tr(eye)` is n), distinct from the others."""
    fixed = {d for v in variables.values() for d in v.dims}
    free = []
    for e in exprs:
        free += [d for n in walk(e) for d in n.dims
                 if isinstance(d, str) and d not in fixed and d not in free]
    return {d: 2 + len(fixed) + k for k, d in enumerate(free)}


def sample(var: Var, sizes: Mapping[Dim, int], how: str, rng: np.random.Generator,
           positive: tuple[float, float] = POSITIVE):
    """A random value for `var`: 'normal', 'positive' entries (uniform in `positive`), or
    'spd' square matrices."""
    shape = tuple(d if isinstance(d, int) else sizes[d] for d in var.dims)
    square = len(shape) == 2 and shape[0] == shape[1]
    how = _INSIDE.get(var.domain, how) if var.domain else how
    if how == "simplex":
        return rng.dirichlet(np.ones(shape[0]))
    if how == "sign":
        value = rng.choice([-1.0, 1.0], shape)
        return float(value) if not shape else value
    if how == "spd" and square:
        m = rng.standard_normal(shape)
        return m @ m.T / shape[0] + np.eye(shape[0])
    if how in ("positive", "spd"):
        value = rng.uniform(*positive, shape)
    else:
        value = rng.standard_normal(shape)
    if var.symmetric and square:
        value = (value + value.T) / 2
    return float(value) if not shape else value


def random_point(variables: Mapping[str, Var], rng, how: str = "normal", sizes=None) -> dict:
    sizes = sizes or default_sizes(variables)
    return {name: sample(v, sizes, how, rng) for name, v in variables.items()}
