"""Matrix functions (expm, logm, sqrtm, X^p) and their Fréchet derivatives.

Every function of `functions.PRIMARY` is differentiated once and twice and checked
against finite differences; the Daleckii–Krein numerics for symmetric X are checked
against the block formula at well-separated, close and equal eigenvalues; the printed
results re-read, render with KaTeX, and match their goldens; the generated code of every
target agrees with the reference evaluator.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import matdiff as md
from matdiff.functions import PRIMARY
from matdiff.functions import primary as matfun

from support.formcases import assert_matches_golden, katex_errors, node_executable

GOLDEN = Path(__file__).parent / "golden" / "matfun.txt"
WRITE = {"expm": "expm(X)", "logm": "logm(X)", "sqrtm": "sqrtm(X)", "powm": "X^0.3"}
assert set(WRITE) == set(PRIMARY), "a new matrix function needs an entry here"

# scalar functions of X whose gradients (and Hessians) are checked, {f} = f(X)
SHAPES = ["tr(A*{f})", "tr({f})", "x'*{f}*y", "tr({f}*{f})"]
INNER = ["tr(A*{f})".replace("{f}", w.replace("X", "(X*B*X' + eye)")) for w in WRITE.values()]


def spd(n: int, rng, eigenvalues=None) -> np.ndarray:
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    lam = rng.uniform(0.5, 2.0, n) if eigenvalues is None else np.asarray(eigenvalues)
    return (q * lam) @ q.T


@pytest.mark.parametrize("fn", sorted(PRIMARY))
@pytest.mark.parametrize("shape", SHAPES)
def test_gradient_matches_finite_differences(fn, shape):
    d = md.derivative(shape.replace("{f}", WRITE[fn]), "X")
    assert d.check(), (str(d), d.check())


@pytest.mark.parametrize("text", INNER + [f"{w}" for w in WRITE.values()])
def test_jacobians_and_compound_arguments(text):
    d = md.derivative(text, "X")
    assert d.check(), (str(d), d.check())


@pytest.mark.parametrize("fn", sorted(PRIMARY))
def test_second_derivatives_match_finite_differences(fn):
    h = md.hessian(f"tr(A*{WRITE[fn]}) + sum({WRITE[fn]}*{WRITE[fn]})", "X")
    assert h.check(), (str(h), h.check())


@pytest.mark.parametrize("text, wrt", [
    ("expm(t*A)", "t"), ("logm(eye + t*A)", "t"), ("sqrtm(eye + t*A')*x", "t"),
    ("expm(t*A' + s*A)", "t"), ("tr(expm(a*X))", "X"), ("(eye + t*A)^0.3", "t"),
])
def test_commuting_directions_match_finite_differences(text, wrt):
    d = md.derivative(text, wrt, {"t": "scalar", "s": "scalar"})
    assert d.check(), (str(d), d.check())


@pytest.mark.parametrize("text, wrt", [("tr(A*expm(B*X))", "X"), ("x'*logm(X)*x", "X"),
                                       ("expm(t*A)", "t")])
def test_every_explained_step_is_numerically_right(text, wrt):
    from test_explain import check_every_step

    d = md.derivative(text, wrt, {"t": "scalar"})
    assert check_every_step(d) > 0
    assert d.explain().rstrip().endswith(str(d)) or str(d) in d.explain()


def test_third_derivatives_are_refused():
    with pytest.raises(md.UnsupportedError, match="order 3"):
        md.derivative("tr(A*expm(X))", ["X", "X", "X"])


@pytest.mark.parametrize("fn", sorted(PRIMARY))
@pytest.mark.parametrize("eigenvalues", [
    [0.5, 1.0, 2.0, 3.0],          # well separated
    [1.0, 1.0 + 1e-9, 2.0, 2.0 + 1e-12],  # close: the divided differences need their limit
    [1.5, 1.5, 1.5, 0.7],          # equal
])
def test_daleckii_krein_agrees_with_the_block_formula(fn, eigenvalues):
    rng = np.random.default_rng(len(fn))
    x = spd(4, rng, eigenvalues)
    x = (x + x.T) / 2
    e = rng.standard_normal((4, 4))
    dk = matfun.frechet(fn, x, [e], 0.3)
    block = matfun._block_formula(PRIMARY[fn], x, [e], 0.3)
    assert np.allclose(dk, block, rtol=1e-7, atol=1e-9), np.max(np.abs(dk - block))


@pytest.mark.parametrize("fn", sorted(PRIMARY))
def test_values_agree_with_scipy_and_the_eigendecomposition(fn):
    import scipy.linalg

    reference = {"expm": scipy.linalg.expm, "logm": scipy.linalg.logm,
                 "sqrtm": scipy.linalg.sqrtm,
                 "powm": lambda m: scipy.linalg.fractional_matrix_power(m, 0.3)}[fn]
    rng = np.random.default_rng(1)
    general = spd(3, rng) + 0.1 * rng.standard_normal((3, 3))  # not symmetric: scipy
    s = spd(3, rng)
    symmetric = (s + s.T) / 2  # the eigendecomposition
    for x in (general, symmetric):
        assert np.allclose(matfun.value(fn, x, 0.3), np.real(reference(x)))


def test_outside_the_domain_is_nan_not_a_wrong_number():
    x = np.diag([-1.0, 2.0])
    for fn in ("logm", "sqrtm", "powm"):
        assert np.all(np.isnan(matfun.value(fn, x, 0.3)))
        assert np.all(np.isnan(matfun.frechet(fn, x, [np.eye(2)], 0.3)))


# --- notation -------------------------------------------------------------------------

CASES = [
    ("tr(expm(X))", "X"), ("tr(A*logm(X))", "X"), ("tr(logm(X))", "X"),
    ("tr(sqrtm(X))", "X"), ("tr(A*X^0.3)", "X"), ("tr(X^1.5)", "X"),
    ("x'*expm(X)*y", "X"), ("tr(expm(A*X))", "X"), ("expm(X)", "X"),
    ("sqrtm(A*X)", "X"), ("x'*S^-0.5*x", "S"), ("tr(A*expm(X))", ["X", "X"]),
    ("expm(t*A)", "t"), ("logm(eye + t*A)", "t"), ("expm(t*A + s*B)", "t"),
    ("tr(A*logm(S))", "S"),
]
VARS = {"S": "matrix(n,n) symmetric", "t": "scalar", "s": "scalar"}


def shown(text, wrt) -> str:
    d = md.derivative(text, wrt, VARS)
    return f"{text} by {wrt}\n  {d}\n  {d.unicode()}\n  {d.latex()}\n"


def test_printed_results_match_the_golden_file():
    shown_cases = "".join(shown(t, w) for t, w in CASES)
    assert_matches_golden(GOLDEN, shown_cases, "matrix-function forms")


def test_rank2_results_reread_to_the_same_numbers():
    rng = np.random.default_rng(2)
    for text, wrt in CASES:
        d = md.derivative(text, wrt, VARS)
        if d.expr.rank > 2:
            continue
        again = md.parse(str(d), VARS)
        values = {n: spd(3, rng) if v.rank == 2 else rng.standard_normal(v.dims and 3)
                  for n, v in again.variables.items()}
        values = {n: (v + v.T) / 2 if n == "S" else v for n, v in values.items()}
        assert np.allclose(again.evaluate(values), d.evaluate(values)), text


def test_input_language():
    assert str(md.parse("X^0.5")) == "sqrtm(X)"
    assert str(md.parse("dpowm(X, A, -0.5)")) == "dpowm(X, A, -0.5)"
    assert str(md.parse("d2expm(X, A, B)")) == "d2expm(X, A, B)"
    with pytest.raises(md.ShapeError):
        md.parse("expm(x)")
    with pytest.raises(md.ShapeError):
        md.parse("dexpm(X, x)")
    with pytest.raises(md.UnsupportedError):
        md.parse("X^a")
    with pytest.raises(md.ParseError):
        md.parse("dexpm(X)")


@pytest.mark.skipif(node_executable() is None, reason="node is not installed")
def test_latex_renders_with_katex():
    sources = [md.derivative(t, w, VARS).latex() for t, w in CASES]
    sources.append(md.parse("expm(X) + logm(X) + sqrtm(X) + X^0.3 + dpowm(X, A, 0.3)").latex())
    errors = katex_errors(sources)
    assert not any(errors), [(s, e) for s, e in zip(sources, errors) if e]


# --- generated code -------------------------------------------------------------------

CODE_CASES = ["tr(A*expm(X))", "tr(A*logm(X))", "tr(sqrtm(X))", "tr(A*X^0.3)", "expm(X)",
              "logm(X)"]


@pytest.mark.parametrize("target", ["numpy", "jax", "torch"])
@pytest.mark.parametrize("text", CODE_CASES)
def test_generated_code_agrees_with_the_evaluator(target, text):
    if target != "numpy":
        pytest.importorskip(target)
    rng = np.random.default_rng(3)
    values = {"X": spd(3, rng), "A": rng.standard_normal((3, 3))}
    values["X"] = (values["X"] + values["X"].T) / 2
    d = md.derivative(text, "X")
    args = {n: values[n] for n in d.variables}
    got = np.asarray(d.compile(target)(**args), dtype=float)
    tol = 1e-5 if target == "jax" else 1e-9  # JAX computes in float32 by default
    assert np.allclose(got, d.evaluate(values), rtol=tol, atol=tol)


@pytest.mark.parametrize("target", ["jax", "torch"])
def test_generated_expm_hessian_and_refused_second_derivatives(target):
    pytest.importorskip(target)
    rng = np.random.default_rng(4)
    values = {"X": 0.5 * rng.standard_normal((3, 3)), "A": rng.standard_normal((3, 3))}
    h = md.hessian("tr(A*expm(X))", "X")
    got = np.asarray(h.compile(target)(**values), dtype=float)
    assert np.allclose(got, h.evaluate(values), rtol=1e-5, atol=1e-5)
    with pytest.raises(md.UnsupportedError, match="numpy"):
        md.hessian("tr(A*logm(X))", "X").code(target)


def test_generated_code_of_earlier_releases_still_runs():
    """NumPy code generated by earlier releases imports `matdiff.matfun` for value/frechet."""
    import matdiff.matfun as runtime

    x = spd(3, np.random.default_rng(1))
    e = np.random.default_rng(2).standard_normal((3, 3))
    assert np.allclose(runtime.value("logm", x), matfun.value("logm", x))
    assert np.allclose(runtime.frechet("expm", x, (e,)), matfun.frechet("expm", x, [e]))
