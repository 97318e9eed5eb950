"""The settled conventions: symmetric variables, layouts, absent variables.

Symmetric variables: by a matrix declared symmetric the result is sym(G) = (G + G')/2 of
the entry-by-entry gradient G (or G + G' - I∘G with symmetric="cookbook"), whatever
extension of the function the text happens to write. Oracle: central differences with
independent entries, symmetrized.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import matdiff as md
from matdiff.numeric.check import central_difference
from matdiff.calculus.symmetric import symmetrize_array

from support.exprgen import N, VARS, expressions, random_values, variables_in

SYM = {"S": "matrix(n,n) symmetric", "X": "matrix(n,n)", "x": "vector(n)", "y": "vector(n)"}
RNG = np.random.default_rng(5)


def values_for(variables) -> dict:
    s = RNG.standard_normal((N, N))
    pool = {"S": s @ s.T + np.eye(N), "X": RNG.standard_normal((N, N)),
            "x": RNG.standard_normal(N), "y": RNG.standard_normal(N)}
    return {name: pool[name] for name in variables}


# ---- symmetric variables -------------------------------------------------------------------

@pytest.mark.parametrize("expr, mode, shown", [
    ("tr(X*S)", "sym", "0.5*(X + X')"),
    ("tr(S*X)", "sym", "0.5*(X + X')"),  # the same function, the same answer
    ("x'*S*y", "sym", "0.5*(y*x' + x*y')"), ("y'*S*x", "sym", "0.5*(y*x' + x*y')"),
    ("logdet(S)", "sym", "inv(S)"),
    ("x'*S*x", "sym", "x*x'"),
    ("tr(X*S)", "cookbook", "X + X' - diag(diag(X))"),
    ("logdet(S)", "cookbook", "2*inv(S) - diag(diag(inv(S)))"),
])
def test_derivative_by_a_symmetric_matrix(expr, mode, shown):
    d = md.derivative(expr, "S", SYM, symmetric=mode)
    assert str(d) == shown
    assert d.check()
    values = values_for(d.variables)
    parsed = md.parse(shown, SYM)  # re-readable
    np.testing.assert_allclose(parsed.evaluate(values), d.evaluate(values), rtol=1e-12)


def test_cookbook_is_the_derivative_by_the_independent_entries():
    """f(S) as a function of S_ij, i ≤ j, entered in both (i, j) and (j, i)."""
    d = md.derivative("logdet(S)", "S", SYM, symmetric="cookbook")
    s = values_for(["S"])["S"]
    want = np.zeros((N, N))
    for i, j in zip(*np.triu_indices(N)):
        e = np.zeros((N, N))
        e[i, j] = e[j, i] = 1e-6
        want[i, j] = want[j, i] = (np.linalg.slogdet(s + e)[1]
                                   - np.linalg.slogdet(s - e)[1]) / 2e-6
    np.testing.assert_allclose(d.evaluate({"S": s}), want, rtol=1e-6)


def test_symmetric_option_in_the_cli(capsys):
    from matdiff.cli import main

    assert main(["logdet(S)", "--wrt", "S", "--var", "S: matrix(n,n) symmetric",
                 "--symmetric", "cookbook"]) == 0
    assert capsys.readouterr().out.strip() == "2*inv(S) - diag(diag(inv(S)))"


def test_unknown_symmetric_mode_is_refused():
    with pytest.raises(md.MatdiffError, match="cookbook"):
        md.derivative("logdet(S)", "S", SYM, symmetric="upper")


def test_a_hessian_by_a_symmetric_matrix_is_symmetric_over_each_pair_of_axes():
    d = md.hessian("x'*S*S*x", "S", SYM)
    values = values_for(d.variables)
    h = d.evaluate(values)
    np.testing.assert_allclose(h, h.transpose(1, 0, 2, 3), atol=1e-12)
    np.testing.assert_allclose(h, h.transpose(0, 1, 3, 2), atol=1e-12)
    assert d.check()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          derandomize=True)
@given(text=expressions(), mode=st.sampled_from(["sym", "cookbook"]),
       seed=st.integers(0, 2**32 - 1))
def test_results_by_a_symmetric_variable_are_symmetric_and_equal_sym_g(text, mode, seed):
    assume("S" in variables_in(text))
    values = random_values(np.random.default_rng(seed))
    try:
        d = md.derivative(text, "S", VARS, symmetric=mode)
    except md.UnsupportedError:
        return
    f = md.parse(text, VARS)
    with np.errstate(all="ignore"):
        got = np.asarray(d.evaluate(values), dtype=float)
        g = central_difference(f.expr, f.variables["S"], values, f.variables)
    assume(np.all(np.isfinite(g)) and np.abs(g).max(initial=0) < 1e5)
    assume(np.allclose(g, central_difference(f.expr, f.variables["S"], values, f.variables,
                                             step=1e-5), rtol=1e-4, atol=1e-5))
    np.testing.assert_allclose(got, np.swapaxes(got, -1, -2), atol=1e-9, err_msg=text)
    scale = max(1.0, np.abs(g).max())
    np.testing.assert_allclose(got, symmetrize_array(g, mode), rtol=1e-4, atol=1e-5 * scale,
                               err_msg=f"{text} by S ({mode})")


# ---- layouts ------------------------------------------------------------------------------

@pytest.mark.parametrize("expr, wrt, layout, shape", [
    ("x'*x", "x", "mixed", (3,)), ("x'*x", "x", "numerator", (1, 3)),
    ("x'*x", "x", "denominator", (3, 1)),
    ("x*c", "c", "mixed", (3,)), ("x*c", "c", "numerator", (3, 1)),
    ("x*c", "c", "denominator", (1, 3)),
    ("X*x", "x", "numerator", (3, 3)), ("c^2", "c", "numerator", ()),
    ("x*c^3", ["c", "c"], "denominator", (3, 1)),
])
def test_matrix_layouts_are_2d_and_mixed_keeps_vectors_1d(expr, wrt, layout, shape):
    d = md.derivative(expr, wrt, {"X": "matrix(n,n)", "x": "vector(n)"}, layout=layout)
    values = {"x": np.arange(1.0, 4.0), "c": 0.5, "X": np.eye(3)}
    values = {k: v for k, v in values.items() if k in d.variables}
    got = d.evaluate(values)
    assert np.shape(got) == shape
    assert tuple(3 if isinstance(s, str) else s for s in d.dims) == shape
    assert np.shape(d.compile()(**values)) == shape


# ---- absent variables ---------------------------------------------------------------------

def test_absent_variable_gives_zero_and_a_warning_naming_the_present_ones():
    with pytest.warns(md.MatdiffWarning, match=r"'z' does not occur.*variables: x, A"):
        d = md.derivative("x'*A*x", "z")
    assert str(d) == "vector(0)"


# ---- sizes and re-readable results ---------------------------------------------------------

DECL = {"x": "vector(n)", "Y": "matrix(m,n)", "A": "matrix(n,n)"}
POINT = {"x": np.array([0.5, -1.0, 2.0]), "Y": np.arange(6.0).reshape(2, 3),
         "A": np.arange(9.0).reshape(3, 3)}


@pytest.mark.parametrize("text, shown, value", [
    ("sum(x)/n", "sum(x)/n", 0.5),
    ("mean(x)", "sum(x)/n", 0.5),
    ("n*m", "m*n", 6.0),
    ("log(n)", "log(n)", np.log(3)),
    ("tr(A)*0 + tr(eye + A*0)", None, None),
])
def test_dimension_names_are_sizes(text, shown, value):
    parsed = md.parse(text, DECL)
    assert parsed.dims == ()
    if shown is not None:
        assert str(parsed) == shown
        assert parsed.evaluate(POINT) == pytest.approx(value)


@pytest.mark.parametrize("text, shown", [
    ("tr(eye)", "n"), ("sum(vector(1))", "n"), ("logsumexp(vector(0))", "log(n)"),
    ("softmax(vector(0))", "vector(1)/n"), ("sum(matrix(1))", "n*m"),
])
def test_constants_print_their_size(text, shown):
    assert str(md.parse(text)) == shown


@pytest.mark.parametrize("text, wrt, shown", [
    ("sum(Y)", "Y", "matrix(1)"),
    ("mean(x)", "x", "vector(1)/n"),
    ("mean(Y)", "Y", "matrix(1)/(m*n)"),
    ("x'*x*tr(A*0 + eye)", "x", "2*n*x"),
    ("a*sum(Y*0 + matrix(1))", "a", "m*n"),
    ("a*logsumexp(x - x)", "a", "log(n)"),
])
def test_derivatives_name_sizes_and_read_back(text, wrt, shown):
    d = md.derivative(text, wrt, DECL)
    assert str(d) == shown
    values = {k: v for k, v in {**POINT, "a": 0.7}.items() if k in d.variables}
    want = d.evaluate(values)
    parsed = md.parse(shown, DECL)
    # sizes inside print as names; a constant that is a whole axis takes it from `sizes`
    free = {dim: size for dim, size in zip(parsed.dims, np.shape(want)) if dim not in d.dims}
    np.testing.assert_allclose(parsed.evaluate(values, sizes=free), want)


def test_a_dimension_is_not_a_variable_to_differentiate_by():
    with pytest.raises(md.MatdiffError, match="declared dimension"):
        md.derivative("sum(x)/n", "n", DECL)


AXES = {"a": 0, "b": 0, "x": 1, "y": 1, "A": 2, "B": 2, "S": 2}


@pytest.mark.filterwarnings("ignore::matdiff.MatdiffWarning")
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck),
          derandomize=True)
@given(text=expressions(), data=st.data(), seed=st.integers(0, 2**32 - 1),
       layout=st.sampled_from(["mixed", "numerator", "denominator"]))
def test_first_and_second_derivatives_with_two_axes_read_back(text, data, seed, layout):
    """With a symmetric S among the variables, by one or two variables, every layout."""
    present = variables_in(text)
    assume(present)
    wrt = data.draw(st.lists(st.sampled_from(present), min_size=1, max_size=2), label="wrt")
    assume(md.parse(text, VARS).expr.rank + sum(AXES[w] for w in wrt) <= 2)
    try:
        d = md.derivative(text, wrt, VARS, layout=layout)
    except md.UnsupportedError:
        return
    values = random_values(np.random.default_rng(seed))
    with np.errstate(all="ignore"):
        want = np.asarray(d.evaluate(values), dtype=float)
    assume(np.all(np.isfinite(want)) and np.abs(want).max(initial=0) < 1e6)
    shown = str(d)
    assert "D[" not in shown, shown
    parsed = md.parse(shown, VARS)
    axes = [n for n in want.shape if n != 1] if layout != "mixed" else want.shape
    free = {dim: n for dim, n in zip(parsed.dims, axes) if isinstance(dim, str)}
    again = np.asarray(parsed.evaluate(values, sizes=free), dtype=float)
    np.testing.assert_allclose(again.reshape(want.shape), want, rtol=1e-7,
                               atol=1e-9 * max(1.0, np.abs(want).max(initial=0)),
                               err_msg=f"{layout} d/d{wrt} of {text} printed as {shown!r}")


def test_cli_json_reports_2d_dims_and_the_symmetric_convention(capsys):
    import json

    from matdiff.cli import main

    assert main(["x'*x", "--wrt", "x", "--layout", "numerator", "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["dims"] == [1, "n"] and payload["symmetric"] == "sym"
