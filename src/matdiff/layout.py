"""Layout conventions: how a mixed-layout derivative is arranged for the user.

Internally every derivative is mixed: output axes, then input axes (as
`jax.jacobian`). Numerator layout (Parr & Howard) and denominator layout
(MIT 6.390) differ from it only for results with at most two axes:

| derivative   | mixed | numerator | denominator |
|--------------|-------|-----------|-------------|
| ∂s/∂v        | n     | 1×n       | n           |
| ∂w/∂s        | m     | m         | 1×m         |
| ∂w/∂v        | m×n   | m×n       | n×m         |
| ∂M/∂s        | r×k   | r×k       | k×r         |
| ∂s/∂M        | r×k   | k×r       | r×k         |

Results with three or more axes, and second derivatives, keep the mixed
order in every layout.
"""

from __future__ import annotations

from dataclasses import dataclass

from .build import transpose
from .errors import MatdiffError
from .ir import Expr

LAYOUTS = ("mixed", "numerator", "denominator")


@dataclass(frozen=True)
class Arrangement:
    """How to present a mixed-layout result: transpose it? show a vector as a row?"""

    transpose: bool = False
    row: bool = False
    note: str = ""


def arrangement(out_rank: int, wrt_rank: int, layout: str, order: int = 1) -> Arrangement:
    """The arrangement of ∂(out)/∂(wrt) in `layout`."""
    if layout not in LAYOUTS:
        raise MatdiffError(f"unknown layout '{layout}'; choose one of {', '.join(LAYOUTS)}")
    if out_rank + wrt_rank > 2 or order > 1:
        note = "" if layout == "mixed" else (
            f"{layout} layout is defined for results with at most two axes; "
            "shown in mixed order: output axes, then input axes")
        return Arrangement(note=note)
    table = {
        ("numerator", 0, 1): Arrangement(row=True),
        ("denominator", 1, 0): Arrangement(row=True),
        ("denominator", 1, 1): Arrangement(transpose=True),
        ("denominator", 2, 0): Arrangement(transpose=True),
        ("numerator", 0, 2): Arrangement(transpose=True),
    }
    return table.get((layout, out_rank, wrt_rank), Arrangement())


def arrange(mixed: Expr, how: Arrangement) -> Expr:
    """The IR in the arranged axis order (a row vector stays 1-D; `how.row` marks it)."""
    return transpose(mixed) if how.transpose else mixed
