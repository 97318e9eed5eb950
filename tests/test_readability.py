"""The readability bar, on every public and textbook case with at most two result axes.

In all three layouts, `str(d)` re-parses (md.parse with the case's declarations) to the
same numbers as `d`, in the same orientation (a row vector re-parses as a row).

And it is short. Its size is the plain operator count — operators plus function
applications, counted on the syntax tree of `matdiff.language.parser.parse_text` (each Binary,
Unary, Transpose and Call counts 1) — with no allowance. `expected_form` is the form a
person writes in mixed layout; in mixed layout, at least 90% of the cases of each set
(public corpus, textbook cases) are no longer than it, and none is more than twice as
long. Where another layout transposes the result, the form a person writes there is
`(expected_form)'`, and the same bar holds against that. The test prints the share and
the longest results (`pytest -s` shows them when it passes).
"""

from __future__ import annotations

import numpy as np
import pytest

import matdiff as md
from matdiff.numeric.evaluate import evaluate

from support.formcases import CORPUS, LAYOUTS, TEXTBOOK, case_values, derive, formula_size

SHARE_AT_MOST_EXPECTED = 0.9
WORST_SHOWN = 12
SETS = {"public": CORPUS, "textbook": TEXTBOOK}


def _small(case) -> bool:
    return len(derive(case, "mixed").mixed.dims) <= 2


SMALL = {name: [c for c in cases if _small(c)] for name, cases in SETS.items()}
PAIRS = [(c, layout) for cases in SMALL.values() for c in cases for layout in LAYOUTS]


def expected_in_layout(case, d: md.Derivative) -> str:
    """expected_form as a person writes it in d's layout: transposed where d is."""
    if d.arrangement.transpose or d.arrangement.row:
        return f"({case['expected_form']})'"
    return case["expected_form"]


def reparsed_value(d: md.Derivative, text: str, values: dict, sizes: dict[str, int]):
    """The value of `text` parsed with the function's declarations; the dims that no
    variable fixes (a lone `vector(1)` or `eye`) take the sizes of d's dims."""
    parsed = md.parse(text, d.function.declarations)
    assert (parsed.kind == "row") == d.arrangement.row, f"{text!r}: orientation differs"
    size_of = {s: sizes[s] if isinstance(s, str) else s for s in d.expr.dims}
    bound = {p: size_of[q] for p, q in zip(parsed.dims, d.expr.dims) if isinstance(p, str)}
    return evaluate(parsed.expr, values, bound, context=d.variables)


def _same_numbers(case, d, text: str) -> None:
    for seed in range(2):
        values = case_values(case, d, seed)
        want = np.ravel(np.asarray(d.evaluate(values), dtype=float))
        got = np.ravel(np.asarray(reparsed_value(d, text, values, case["dims"]), dtype=float))
        scale = max(1.0, float(np.abs(want).max(initial=0.0)))
        assert np.allclose(got, want, rtol=1e-9, atol=1e-12 * scale), \
            f"{case['id']} ({d.layout}): {text!r} re-parses to other numbers than {str(d)!r}"


@pytest.mark.parametrize("case,layout", PAIRS, ids=[f"{c['id']}-{lay}" for c, lay in PAIRS])
def test_str_reparses_to_the_same_numbers(case, layout):
    d = derive(case, layout)
    _same_numbers(case, d, str(d))


@pytest.mark.parametrize("case", SMALL["textbook"], ids=[c["id"] for c in SMALL["textbook"]])
def test_textbook_expected_form_is_the_derivative(case):
    """The hand-derived forms are right: each has the numbers of matdiff's derivative."""
    _same_numbers(case, derive(case, "mixed"), case["expected_form"])


def _rows(cases, layouts) -> list[dict]:
    rows = []
    for case in cases:
        for layout in layouts:
            d = derive(case, layout)
            rows.append({"id": case["id"], "layout": layout, "text": str(d),
                         "expected_form": case["expected_form"], "size": formula_size(str(d)),
                         "bar": formula_size(expected_in_layout(case, d))})
    return rows


def _report(name: str, rows: list[dict]) -> tuple[float, list[dict], str]:
    within = [r for r in rows if r["size"] <= r["bar"]]
    over_twice = [r for r in rows if r["size"] > 2 * r["bar"]]
    worst = sorted(rows, key=lambda r: (r["size"] - r["bar"], r["size"]), reverse=True)
    share = len(within) / len(rows)
    lines = [f"{name}: {len(within)}/{len(rows)} = {share:.0%} no longer than the form a "
             f"person writes; over twice as long: {len(over_twice)}; longest:"]
    lines += [f"  {r['id']} [{r['layout']}] size {r['size']} vs {r['bar']}: {r['text']}"
              f"   (expected_form: {r['expected_form']})"
              for r in worst[:WORST_SHOWN] if r["size"] > r["bar"]]
    return share, over_twice, "\n".join(lines)


@pytest.mark.parametrize("name", list(SETS))
@pytest.mark.parametrize("layouts", [("mixed",), LAYOUTS], ids=["mixed", "all-layouts"])
def test_str_is_as_short_as_a_person_writes_it(name, layouts):
    share, over_twice, report = _report(f"{name} {'/'.join(layouts)}",
                                        _rows(SMALL[name], layouts))
    print(report)
    assert share >= SHARE_AT_MOST_EXPECTED and not over_twice, report


def test_size_counts_operators_and_calls():
    assert formula_size("x") == 0
    assert formula_size("2*A'*(A*x - y)") == 5
    assert formula_size("-inv(X)'") == 3
    assert formula_size("diag(exp(x))") == 2
