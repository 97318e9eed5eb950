"""The readability bar of issue 3, on every public case with at most two result axes.

In all three layouts, `str(d)`:
- re-parses (md.parse with the case's declarations) to the same numbers as `d`, in the
  same orientation (a row vector re-parses as a row);
- is small: its size — operators plus function applications, counted on the syntax tree
  of `matdiff.parser.parse_text` (each Binary, Unary, Transpose and Call counts 1) — is at
  most the size of the case's `expected_form` in at least 90% of the (case, layout)
  pairs and never more than twice it.

`expected_form` is written in mixed layout. Where a layout transposes the result (or
shows a vector as a row), the answer a person would write there is `(expected_form)'`,
so the bar is the size of expected_form plus one.
"""

from __future__ import annotations

import numpy as np
import pytest

import matdiff as md
from matdiff.evaluate import evaluate

from formcases import CORPUS, LAYOUTS, case_values, derive, formula_size

SHARE_AT_MOST_EXPECTED = 0.9
WORST_SHOWN = 12


def _small(case) -> bool:
    return len(derive(case, "mixed").mixed.dims) <= 2


SMALL = [c for c in CORPUS if _small(c)]
PAIRS = [(c, layout) for c in SMALL for layout in LAYOUTS]


def _sizes(case, d: md.Derivative) -> dict[str, int]:
    """Its size, expected_form's, and the bar in this layout."""
    expected = formula_size(case["expected_form"])
    moved = d.arrangement.transpose or d.arrangement.row
    return {"size": formula_size(str(d)), "expected": expected, "bar": expected + moved}


def reparsed_value(d: md.Derivative, text: str, values: dict, sizes: dict[str, int]):
    """The value of `text` parsed with the function's declarations; the dims that no
    variable fixes (a lone `vector(1)` or `eye`) take the sizes of d's dims."""
    parsed = md.parse(text, d.function.declarations)
    assert (parsed.kind == "row") == d.arrangement.row, f"{text!r}: orientation differs"
    size_of = {s: sizes[s] if isinstance(s, str) else s for s in d.expr.dims}
    bound = {p: size_of[q] for p, q in zip(parsed.dims, d.expr.dims) if isinstance(p, str)}
    return evaluate(parsed.expr, values, bound, context=d.variables)


@pytest.mark.parametrize("case,layout", PAIRS, ids=[f"{c['id']}-{lay}" for c, lay in PAIRS])
def test_str_reparses_to_the_same_numbers(case, layout):
    d = derive(case, layout)
    for seed in range(2):
        values = case_values(case, d, seed)
        want = np.ravel(np.asarray(d.evaluate(values), dtype=float))
        got = np.ravel(np.asarray(reparsed_value(d, str(d), values, case["dims"]), dtype=float))
        scale = max(1.0, float(np.abs(want).max(initial=0.0)))
        assert np.allclose(got, want, rtol=1e-9, atol=1e-12 * scale), \
            f"{case['id']} ({layout}): {str(d)!r} re-parses to other numbers"


def test_str_is_as_small_as_expected_form():
    rows = []
    for case, layout in PAIRS:
        d = derive(case, layout)
        rows.append({"id": case["id"], "layout": layout, "text": str(d),
                     "expected_form": case["expected_form"], **_sizes(case, d)})
    within = [r for r in rows if r["size"] <= r["bar"]]
    over_twice = [r for r in rows if r["size"] > 2 * r["bar"]]
    worst = sorted(rows, key=lambda r: (r["size"] - r["bar"], r["size"]), reverse=True)
    report = "\n".join(
        f"  {r['id']} [{r['layout']}] size {r['size']} vs bar {r['bar']}: {r['text']}"
        f"   (expected_form: {r['expected_form']})" for r in worst[:WORST_SHOWN])
    share = len(within) / len(rows)
    assert share >= SHARE_AT_MOST_EXPECTED and not over_twice, (
        f"{len(within)}/{len(rows)} = {share:.0%} within the bar (need "
        f"{SHARE_AT_MOST_EXPECTED:.0%}); over twice the bar: {len(over_twice)}\n"
        f"worst:\n{report}")


def test_size_counts_operators_and_calls():
    assert formula_size("x") == 0
    assert formula_size("2*A'*(A*x - y)") == 5
    assert formula_size("-inv(X)'") == 3
    assert formula_size("diag(exp(x))") == 2
