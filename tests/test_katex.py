"""Every LaTeX golden, every LaTeX style case, and the LaTeX of random results, renders
with KaTeX.

KaTeX comes from npm (package.json, `npm ci`); tests/katex_render.js renders all strings
in one node process with throwOnError and strict mode "error". Skipped only when node is
not installed; a missing KaTeX is a failure.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matdiff as md

from support.exprgen import VARS, expressions, variables_in
from support.formcases import (
    CORPUS, LAYOUTS, TEXTBOOK, golden_path, katex_errors, latex_lines, node_executable,
)
from test_render_styles import CASES as STYLE_CASES

pytestmark = pytest.mark.skipif(node_executable() is None,
                                reason="node is not installed: KaTeX cannot run")


def generated_latex(count: int = 60) -> list[tuple[str, str]]:
    """(what, latex) of random expressions and of their derivatives in random layouts."""
    found: list[tuple[str, str]] = []

    @settings(max_examples=count, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(text=expressions(), data=st.data())
    def collect(text, data):
        e = md.parse(text, VARS)
        found.append((text, e.latex()))
        names = variables_in(text)
        if names:
            wrt = data.draw(st.sampled_from(names))
            layout = data.draw(st.sampled_from(LAYOUTS + ("vec",)))
            d = md.derivative(text, wrt, VARS, layout)
            found.append((f"d/d{wrt} {text} ({layout})", d.latex()))

    with np.errstate(all="ignore"):
        collect()
    return found


def test_goldens_and_random_results_render_with_katex():
    sources = []
    for case in CORPUS + TEXTBOOK:
        path = golden_path(case)
        assert path.exists(), f"missing golden {path.name}"
        sources += [(path.name, s) for s in latex_lines(path.read_text())]
    assert len(sources) == 3 * len(CORPUS + TEXTBOOK)
    sources += [(f"style case {name}", latex) for name, (*_, latex) in STYLE_CASES.items()]
    sources += generated_latex()
    errors = katex_errors([s for _, s in sources])
    failed = [f"{what}: {latex}\n    {err}" for (what, latex), err in zip(sources, errors) if err]
    assert not failed, f"{len(failed)} LaTeX strings KaTeX rejects:\n" + "\n".join(failed)


def test_katex_rejects_what_it_should():
    """The check has teeth: a double superscript, an unknown command, and (strict mode)
    a Unicode character that only the Unicode style should produce are reported."""
    errors = katex_errors([r"x^\top", r"X^\top^{-1}", r"\odotx", "𝟙"])
    assert errors[0] is None
    assert errors[1] and "Double superscript" in errors[1]
    assert errors[2] and "Undefined control sequence" in errors[2]
    assert errors[3] and "strict" in errors[3]
