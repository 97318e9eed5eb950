"""Bad and extreme input: every refusal is a MatdiffError with a useful message, never a
traceback, a RecursionError or a wrong number; long and deep input stays fast."""

from __future__ import annotations

import subprocess
import sys
import time
import warnings

import numpy as np
import pytest

import matdiff as md
from matdiff.cli import main as cli_main

RNG = np.random.default_rng(7)


def refuses(error, fn, *args, **kwargs) -> str:
    """`fn(*args, **kwargs)` raises `error` (a MatdiffError); its message, as printed."""
    assert issubclass(error, md.MatdiffError)
    with pytest.raises(error) as info:
        fn(*args, **kwargs)
    return str(info.value)


# ---- the error family ------------------------------------------------------------------

def test_error_family():
    for error in (md.ParseError, md.ShapeError, md.UnsupportedError):
        assert issubclass(error, md.MatdiffError)
    assert issubclass(md.MatdiffError, Exception)
    # callers that catch the built-in exceptions catch matdiff's too
    assert issubclass(md.ParseError, ValueError) and issubclass(md.ShapeError, ValueError)
    assert issubclass(md.UnsupportedError, NotImplementedError)
    with pytest.raises(ValueError):
        md.derivative("A*x*x", wrt="x")


# ---- parse errors ----------------------------------------------------------------------

@pytest.mark.parametrize("text", ["(x + y", "x + y)", "((x'*x)", "exp(x", "sum(x))", ")(", "("])
def test_unbalanced_parentheses(text):
    refuses(md.ParseError, md.parse, text)
    refuses(md.ParseError, md.derivative, text, wrt="x")


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_empty_input(text):
    refuses(md.ParseError, md.parse, text)
    refuses(md.ParseError, md.derivative, text, wrt="x")


def test_unknown_function_suggests_the_closest():
    message = refuses(md.ParseError, md.derivative, "lgo(x)", wrt="x")
    assert "lgo" in message and "log" in message.replace("lgo", "")


@pytest.mark.parametrize("text", ["x +", "* x", "x ** y", "x # y", "exp()", "x y", "2..3*x"])
def test_malformed_expressions(text):
    refuses(md.ParseError, md.derivative, text, wrt="x")


# ---- shape errors ----------------------------------------------------------------------

MATRIX_SHAPES = ("m×n", "m x n", "(m,n)", "(m, n)")
VECTOR_SHAPES = ("m×1", "m x 1", "vector(m)", "(m,)", "(m)")


def test_matrix_times_vector_of_wrong_size_names_both_shapes_and_the_operator():
    decls = {"A": "matrix(m,n)", "x": "vector(m)"}
    message = refuses(md.ShapeError, md.derivative, "A*x", wrt="x", vars=decls)
    assert "*" in message
    assert any(shape in message for shape in MATRIX_SHAPES), message
    assert any(shape in message for shape in VECTOR_SHAPES), message
    refuses(md.ShapeError, md.parse, "A*x", vars=decls)


@pytest.mark.parametrize("text, decls", [
    ("x + A", {"x": "vector(n)", "A": "matrix(n,n)"}),
    ("x + y", {"x": "vector(n)", "y": "vector(m)"}),
    ("x .* y'", {"x": "vector(n)", "y": "vector(n)"}),
    ("A*B", {"A": "matrix(m,n)", "B": "matrix(m,n)"}),
    ("tr(A)", {"A": "matrix(m,n)"}),
    ("det(A)", {"A": "matrix(m,n)"}),
    ("inv(A)", {"A": "matrix(m,n)"}),
    ("x*y", {"x": "vector(n)", "y": "vector(n)"}),
    ("exp(x)^2", {"x": "vector(n)"}),
])
def test_shape_mismatches(text, decls):
    refuses(md.ShapeError, md.derivative, text, wrt=sorted(decls)[0], vars=decls)


# ---- declarations ------------------------------------------------------------------------

@pytest.mark.parametrize("decl", [
    "matrx(n,n)", "vector(n", "vector()", "matrix(n)", "vector(n,m)", "scalar(n)",
    "vector(n) symmetric", "matrix(m,n) symmetric", "matrix(n,n) symetric", "", "tensor(n)",
])
def test_bad_declarations(decl):
    refuses(md.MatdiffError, md.derivative, "x'*x", wrt="x", vars={"x": decl})


def test_declaration_for_a_name_the_expression_does_not_use_is_harmless():
    d = md.derivative("x'*x", wrt="x", vars={"x": "vector(n)", "Q": "matrix(n,n)"})
    x = RNG.normal(size=3)
    np.testing.assert_allclose(d.evaluate({"x": x}), 2 * x, rtol=1e-12)


# ---- derivative by an absent variable ------------------------------------------------------

@pytest.mark.parametrize("wrt, shape", [("c", ()), ("z", (2,)), ("W", (2, 3))])
def test_wrt_absent_variable_is_zero_of_the_right_dims(wrt, shape):
    decls = {"x": "vector(n)", "c": "scalar", "z": "vector(m)", "W": "matrix(m,k)"}
    sizes = {"n": 4, "m": 2, "k": 3}
    with pytest.warns(md.MatdiffWarning, match=rf"'{wrt}' does not occur .*variables: x\)"):
        d = md.derivative("x'*x", wrt=wrt, vars=decls)
    assert tuple(sizes.get(s, s) for s in d.dims) == shape
    values = {"x": RNG.normal(size=4), "c": 0.5, "z": RNG.normal(size=2),
              "W": RNG.normal(size=(2, 3))}
    got = np.asarray(d.evaluate(values), dtype=float)
    assert got.shape == shape
    assert not got.any()


def test_wrt_present_variable_gives_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        md.derivative("x'*x - x'*x", wrt="x")  # occurs, even if its derivative is zero


def test_absent_variable_warning_suggests_a_close_name():
    with pytest.warns(md.MatdiffWarning, match="Did you mean 'theta'"):
        md.derivative("theta'*theta", wrt="thetta")


# ---- size and depth --------------------------------------------------------------------------

def test_ten_thousand_character_expression_is_fast_and_right():
    text = "+".join(["x"] * 5000)
    assert len(text) == 9999
    start = time.perf_counter()
    d = md.derivative(text, wrt="x", vars={"x": "vector(n)"})
    got = d.evaluate({"x": RNG.normal(size=3)})
    assert time.perf_counter() - start < 5
    np.testing.assert_allclose(got, 5000 * np.eye(3), rtol=1e-12)


def test_long_product_chain_is_fast_and_right():
    text = "*".join(["a"] * 500)
    start = time.perf_counter()
    d = md.derivative(text, wrt="a")
    got = d.evaluate({"a": 1.0001})
    assert time.perf_counter() - start < 5
    np.testing.assert_allclose(got, 500 * 1.0001 ** 499, rtol=1e-9)


@pytest.mark.parametrize("opener", ["(", "exp(", "-(", "sum("])
def test_thousand_levels_of_nesting_is_a_clear_error(opener):
    text = opener * 1000 + "x" + ")" * 1000
    message = refuses(md.MatdiffError, md.derivative, text, wrt="x")
    assert "nest" in message.lower() or "deep" in message.lower(), message


def test_moderate_nesting_is_differentiated_without_recursion_error():
    depth = 100
    text = "sin(" * depth + "a" + ")" * depth
    try:
        d = md.derivative(text, wrt="a")
    except md.MatdiffError:
        return  # a refusal is acceptable; a RecursionError or a wrong number is not
    value, slope = 0.3, 1.0
    for _ in range(depth):
        slope *= np.cos(value)
        value = np.sin(value)
    np.testing.assert_allclose(d.evaluate({"a": 0.3}), slope, rtol=1e-9)


# ---- the command line --------------------------------------------------------------------------

def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "matdiff", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args", [
    ["(x + y", "--wrt", "x"],
    ["lgo(x)", "--wrt", "x"],
    ["", "--wrt", "x"],
    ["A*x", "--wrt", "x", "--var", "A: matrix(m,n)", "--var", "x: vector(m)"],
    ["x'*x", "--wrt", "x", "--var", "x: vectr(n)"],
    ["x'*x", "--wrt", "x", "--var", "x vector(n)"],
    ["(" * 1000 + "x" + ")" * 1000, "--wrt", "x"],
    ["x'*x", "--wrt", "x", "--layout", "sideways"],
])
def test_cli_bad_input_exits_2_without_traceback(args):
    result = run_cli(*args)
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Traceback" not in output
    assert result.stderr.strip() or result.stdout.strip()


def test_cli_error_names_the_problem():
    result = run_cli("lgo(x)", "--wrt", "x")
    assert result.returncode == 2
    assert "log" in (result.stdout + result.stderr).replace("lgo", "")


@pytest.mark.parametrize("decl", [None, 3, ["vector(n)"]])
def test_a_declaration_that_is_not_text_is_refused(decl):
    assert "must be text" in refuses(md.ParseError, md.derivative, "x'*x", wrt="x",
                                     vars={"x": decl})


@pytest.mark.parametrize("args, want", [
    (["-logdet(X)", "--wrt", "X"], "-inv(X)'"),
    (["--wrt", "x", "-x'*x"], "-2*x"),
    (["-2*a", "--wrt", "a", "--hessian"], "0"),
])
def test_cli_expression_may_start_with_a_minus(args, want, capsys):
    assert cli_main(args) == 0
    assert capsys.readouterr().out.strip() == want


def test_cli_declaring_a_name_twice_is_an_error(capsys):
    assert cli_main(["x'*A*x", "--wrt", "x", "--var", "A: matrix(n,n)",
                     "--var", "A: vector(n)"]) == 2
    assert "twice" in capsys.readouterr().err


@pytest.mark.parametrize("vars", [
    {"x": "vector(n)", "n": "scalar"}, {"x": "vector(x)"}, {"x": "vector(eye)"},
    {"x": "vector(n)", "B": "matrix(n,sin)"},
])
def test_a_dimension_named_like_a_variable_or_builtin_is_refused(vars):
    assert "both a dimension" in refuses(md.ParseError, md.derivative, "sum(x)", wrt="x",
                                         vars=vars)


# ---- values given to evaluate ------------------------------------------------------------------

def test_complex_values_are_refused_not_cast_to_their_real_part():
    d = md.derivative("x'*A*x", wrt="x")
    assert "complex" in refuses(md.UnsupportedError, d.evaluate,
                                {"x": 1j * np.ones(3), "A": np.eye(3)})


@pytest.mark.parametrize("values", [None, {"x": "abc", "A": np.eye(3)}])
def test_values_that_are_not_numbers_are_refused(values):
    refuses(md.MatdiffError, md.derivative("x'*A*x", wrt="x").evaluate, values)


@pytest.mark.parametrize("size", [-1, 2.5, "3", True])
def test_sizes_must_be_whole_numbers(size):
    d = md.derivative("tr(eye)*a", wrt="a")
    assert "whole number" in refuses(md.MatdiffError, d.evaluate, {"a": 1.0}, {"n": size})


@pytest.mark.parametrize("text", ["1e308*a^2", "1e200*a*1e200", "a*(1e308 + 1e308)"])
def test_a_constant_that_overflows_is_refused_not_printed(text):
    assert "finite" in refuses(md.UnsupportedError, md.derivative, text, wrt="a")


def test_cli_overflowing_constant_exits_2_without_traceback(capsys):
    assert cli_main(["1e308*a^2", "--wrt", "a", "--check"]) == 2
    assert "finite" in capsys.readouterr().err


def test_cli_hessian_with_two_variables_is_an_error_not_ignored(capsys):
    assert cli_main(["x'*y", "--wrt", "x", "--wrt", "y", "--hessian"]) == 2
    assert "--hessian" in capsys.readouterr().err


@pytest.mark.parametrize("text", ["tr(eye)*a", "sum(vector(1))*a^2", "logsumexp(vector(0))*a"])
def test_check_draws_sizes_that_no_variable_fixes(text):
    assert md.derivative(text, wrt="a").check()


@pytest.mark.parametrize("text, shown", [("x\x00", "\\x00"), ("x\u200b", "\\u200b")])
def test_an_invisible_character_is_named_by_its_code(text, shown):
    assert f"unexpected character '{shown}'" in refuses(md.ParseError, md.parse, text)


def test_sizes_too_large_to_evaluate_are_refused():
    d = md.derivative("tr(eye)*a", wrt="a")
    assert "too large" in refuses(md.UnsupportedError, d.evaluate, {"a": 1.0}, {"n": 10**12})


@pytest.mark.parametrize("text", ["(x-m)'*(m-x)", "((x-m)'*(m-x))^2", "(x-m)'*(m-x)*y",
                                  "(m-x)*(x-m)'", "A*(x-m)*(m-x)'"])
def test_a_difference_times_its_negation_transposed_prints_and_reads_back(text):
    """A product of a difference and its transposed negation is written as one difference
    with a sign (it crashed the printer when the transposed one came first)."""
    e = md.parse(text)
    values = {"x": RNG.standard_normal(3), "m": RNG.standard_normal(3),
              "y": RNG.standard_normal(3), "A": RNG.standard_normal((3, 3))}
    values = {k: v for k, v in values.items() if k in e.variables}
    assert np.allclose(md.parse(str(e)).evaluate(values), e.evaluate(values))
