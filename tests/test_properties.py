"""Property tests on random well-typed expressions.

A recursive strategy writes expression *text* over a, b (scalars), x, y (vectors of
size n) and A, B (n×n matrices), using every operator and function of the language,
tracking the type of each subterm (scalar, col, row, matrix) so that every text is
well typed. Values stay tame: log and sqrt only see positive arguments, arcsin and
arccos only (-0.5, 0.5), tan only (-1, 1), inv/det/logdet only well-conditioned
matrices, powers only small integers.

Oracle: central finite differences of `md.parse(text).evaluate` at a random point
(n = 3). An example is skipped where the value is not finite, is huge or overflows on
the way; where two step sizes disagree (a kink of abs/sign/relu/norm1 nearby); and
where a derivative that is not finite comes from `norm2` of an argument that is
exactly zero (its kink; the generator makes those, e.g. `norm2(x - x)`).
`md.UnsupportedError` is accepted; a wrong number never is.
"""

from __future__ import annotations

import functools
import os
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

import matdiff as md

N = 3
MAX_DEPTH = 5
VARS = {"a": "scalar", "b": "scalar", "x": "vector(n)", "y": "vector(n)",
        "A": "matrix(n,n)", "B": "matrix(n,n)"}
AXES = {"a": 0, "b": 0, "x": 1, "y": 1, "A": 2, "B": 2}
KIND_AXES = {"scalar": 0, "col": 1, "row": 1, "matrix": 2}
KINDS = tuple(KIND_AXES)
ONE = {"scalar": "1", "col": "vector(1)", "row": "vector(1)'", "matrix": "matrix(1)"}
LEAVES = {
    "scalar": ["a", "b", "0.5", "2", "1.5"],
    "col": ["x", "y"],
    "row": ["x'", "y'"],
    "matrix": ["A", "B"],
}
SETTINGS = settings(max_examples=int(os.environ.get("MATDIFF_EXAMPLES", 60)), deadline=None,
                    derandomize=not os.environ.get("MATDIFF_EXAMPLES"),
                    suppress_health_check=[HealthCheck.too_slow])

# Entry-wise functions, each as a template that keeps its argument in a tame domain.
ELEMENTWISE = [
    "exp({u})", "log(exp({u}))", "log({u}.*{u} + {one})", "sin({u})", "cos({u})",
    "tan(tanh({u}))", "tanh({u})", "arcsin(tanh({u})*0.5)", "arccos(tanh({u})*0.5)",
    "arctan({u})", "abs({u})", "sign({u})", "relu({u})", "sqrt({u}.^2 + {one})",
    "sigmoid({u})", "(-{u})", "({u}.^2)", "({u}.^3)",
]


TEMPLATES: set[str] = set()  # every template in use: the coverage test reads it


def template(fmt: str, *kinds: str, depth: int) -> st.SearchStrategy[str]:
    """`fmt` filled with random subterms of `kinds` ({0}, {1}, ...), each of depth < depth."""
    TEMPLATES.add(fmt)
    return st.tuples(*(expr_of(k, depth - 1) for k in kinds)).map(lambda args: fmt.format(*args))


def well_conditioned(fn: str, depth: int) -> st.SearchStrategy[str]:
    """`fn` of a matrix with positive determinant, far from singular."""
    return st.one_of(
        template(fn + "(3*eye + tanh({0}))", "matrix", depth=depth),
        template(fn + "({0}*{0}' + eye)", "matrix", depth=min(depth, 2)),
    )


def same_kind(kind: str, depth: int) -> list[st.SearchStrategy[str]]:
    """Productions that keep the kind: + - .* ./ .^ ' unary minus, entry-wise functions."""
    one = ONE[kind]
    rules = [template(f.replace("{u}", "{0}").replace("{one}", one), kind, depth=depth)
             for f in ELEMENTWISE]
    rules += [
        template("({0} + {1})", kind, kind, depth=depth),
        template("({0} - {1})", kind, kind, depth=depth),
        template("({0} .* {1})", kind, kind, depth=depth),
        template("({0} ./ ({1}.*{1} + " + one + "))", kind, kind, depth=depth),
        template("({0} ./ exp({1}))", kind, kind, depth=depth),
        template("({0} * {1})", "scalar", kind, depth=depth),
        template("({0} * {1})", kind, "scalar", depth=depth),
        template("({0} / ({1}^2 + 1))", kind, "scalar", depth=depth),
        template("({0} + {1}*" + one + ")", kind, "scalar", depth=depth),
    ]
    if kind in ("scalar", "matrix"):
        rules.append(template("({0})'", kind, depth=depth))
    return rules


def productions(kind: str, depth: int) -> list[st.SearchStrategy[str]]:
    rules = same_kind(kind, depth)
    t = functools.partial(template, depth=depth)
    if kind == "scalar":
        rules += [
            t("({0}^2)", "scalar"), t("({0}^3)", "scalar"),
            t("({0} * {1})", "row", "col"), t("sum({0})", "col"), t("sum({0})", "row"),
            t("sum({0})", "matrix"), t("tr({0})", "matrix"),
            well_conditioned("det", depth), well_conditioned("logdet", depth),
            t("norm1({0})", "col"), t("norm2({0})", "col"), t("norm2({0})", "row"),
            t("logsumexp({0})", "col"),
        ]
    elif kind == "col":
        rules += [
            t("({0})'", "row"), t("({0} * {1})", "matrix", "col"), t("diag({0})", "matrix"),
            t("softmax({0})", "col"),
        ]
    elif kind == "row":
        rules += [t("({0})'", "col"), t("({0} * {1})", "row", "matrix")]
    else:
        rules += [
            t("({0} * {1})", "matrix", "matrix"), t("({0} * {1})", "col", "row"),
            t("({0}^2)", "matrix"), t("diag({0})", "col"),
            well_conditioned("inv", depth),
            t("({0} + {1}*eye)", "matrix", "scalar"), t("(eye*{0})", "matrix"),
        ]
    return rules


@functools.lru_cache(maxsize=None)
def expr_of(kind: str, depth: int) -> st.SearchStrategy[str]:
    """Well-typed expression text of `kind`, nested at most `depth` levels."""
    leaves = st.sampled_from(LEAVES[kind])
    if depth <= 0:
        return leaves
    return st.one_of(leaves, *productions(kind, depth))


typed_exprs = st.sampled_from(KINDS).flatmap(
    lambda kind: expr_of(kind, MAX_DEPTH).map(lambda text: (kind, text)))


def variables_in(text: str) -> list[str]:
    return sorted(set(re.findall(r"\b[abxyAB]\b", text)))


def random_point(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    return {
        "a": float(rng.uniform(-1, 1)), "b": float(rng.uniform(-1, 1)),
        "x": rng.uniform(-1, 1, N), "y": rng.uniform(-1, 1, N),
        "A": rng.uniform(-1, 1, (N, N)), "B": rng.uniform(-1, 1, (N, N)),
    }


def with_entry(values: dict, name: str, idx, delta: float) -> dict:
    out = dict(values)
    v = np.array(values[name], dtype=float)
    v[idx] += delta
    out[name] = float(v) if v.shape == () else v
    return out


def central_difference(f, values: dict, wrt: str, h: float) -> np.ndarray:
    """Jacobian of f by `wrt` in mixed layout: output shape + shape of wrt."""
    shape = np.shape(values[wrt])
    out = np.zeros(np.shape(f(values)) + shape)
    for idx in np.ndindex(shape):
        diff = (np.asarray(f(with_entry(values, wrt, idx, h)), dtype=float)
                - np.asarray(f(with_entry(values, wrt, idx, -h)), dtype=float))
        out[(...,) + idx] = diff / (2 * h)
    return out


def stable_fd(f, values: dict, wrt: str) -> np.ndarray:
    """Finite differences with two step sizes; the example is skipped if they disagree."""
    fine = central_difference(f, values, wrt, 1e-6)
    coarse = central_difference(f, values, wrt, 1e-5)
    assume(np.all(np.isfinite(fine)) and np.abs(fine).max(initial=0) < 1e6)
    assume(np.allclose(fine, coarse, rtol=1e-4, atol=1e-5 * max(1.0, np.abs(fine).max())))
    return fine


def tame(value) -> bool:
    value = np.asarray(value, dtype=float)
    return bool(np.all(np.isfinite(value)) and np.abs(value).max(initial=0) < 1e6)


def tame_at(f, values: dict) -> bool:
    """f(values) is finite and moderate, and no intermediate overflows on the way
    (`arctan(exp(exp(exp(exp(A)))))` is finite, but its derivative is inf*0)."""
    try:
        with np.errstate(over="raise"):
            return tame(f(values))
    except FloatingPointError:
        return False


def assert_same(got, want, rtol: float, atol: float, what: str) -> None:
    """Equal numbers; a row vector may be (1, n) on one side and (n,) on the other."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    if got.shape != want.shape:
        assert np.squeeze(got).shape == np.squeeze(want).shape, (
            f"{what}: shape {got.shape} != {want.shape}")
        got, want = np.squeeze(got), np.squeeze(want)
    scale = max(1.0, float(np.abs(want).max(initial=0)))
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol * scale, err_msg=what)


def skip_norm2_kink(text: str, got) -> None:
    """Skip the example if `got` is not finite and `norm2` (singular at 0) is in `text`."""
    if "norm2(" in text and not np.all(np.isfinite(np.asarray(got, dtype=float))):
        event("non-finite derivative with norm2: at its kink")
        assume(False)


def resolved(dims) -> tuple[int, ...]:
    return tuple(d if isinstance(d, int) else N for d in dims)


def derivative_or_unsupported(text: str, wrt, layout: str = "mixed"):
    try:
        return md.derivative(text, wrt=wrt, vars=VARS, layout=layout)
    except md.UnsupportedError as err:
        event(f"unsupported: {type(err).__name__}")
        return None


@SETTINGS
@given(typed=typed_exprs, data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_first_derivative_matches_finite_differences(typed, data, seed):
    kind, text = typed
    present = variables_in(text)
    wrt = data.draw(st.sampled_from(present or ["a"]), label="wrt")
    values = random_point(seed)
    f = md.parse(text, vars=VARS).evaluate
    assume(tame_at(f, values))
    fd = stable_fd(f, values, wrt)
    d = derivative_or_unsupported(text, wrt)
    if d is None:
        return
    got = d.evaluate(values)
    skip_norm2_kink(text, got)
    assert resolved(d.dims) == np.shape(got), f"{text} by {wrt}: dims {d.dims}"
    assert_same(got, fd, 1e-4, 1e-5, f"d/d{wrt} of {text}")


scalar_exprs = expr_of("scalar", MAX_DEPTH)


@pytest.mark.filterwarnings("ignore::matdiff.MatdiffWarning")  # wrt may be absent: zero
@SETTINGS
@given(text=scalar_exprs, wrt=st.sampled_from(["x", "y"]), seed=st.integers(0, 2**32 - 1))
def test_hessian_of_scalar_matches_finite_differences_of_gradient(text, wrt, seed):
    values = random_point(seed)
    f = md.parse(text, vars=VARS).evaluate
    assume(tame_at(f, values))
    fd_gradient = stable_fd(f, values, wrt)
    gradient = derivative_or_unsupported(text, wrt)
    if gradient is None:
        return
    skip_norm2_kink(text, gradient.evaluate(values))
    assert_same(gradient.evaluate(values), fd_gradient, 1e-4, 1e-5, f"gradient of {text}")
    fd_hessian = stable_fd(gradient.evaluate, values, wrt)
    try:
        hessian = md.hessian(text, wrt, vars=VARS)
    except md.UnsupportedError:
        event("unsupported hessian")
        return
    got = hessian.evaluate(values)
    skip_norm2_kink(text, got)
    assert resolved(hessian.dims) == np.shape(got) == (N, N)
    assert_same(got, fd_hessian, 1e-4, 1e-5, f"hessian of {text} by {wrt}")
    twice = md.derivative(text, wrt=[wrt, wrt], vars=VARS).evaluate(values)
    assert_same(twice, got, 1e-8, 1e-10, f"derivative(wrt=[{wrt}, {wrt}]) vs hessian")


@SETTINGS
@given(typed=typed_exprs, data=st.data(), seed=st.integers(0, 2**32 - 1),
       layout=st.sampled_from(["mixed", "numerator", "denominator"]))
def test_str_of_result_reparses_to_same_numbers(typed, data, seed, layout):
    kind, text = typed
    fits = [v for v in variables_in(text) if KIND_AXES[kind] + AXES[v] <= 2]
    assume(fits)
    wrt = data.draw(st.sampled_from(fits), label="wrt")
    values = random_point(seed)
    assume(tame_at(md.parse(text, vars=VARS).evaluate, values))
    d = derivative_or_unsupported(text, wrt, layout)
    if d is None:
        return
    want = d.evaluate(values)
    assume(tame(want))
    shown = str(d)
    assert "D[" not in shown, f"index notation for {d.expr.rank} axes: {shown}"
    parsed = md.parse(shown, vars=VARS)
    shape = [n for n in np.shape(want) if n != 1] if layout != "mixed" else np.shape(want)
    # sizes print as dimension names (`n`); only a constant that makes up a whole axis of
    # the result (`vector(0)`) leaves its size to the reader, as `d.dims` says
    free = {dim: n for dim, n in zip(parsed.dims, shape) if isinstance(dim, str)}
    again = parsed.evaluate(values, sizes=free)
    assert_same(again, want, 1e-7, 1e-9, f"{layout} d/d{wrt} of {text} printed as {shown!r}")


def test_generator_covers_every_operator_and_function():
    """The templates mention every operator and every function of the language."""
    expr_of("scalar", MAX_DEPTH)  # builds (and records) every production
    text = " ".join(TEMPLATES) + " " + " ".join(sum(LEAVES.values(), []))
    functions = ("exp log sin cos tan tanh arcsin arccos arctan abs sign relu sqrt sigmoid "
                 "sum tr det logdet inv diag norm1 norm2 softmax logsumexp").split()
    for name in functions:
        assert re.search(rf"\b{name}\(", text), name
    for constant in ["vector(1)", "matrix(1)", "eye"]:
        assert constant in " ".join(ONE.values()) + text, constant
    operators = set(re.findall(r"\.[*/^]|[-+*/^']", text.replace("{", " ").replace("}", " ")))
    assert operators >= {"+", "-", "*", "/", "^", ".*", "./", ".^", "'"}
    assert "(-{0})" in TEMPLATES  # unary minus
