"""The domains a declaration may state: what a variable's values range over.

`x: vector(n) positive`, `P: matrix(n,n) spd`, `y: vector(n) simplex`, `s: vector(n) sign`:
one word after the type, one entry here each, read by every layer that can use it — the
sign bounds of convexity certificates (the interval of every entry), the simplifier (sums
and squares it knows), random points of numeric checks (drawn inside the domain), and the
convexity prover (definite matrices). Without a domain a variable ranges over all reals,
and every result holds for all inputs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

INF = math.inf


@dataclass(frozen=True)
class Domain:
    """What values a variable declared with this word takes."""

    summary: str  # for the reference and error messages
    shape: str  # 'any' | 'vector' | 'square' (a square matrix)
    entries: tuple[float, float]  # every entry lies in this closed interval
    positive: bool = False  # every entry is > 0 (not only >= 0)
    symmetric: bool = False  # the matrix equals its transpose
    definite: str | None = None  # 'psd' | 'pd': a positive (semi)definite matrix
    sum_to_one: bool = False  # the entries sum to one
    square_to_one: bool = False  # every entry squared is one (entries ±1)


DOMAINS: dict[str, Domain] = {
    "positive": Domain("entries > 0", "any", (0.0, INF), positive=True),
    "nonnegative": Domain("entries >= 0", "any", (0.0, INF)),
    "psd": Domain("symmetric positive semidefinite matrix", "square", (-INF, INF),
                  symmetric=True, definite="psd"),
    "spd": Domain("symmetric positive definite matrix", "square", (-INF, INF),
                  symmetric=True, definite="pd"),
    "simplex": Domain("probability vector: entries >= 0 summing to one (one-hot labels too)",
                      "vector", (0.0, 1.0), sum_to_one=True),
    "sign": Domain("entries -1 or +1", "any", (-1.0, 1.0), square_to_one=True),
}
