"""The README's commands, run as `python -m matdiff`: exit 0, and the printed result
(the first line of the text format) re-parses to the right numbers."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import matdiff as md

RNG = np.random.default_rng(11)
N, M = 4, 3


def run_cli(*args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "matdiff", *args],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.strip(), "no output"
    return result.stdout


def first_line(output: str) -> str:
    return output.strip().splitlines()[0].strip()


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def assert_reparses(text: str, values: dict, want, vars=None) -> None:
    """`text` parses (default types unless declared) and evaluates to `want`."""
    got = np.asarray(md.parse(text, vars=vars).evaluate(values), dtype=float)
    want = np.asarray(want, dtype=float)
    if got.shape != want.shape:  # a row vector may come back 1-D
        assert np.squeeze(got).shape == np.squeeze(want).shape, (text, got.shape, want.shape)
        got, want = np.squeeze(got), np.squeeze(want)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-11, err_msg=text)


# (arguments, the values to evaluate at, the right answer at those values)
X_QUAD, A_QUAD = RNG.normal(size=N), RNG.normal(size=(N, N))
S_SYM = (A_QUAD + A_QUAD.T) / 2
X_LOG, Y_LOG, W_LOG = RNG.normal(size=(M, N)), RNG.choice([-1.0, 1.0], M), RNG.normal(size=N)
X_DET = RNG.uniform(-0.5, 0.5, (N, N)) + N * np.eye(N)

README_COMMANDS = {
    "gradient": (
        ["x'*A*x", "--wrt", "x"],
        {"x": X_QUAD, "A": A_QUAD}, (A_QUAD + A_QUAD.T) @ X_QUAD, 1),
    "logistic-check": (
        ["sum(log(exp(-y.*(X*w)) + vector(1)))", "--wrt", "w", "--check"],
        {"X": X_LOG, "y": Y_LOG, "w": W_LOG},
        -X_LOG.T @ (Y_LOG * sigmoid(-Y_LOG * (X_LOG @ W_LOG))), 1),
    "logdet-denominator": (
        ["log(det(X))", "--wrt", "X", "--layout", "denominator"],
        {"X": X_DET}, np.linalg.inv(X_DET).T, 2),
    "hessian": (
        ["x'*A*x", "--wrt", "x", "--hessian"],
        {"x": X_QUAD, "A": A_QUAD}, A_QUAD + A_QUAD.T, 2),
    "numerator": (
        ["x'*A*x", "--wrt", "x", "--layout", "numerator"],
        {"x": X_QUAD, "A": A_QUAD}, ((A_QUAD + A_QUAD.T) @ X_QUAD).reshape(1, N), 2),
    "declared-symmetric": (
        ["x'*A*x", "--wrt", "x", "--var", "A: matrix(n,n) symmetric", "--var", "x: vector(n)"],
        {"x": X_QUAD, "A": S_SYM}, 2 * S_SYM @ X_QUAD, 1),
}
DECLS = {"declared-symmetric": {"A": "matrix(n,n) symmetric", "x": "vector(n)"}}


@pytest.mark.parametrize("name", README_COMMANDS)
def test_readme_command_prints_a_reparseable_right_answer(name):
    args, values, want, _ = README_COMMANDS[name]
    output = run_cli(*args)
    assert_reparses(first_line(output), values, want, DECLS.get(name))


def test_check_reports_on_its_own_lines():
    args = README_COMMANDS["logistic-check"][0]
    plain = run_cli(*[a for a in args if a != "--check"])
    checked = run_cli(*args)
    assert first_line(plain) == first_line(checked)
    assert len(checked.strip().splitlines()) > len(plain.strip().splitlines())


@pytest.mark.parametrize("name", README_COMMANDS)
def test_json_format(name):
    args, values, want, axes = README_COMMANDS[name]
    args = [a for a in args if a != "--check"]
    output = run_cli(*args, "--format", "json")
    result = json.loads(output)
    assert {"dims", "layout", "text", "unicode", "latex"} <= set(result)
    layout = args[args.index("--layout") + 1] if "--layout" in args else "mixed"
    assert result["layout"] == layout
    assert len(result["dims"]) == axes
    assert all(isinstance(d, (str, int)) for d in result["dims"])
    assert result["unicode"].strip() and result["latex"].strip()
    assert_reparses(result["text"], values, want, DECLS.get(name))
    assert first_line(run_cli(*args)) == result["text"].strip()


def test_json_of_the_readme_example_names_its_dims():
    result = json.loads(run_cli("x'*A*x", "--wrt", "x", "--var", "A: matrix(n,n)",
                                "--format", "json"))
    assert result["dims"] == ["n"]
    assert result["layout"] == "mixed"


@pytest.mark.parametrize("fmt", ["text", "unicode", "latex"])
def test_every_text_format_prints_something(fmt):
    assert first_line(run_cli("x'*A*x", "--wrt", "x", "--format", fmt))


def test_absent_variable_is_zero_with_a_warning_on_stderr(capsys):
    from matdiff.cli import main

    assert main(["x'*A*x", "--wrt", "z"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == "vector(0)"
    assert "matdiff: warning: 'z' does not occur" in err and "x, A" in err
