"""`md.minimize`: problems with known optima, every kind of scipy method, bad input."""

from __future__ import annotations

import numpy as np
import pytest

import matdiff as md

RIDGE = "norm2(A*w - b)^2 + c*norm2(w)^2"
RIDGE_VARS = {"b": "vector(m)"}
LOGISTIC = "sum(log(exp(-y.*(X*w)) + vector(1))) + c*norm2(w)^2"


@pytest.fixture
def ridge():
    rng = np.random.default_rng(0)
    A, b, c = rng.standard_normal((30, 6)), rng.standard_normal(30), 0.3
    best = np.linalg.solve(A.T @ A + c * np.eye(6), A.T @ b)
    return {"A": A, "b": b, "c": c}, best


@pytest.mark.parametrize("method", ["trust-krylov", "trust-ncg", "Newton-CG", "trust-exact",
                                    "dogleg", "trust-constr", "BFGS", "L-BFGS-B", "CG"])
@pytest.mark.parametrize("dense_max", [0, 100], ids=["hvp", "hessian"])
def test_ridge_reaches_the_closed_form_optimum(ridge, method, dense_max, monkeypatch):
    """Newton methods get Hessian-vector products, or the Hessian of a small variable."""
    monkeypatch.setattr(md.optimize, "DENSE_HESSIAN_MAX", dense_max)
    values, best = ridge
    res = md.minimize(RIDGE, "w", values, method=method, vars=RIDGE_VARS, tol=1e-8)
    # a trust region may stop at a gradient of 1e-8 "failing to predict improvement": the
    # value has no more digits to give there
    assert (res.success or np.linalg.norm(res.jac) < 1e-7) and res.x.shape == (6,)
    np.testing.assert_allclose(res.x, best, rtol=1e-4, atol=1e-5)


def test_logistic_newton_and_quasi_newton_agree_at_a_zero_gradient():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((80, 5))
    y = np.sign(X @ rng.standard_normal(5) + rng.standard_normal(80))
    values = {"X": X, "y": y, "c": 0.1}
    newton = md.minimize(LOGISTIC, "w", values, tol=1e-10)  # Newton-CG
    quasi = md.minimize(LOGISTIC, "w", values, method="BFGS", tol=1e-10)
    gradient = md.derivative(LOGISTIC, "w").evaluate({**values, "w": newton.x})
    assert np.linalg.norm(gradient) < 1e-8 and np.linalg.norm(newton.jac) < 1e-8
    np.testing.assert_allclose(newton.x, quasi.x, rtol=1e-5, atol=1e-7)


def test_matrix_variable_keeps_its_shape():
    """min over U of ‖T - U V'‖² has U* = T V (V'V)⁻¹."""
    rng = np.random.default_rng(2)
    T, V = rng.standard_normal((7, 5)), rng.standard_normal((5, 2))
    res = md.minimize("norm2(T - U*V')^2", "U", {"T": T, "V": V}, method="trust-ncg",
                      tol=1e-12)
    assert res.x.shape == (7, 2) and res.jac.shape == (7, 2)
    np.testing.assert_allclose(res.x, T @ V @ np.linalg.inv(V.T @ V), rtol=1e-7, atol=1e-9)


def test_start_value_callback_and_progress(ridge, capsys):
    values, best = ridge
    seen = []
    res = md.minimize(RIDGE, "w", {**values, "w": np.ones(6)}, vars=RIDGE_VARS,
                      callback=seen.append, verbose=True, tol=1e-10)
    assert seen and all(x.shape == (6,) for x in seen)
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["iter", "value", "|gradient|"] and len(out) == 1 + len(seen)
    np.testing.assert_allclose(res.x, best, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("expr, values, message", [
    ("A*w - y", {"A": np.eye(2), "y": np.ones(2)}, "scalar objective"),
    (RIDGE, {"A": np.eye(2), "b": np.ones(2)}, "needs a value for c"),
    (RIDGE, {"A": np.eye(2), "b": np.ones(3), "c": 1.0}, "b has size 3 along m"),
    (RIDGE, {"A": np.ones(2), "b": np.ones(2), "c": 1.0}, "A must have 2 axes"),
    (RIDGE, {"A": np.eye(2), "b": np.ones(2), "c": 1.0, "w": np.ones(3)}, "w must have"),
    (RIDGE, {"A": np.eye(2), "b": np.ones(2), "c": 1.0, "w": np.eye(2)}, "must have 1 axes"),
    ("norm2(w)^2", {}, "give a start value for w"),
    (RIDGE, [1, 2], "values must map"),
])
def test_bad_input_is_a_clear_error(expr, values, message):
    with pytest.raises(md.MatdiffError, match=message):
        md.minimize(expr, "w", values, vars=RIDGE_VARS if expr == RIDGE else None)
