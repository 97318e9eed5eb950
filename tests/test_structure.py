"""`structure`: proved entry bounds, Gram forms and semidefiniteness, checked on numbers.

Soundness is the contract: whatever `bounds` claims must hold at every point, whatever
`definiteness` claims must show in the eigenvalues. Random well-typed expressions
(tests/exprgen.py) are the oracle's input; a few named cases pin down what must be proved.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matdiff as md
from matdiff import structure
from matdiff.evaluate import evaluate
from matdiff.ir import Einsum, walk

from exprgen import VARS, expressions, random_values, variables_in

SETTINGS = settings(max_examples=int(os.environ.get("MATDIFF_EXAMPLES", 60)), deadline=None,
                    derandomize=not os.environ.get("MATDIFF_EXAMPLES"))


@SETTINGS
@given(text=expressions(), seed=st.integers(0, 2**16))
def test_bounds_of_every_subexpression_hold_at_random_points(text, seed):
    e = md.parse(text, VARS)
    rng = np.random.default_rng(seed)
    for _ in range(3):
        values = random_values(rng)
        for node in walk(e.expr):
            lo, hi = structure.bounds(node)
            with np.errstate(all="ignore"):
                got = np.asarray(evaluate(node, values, context=e.variables))
            got = got[np.isfinite(got)]
            tol = 1e-9 * (1 + np.abs(got))
            assert np.all(got >= lo - tol) and np.all(got <= hi + tol), (text, node, lo, hi)


@SETTINGS
@given(text=expressions("scalar"), wrt=st.sampled_from(["x", "A"]), seed=st.integers(0, 2**16))
def test_proved_definite_hessians_have_eigenvalues_of_that_sign(text, wrt, seed):
    if wrt not in variables_in(text):
        return
    h = md.hessian(text, wrt, VARS)
    sign = structure.definiteness(h.expr)
    if sign == 0:
        return
    H = np.asarray(h.evaluate(random_values(np.random.default_rng(seed))))
    if not np.all(np.isfinite(H)):
        return
    H = H.reshape(int(np.sqrt(H.size)), -1)  # a matrix variable: rows (a,b), columns (c,d)
    np.testing.assert_allclose(H, H.T, atol=1e-9 * (1 + np.abs(H).max()))
    eig = np.linalg.eigvalsh(H) * sign
    assert eig.min() >= -1e-9 * (1 + np.abs(eig).max()), (text, eig)


@pytest.mark.parametrize("text", [
    "y.*y", "exp(x)", "sigmoid(x).*(vector(1) - sigmoid(x))", "x'*x", "norm2(A*x)^2",
    "y.*y.*sigmoid(x).*(vector(1) - sigmoid(x))", "abs(x) + exp(y)", "softmax(x)",
    "relu(x).^3", "x.^4", "sqrt(exp(x))",
])
def test_nonnegative_is_proved(text):
    assert structure.is_nonnegative(md.parse(text).expr)


@pytest.mark.parametrize("text", ["x", "sin(x)", "x - y", "x.^3", "log(exp(x))", "x'*y",
                                  "exp(x) - vector(1)"])
def test_nonnegative_is_not_claimed(text):
    assert not structure.is_nonnegative(md.parse(text).expr)


@pytest.mark.parametrize("expr, wrt, vars, sign", [
    ("sum(log(exp(-y.*(X*w)) + vector(1)))", "w", None, 1),   # logistic loss: convex
    ("sum(exp(X*w))", "w", None, 1),
    ("-sum(exp(X'*w))", "w", None, -1),                        # M diag(d) M', d ≤ 0
    ("norm2(A*x - b)^2 + 0.5*norm2(x)^2", "x", {"b": "vector(m)"}, 1),
    ("norm2(A*x - b)^2 + c*norm2(x)^2", "x", {"b": "vector(m)"}, 0),  # c of unknown sign
    ("sum(sin(X*w))", "w", None, 0),
    ("x'*A*x", "x", None, 0),
    ("norm2(T - U*V')^2", "U", None, 1),                       # I ⊗ 2V'V
    ("norm2(X*W - Y)^2 + 0.5*norm2(W)^2", "W", None, 1),       # (2X'X + I) ⊗ I
    ("-norm2(X*W - Y)^2", "W", None, -1),
    ("tr(W*W)", "W", None, 0),                                 # a permutation: indefinite
])
def test_definiteness_of_hessians(expr, wrt, vars, sign):
    assert structure.definiteness(md.hessian(expr, wrt, vars).expr) == sign


def test_gram_form_names_factor_and_weights():
    h = md.hessian("sum(log(exp(-y.*(X*w)) + vector(1)))", "w")
    gram = structure.gram_form(h.expr)
    assert isinstance(h.expr, Einsum) and gram is not None
    assert gram.factor.name == "X" and gram.rows == 0 and gram.sign == 1
    assert len(gram.weights) == 4  # y, y, σ, 1 - σ


@pytest.mark.parametrize("expr, wrt", [
    ("sum(log(exp(-y.*(X*w)) + vector(1)))", "w"), ("-sum(exp(X'*w))", "w"),
    ("sum(exp(X*w))", "w"), ("norm2(A*x)^2 + 3*x'*x", "x"), ("norm2(T - U*V')^2", "U"),
])
@pytest.mark.parametrize("target", ["numpy", "jax", "torch"])
def test_generated_gram_hessians_equal_the_reference(expr, wrt, target):
    pytest.importorskip({"numpy": "numpy", "jax": "jax", "torch": "torch"}[target])
    h = md.hessian(expr, wrt)
    rng = np.random.default_rng(1)
    values = {name: rng.standard_normal(tuple({"n": 5, "m": 3, "k": 2}.get(d, d)
                                              for d in v.dims))
              for name, v in h.variables.items()}
    if target == "jax":
        import jax

        jax.config.update("jax_enable_x64", True)
    got = h.compile(target, structured=False)(**values)
    np.testing.assert_allclose(np.asarray(got, dtype=float), h.evaluate(values),
                               rtol=1e-10, atol=1e-12)
