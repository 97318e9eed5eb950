"""The vec layout (Magnus & Neudecker): ∂vec(F)/∂vec(X)ᵀ, Kronecker products, K(m,n).

The oracle is independent of matdiff's printer logic: the printed form is evaluated
numerically (np.kron for ⊗, an explicit commutation matrix, column-major vec; every
other part read back by `md.parse`) and compared with the mixed-layout tensor
reshaped in column-major order. Golden file: tests/golden/vec/cases.txt
(MATDIFF_UPDATE_GOLDENS=1 regenerates it; review the diff).
"""

from __future__ import annotations

import os
from functools import reduce

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matdiff as md
from matdiff.notation.forms import Call, Commutation, Const, Kron, Lit, Prod, Sum, T
from matdiff.numeric.evaluate import evaluate
from matdiff.notation.named import _nodes
from matdiff.notation import render

from support.exprgen import VARS, expressions, random_values, variables_in
from support.formcases import GOLDEN_DIR, assert_matches_golden, katex_errors, node_executable

GOLDEN = GOLDEN_DIR.parent / "vec" / "cases.txt"
DECLS = {"A": "matrix(m,p)", "B": "matrix(q,n)", "X": "matrix(p,q)", "Y": "matrix(p,p)",
         "C": "matrix(p,p)", "x": "vector(q)", "y": "vector(m)", "a": "scalar"}
SIZES = {"m": 2, "n": 3, "p": 4, "q": 5}
CASES = [  # (expression, wrt): the Kronecker forms of the literature, and the edges
    ("A*X*B", ["X"]), ("X'", ["X"]), ("Y*Y", ["Y"]), ("inv(Y)", ["Y"]), ("X", ["X"]),
    ("A*X", ["X"]), ("X*B", ["X"]), ("B'*X'*A'", ["X"]), ("X*X'", ["X"]), ("exp(X)", ["X"]),
    ("X.*X", ["X"]), ("tr(C*Y)*A", ["Y"]), ("X*x", ["X"]), ("X*x", ["x"]), ("a*A", ["a"]),
    ("tr(X'*X)", ["X"]), ("logdet(Y)", ["Y", "Y"]), ("tr(X'*X*X'*X)", ["X", "X"]),
    ("y'*A*X*x", ["X", "X"]), ("exp(Y)*C", ["Y"]), ("sigmoid(A*X)", ["X"]),
    ("diag(Y)*x'", ["Y"]),
]


def derive(expr: str, wrt: list[str], layout: str = "vec") -> md.Derivative:
    return md.derivative(expr, wrt, DECLS, layout)


def values_for(d: md.Derivative, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    out = {}
    for name, var in d.variables.items():
        shape = tuple(SIZES.get(x, x) for x in var.dims)
        out[name] = rng.standard_normal(shape) + (3 * np.eye(shape[0]) if name == "Y" else 0) \
            if shape else float(rng.uniform(0.5, 1.5))
    return out


# --- the oracle: a printed form, evaluated ----------------------------------------------------


def _special(f) -> bool:
    return any(isinstance(x, (Kron, Commutation)) or (isinstance(x, Call) and x.fn == "vec")
               for x in _nodes(f))


def _dims_of(e) -> set:
    from matdiff.ir import walk

    return {d for node in walk(e.expr) for d in node.dims if isinstance(d, str)}


def _needs_size(f) -> bool:
    """Sized by its neighbours in a product: ⊗ with an identity, eye, vector(1), vec(eye)."""
    f = _untransposed(f)
    return _has_kron(f) or isinstance(f, Const) or (
        isinstance(f, Call) and f.fn == "vec" and _is_eye(f.arg))


def _untransposed(f):
    return f.arg if isinstance(f, T) else f


def _has_kron(f) -> bool:
    return any(isinstance(x, Kron) for x in _nodes(f))


def _is_eye(f) -> bool:
    return isinstance(f, Const) and f.name == "eye"


def commutation(m: int, n: int) -> np.ndarray:
    """K with K·vec(A) = vec(Aᵀ) for A m×n, built entry by entry."""
    k = np.zeros((m * n, m * n))
    for i in range(m):
        for j in range(n):
            k[j + n * i, i + m * j] = 1.0
    return k


class Oracle:
    """Evaluates a vec-layout form: ⊗ by np.kron, K by `commutation`, vec column-major;
    an identity factor of unknown size takes the size its neighbours leave."""

    def __init__(self, values, decls, sizes):
        self.values, self.decls, self.sizes = values, decls, sizes

    def read_back(self, f, shape=None) -> np.ndarray:
        """A part with no vec-layout notation, read back by matdiff, as a 2-D array (a size
        no variable fixes, as in `2*eye`, taken from `shape`)."""
        e = md.parse(render(f, "text"), self.decls)
        sizes = dict(zip(e.dims, shape)) if shape and f.kind == "matrix" else {}
        sizes.update({e.dims[0]: shape[0]} if shape and f.kind == "col" else {})
        sizes.update({e.dims[0]: shape[1]} if shape and f.kind == "row" else {})
        try:
            value = np.asarray(e.evaluate(self.values, sizes))
        except md.ShapeError:  # vector(1) or eye whose size only the context fixes
            if len(set(self.sizes.values())) != 1:
                raise
            size = next(iter(self.sizes.values()))
            value = np.asarray(e.evaluate(self.values, {d: size for d in _dims_of(e)}))
        return value.reshape({"col": (-1, 1), "row": (1, -1)}.get(f.kind, value.shape or (1, 1)))

    def value(self, f, shape=None) -> np.ndarray:
        if _is_eye(f):
            return np.eye(shape[0])
        if isinstance(f, Const) and f.name == "zeros":
            return np.zeros(shape)
        if isinstance(_untransposed(f), Const) and _untransposed(f).name == "ones":
            return np.ones(shape)
        if not _special(f):
            return self.read_back(f, shape)
        if isinstance(f, Sum):
            return sum(c * self.value(t, shape) for c, t in f.terms)
        if isinstance(f, T):
            return self.value(f.arg, shape and shape[::-1]).T
        if isinstance(f, Commutation):
            return commutation(self.sizes[f.rows], self.sizes[f.cols])
        if isinstance(f, Call) and f.fn == "vec":
            side = int(round(np.sqrt(shape[0]))) if shape else None  # vec(eye): n² entries
            inner = np.eye(side) if _is_eye(f.arg) else self.read_back(f.arg)
            return inner.reshape((-1, 1), order="F")
        if isinstance(f, Call) and f.fn == "diag":
            return np.diag(self.value(f.arg).ravel())
        if isinstance(f, Prod):
            return self.product(f, shape)
        if isinstance(f, Kron):
            return self.kron(f, shape)
        raise AssertionError(f"unexpected form in the vec layout: {f}")

    def product(self, f, shape):
        coef = np.prod([x.value if isinstance(x, Lit) else self.read_back(x).item()
                        for x in f.factors if x.kind == "scalar"])
        mats = [x for x in f.factors if x.kind != "scalar" and not _is_eye(x)]
        if len(mats) == 1:
            return coef * self.value(mats[0], shape)
        sized = [None if _needs_size(x) else self.value(x) for x in mats]
        out = []
        for k, (x, v) in enumerate(zip(mats, sized)):  # a ⊗ is sized by its neighbours
            rows = out[-1].shape[1] if out else shape[0]
            cols = next((w.shape[0] for w in sized[k + 1:] if w is not None), shape[1])
            out.append(v if v is not None else self.value(x, (rows, cols)))
        return coef * reduce(np.matmul, out)

    def kron(self, f, shape):
        parts = [None if _is_eye(x) else self.value(x) for x in f.factors]
        unknown = [k for k, p in enumerate(parts) if p is None]
        assert len(unknown) <= 1, "two identities of unknown size"
        if unknown:
            rows = int(np.prod([p.shape[0] for p in parts if p is not None]))
            parts[unknown[0]] = np.eye(shape[0] // rows)
        return reduce(np.kron, parts)


def mixed_as_vec(d: md.Derivative, values) -> np.ndarray:
    mixed = np.asarray(evaluate(d.mixed, values, context=d.variables))
    rows = d.arrangement.vec[0]
    r = int(np.prod(mixed.shape[:rows], dtype=int))
    return mixed.reshape((r, -1), order="F")


def assert_vec_right(d: md.Derivative, values, decls, sizes):
    expected = mixed_as_vec(d, values)
    np.testing.assert_allclose(d.evaluate(values), expected, rtol=1e-10, atol=1e-12)
    form = d.form()
    if d.axes():  # no Kronecker form: index notation of the mixed tensor, said so
        assert "no Kronecker form" in d.arrangement.note
        return False
    got = Oracle(values, decls, sizes).value(form, expected.shape)
    np.testing.assert_allclose(got, expected, rtol=1e-8, atol=1e-10)
    return True


# --- tests --------------------------------------------------------------------------------


def test_commutation_oracle_is_the_transpose_map():
    a = np.arange(6.0).reshape(2, 3)
    assert np.array_equal(commutation(2, 3) @ a.reshape(-1, order="F"),
                          a.T.reshape(-1, order="F"))


def golden_text() -> str:
    lines = []
    for expr, wrt in CASES:
        d = derive(expr, wrt)
        lines += [f"# d/d{', '.join(wrt)} {expr}   dims: {' × '.join(map(str, d.dims))}",
                  f"text:    {d}", f"unicode: {d.unicode()}", f"latex:   {d.latex()}"]
        lines += [f"note:    {d.arrangement.note}"] if d.arrangement.note else []
        lines.append("")
    return "\n".join(lines)


def test_vec_forms_match_golden():
    assert_matches_golden(GOLDEN, golden_text(), "vec-layout forms")


@pytest.mark.skipif(node_executable() is None, reason="node is not installed: KaTeX cannot run")
def test_vec_latex_renders_with_katex():
    sources = [derive(e, w).latex() for e, w in CASES]
    assert not [err for err in katex_errors(sources) if err]


@pytest.mark.parametrize("expr,wrt", CASES, ids=[f"{e} by {','.join(w)}" for e, w in CASES])
def test_printed_vec_form_has_the_derivative_numbers(expr, wrt):
    d = derive(expr, wrt)
    assert_vec_right(d, values_for(d), DECLS, SIZES)


def test_the_literature_forms():
    assert str(derive("A*X*B", ["X"])) == "kron(B', A)"
    assert derive("A*X*B", ["X"]).unicode() == "Bᵀ ⊗ A"
    assert str(derive("X'", ["X"])) == "commutation(p,q)"
    assert str(derive("Y*Y", ["Y"])) in ("kron(eye, Y) + kron(Y', eye)",
                                         "kron(Y', eye) + kron(eye, Y)")
    assert str(derive("inv(Y)", ["Y"])) == "-kron(inv(Y)', inv(Y))"
    assert derive("A*X*B", ["X"]).dims == ("m*n", "p*q")


def test_vec_is_always_a_matrix():
    for expr, wrt in [("tr(X'*X)", ["X"]), ("a*A", ["a"]), ("A*X*x", ["x"]),
                      ("y'*A*X*x", ["X"])]:
        d = derive(expr, wrt)
        assert np.ndim(d.evaluate(values_for(d))) == 2
    assert derive("tr(X'*X)", ["X"]).evaluate(values_for(derive("X", ["X"]))).shape == (1, 20)


def test_without_kronecker_structure_index_notation_and_a_note():
    d = derive("diag(Y)*x'", ["Y"])  # vec(diag(Y)) selects entries: no Kronecker product
    assert str(d).startswith("D[i,j,k,l] = ") and "no Kronecker form" in d.arrangement.note
    with pytest.raises(md.UnsupportedError):
        d.code("numpy")


def test_check_and_cli(capsys):
    assert derive("A*X*B", ["X"]).check()
    from matdiff.cli import main

    assert main(["A*X*B", "--wrt", "X", "--layout", "vec", "--format", "unicode"]) == 0
    assert capsys.readouterr().out.strip() == "Bᵀ ⊗ A"


@settings(max_examples=int(os.environ.get("MATDIFF_EXAMPLES", 40)), deadline=None,
          derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(text=expressions(), data=st.data())
def test_random_expressions_in_the_vec_layout(text, data):
    names = [v for v in variables_in(text) if v != "S"]
    if not names:
        return
    wrt = data.draw(st.sampled_from(names))
    d = md.derivative(text, wrt, VARS, "vec")
    values = random_values(np.random.default_rng(0))
    with np.errstate(all="ignore"):
        expected = mixed_as_vec(d, values)
        if not np.all(np.isfinite(expected)):
            return
        assert_vec_right(d, values, VARS, {"n": 3})


@settings(max_examples=int(os.environ.get("MATDIFF_EXAMPLES", 30)), deadline=None,
          derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(text=expressions("scalar"), data=st.data())
def test_random_hessians_by_a_matrix_in_the_vec_layout(text, data):
    names = [v for v in variables_in(text) if v in ("A", "B", "S")]
    if not names:
        return
    wrt = data.draw(st.sampled_from(names))
    d = md.hessian(text, wrt, VARS, "vec")
    values = random_values(np.random.default_rng(0))
    with np.errstate(all="ignore"):
        if np.all(np.isfinite(mixed_as_vec(d, values))):
            assert_vec_right(d, values, VARS, {"n": 3})
