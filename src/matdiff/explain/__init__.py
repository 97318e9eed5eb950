"""Step-by-step derivations that teach the way the seeds do (Parr & Howard, MIT 6.390 A.9).

    >>> import matdiff as md
    >>> d = md.derivative("sin(x^2)", wrt="x", vars={"x": "scalar"})
    >>> print(d.explain().splitlines()[-1])  # text; also "markdown" (LaTeX) and "json"
       du2/dx = 2*x*cos(x^2)    [1×1; substitute the intermediates back]

`explain_steps(d).steps` are the structured steps, each with its IR.

Modules: `decompose` (intermediate variables), `local` (their derivatives),
`chain` (the chain rule), `derive` (the four steps), `output` (formats).
"""

from __future__ import annotations

from ..errors import MatdiffError
from .derive import Explanation
from .output import FORMATS
from .stages import explain_steps
from .steps import Check, Partial, Step


def explain(d, format: str = "text") -> str:
    """The derivation of `d` as 'text', 'markdown' or 'json' (always a str)."""
    if format not in FORMATS:
        raise MatdiffError(f"unknown explain format '{format}'; choose one of "
                           + ", ".join(FORMATS))
    return FORMATS[format](explain_steps(d))


__all__ = ["Check", "Explanation", "Partial", "Step", "explain", "explain_steps"]
