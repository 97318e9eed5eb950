"""The function tables: every name the language knows has one entry, and every fact an
entry states holds numerically (derivative, transpose and symmetry behaviour, f(I), f(0),
range), so a new function is one entry plus these tests."""

from __future__ import annotations

import numpy as np
import pytest

import matdiff as md
from matdiff.codegen import TARGETS
from matdiff.functions import (
    ENTRYWISE, FRECHET, KNOWN_FUNCTIONS, LITERAL_ARG_FUNCTIONS, MATRIX, PRIMARY, STRUCTURAL,
)
from matdiff.language.lowering import _STRUCTURAL

RNG = np.random.default_rng(3)
WHOLE = {**MATRIX, **PRIMARY}


def test_every_known_name_has_exactly_one_entry():
    tables = [set(ENTRYWISE), set(MATRIX), {f for f, e in PRIMARY.items() if e.spelled},
              set(STRUCTURAL), set(FRECHET), set(LITERAL_ARG_FUNCTIONS)]
    assert set().union(*tables) == KNOWN_FUNCTIONS
    assert sum(map(len, tables)) == len(KNOWN_FUNCTIONS), "a name is in two tables"


def test_every_structural_function_is_lowered():
    assert set(_STRUCTURAL) == set(STRUCTURAL)


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_every_function_has_code_in_every_target(target):
    missing = [name for name, entry in {**ENTRYWISE, **MATRIX}.items()
               if target not in entry.code]
    assert not missing, missing


def _inside(fn: str, shape) -> np.ndarray:
    """A point inside the function's domain."""
    domain = ENTRYWISE[fn].domain
    if domain == "positive":
        return RNG.uniform(0.3, 2.0, shape)
    if domain == "unit":
        return RNG.uniform(-0.8, 0.8, shape)
    return RNG.uniform(-2.0, 2.0, shape)


@pytest.mark.parametrize("fn", sorted(ENTRYWISE))
def test_entrywise_derivative_matches_finite_differences(fn):
    d = md.derivative(f"{fn}(x)", "x")
    x = _inside(fn, 4)
    x = np.where(np.abs(x) < 0.1, 0.5, x)  # away from the kinks at 0
    assert d.check({"x": x}), (fn, str(d))


@pytest.mark.parametrize("fn", sorted(ENTRYWISE))
def test_entrywise_value_at_zero_and_range(fn):
    entry = ENTRYWISE[fn]
    if entry.at_zero is not None:
        assert entry.numpy(np.zeros(1))[0] == pytest.approx(entry.at_zero)
    with np.errstate(all="ignore"):
        values = entry.numpy(_inside(fn, 200) * 3)
    values = values[np.isfinite(values)]
    lo, hi = entry.range
    assert np.all((values >= lo) & (values <= hi)), fn
    if entry.monotone != "none":
        x = np.sort(_inside(fn, 50))
        steps = np.diff(entry.numpy(x))
        assert np.all(steps >= 0) if entry.monotone == "increasing" else np.all(steps <= 0)


def _argument(fn: str, n: int = 3) -> np.ndarray:
    """A symmetric positive definite matrix, or a vector."""
    if WHOLE[fn].argument == "vector":
        return RNG.standard_normal(n)
    m = RNG.standard_normal((n, n))
    return m @ m.T / n + np.eye(n)


def _value(fn: str, x, p=0.3):
    if fn in PRIMARY:
        from matdiff.functions import primary

        return primary.value(fn, x, p)
    return MATRIX[fn].numpy(x)


@pytest.mark.parametrize("fn", sorted(WHOLE))
def test_matrix_function_facts_hold(fn):
    entry = WHOLE[fn]
    x = _argument(fn)
    fx = _value(fn, x)
    assert np.shape(fx) == (np.shape(x) if entry.same_dims else ())
    if entry.transpose is not None:
        a = x + 0.3 * RNG.standard_normal(x.shape)  # not symmetric
        a = a @ a.T + 0.1 * (a - a.T) + np.eye(len(a))
        expected = _value(fn, a).T if entry.transpose == "commutes" else _value(fn, a)
        assert np.allclose(_value(fn, a.T), expected), fn
    if entry.keeps_symmetry:
        assert np.allclose(fx, fx.T)
    if entry.fixes_identity:
        assert np.allclose(_value(fn, np.eye(3)), np.eye(3))
    at_zero = getattr(entry, "at_zero", None)
    if at_zero is not None:
        expected = {"uniform": np.full(4, 0.25), "log-length": np.log(4)}[at_zero]
        assert np.allclose(_value(fn, np.zeros(4)), expected)
    if getattr(entry, "range", (-np.inf, np.inf)) != (-np.inf, np.inf):
        lo, hi = entry.range
        assert np.all((fx >= lo) & (fx <= hi))


@pytest.mark.parametrize("fn", sorted(MATRIX))
def test_matrix_function_differential_matches_finite_differences(fn):
    arg = "x" if MATRIX[fn].argument == "vector" else "X"
    for shape in (f"{fn}({arg})", f"{fn}(2*{arg})"):
        d = md.derivative(shape, arg)
        assert d.check(), (fn, str(d))
