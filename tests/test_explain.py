"""Step-by-step derivations (issue 5): the seeds' worked examples as golden files, every
derivative an explanation shows checked against finite differences, and every public
corpus case with at most two result axes explained down to exactly `str(d)`.

Regenerate the golden files with MATDIFF_UPDATE_GOLDENS=1 and review them in the diff.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import numpy as np
import pytest

import matdiff as md
from matdiff.numeric.check import SAMPLERS, central_difference, random_point, relative_error
from matdiff.cli import main
from matdiff.numeric.evaluate import evaluate
from matdiff.explain import explain_steps
from matdiff.notation import render
from matdiff.calculus.symmetric import symmetrize_array

GOLDEN = Path(__file__).parent / "golden" / "explain"
CORPUS = json.loads((Path(__file__).parent / "data" / "public.json").read_text())
UPDATE = os.environ.get("MATDIFF_UPDATE_GOLDENS") == "1"
RTOL = 1e-5

MIT_LAYER = {"W": "matrix(m,n)", "A": "vector(m)", "b": "vector(n)", "y": "vector(n)"}
MIT_Z = {"W": "matrix(m,n)", "A": "vector(m)"}

# name -> (expression, wrt, declarations, layout): Parr & Howard in numerator layout,
# MIT 6.390 A.9 in denominator layout.
SEEDS = {
    "ph-sin-x-squared": ("sin(x^2)", "x", {"x": "scalar"}, "numerator"),
    "ph-elementwise-add": ("w + x", "w", {}, "numerator"),
    "ph-elementwise-mul": ("w.*x", "x", {}, "numerator"),
    "ph-elementwise-div": ("w./x", "x", {}, "numerator"),
    "ph-sum-reduction": ("sum(x.^2)", "x", {}, "numerator"),
    "ph-sum-dot-product": ("sum(w.*x)", "x", {}, "numerator"),
    "ph-total-derivative": ("sin(x + x^2)", "x", {"x": "scalar"}, "numerator"),
    "ph-vector-chain-scalar": ("sin(x^2*u)", "x", {"x": "scalar"}, "numerator"),
    "ph-vector-chain-sin-ax": ("sin(A*x)", "x", {"A": "matrix(m,n)"}, "numerator"),
    "ph-neuron-loss": ("(y - relu(w'*x + b))^2", "w", {"b": "scalar", "y": "scalar"},
                       "numerator"),
    "mit-dl-dal": ("norm2(A - y)^2", "A", {"A": "vector(n)", "y": "vector(n)"},
                   "denominator"),
    "mit-dz-dw": ("W'*A", "W", MIT_Z, "denominator"),
    "mit-dz-da": ("W'*A", "A", MIT_Z, "denominator"),
    "mit-da-dz-sigmoid": ("sigmoid(Z)", "Z", {"Z": "vector(n)"}, "denominator"),
    "mit-da-dz-tanh": ("tanh(Z)", "Z", {"Z": "vector(n)"}, "denominator"),
    "mit-da-dz-relu": ("relu(Z)", "Z", {"Z": "vector(n)"}, "denominator"),
    "mit-dl-dw-layer": ("norm2(sigmoid(W'*A + b) - y)^2", "W", MIT_LAYER, "denominator"),
    "mc-logistic-loss": ("sum(log(exp(-y.*(X*w)) + vector(1)))", "w",
                         {"X": "matrix(m,n)", "w": "vector(n)", "y": "vector(m)"}, "mixed"),
}


def derivative(name: str) -> md.Derivative:
    expr, wrt, decls, layout = SEEDS[name]
    return md.derivative(expr, wrt, decls, layout=layout)


# --- the numeric oracle ---------------------------------------------------------------------


def finite_point(ex, variables, seed: int) -> dict:
    """A random point where the function and every intermediate are finite."""
    rng = np.random.default_rng(seed)
    for how in SAMPLERS:
        with np.errstate(all="ignore"):
            values = ex.bind(random_point(variables, rng, how))
        if all(np.all(np.isfinite(v)) for v in values.values()):
            return values
    raise AssertionError("no finite point")


def check_every_step(d: md.Derivative, seed: int = 0) -> int:
    """Compare each derivative the explanation states with central differences."""
    ex = explain_steps(d)
    values = finite_point(ex, d.variables, seed)
    context = {**d.variables, **{i.name: i.var for i in ex.intermediates}}
    checked = 0
    for step in ex.steps:
        if step.check is None:
            continue
        c = step.check
        exact = np.asarray(evaluate(c.mixed, values, context=context), dtype=float)
        numeric = central_difference(c.of, c.by, values, context)
        if c.symmetric:
            numeric = symmetrize_array(numeric, c.symmetric)
        err = relative_error(exact, numeric)
        assert err < RTOL, f"step {step.lhs} = {render(step.form, 'text')}: error {err:.2e}"
        checked += 1
    return checked


# --- golden files ---------------------------------------------------------------------------


def assert_golden(path: Path, text: str) -> None:
    if UPDATE or not path.exists():
        path.write_text(text)
        if not UPDATE:
            pytest.fail(f"golden file {path.name} was missing and has been written; review it")
    assert text == path.read_text(), f"{path.name} changed; review, then MATDIFF_UPDATE_GOLDENS=1"


@pytest.mark.parametrize("name", SEEDS)
def test_seed_examples_match_their_golden_files(name):
    d = derivative(name)
    assert_golden(GOLDEN / f"{name}.txt", d.explain("text"))
    assert_golden(GOLDEN / f"{name}.md", d.explain("markdown"))


@pytest.mark.parametrize("name", SEEDS)
def test_seed_examples_every_step_is_numerically_right(name):
    assert check_every_step(derivative(name)) > 0


# --- what the seeds teach, stated ------------------------------------------------------------


def rules(d) -> list[str]:
    return [step.rule for step in explain_steps(d).steps]


def lines(d) -> str:
    return d.explain("text")


def test_sin_x_squared_follows_parr_howard():
    text = lines(derivative("ph-sin-x-squared"))
    for line in ("u1 = x^2", "u2 = sin(u1)", "∂u1/∂x = 2*x", "∂u2/∂u1 = cos(u1)",
                 "du2/dx = ∂u2/∂u1 ∂u1/∂x", "single-variable chain rule", "2*x*cos(x^2)"):
        assert line in text


def test_elementwise_operations_give_diagonal_jacobians():
    assert "diagonal Jacobian" in rules(derivative("ph-elementwise-mul"))
    assert "diagonal Jacobian" in rules(derivative("ph-elementwise-div"))
    assert "identity Jacobian" in rules(derivative("ph-elementwise-add"))


def test_sum_reduction_is_a_row_of_ones_in_numerator_layout():
    text = lines(derivative("ph-sum-dot-product"))
    assert "∂u2/∂u1 = vector(1)'" in text and "[1×n; sum reduction]" in text


def test_total_derivative_chain_rule_sums_both_paths():
    text = lines(derivative("ph-total-derivative"))
    assert "single-variable total-derivative chain rule" in text
    assert "du2/dx = ∂u2/∂x + ∂u2/∂u1 ∂u1/∂x" in text


def test_vector_chain_rule_shapes_chain():
    text = lines(derivative("ph-vector-chain-sin-ax"))
    assert "du2/dx = ∂u2/∂u1 ∂u1/∂x    [(m×m)(m×n) → m×n; vector chain rule]" in text


def test_mit_loss_derivative_is_twice_the_residual():
    assert "∂u2/∂u1 = 2*u1" in lines(derivative("mit-dl-dal"))


def test_mit_weight_derivative_is_a_three_axis_tensor_that_collapses():
    text = lines(derivative("mit-dz-dw"))
    assert "3-axis tensor" in text and "A[j]*delta(i,k)" in text
    layer = lines(derivative("mit-dl-dw-layer"))
    assert "(n×m×n)(n×1) → m×n" in layer
    assert "for any g = du5/du1 the product is A*g': it collapses" in layer  # ∂L/∂W = A (∂L/∂Z)ᵀ


def test_mit_activation_derivatives_are_diagonal():
    for name in ("mit-da-dz-sigmoid", "mit-da-dz-tanh", "mit-da-dz-relu"):
        assert "diagonal Jacobian" in rules(derivative(name))


def test_logistic_loss_intermediates_as_in_the_issue():
    text = lines(derivative("mc-logistic-loss"))
    assert "u1 = X*w    [m×1" in text and "u2 = -u1.*y    [m×1" in text


# --- every corpus case ------------------------------------------------------------------------


def small_corpus():
    for case in CORPUS:
        d = md.derivative(case["expr"], case["wrt"], case["vars"])
        if len(d.dims) <= 2:
            yield case


@pytest.mark.parametrize("case", list(small_corpus()), ids=lambda c: c["id"])
@pytest.mark.parametrize("layout", ["mixed", "numerator", "denominator"])
def test_corpus_explains_down_to_str_d(case, layout):
    d = md.derivative(case["expr"], case["wrt"], case["vars"], layout=layout)
    ex = explain_steps(d)
    last = ex.steps[-1]
    assert render(last.form, "text") == str(d)
    assert render(last.form, "latex") == render(d.form(), "latex")  # d.latex() less `where`
    steps = json.loads(d.explain("json"))
    assert steps[-1]["expression"].endswith(" = " + str(d))
    assert all({"expression", "latex", "shape", "rule"} <= set(s) for s in steps)
    if layout == "mixed":
        check_every_step(d, seed=1)


def test_cli_explain_prints_the_same_derivation(capsys):
    assert main(["sin(x^2)", "--wrt", "x", "--var", "x: scalar", "--layout", "numerator",
                 "--explain"]) == 0
    assert capsys.readouterr().out == derivative("ph-sin-x-squared").explain()
    assert main(["w.*x", "--wrt", "x", "--layout", "numerator", "--explain", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[-1]["expression"].endswith("diag(w)")


def test_unknown_format_is_an_error():
    with pytest.raises(md.MatdiffError):
        derivative("ph-sin-x-squared").explain("html")


@pytest.mark.parametrize("mode, words", [("sym", "sym(G) = (G + G')/2"),
                                         ("cookbook", "G + G' - I∘G")])
def test_derivative_by_a_symmetric_matrix_explains_the_symmetrization(mode, words):
    d = md.derivative("tr(X*S)", "S", {"S": "matrix(n,n) symmetric"}, symmetric=mode)
    assert words in d.explain()
    assert check_every_step(d) >= 2


@pytest.mark.parametrize("text, wrt", [
    ("a - a", "a"), ("b*exp(a) + (a - a)", "a"), ("sum(A*x + (x - x))", "x"),
    ("sigmoid(sum(log(exp(x - x) + vector(1))))", "x"), ("x'*A*x + a*(b - b)", "x"),
])
def test_a_part_that_cancels_to_a_constant_is_explained(text, wrt):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", md.MatdiffWarning)
        d = md.derivative(text, wrt)
    assert d.explain().rstrip().endswith(str(d)) or str(d) in d.explain()
    check_every_step(d)
