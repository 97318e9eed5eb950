"""Display hooks: Jupyter's `_repr_latex_` / `_repr_mimebundle_`, and `--format json`.

In-process (`matdiff.cli.main`) so that every layout costs milliseconds; tests/test_cli.py
runs the installed command itself.
"""

from __future__ import annotations

import json

import pytest

import matdiff as md
from matdiff.cli import main

from support.formcases import LAYOUTS

CASES = {  # name -> (expression, wrt, declarations), one per kind of result
    "gradient": ("x'*A*x", ["x"], {"A": "matrix(n,n)"}),
    "jacobian": ("tanh(A*v)", ["v"], {"A": "matrix(m,k)", "v": "vector(k)"}),
    "by-matrix": ("log(det(inv(X)))", ["X"], {"X": "matrix(n,n)"}),
    "by-scalar": ("exp(s*u) + s^2*c", ["s"], {"s": "scalar", "u": "vector(n)",
                                              "c": "vector(n)"}),
    "tensor": ("W'*A", ["W"], {"W": "matrix(m,n)", "A": "vector(m)"}),
    "hessian": ("x'*A*x", ["x", "x"], {"A": "matrix(n,n)"}),
}
PAIRS = [(name, layout) for name in CASES for layout in LAYOUTS + ("vec",)]


def derivative(name: str, layout: str) -> md.Derivative:
    expr, wrt, decls = CASES[name]
    return md.derivative(expr, wrt, decls, layout)


@pytest.mark.parametrize("name,layout", PAIRS)
def test_derivative_repr_latex_is_display_math(name, layout):
    d = derivative(name, layout)
    assert d._repr_latex_() == f"$${d.latex()}$$"


@pytest.mark.parametrize("name,layout", PAIRS)
def test_derivative_mimebundle_has_text_and_latex(name, layout):
    d = derivative(name, layout)
    bundle = d._repr_mimebundle_()
    assert bundle["text/plain"] == str(d)
    assert bundle["text/latex"] == d._repr_latex_()
    assert d._repr_mimebundle_(include=["text/latex"], exclude=[])["text/latex"] == \
        d._repr_latex_()


def test_expression_repr_latex():
    e = md.parse("inv(X)'*A*x", {"A": "matrix(n,n)", "X": "matrix(n,n)", "x": "vector(n)"})
    assert e._repr_latex_() == f"$${e.latex()}$$"
    assert e._repr_latex_() == r"$$X^{-\top} A x$$"


def run_json(capsys, expr: str, wrt: list[str], decls: dict, layout: str, *extra) -> dict:
    argv = [expr, *[a for w in wrt for a in ("--wrt", w)], "--layout", layout,
            "--format", "json", *extra]
    for name, decl in decls.items():
        argv += ["--var", f"{name}: {decl}"]
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("name,layout", PAIRS)
def test_cli_json_matches_the_api(capsys, name, layout):
    expr, wrt, decls = CASES[name]
    result = run_json(capsys, expr, wrt, decls, layout)
    d = derivative(name, layout)
    assert {"dims", "layout", "text", "unicode", "latex"} <= set(result)
    assert result["layout"] == layout
    assert result["dims"] == [x if isinstance(x, int) else str(x) for x in d.dims]
    assert (result["text"], result["unicode"], result["latex"]) == (str(d), d.unicode(),
                                                                   d.latex())


def test_cli_json_row_vector_and_hessian_flag(capsys):
    row = run_json(capsys, "x'*A*x", ["x"], {"A": "matrix(n,n)"}, "numerator")
    assert row["dims"] == [1, "n"] and row["text"] == "x'*(A + A')"
    hess = run_json(capsys, "x'*A*x", ["x"], {"A": "matrix(n,n)"}, "mixed", "--hessian")
    assert hess["dims"] == ["n", "n"] and hess["text"] == "A + A'"
