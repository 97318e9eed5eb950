"""Repeated subexpressions named once in the Unicode and LaTeX displays (`matdiff.notation.named`).

Golden file: tests/golden/named/cases.txt (regenerate with MATDIFF_UPDATE_GOLDENS=1 and
review the diff). The oracle: the display's body, read back with each name as a variable
and evaluated at the named subexpression's value, gives the derivative's numbers.
"""

from __future__ import annotations


import numpy as np
import pytest

import matdiff as md
from matdiff.notation.forms import Prod
from matdiff.notation.tidy import transpose_form as transpose
from matdiff.notation.named import _index_names, name_repeats
from matdiff.notation import render

from support.formcases import GOLDEN_DIR, assert_matches_golden, katex_errors, node_executable

GOLDEN = GOLDEN_DIR.parent / "named" / "cases.txt"
LOGISTIC = "sum(log(vector(1) + exp(-y.*(X*w))))"
SOFTMAX_CE = "-y'*log(softmax(W*x))"
CASES = {  # name -> (expression, wrt, declarations)
    "logistic-gradient": (LOGISTIC, ["w"], {}),
    "logistic-hessian": (LOGISTIC, ["w", "w"], {}),
    "softmax-cross-entropy-by-W": (SOFTMAX_CE, ["W"], {}),
    "softmax-cross-entropy-hessian-by-x": (SOFTMAX_CE, ["x", "x"], {}),
    "mlp-layer-squared-loss-by-W": ("norm2(tanh(W*x + b) - y)^2", ["W"], {}),
    "mlp-layer-squared-loss-by-b": ("norm2(tanh(W*x + b) - y)^2", ["b"], {}),
    "two-layer-mlp-by-V": ("norm2(V*tanh(W*x) - y)^2", ["V"], {}),
    "logdet-of-a-gram-matrix": ("logdet(X'*A*X)", ["X"], {"A": "matrix(n,n)"}),
}


def derivative(name: str) -> md.Derivative:
    expr, wrt, decls = CASES[name]
    return md.derivative(expr, wrt, decls)


def golden_text() -> str:
    lines = []
    for name in CASES:
        d = derivative(name)
        expr, wrt, _ = CASES[name]
        lines += [f"# {name}: d/d{', '.join(wrt)} {expr}", f"text:    {d}",
                  f"unicode: {d.unicode()}", f"latex:   {d.latex()}", ""]
    return "\n".join(lines)


def test_named_displays_match_golden():
    assert_matches_golden(GOLDEN, golden_text(), "named displays")


@pytest.mark.skipif(node_executable() is None, reason="node is not installed: KaTeX cannot run")
def test_named_latex_renders_with_katex():
    sources = [derivative(name).latex() for name in CASES]
    assert not [err for err in katex_errors(sources) if err]


@pytest.mark.parametrize("name", list(CASES))
def test_body_with_names_read_back_gives_the_derivative(name):
    d = derivative(name)
    named = d.named()
    rng = np.random.default_rng(0)
    sizes = {"m": 4, "n": 3, "k": 2}
    values = {v: rng.standard_normal([sizes.get(x, x) if isinstance(x, str) else x
                                      for x in var.dims]) if var.dims else 0.7
              for v, var in d.variables.items()}
    for n, form in reversed(named.where):  # a definition may use the names after it
        values[n] = md.parse(render(form, "text")).evaluate(values)
    body = md.parse(render(named.body, "text"))
    np.testing.assert_allclose(body.evaluate(values), d.evaluate(values), rtol=1e-10)


def test_str_stays_one_reparseable_expression():
    d = derivative("logistic-hessian")
    assert d.named().where and "where" not in str(d) and "sigmoid(" in str(d)
    assert d._repr_mimebundle_()["text/latex"] == f"$${d.latex()}$$"
    assert r"\text{where } s = " in d.latex()


def test_names_do_not_clash_with_the_variables():
    d = md.derivative("sum(log(vector(1) + exp(-s.*(X*h))))", ["h", "h"])
    names = [n for n, _ in d.named().where]
    assert names and not set(names) & {"s", "h", "X"}
    assert not set(names) & {str(x) for v in d.variables.values() for x in v.dims}


def test_only_what_repeats_and_is_not_tiny_is_named():
    assert not derivative("logistic-gradient").named().where
    assert not md.derivative("(X*w)'*(X*w)", "w").named().where  # X*w is too small to name


def test_a_repeat_inside_a_named_part_is_not_named_again():
    named = derivative("logistic-hessian").named()
    assert [n for n, _ in named.where] == ["s"]


def test_transposed_occurrences_count():
    residual = md.parse("A*x - y").form()
    outer = Prod("matrix", (residual, transpose(residual)))  # (Ax − y)(Ax − y)ᵀ
    named = name_repeats(outer, {"A", "x", "y"})
    assert render(named.body, "unicode") == "ssᵀ"
    assert [(n, render(f, "text")) for n, f in named.where] == [("s", "A*x - y")]


def test_to_dict_and_cli_json_carry_the_where_list(capsys):
    d = derivative("logistic-hessian")
    where = d.to_dict()["where"]
    assert [w["name"] for w in where] == ["s"]
    assert set(where[0]) == {"name", "text", "unicode", "latex"}
    assert where[0]["text"] == "sigmoid(-y.*(X*w))"
    from matdiff.cli import main

    assert main([LOGISTIC, "--wrt", "w", "--hessian", "--format", "json"]) == 0
    import json

    assert json.loads(capsys.readouterr().out)["where"] == where


def test_names_are_never_index_names():
    for text in ["(x'*x)*(x'*x)*A", "inv(A*A' + eye)"]:  # index notation, Σ_a,b in the second
        d = md.derivative(text, "A")
        named = d.named()
        assert named.where and not {n for n, _ in named.where} & _index_names(d.form())
