"""Every case of the public corpus (tests/data/public.json), in every layout.

For each case: random inputs honouring `dims` and `domain`; matdiff's derivative must
equal the corpus's `expected_numpy` (mixed layout, tight tolerance) and central finite
differences of `f_numpy` (loose tolerance); the numerator and denominator arrangements
follow the layout table; `str(d)` re-parses to the same numbers in all three layouts.
By a symmetric matrix both sides are compared as sym parts, (G + G')/2: matdiff's answer
there is sym(G) (see `matdiff.symmetric`).

`f_numpy` and `expected_numpy` are trusted test data (never user text): they are
evaluated with numpy in a namespace holding only `np`, `len`, a few helpers and the
case's variables.
"""

from __future__ import annotations

import json
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import matdiff as md
from matdiff.calculus.symmetric import symmetrize_array

CORPUS = json.loads((Path(__file__).parent / "data" / "public.json").read_text())
LAYOUTS = ("mixed", "numerator", "denominator")
RTOL, ATOL = 1e-8, 1e-10        # against expected_numpy; atol is scaled by the answer's size
FD_RTOL, FD_ATOL = 1e-5, 1e-6   # against central finite differences of f_numpy
XFAIL: dict[str, str] = {}      # case id -> written reason; empty: every case must pass

_DECL = re.compile(r"^\s*(scalar|vector|matrix)\s*(?:\(([^)]*)\))?\s*(symmetric)?\s*$")


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


_HELPERS = {"sigmoid": _sigmoid, "relu": lambda z: np.maximum(z, 0)}


# ---- sampling ------------------------------------------------------------------------

def var_shape(decl: str, dims: dict[str, int]) -> tuple[tuple[int, ...], bool]:
    """The numpy shape of a declared variable and whether it is declared symmetric."""
    m = _DECL.match(decl)
    assert m, f"unknown declaration in corpus: {decl!r}"
    syms = [s.strip() for s in (m.group(2) or "").split(",") if s.strip()]
    return tuple(dims[s] for s in syms), bool(m.group(3))


def sample_var(rng, shape, symmetric: bool, domain: str | None):
    """One random value: uniform in [-1, 1] unless `domain` says otherwise."""
    if domain == "spd":
        r = rng.uniform(-1, 1, shape)
        value = r @ r.T + shape[0] * np.eye(shape[0])
    elif domain == "invertible":   # diagonally dominant, positive determinant, not symmetric
        value = rng.uniform(-0.5, 0.5, shape) + shape[0] * np.eye(shape[0])
    elif domain == "positive":
        value = rng.uniform(0.5, 2.0, shape)
    elif domain == "pm1":
        value = rng.choice([-1.0, 1.0], shape)
    elif domain == "probability":
        value = rng.uniform(0.05, 0.95, shape)
    else:
        assert domain in (None, "symmetric"), f"unknown domain {domain!r}"
        value = rng.uniform(-1, 1, shape)
    if symmetric or domain == "symmetric":
        value = (value + value.T) / 2
    return float(value) if shape == () else value


def sample_values(case, rng) -> dict:
    domain = case.get("domain") or {}
    values = {}
    for name, decl in case["vars"].items():
        shape, symmetric = var_shape(decl, case["dims"])
        values[name] = sample_var(rng, shape, symmetric, domain.get(name))
    return values


def numpy_eval(source: str, values: dict):
    """Evaluate trusted corpus numpy source with only numpy and the variables in scope."""
    scope = {"__builtins__": {"len": len}, "np": np, **_HELPERS}
    return np.asarray(eval(source, scope, dict(values)), dtype=float)  # noqa: S307 (test data)


# ---- finite differences --------------------------------------------------------------

def perturbed(values: dict, steps) -> dict:
    """A copy of `values` with `delta` added to entry `idx` of `name` for each step."""
    out = dict(values)
    for name, idx, delta in steps:
        v = np.array(out[name], dtype=float)
        v[idx] += delta
        out[name] = float(v) if v.shape == () else v
    return out


def fd_first(f, values, wrt: str, h: float) -> np.ndarray:
    """Central differences: shape = output shape + shape of `wrt` (mixed layout)."""
    shape = np.shape(values[wrt])
    out = np.zeros(np.shape(f(values)) + shape)
    for idx in np.ndindex(shape):
        plus = f(perturbed(values, [(wrt, idx, h)]))
        minus = f(perturbed(values, [(wrt, idx, -h)]))
        out[(...,) + idx] = (plus - minus) / (2 * h)
    return out


def fd_second(f, values, u: str, v: str, h: float) -> np.ndarray:
    """Central differences of the derivative by u, by v: output shape + shape(u) + shape(v)."""
    su, sv = np.shape(values[u]), np.shape(values[v])
    out = np.zeros(np.shape(f(values)) + su + sv)
    for iu in np.ndindex(su):
        for iv in np.ndindex(sv):
            acc = 0.0
            for a in (1, -1):
                for b in (1, -1):
                    acc = acc + a * b * f(perturbed(values, [(u, iu, a * h), (v, iv, b * h)]))
            out[(...,) + iu + iv] = acc / (4 * h * h)
    return out


def finite_difference(case, values, h: float) -> np.ndarray:
    f = lambda vals: numpy_eval(case["f_numpy"], vals)  # noqa: E731
    wrt = case["wrt"]
    if isinstance(wrt, list):
        return fd_second(f, values, wrt[0], wrt[1], h * 100)
    return fd_first(f, values, wrt, h)


# ---- one prepared case ---------------------------------------------------------------

@dataclass(frozen=True)
class Prepared:
    """A case at a random point away from kinks, with its expected mixed-layout answer."""

    case: dict
    values: dict
    expected: np.ndarray
    fd: np.ndarray
    out_ndim: int
    wrt_ndim: int

    @property
    def second_order(self) -> bool:
        return isinstance(self.case["wrt"], list)


def prepare(case) -> Prepared:
    """Sample inputs (seeded by the case id) until finite differences are stable."""
    rng = np.random.default_rng(zlib.crc32(case["id"].encode()))
    for _ in range(20):
        values = sample_values(case, rng)
        fd = finite_difference(case, values, 1e-6)
        fd_coarse = finite_difference(case, values, 1e-5)
        if np.allclose(fd, fd_coarse, rtol=1e-4, atol=1e-5 * max(1.0, np.abs(fd).max())):
            break
    else:
        raise AssertionError(f"{case['id']}: no point with stable finite differences")
    expected = np.broadcast_to(numpy_eval(case["expected_numpy"], values), fd.shape)
    wrt = case["wrt"][0] if isinstance(case["wrt"], list) else case["wrt"]
    if not isinstance(case["wrt"], list) and var_shape(case["vars"][wrt], case["dims"])[1]:
        # by a symmetric matrix matdiff answers sym(G), the same for every extension of f
        expected, fd = symmetrize_array(expected), symmetrize_array(fd)
    out_ndim = np.ndim(numpy_eval(case["f_numpy"], values))
    return Prepared(case, values, np.array(expected), fd, out_ndim, np.ndim(values[wrt]))


def derive(case, layout: str):
    wrt = case["wrt"]
    if isinstance(wrt, list) and len(wrt) == 2 and wrt[0] == wrt[1]:
        return md.hessian(case["expr"], wrt[0], vars=case["vars"], layout=layout)
    return md.derivative(case["expr"], wrt=wrt, vars=case["vars"], layout=layout)


def arranged(p: Prepared, layout: str) -> np.ndarray:
    """The expected answer in `layout`, from the mixed one, per the layout table; the
    matrix layouts (numerator, denominator) return every vector 2-D, a column unless the
    table makes it a row."""
    if layout == "mixed":
        return p.expected
    out = _arranged_matrix_layout(p, layout)
    return out.reshape(-1, 1) if out.ndim == 1 else out


def _arranged_matrix_layout(p: Prepared, layout: str) -> np.ndarray:
    mixed = p.expected
    if p.second_order or p.out_ndim + p.wrt_ndim > 2:
        return mixed
    kinds = (p.out_ndim, p.wrt_ndim)
    if layout == "numerator":
        if kinds == (0, 1):                      # ∂s/∂v: 1×n
            return mixed.reshape(1, -1)
        if kinds == (0, 2):                      # ∂s/∂M: k×r
            return mixed.T
        return mixed                             # ∂w/∂s: m×1
    if kinds == (1, 0):                          # ∂w/∂s: 1×m
        return mixed.reshape(1, -1)
    if kinds in ((1, 1), (2, 0)):                # ∂w/∂v: n×m; ∂M/∂s: k×r
        return mixed.T
    return mixed                                 # ∂s/∂v: n×1


def sizes(case, dims) -> tuple[int, ...]:
    """`d.dims` with each symbol replaced by the case's size for it."""
    return tuple(d if isinstance(d, int) else case["dims"].get(d, d) for d in dims)


def scaled_atol(expected, atol: float) -> float:
    return atol * max(1.0, float(np.abs(expected).max(initial=0.0)))


def same_numbers(got, want, rtol=RTOL, atol=ATOL, what="") -> None:
    """Equal shapes and numbers; a row vector may come back 1-D (only size-1 axes differ)."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    if got.shape != want.shape:
        assert np.squeeze(got).shape == np.squeeze(want).shape, (
            f"{what}shape {got.shape} != {want.shape}")
        got, want = np.squeeze(got), np.squeeze(want)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=scaled_atol(want, atol), err_msg=what)


def case_params(cases, predicate=lambda c: True, layouts=("mixed",)):
    params = []
    for case in cases:
        if not predicate(case):
            continue
        marks = [pytest.mark.xfail(reason=XFAIL[case["id"]], strict=True)] \
            if case["id"] in XFAIL else []
        for layout in layouts:
            pid = case["id"] if len(layouts) == 1 else f"{case['id']}-{layout}"
            params.append(pytest.param(case, layout, id=pid, marks=marks))
    return params


_PREPARED: dict[str, Prepared] = {}


def prepared(case) -> Prepared:
    if case["id"] not in _PREPARED:
        _PREPARED[case["id"]] = prepare(case)
    return _PREPARED[case["id"]]


def result_axes(case) -> int:
    """How many axes the mixed-layout answer has (from the declared shapes)."""
    return prepared(case).expected.ndim


# ---- tests ---------------------------------------------------------------------------

def test_corpus_is_complete_and_well_formed():
    assert len(CORPUS) == 66
    assert len({c["id"] for c in CORPUS}) == len(CORPUS)
    for case in CORPUS:
        names = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", case["expr"]))
        wrts = case["wrt"] if isinstance(case["wrt"], list) else [case["wrt"]]
        assert set(wrts) <= set(case["vars"]), case["id"]
        assert {n for n in names if n in case["vars"]}, case["id"]


@pytest.mark.parametrize("case, layout", case_params(CORPUS))
def test_corpus_answer_matches_expected_and_finite_differences(case, layout):
    p = prepared(case)
    d = derive(case, layout)
    got = np.asarray(d.evaluate(p.values), dtype=float)
    assert got.shape == p.expected.shape, f"shape {got.shape}, expected {p.expected.shape}"
    assert sizes(case, d.dims) == got.shape, f"d.dims {d.dims} vs value shape {got.shape}"
    np.testing.assert_allclose(got, p.expected, rtol=RTOL, atol=scaled_atol(p.expected, ATOL),
                               err_msg="against expected_numpy")
    np.testing.assert_allclose(got, p.fd, rtol=FD_RTOL, atol=scaled_atol(p.fd, FD_ATOL),
                               err_msg="against finite differences of f_numpy")


@pytest.mark.parametrize("case, layout",
                         case_params(CORPUS, layouts=("numerator", "denominator")))
def test_corpus_layout_arrangement(case, layout):
    p = prepared(case)
    d = derive(case, layout)
    got = d.evaluate(p.values)
    want = arranged(p, layout)
    assert np.shape(got) == want.shape, f"{layout}: shape {np.shape(got)}, expected {want.shape}"
    assert sizes(case, d.dims) == want.shape, f"d.dims {d.dims} vs expected shape {want.shape}"
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=scaled_atol(want, ATOL))


@pytest.mark.parametrize("case, layout",
                         case_params(CORPUS, lambda c: result_axes(c) <= 2, LAYOUTS))
def test_corpus_str_reparses_to_same_numbers(case, layout):
    p = prepared(case)
    d = derive(case, layout)
    text = str(d)
    want = d.evaluate(p.values)
    parsed = md.parse(text, vars=case["vars"])
    again = parsed.evaluate(p.values, sizes=free_sizes(parsed, want))
    same_numbers(again, want, what=f"str(d) = {text!r}: ")


def free_sizes(parsed, value) -> dict:
    """Sizes for dims no variable fixes (a printed `eye` or `vector(1)`), read off the
    value the text must reproduce, axis by axis."""
    shape = np.shape(value)
    if len(shape) == len(parsed.dims) + 1 and shape[0] == 1:  # a row vector, printed 1-D
        shape = shape[1:]
    return {d: n for d, n in zip(parsed.dims, shape) if isinstance(d, str)}
