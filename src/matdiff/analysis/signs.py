"""Entry-wise bounds of IR expressions: the sign facts a convexity certificate rests on.

`bounds(e, domains)` returns an interval `(lo, hi)` that holds every entry of `e`
wherever `e` is defined, by rules on its structure alone: the ranges of entry-wise
functions (a monotone function maps the bounds of its argument), even powers and
repeated factors (squares), interval arithmetic for sums and products, and the
declared domain of each variable. It never evaluates numbers at random points, so
what it says holds everywhere; `(-inf, inf)` means "nothing is known".

Each rule that narrows an interval calls `note(rule)`, so a certificate can list them.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any, Callable, Mapping

import numpy as np

from ..ir import (
    Add, Einsum, Elementwise, Expr, Frechet, Identity, MatrixFunction, Number, Ones, Power, Var,
    Zero,
)
from ..functions import DOMAINS, ENTRYWISE, MATRIX

Interval = tuple[float, float]  # the ranges in `functions` are of this kind
Note = Callable[[str], None]
INF = math.inf
UNKNOWN: Interval = (-INF, INF)



def nonnegative(i: Interval) -> bool:
    return i[0] >= 0.0


def nonpositive(i: Interval) -> bool:
    return i[1] <= 0.0


def bounds(e: Expr, domains: Mapping[str, str] | None = None, note: Note | None = None
           ) -> Interval:
    """An interval holding every entry of `e` (see the module docstring)."""
    return _Bounds(domains or {}, note or (lambda rule: None)).of(e)


class _Bounds:
    """Memoised walk; one method per node type."""

    def __init__(self, domains: Mapping[str, str], note: Note):
        self.domains, self.note = domains, note
        self.memo: dict[Expr, Interval] = {}

    def of(self, e: Expr) -> Interval:
        if e not in self.memo:
            self.memo[e] = _RULES[type(e)](self, e)
        return self.memo[e]

    def var(self, e: Var) -> Interval:
        domain = e.domain or self.domains.get(e.name)
        if domain in DOMAINS and DOMAINS[domain].entries != UNKNOWN:
            self.note(f"{e.name} is {domain} (declared domain)")
            return DOMAINS[domain].entries
        return UNKNOWN

    def add(self, e: Add) -> Interval:
        # Σ cᵢ tᵢ ∈ Σ cᵢ [loᵢ, hiᵢ]
        lo = hi = 0.0
        for c, t in e.terms:
            a, b = scaled(c, self.of(t))
            lo, hi = lo + a, hi + b
        if (lo, hi) != UNKNOWN:
            self.note("interval arithmetic on sums")
        return lo, hi

    def elementwise(self, e: Elementwise) -> Interval:
        # a monotone function maps the bounds of its argument; any other gives its range
        facts = ENTRYWISE[e.fn]
        kind, natural = facts.monotone, facts.range
        if kind == "none":
            if natural != UNKNOWN:
                self.note(f"{e.fn}(u) in [{_fmt(natural[0])}, {_fmt(natural[1])}]")
            return natural
        lo, hi = self.of(e.arg)
        fn = facts.numpy
        with np.errstate(all="ignore"):
            ends = (float(fn(lo)), float(fn(hi)))
        if kind == "decreasing":
            ends = ends[::-1]
        image = (_finite_or(ends[0], natural[0]), _finite_or(ends[1], natural[1]))
        image = (max(image[0], natural[0]), min(image[1], natural[1]))
        if image != UNKNOWN:
            self.note(f"{e.fn} is {kind}: {e.fn}(u) in [{_fmt(image[0])}, {_fmt(image[1])}]"
                      if (lo, hi) != UNKNOWN else
                      f"{e.fn}(u) in [{_fmt(image[0])}, {_fmt(image[1])}]")
        return image

    def power(self, e: Power) -> Interval:
        base = self.of(e.base)
        if isinstance(e.exponent, Number):
            p = e.exponent.value
            if p == int(p) and int(p) % 2 == 0:
                self.note("even power u.^(2k) >= 0")
                return even_power(base, p)
            if nonnegative(base):
                return positive_power(base, p)
            return UNKNOWN
        if nonnegative(base):
            self.note("power of a nonnegative base >= 0")
            return 0.0, INF
        return UNKNOWN

    def einsum(self, e: Einsum) -> Interval:
        # an entry is Σ over the summed labels of Π factors; a factor repeated with the
        # same indices an even number of times is a square
        counts = Counter((op, ix) for op, ix in zip(e.operands, e.indices))
        product: Interval = (1.0, 1.0)
        for (op, _), k in counts.items():
            b = self.of(op)
            if k % 2 == 0:
                self.note("a repeated factor u.*u >= 0")
                b = even_power(b, k)
            else:
                b = power_interval(b, k)
            product = multiply(product, b)
        summed = {a for ix in e.indices for a in ix} - set(e.out)
        if not summed:
            return product
        if nonnegative(product):
            self.note("a sum of nonnegative terms >= 0")
            return 0.0, INF
        if nonpositive(product):
            return -INF, 0.0
        return UNKNOWN

    def matrix_function(self, e: MatrixFunction) -> Interval:
        if e.fn in MATRIX and MATRIX[e.fn].range != UNKNOWN:
            lo, hi = MATRIX[e.fn].range
            self.note(f"{e.fn}(u) in [{_fmt(lo)}, {_fmt(hi)}]")
            return lo, hi
        arg = e.arg
        domain = (arg.domain or self.domains.get(arg.name)) if isinstance(arg, Var) else None
        if e.fn == "det" and isinstance(arg, Var) and domain in DOMAINS \
                and DOMAINS[domain].definite is not None:
            self.note(f"det of {domain} {arg.name} >= 0")
            return 0.0, INF
        return UNKNOWN


_RULES: dict[type[Expr], Callable[[_Bounds, Any], Interval]] = {
    Var: _Bounds.var,
    Number: lambda s, e: (e.value, e.value),
    Zero: lambda s, e: (0.0, 0.0),
    Ones: lambda s, e: (1.0, 1.0),
    Identity: lambda s, e: (0.0, 1.0),
    Add: _Bounds.add,
    Elementwise: _Bounds.elementwise,
    Power: _Bounds.power,
    Einsum: _Bounds.einsum,
    MatrixFunction: _Bounds.matrix_function,
    Frechet: lambda s, e: UNKNOWN,  # nothing is known of a Fréchet derivative's entries
}


# --- interval arithmetic ---------------------------------------------------------------


def _fmt(v: float) -> str:
    return {INF: "inf", -INF: "-inf"}.get(v, f"{v:g}")


def _finite_or(v: float, fallback: float) -> float:
    return fallback if math.isnan(v) else v


def _mul(a: float, b: float) -> float:
    """a·b with 0·∞ = 0 (a bound of 0 times an unbounded factor stays 0)."""
    return 0.0 if a == 0.0 or b == 0.0 else a * b


def scaled(c: float, i: Interval) -> Interval:
    a, b = _mul(c, i[0]), _mul(c, i[1])
    return (a, b) if a <= b else (b, a)


def multiply(x: Interval, y: Interval) -> Interval:
    ends = [_mul(a, b) for a in x for b in y]
    return min(ends), max(ends)


def power_interval(i: Interval, k: int) -> Interval:
    out: Interval = (1.0, 1.0)
    for _ in range(k):
        out = multiply(out, i)
    return out


def even_power(i: Interval, p: float) -> Interval:
    """u^p for an even integer p (negative too) over u in i."""
    lo, hi = i
    if p < 0:
        return (0.0, INF) if lo <= 0.0 <= hi else _pow_ends(i, p)
    biggest = max(abs(lo), abs(hi)) ** p
    smallest = 0.0 if lo <= 0.0 <= hi else min(abs(lo), abs(hi)) ** p
    return smallest, biggest


def positive_power(i: Interval, p: float) -> Interval:
    """u^p over u in i, i within [0, ∞)."""
    if p == 0:
        return 1.0, 1.0
    return _pow_ends(i, p)


def _pow_ends(i: Interval, p: float) -> Interval:
    with np.errstate(all="ignore"):
        ends = sorted(float(np.power(abs(v), p)) for v in i)
    return ends[0], ends[1]
