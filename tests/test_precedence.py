"""MATLAB precedence, checked against a small independent reference interpreter.

The reference below reads the same token stream by plain recursive descent, one function
per MATLAB precedence level, and computes on 2-D numpy arrays (a column vector is n×1, a
scalar 1×1): `+ -` < `* / .* ./` < prefix `- +` < `^ .^ '` (one level, left to right),
with a sign after `^`/`.^` taking the next operand alone. Random token strings that it
accepts must give matdiff the same numbers and the same orientation.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import matdiff as md

N = 3
VALUES = {"a": 1.3, "b": 0.7, "x": np.array([0.6, 1.1, 1.4]),
          "A": np.array([[1.2, 0.1, 0.3], [0.2, 0.9, 0.1], [0.4, 0.2, 1.1]])}
# as MATLAB: a '.' before * / ^ belongs to the operator, so `2.*A` is `2 .* A`
_TOKEN = re.compile(r"\s*(\d+(?:\.(?![*/^])\d*)?|[A-Za-z]\w*|\.[*/^]|[-+*/^'()])")


class Rejected(Exception):
    """Text the reference does not accept (ill-typed or ill-formed)."""


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text) + [""]


class Reference:
    """Recursive descent over MATLAB's precedence levels; values are 2-D arrays."""

    def __init__(self, text: str):
        self.toks, self.i = _tokens(text), 0

    def take(self) -> str:
        self.i += 1
        return self.toks[self.i - 1]

    def peek(self) -> str:
        return self.toks[self.i]

    def run(self) -> np.ndarray:
        value = self.sum()
        if self.peek() != "":
            raise Rejected
        return value

    def sum(self):
        value = self.product()
        while self.peek() in ("+", "-"):
            op, right = self.take(), self.product()
            value = _same_shape(value, right, np.add if op == "+" else np.subtract)
        return value

    def product(self):
        value = self.signed()
        while self.peek() in ("*", "/", ".*", "./"):
            op, right = self.take(), self.signed()
            value = _product(op, value, right)
        return value

    def signed(self):
        if self.peek() in ("-", "+"):
            return (-1 if self.take() == "-" else 1) * self.signed()
        return self.powered(self.primary())

    def powered(self, value):
        while self.peek() in ("^", ".^", "'"):
            op = self.take()
            value = value.T if op == "'" else _power(op, value, self.exponent())
        return value

    def exponent(self):
        if self.peek() in ("-", "+"):
            return (-1 if self.take() == "-" else 1) * self.exponent()
        return self.primary()

    def primary(self):
        tok = self.take()
        if tok == "(":
            value = self.sum()
            if self.take() != ")":
                raise Rejected
            return value
        if tok in VALUES:
            value = np.asarray(VALUES[tok], dtype=float)
            return value.reshape(-1, 1) if value.ndim < 2 else value  # x is a column
        if tok[:1].isdigit():
            return np.array([[float(tok)]])
        raise Rejected


def _scalar(v) -> bool:
    return v.shape == (1, 1)


def _same_shape(a, b, fn):
    if a.shape != b.shape and not (_scalar(a) or _scalar(b)):
        raise Rejected
    return fn(a, b)


def _product(op, a, b):
    if op in (".*", "./"):
        return _same_shape(a, b, np.multiply if op == ".*" else np.divide)
    if op == "/":
        if not _scalar(b):
            raise Rejected
        return a / b
    if _scalar(a) or _scalar(b):
        return a * b
    if a.shape[1] != b.shape[0]:
        raise Rejected
    return a @ b


def _power(op, base, exponent):
    if op == "^":  # scalar powers only: matrix powers have their own tests
        if not (_scalar(base) and _scalar(exponent)):
            raise Rejected
        return base ** exponent
    return _same_shape(base, exponent, np.power)


def _reference(text: str):
    try:
        with np.errstate(all="ignore"):
            value = Reference(text).run()
    except Rejected:
        return None
    return value


def _as_2d(value, kind: str) -> np.ndarray:
    """matdiff's value in the reference's shapes: scalar 1×1, column n×1, row 1×n."""
    value = np.asarray(value, dtype=float)
    if kind == "scalar":
        return value.reshape(1, 1)
    if kind == "col":
        return value.reshape(-1, 1)
    return value.reshape(1, -1) if kind == "row" else value


_atoms = st.sampled_from(["a", "b", "x", "A", "2", "3", "0.5"])
_ops = st.sampled_from(["+", "-", "*", "/", ".*", "./", "^", ".^"])


@st.composite
def _texts(draw, depth: int = 3) -> str:
    """Token strings with few parentheses, so precedence decides the tree."""
    parts = []
    for k in range(draw(st.integers(1, 4))):
        if k:
            op = draw(_ops)
            parts.append(op + draw(st.sampled_from(["", "", "-"])) if "^" in op else op)
        sign = draw(st.sampled_from(["", "", "-"]))
        atom = draw(_texts(depth - 1)) if depth and draw(st.integers(0, 5)) == 0 else None
        atom = f"({atom})" if atom else draw(_atoms)
        parts.append(sign + atom + draw(st.sampled_from(["", "", "'", "''"])))
    return "".join(parts)


@settings(max_examples=300, deadline=None)
@given(_texts())
def test_matdiff_agrees_with_the_reference_interpreter(text):
    want = _reference(text)
    assume(want is not None and np.all(np.isfinite(want)))
    try:
        parsed = md.parse(text)
    except md.MatdiffError:  # matdiff may refuse more (a^x for a vector x); never differ
        return
    got = _as_2d(parsed.evaluate(VALUES), parsed.kind)
    assert got.shape == want.shape, f"{text}: shape {got.shape} != {want.shape}"
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12, err_msg=text)


@pytest.mark.parametrize("text, same_as", [
    ("x.^2'", "(x.^2)'"), ("A^2'", "(A^2)'"), ("a^b^3", "(a^b)^3"), ("-a^2", "-(a^2)"),
    ("2^-a", "2^(-a)"), ("2^-a^2", "(2^(-a))^2"), ("x.^3'*x", "(x.^3)'*x"),
    ("(A + A)^2'", "((A + A)^2)'"),
])
def test_matlab_precedence_examples(text, same_as):
    np.testing.assert_allclose(md.parse(text).evaluate(VALUES),
                               md.parse(same_as).evaluate(VALUES))


@pytest.mark.parametrize("text, shown", [
    ("(a^b)^3", "(a^b)^3"), ("a^(b^3)", "a^(b^3)"), ("(x.^a).^b", "(x.^a).^b"),
    ("x.^(x.^2)", "x.^(x.^2)"), ("2^(-a)", "2^(-a)"),
])
def test_printer_parenthesizes_a_power_of_a_power(text, shown):
    assert str(md.parse(text)) == shown
    np.testing.assert_allclose(md.parse(shown).evaluate(VALUES), md.parse(text).evaluate(VALUES))
