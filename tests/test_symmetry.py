"""The symmetry predicate: what it calls symmetric is, numerically; and what it must know."""

from __future__ import annotations

import numpy as np
import pytest

import matdiff as md
from matdiff.numeric.check import random_point
from matdiff.numeric.evaluate import evaluate
from matdiff.analysis.symmetry import is_symmetric

VARS = {"A": "matrix(n,n)", "X": "matrix(m,n)", "S": "matrix(n,n) symmetric",
        "u": "vector(n)", "x": "vector(m)", "Y": "matrix(n,n)"}

SYMMETRIC = [
    "X'*X", "X*X'", "A + A'", "X*S*X'", "inv(S)", "S*S*S", "X'*diag(x)*X", "u*u'",
    "A'*A + eye", "inv(Y*Y')", "exp(X'*X)", "2*S - eye", "S.^2", "diag(u)", "matrix(1) + A + A'",
    "A*S*A' + S", "inv(X'*X + eye)",
]
NOT_KNOWN = ["A", "A*A", "X'*X*A", "S + A", "diag(u)*A*diag(u)", "A*S", "u*(A*u)'"]


def _expr(text):
    return md.parse(text, {k: v for k, v in VARS.items() if k in text})


@pytest.mark.parametrize("text", SYMMETRIC)
def test_known_symmetric_and_numerically_so(text):
    e = _expr(text)
    assert is_symmetric(e.expr), text
    values = random_point(e.variables, np.random.default_rng(0))
    m = np.asarray(evaluate(e.expr, values, context=e.variables))
    assert np.allclose(m, m.T), text


@pytest.mark.parametrize("text", NOT_KNOWN)
def test_not_claimed_without_reason(text):
    assert not is_symmetric(_expr(text).expr), text
