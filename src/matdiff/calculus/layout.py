"""Layout conventions: how a mixed-layout derivative is arranged for the user.

Internally every derivative is mixed: output axes, then input axes (as
`jax.jacobian`), a vector being 1-D. Numerator layout (Parr & Howard) and
denominator layout (MIT 6.390) are matrix conventions: a vector is always a
2-D column (n×1) or row (1×n), and first derivatives with at most two axes are
arranged as follows:

| derivative   | mixed | numerator | denominator |
|--------------|-------|-----------|-------------|
| ∂s/∂v        | n     | 1×n       | n×1         |
| ∂w/∂s        | m     | m×1       | 1×m         |
| ∂w/∂v        | m×n   | m×n       | n×m         |
| ∂M/∂s        | r×k   | r×k       | k×r         |
| ∂s/∂M        | r×k   | k×r       | r×k         |

Results with three or more axes, and second derivatives, keep the mixed
order in every layout (a 1-D one is a column in the matrix layouts) but one:
the vec layout of Magnus & Neudecker gives ∂vec(F)/∂vec(X)ᵀ, always a matrix
(rows: F's entries, or those of the previous derivative, stacked column by
column; columns: the last variable's), for F and X of at most two axes each
(`vecform.py` prints it).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..ir.build import transpose
from ..errors import MatdiffError
from ..ir import Expr

LAYOUTS = ("mixed", "numerator", "denominator", "vec")


@dataclass(frozen=True)
class Arrangement:
    """How to present a mixed-layout result: transpose it? a vector as a row, a column?"""

    transpose: bool = False
    row: bool = False  # a 1-D result is shown and returned as a 1×n row
    column: bool = False  # a 1-D result is returned as an n×1 matrix (matrix layouts)
    note: str = ""
    vec: tuple[int, int] | None = None  # vec layout: (axes stacked in rows, in columns)

    @property
    def orientation(self) -> str | None:
        """'row', 'col' (a 1-D result returned 2-D) or None (kept 1-D, as in mixed)."""
        return "row" if self.row else "col" if self.column else None


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
    column = layout != "mixed" and out_rank + wrt_rank == 1
    if out_rank + wrt_rank > 2 or order > 1:
        note = "" if layout == "mixed" else (
            f"{layout} layout is defined for results with at most two axes; "
            "shown in mixed order: output axes, then input axes")
        return Arrangement(column=column, note=note)
    table = {
        ("numerator", 0, 1): Arrangement(row=True),
        ("denominator", 1, 0): Arrangement(row=True),
        ("denominator", 1, 1): Arrangement(transpose=True),
        ("denominator", 2, 0): Arrangement(transpose=True),
        ("numerator", 0, 2): Arrangement(transpose=True),
    }
    return table.get((layout, out_rank, wrt_rank), Arrangement(column=column))


def arrange(mixed: Expr, how: Arrangement) -> Expr:
    """The IR in the arranged axis order (a row vector stays 1-D; `how.row` marks it)."""
    return transpose(mixed) if how.transpose else mixed
