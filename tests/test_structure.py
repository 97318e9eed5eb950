"""`structure`: Gram forms and the sign of their weights, and the symmetric products the
generated code makes of them (checked against the reference numerics on every target)."""

from __future__ import annotations

import numpy as np
import pytest

import matdiff as md
from matdiff.analysis import gram as structure
from matdiff.ir.build import split_coefficient
from matdiff.ir import Einsum


@pytest.mark.parametrize("expr, wrt, sign", [
    ("sum(log(exp(-y.*(X*w)) + vector(1)))", "w", 1),   # y.*y.*σ.*(1 - σ) ≥ 0
    ("sum(exp(X*w))", "w", 1),
    ("sum(exp(-X'*w))", "w", 1),                        # M diag(d) M'
    ("sum(sin(X*w))", "w", 0),                           # sin: sign unknown
    ("sum(x.^3)", "x", 0),                               # 6 diag(x): no Gram form
])
def test_gram_weights_sign(expr, wrt, sign):
    _, body = split_coefficient(md.hessian(expr, wrt).expr)
    gram = structure.gram_form(body)
    if sign == 0:
        assert gram is None or gram.sign == 0
        return
    assert gram is not None and gram.sign == sign


def test_gram_with_unknown_sign_stays_a_general_product():
    code = md.hessian("sum(sin(X*w))", "w").code()
    assert "sqrt" not in code and "X.T @ (X * " in code


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


@pytest.mark.parametrize("expr, wrt", [
    ("sum(log(exp(-y.*(X*w)) + vector(1)))", "w"), ("sum(exp(X*w))", "w"),
    ("sum(exp(-X'*w))", "w"), ("norm2(A*x)^2", "x"), ("sum(sin(X*w))", "w"),
])
def test_the_gram_form_is_the_diagonal_case_of_the_quadratic_form_reading(expr, wrt):
    """Code generation's Gram form M' diag(w) M and the convexity prover's L*M*L' agree:
    where the first is found, the second finds L = M' with a diagonal middle of the weights."""
    from matdiff.analysis.quadform import as_monomial, gram

    _, body = split_coefficient(md.hessian(expr, wrt).expr)
    found = structure.gram_form(body)
    assert found is not None
    l_expr, middle = gram(as_monomial(body, 1, 0), lambda e: False)
    weights = [op for op, ix in zip(middle.ops, middle.ix) if len(ix) == 1]
    assert sorted(map(repr, weights)) == sorted(repr(op) for op, _ in found.weights)
    assert {op.name for op in middle.ops if hasattr(op, "name")} <= {"y"}
