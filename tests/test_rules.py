"""Every rewrite rule keeps the numbers: a hand-built example per rule, and random expressions.

EXAMPLES holds one example per rule of `matdiff.rewrite.RULES` (expression text, and the
variable to differentiate by, or None to simplify the expression itself). The test
iterates RULES, so a new rule without an example fails. For each: the rule must fire
(seen in the `record` of `simplify`), and every step it recorded, and the simplification
as a whole, must evaluate to the same numbers before and after, at random points.

The property test simplifies random well-typed expressions (tests/exprgen.py) and their
unsimplified derivatives, and compares values before and after at a random point.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

import matdiff as md
from matdiff.numeric.check import random_point
from matdiff.ir.build import einsum
from matdiff.calculus.diff import diff
from matdiff.numeric.evaluate import evaluate
from matdiff.rewrite import ALTERNATIVES, RULES, simplify

from support.exprgen import VARS, expressions, random_values, variables_in

# rule name -> (expression, wrt or None, how to sample: 'normal' | 'positive' | 'spd')
EXAMPLES = {
    # d(A x) = A δ: the identity factor is contracted away
    "contract-identity": ("A*x", "x", "normal"),
    # d sum(x) = Σ_a δ(a,b) = 1
    "identity-row-sum": ("sum(x)", "x", "normal"),
    # 1ᵀ x: the all-ones factor merges into the sum over x
    "absorb-ones": ("vector(1)'*x", None, "normal"),
    # x ⊙ x ⊙ x → x^3
    "collect-powers": ("x.*x.*x", None, "normal"),
    # d(xᵀ S x) = (S + Sᵀ) x = 2 S x for S declared symmetric
    "symmetric": ("x'*S*x", "x", "normal"),
    # d sum(log(exp(x) + 1)) = exp(x) ⊘ (exp(x) + 1) = sigmoid(x)
    "sigmoid": ("sum(log(exp(x) + vector(1)))", "x", "normal"),
    # X⁻¹ X → I
    "inverse-cancel": ("inv(X)*X", None, "normal"),
    # exp(log(x)) → x for x > 0
    "inverse-functions": ("exp(log(x))", None, "positive"),
    # (x + y) ⊙ z − y ⊙ z → x ⊙ z
    "expand-cancel": ("(x + y).*z - y.*z", None, "normal"),
    # A x + Aᵀ x → (A + Aᵀ) x
    "factor-common": ("x'*A*x", "x", "normal"),
    # d det(X Xᵀ + I) holds d(X Xᵀ) = dX Xᵀ + X dXᵀ, a sum of 4-axis tensors, inside a trace
    "distribute-tensor-sums": ("det(X*X' + eye)", "X", "normal"),
    # (y ⊘ s)ᵀ(diag(s) W − s sᵀ W) → yᵀW − sum(y) sᵀW: distributing lets s ⊘ s cancel
    "distribute-cancel": ("-y'*log(softmax(A*x))", "x", "normal"),
    # diag(1 ⊘ (x + 1)) − diag(x ⊘ (x + 1)²) → diag(1 ⊘ (x + 1) − x ⊘ (x + 1)²)
    "merge-linear": ("x./(x + vector(1))", "x", "positive"),
    # inv(Xᵀ) → inv(X)ᵀ, so that tr(inv(X')) and tr(inv(X)') are seen to be equal
    "transpose-out": ("tr(inv(X')) + tr(inv(X)')", None, "spd"),
    # d log|det X| = sign(det X) det(X) inv(X)ᵀ / |det X| = inv(X)ᵀ
    "sign-times-value": ("log(abs(det(X)))", "X", "normal"),
    # d xᵀlog(x ⊘ y)/dy = x ⊙ (x ⊘ y)⁻¹ ⊙ (−x ⊘ y²) = −x ⊘ y
    "split-power": ("x'*log(x./y)", "y", "positive"),
    # d sum(A) = 1 1ᵀ = the all-ones matrix
    "ones-outer": ("sum(A)", "A", "normal"),
    # det(X³) = det(X)³
    "det-of-product": ("det(X^3)", "X", "normal"),
    # d det(−X) = det(−X) inv(−X)ᵀ (−1) = det(−X) inv(X)ᵀ
    "scaled-inverse": ("det(-X)", "X", "normal"),
    # d det(A X) = det(A X) Aᵀ inv(A X)ᵀ = det(A X) Aᵀ inv(A)ᵀ inv(X)ᵀ = det(A X) inv(X)ᵀ
    "inverse-of-product": ("det(A*X)", "X", "normal"),
    # ⟨A ᵀ, L_exp(X, dX)⟩ → ⟨L_exp(Xᵀ, Aᵀ), dX⟩: the gradient of tr(A expm(X)) is dexpm(X', A')
    "frechet-adjoint": ("tr(A*expm(X))", "X", "normal"),
    # L_log(Xᵀ, I) → inv(Xᵀ): the gradient of tr(logm(X)) is inv(X)'; L_exp(aX, X) → expm(aX)X
    "frechet-commuting": ("tr(logm(X)) + tr(sqrtm(X)) + tr(expm(a*X))", "X", "spd"),
    # the chain rule's product ∂expm(X)/∂X · B: Σ_ab L(X, J(a,b)) B[a,b] → L(X, B)
    "frechet-direction": ("expm(X)", "X·B", "normal"),
    # L_log(S, A)ᵀ → L_log(S, Aᵀ): so sym(G) of a gradient by S merges into one operator
    "frechet-transpose": ("dlogm(S, A)'", None, "spd"),
    # L_log(S, A) + 2 L_log(S, B) → L_log(S, A + 2B)
    "frechet-linear": ("dlogm(S, A) + 2*dlogm(S, B)", None, "spd"),
    # tr(logm(X)) → logdet(X)
    "trace-logm": ("tr(logm(X))", None, "spd"),
}
RULE_VARS = {**VARS, "z": "vector(n)", "X": "matrix(n,n)"}
POINTS = 3


def simplified_example(text: str, wrt: str | None):
    """(unsimplified IR, simplified IR, recorded steps, variables).

    wrt "X·B": the derivative by X contracted with the matrix B over X's axes, the
    product the chain rule of an explanation forms."""
    e = md.parse(text + (" + 0*" + wrt.split("·")[1] if wrt and "·" in wrt else ""),
                 RULE_VARS)
    raw = e.expr if wrt is None else diff(e.expr, e.variables[wrt.split("·")[0]])
    if wrt and "·" in wrt:
        factor = e.variables[wrt.split("·")[1]]
        ix = tuple(range(raw.rank))
        raw = einsum([raw, factor], [ix, ix[-2:]], ix[:-2])
    steps: list = []
    return raw, simplify(raw, steps), steps, e.variables


def assert_same_values(before, after, values, variables, what: str):
    want = np.asarray(evaluate(before, values, context=variables), dtype=float)
    got = np.asarray(evaluate(after, values, context=variables), dtype=float)
    assert got.shape == want.shape, f"{what}: shape {got.shape} != {want.shape}"
    scale = max(1.0, float(np.abs(want).max(initial=0.0)))
    assert np.allclose(got, want, rtol=1e-8, atol=1e-10 * scale), \
        f"{what}: values differ\nbefore: {before!r}\nafter:  {after!r}\n{want}\n!=\n{got}"


ALL_RULES = RULES + ALTERNATIVES


@pytest.mark.parametrize("rule", ALL_RULES, ids=[r.name for r in ALL_RULES])
def test_rule_fires_and_keeps_the_numbers(rule):
    assert rule.name in EXAMPLES, (
        f"rule '{rule.name}' ({rule.identity}) has no example: add one to EXAMPLES")
    text, wrt, how = EXAMPLES[rule.name]
    raw, simplified, steps, variables = simplified_example(text, wrt)
    mine = [s for s in steps if s.rule == rule.name]
    assert mine, (f"rule '{rule.name}' did not fire on {text!r} (wrt {wrt}); "
                  f"fired: {sorted({s.rule for s in steps})}")
    rng = np.random.default_rng(zlib.crc32(rule.name.encode()))
    for _ in range(POINTS):
        values = random_point(variables, rng, how)
        for step in mine:
            assert_same_values(step.before, step.after, values, variables, f"{rule.name} step")
        assert_same_values(raw, simplified, values, variables, f"simplify({text!r})")


def test_every_example_names_a_rule():
    names = {r.name for r in ALL_RULES}
    assert set(EXAMPLES) <= names, f"examples of unknown rules: {set(EXAMPLES) - names}"


SETTINGS = settings(max_examples=200, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(text=expressions(), data=st.data())
def test_simplify_keeps_values_of_random_expressions_and_derivatives(text, data):
    e = md.parse(text, VARS)
    names = variables_in(text)
    wrt = data.draw(st.sampled_from(names), label="wrt") if names else None
    rng = np.random.default_rng(zlib.crc32(text.encode()))
    values = random_values(rng)
    candidates = [e.expr] + ([diff(e.expr, e.variables[wrt])] if wrt else [])
    for raw in candidates:
        with np.errstate(all="ignore"):
            before = np.asarray(evaluate(raw, values, context=e.variables), dtype=float)
        assume(np.all(np.isfinite(before)) and np.abs(before).max(initial=0.0) < 1e8)
        steps: list = []
        simplified = simplify(raw, steps)
        for rule in sorted({step.rule for step in steps}):
            event(f"rule {rule}")  # --hypothesis-show-statistics: which rules were exercised
        assert_same_values(raw, simplified, values, e.variables,
                           f"{text} (wrt {wrt})" if raw is not e.expr else text)
