"""The library of built-in names: every built-in function of the input language, one table
entry each, with everything matdiff knows about it (numerics, derivative, range, how it is
written and generated), and the domain words of declarations (`domains.py`). Nothing here
builds IR: the layers above read these facts.

- `ENTRYWISE` (`entrywise.py`): scalar functions applied to every entry (exp, sigmoid, …);
- `MATRIX` (`matrix.py`): inv, det, logdet, softmax, logsumexp;
- `PRIMARY` (`primary.py`): expm, logm, sqrtm and X^p, with their Fréchet derivatives
  dexpm(X, E), d2expm(X, E, F), …;
- `STRUCTURAL` (`structural.py`): sum, mean, tr, diag, norm1, norm2;
- `DOMAINS` (`domains.py`): positive, nonnegative, psd, spd, simplex, sign.

The names the parser knows are these tables' keys:

    >>> from matdiff.functions import ARITY, KNOWN_FUNCTIONS
    >>> "sigmoid" in KNOWN_FUNCTIONS, ARITY["dexpm"], ARITY["dpowm"]
    (True, 2, 3)
"""

from __future__ import annotations

from .domains import DOMAINS, Domain
from .entrywise import ENTRYWISE, EntrywiseFunction, Interval
from .matrix import MATRIX, MatrixFunction
from .primary import MAX_ORDER, PRIMARY, PrimaryFunction, frechet_name, parse_frechet_name
from .structural import LITERAL_ARG_FUNCTIONS, NAMED_CONSTANTS, STRUCTURAL, StructuralFunction

# Fréchet derivatives of the primary matrix functions take the point and one direction per
# order, dexpm(X, E), d2expm(X, E, F); the power's carries its exponent last, dpowm(X, E, p).
FRECHET: dict[str, tuple[str, int]] = {
    frechet_name(fn, order): (fn, order) for fn in PRIMARY for order in range(1, MAX_ORDER + 1)}
ARITY: dict[str, int] = {
    name: order + 1 + (fn == "powm") for name, (fn, order) in FRECHET.items()}
KNOWN_FUNCTIONS: frozenset[str] = frozenset(
    [*ENTRYWISE, *MATRIX, *(f for f, e in PRIMARY.items() if e.spelled), *STRUCTURAL, *FRECHET,
     *LITERAL_ARG_FUNCTIONS])


def arity(name: str) -> int:
    """How many arguments the function takes (one, but for Fréchet derivatives)."""
    return ARITY.get(name, 1)


def whole_matrix(name: str) -> MatrixFunction | PrimaryFunction | None:
    """The entry of a function of a whole matrix or vector (inv, softmax, expm, …), or None."""
    return MATRIX.get(name) or PRIMARY.get(name)


__all__ = [
    "ARITY", "DOMAINS", "Domain", "ENTRYWISE", "EntrywiseFunction", "FRECHET", "Interval",
    "KNOWN_FUNCTIONS", "LITERAL_ARG_FUNCTIONS", "MATRIX", "MAX_ORDER", "MatrixFunction", "NAMED_CONSTANTS",
    "PRIMARY", "PrimaryFunction", "STRUCTURAL", "StructuralFunction", "arity",
    "frechet_name", "parse_frechet_name", "whole_matrix",
]
