"""Hessian-vector, Jacobian-vector and vector-Jacobian products (`md.hvp`, `md.jvp`, `md.vjp`).

Two oracles for every product on random well-typed expressions (tests/exprgen.py):
finite differences along the direction (`Product.check`) and the dense derivative
(`md.hessian`, `md.derivative`) contracted with the direction. Then: readable forms that
never show the Hessian, generated code on every target, names, explanations, bad input.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matdiff as md

from support.exprgen import N, VARS, expressions, random_values, variables_in

SETTINGS = settings(max_examples=int(os.environ.get("MATDIFF_EXAMPLES", 40)), deadline=None,
                    derandomize=not os.environ.get("MATDIFF_EXAMPLES"),
                    suppress_health_check=[HealthCheck.too_slow])
WRT = ["x", "A"]
LOGISTIC = "sum(log(exp(-y.*(X*w)) + vector(1)))"


def _values(rng, product):
    values = random_values(rng)
    d = product.variables[product.direction]
    values[product.direction] = rng.standard_normal(tuple(N for _ in d.dims))
    return values


def _finite(*arrays) -> bool:
    return all(np.all(np.isfinite(np.asarray(a, dtype=float))) for a in arrays)


def _assert_close(got, want, what):
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    scale = 1 + np.abs(want).max(initial=0.0)
    assert got.shape == want.shape, what
    assert np.abs(got - want).max(initial=0.0) <= 1e-8 * scale, what


@SETTINGS
@given(text=expressions("scalar", depth=3), wrt=st.sampled_from(WRT), seed=st.integers(0, 2**16))
def test_hvp_equals_dense_hessian_times_v_and_finite_differences(text, wrt, seed):
    if wrt not in variables_in(text):
        return
    p = md.hvp(text, wrt, VARS)
    values = _values(np.random.default_rng(seed), p)
    got = p.evaluate(values)
    H = md.hessian(text, wrt, VARS).evaluate(values)
    if not _finite(got, H):
        return
    v = values[p.direction]
    _assert_close(got, np.tensordot(H, v, axes=v.ndim), f"hvp of {text} by {wrt}")
    report = p.check(values)
    assert report or not np.isfinite(report.max_error), (text, wrt, str(report))


@SETTINGS
@given(kind=st.sampled_from(["col", "matrix"]), data=st.data(), wrt=st.sampled_from(WRT),
       seed=st.integers(0, 2**16))
def test_jvp_and_vjp_equal_the_dense_jacobian_applied(kind, data, wrt, seed):
    text = data.draw(expressions(kind, depth=3), label="text")
    if wrt not in variables_in(text):
        return
    jv, vj = md.jvp(text, wrt, VARS), md.vjp(text, wrt, VARS)
    rng = np.random.default_rng(seed)
    values = _values(rng, jv)
    values[vj.direction] = rng.standard_normal(np.shape(md.parse(text, VARS).evaluate(values)))
    J = md.derivative(text, wrt, VARS).evaluate(values)
    got_jv, got_vj = jv.evaluate(values), vj.evaluate(values)
    if not _finite(J, got_jv, got_vj):
        return
    v, u = values[jv.direction], values[vj.direction]
    _assert_close(got_jv, np.tensordot(J, v, axes=v.ndim), f"jvp of {text} by {wrt}")
    _assert_close(got_vj, np.tensordot(u, J, axes=u.ndim), f"vjp of {text} by {wrt}")
    for p in (jv, vj):
        report = p.check(values)
        assert report or not np.isfinite(report.max_error), (p.kind, text, wrt, str(report))


def test_logistic_hvp_reads_as_products_with_v_never_the_hessian():
    p = md.hvp(LOGISTIC, "w")
    assert str(p) == "X'*(y.*y.*sigmoid(-y.*(X*w)).*(1 - sigmoid(-y.*(X*w))).*(X*v))"
    assert p.direction == "v" and p.dims == ("m",) and p.check()
    code = p.code()
    assert "X.T @ (" in code and "(X @ v)" in code and "X.T @ X" not in code


@pytest.mark.parametrize("expr, wrt, want", [
    ("x'*A*x", "x", "(A + A')*v"),
    ("norm2(T - U*V')^2", "U", "2*V1*V'*V"),          # V is taken: the direction is V1
    ("sum(exp(X*w))", "w", "X'*(exp(X*w).*(X*v))"),
])
def test_hvp_forms_and_fresh_direction_names(expr, wrt, want):
    assert str(md.hvp(expr, wrt)) == want


@pytest.mark.parametrize("expr, wrt, jvp_form, vjp_form", [
    ("sin(A*x)", "x", "cos(A*x).*(A*v)", "A'*(u.*cos(A*x))"),
    ("A*X*B", "X", "A*V*B", "A'*U*B'"),
    ("inv(X)", "X", "-inv(X)*V*inv(X)", "-inv(X)'*U*inv(X)'"),
])
def test_jvp_and_vjp_forms(expr, wrt, jvp_form, vjp_form):
    assert str(md.jvp(expr, wrt)) == jvp_form and str(md.vjp(expr, wrt)) == vjp_form


@pytest.mark.parametrize("target", ["numpy", "jax", "torch"])
def test_compiled_products_equal_evaluate(target):
    pytest.importorskip({"numpy": "numpy", "jax": "jax", "torch": "torch"}[target])
    if target == "jax":
        import jax

        jax.config.update("jax_enable_x64", True)
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((7, 4)), rng.choice([-1.0, 1.0], 7)
    values = {"X": X, "y": y, "w": rng.standard_normal(4), "v": rng.standard_normal(4)}
    p = md.hvp(LOGISTIC, "w")
    np.testing.assert_allclose(np.asarray(p.compile(target)(**values)), p.evaluate(values),
                               rtol=1e-12)
    f, hv = p.compile(target, value=True)(**values)  # value=True: (f, H v)
    np.testing.assert_allclose(float(f), md.parse(LOGISTIC).evaluate(values), rtol=1e-12)
    U = rng.standard_normal((4, 3))
    j = md.jvp("sin(X*W)", "W")
    got = j.compile(target)(X=X, W=U, V=U * 2)
    np.testing.assert_allclose(np.asarray(got), j.evaluate({"X": X, "W": U, "V": U * 2}))


def test_hvp_explains_the_derivative_of_the_directional_derivative():
    p = md.hvp(LOGISTIC, "w")
    text = p.explain()
    assert text.splitlines()[0].startswith("∂f/∂w for f = (")
    assert text.rstrip().splitlines()[-1].split("    [")[0].endswith(str(p))
    assert md.vjp("sin(A*x)", "x").explain("markdown")
    with pytest.raises(md.UnsupportedError, match="through its Jacobian"):
        md.jvp("sin(A*x)", "x").explain()


def test_products_report_kind_and_direction():
    p = md.vjp("X*w", "w", direction="r")
    assert p.kind == "vjp" and p.direction == "r" and str(p) == "X'*r"
    assert p.to_dict()["direction"] == "r" and "vjp" in repr(p)


@pytest.mark.parametrize("call, message", [
    (lambda: md.hvp("A*x", "x"), "scalar function"),
    (lambda: md.hvp("x'*x", "x", direction="x"), "already a variable"),
    (lambda: md.jvp("A*x", "x", direction="sin"), "not a variable name"),
    (lambda: md.vjp("A*x +", "x"), "missing operand"),
])
def test_bad_input_is_a_clear_error(call, message):
    with pytest.raises(md.MatdiffError, match=message):
        call()


@pytest.mark.parametrize("expr, wrt, want", [
    ("u'*diag(exp(A*x))*B*v", "x", "A'*(u.*exp(A*x).*(B*v))"),
    ("u'*A*diag(x)*B*v", "x", "A'*u.*(B*v)"),
])
def test_matrix_times_vector_is_written_first_where_a_vector_waits(expr, wrt, want):
    """Not A'*diag(d)*B*v: the product with the vector is what one computes first."""
    d = md.derivative(expr, wrt)
    assert str(d) == want and d.check()
