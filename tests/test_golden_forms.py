"""Golden files: the text, Unicode and LaTeX of every public and textbook case's derivative,
per layout.

A changed form fails here until the golden is regenerated and the diff reviewed:

    MATDIFF_UPDATE_GOLDENS=1 python -m pytest tests/test_golden_forms.py

The goldens themselves are checked elsewhere: LaTeX renders with KaTeX
(test_katex.py), text re-parses to the same numbers and is small (test_readability.py).
"""

from __future__ import annotations

import difflib
import os

import pytest

from support.formcases import CORPUS, GOLDEN_DIR, TEXTBOOK, golden_path, golden_text

UPDATE = os.environ.get("MATDIFF_UPDATE_GOLDENS") == "1"
HOW_TO_UPDATE = "MATDIFF_UPDATE_GOLDENS=1 python -m pytest tests/test_golden_forms.py"
CASES = CORPUS + TEXTBOOK


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_forms_match_golden(case):
    path, current = golden_path(case), golden_text(case)
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text() != current:
            path.write_text(current)
        return
    assert path.exists(), f"no golden file {path.name}; create it with: {HOW_TO_UPDATE}"
    golden = path.read_text()
    if golden != current:
        diff = "".join(difflib.unified_diff(golden.splitlines(True), current.splitlines(True),
                                            "golden", "current"))
        pytest.fail(f"{case['id']}: printed forms changed; review, then {HOW_TO_UPDATE}\n{diff}",
                    pytrace=False)


def test_no_stale_goldens():
    """Every golden file belongs to a case (an update removes the others)."""
    ids = {c["id"] for c in CASES}
    stale = sorted(p for p in GOLDEN_DIR.glob("*.txt") if p.stem not in ids)
    if UPDATE:
        for p in stale:
            p.unlink()
        return
    assert not stale, f"golden files without a corpus case: {[p.name for p in stale]}"
