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
order in every layout but one: the vec layout of Magnus & Neudecker gives
∂vec(F)/∂vec(X)ᵀ, always a matrix (rows: F's entries, or those of the
previous derivative, stacked column by column; columns: the last variable's),
for F and X of at most two axes each (`vecform.py` prints it).
"""

from __future__ import annotations

from dataclasses import dataclass

from .build import transpose
from .errors import MatdiffError
from .ir import Expr

LAYOUTS = ("mixed", "numerator", "denominator", "vec")


@dataclass(frozen=True)
class Arrangement:
    """How to present a mixed-layout result: transpose it? show a vector as a row?"""

    transpose: bool = False
    row: bool = False
    note: str = ""
    vec: tuple[int, int] | None = None  # vec layout: (axes stacked in rows, in columns)


def arrangement(out_rank: int, wrt_rank: int, layout: str, order: int = 1,
                last_rank: int | None = None) -> Arrangement:
    """The arrangement of ∂(out)/∂(wrt) in `layout`; `last_rank`: the axes of the last
    variable differentiated by (all of wrt's when None)."""
    if layout not in LAYOUTS:
        raise MatdiffError(f"unknown layout '{layout}'; choose one of {', '.join(LAYOUTS)}")
    if layout == "vec":
        cols = wrt_rank if last_rank is None else last_rank
        rows = out_rank + wrt_rank - cols
        if rows <= 2 and cols <= 2:
            return Arrangement(vec=(rows, cols))
        return Arrangement(note="vec layout is defined for a function and a variable of at "
                           "most two axes each; shown in mixed order: output axes, then input "
                           "axes")
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
