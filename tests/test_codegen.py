"""Generated NumPy, JAX and PyTorch code: safe source, same numbers as `Derivative.evaluate`.

For every public corpus case and every target: the source parses, passes the audit (only
plain identifiers, only the target's imports, strings only as einsum specs and messages),
runs, and equals `d.evaluate` at a random point in float64 (rtol 1e-8). JAX and PyTorch are
optional: their tests skip when the package is missing. Structure is checked on the
source: BLAS products where a matrix form exists, no dense identity, diagonal or
Kronecker tensor. A few sources are golden files, reviewed in diffs:

    MATDIFF_UPDATE_GOLDENS=1 python -m pytest tests/test_codegen.py
"""

from __future__ import annotations

import ast
import difflib
import os
import re
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import matdiff as md
from matdiff import value_grad_hess
from matdiff.codegen import TARGETS, StructuredTensor, audit
from matdiff.errors import MatdiffError
from support.exprgen import VARS, expressions, random_values, variables_in
from test_corpus import CORPUS, derive, sample_values

RTOL, ATOL = 1e-8, 1e-10
GOLDEN_DIR = Path(__file__).parent / "golden" / "codegen"
UPDATE = os.environ.get("MATDIFF_UPDATE_GOLDENS") == "1"
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def backend(target: str):
    """Skip unless the target's package imports; JAX in float64."""
    if target == "jax":
        jax = pytest.importorskip("jax")
        jax.config.update("jax_enable_x64", True)
    elif target == "torch":
        pytest.importorskip("torch")


def to_numpy(value) -> np.ndarray:
    if isinstance(value, StructuredTensor):
        value = value.todense()
    if hasattr(value, "detach"):
        value = value.detach().numpy()
    return np.asarray(value, dtype=float)


def same(got, want, what=""):
    got, want = to_numpy(got), np.asarray(want, dtype=float)
    assert got.shape == want.shape, f"{what}shape {got.shape} != {want.shape}"
    atol = ATOL * max(1.0, float(np.abs(want).max(initial=0.0)))
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=atol, err_msg=what)


def values_for(case) -> dict:
    return sample_values(case, np.random.default_rng(zlib.crc32(case["id"].encode())))


def sane_identifiers(source: str) -> None:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name):
            assert IDENT.match(node.id), node.id
        if isinstance(node, ast.arg):
            assert IDENT.match(node.arg), node.arg


# ---- every corpus case, every target ----------------------------------------------------------

@pytest.mark.parametrize("target", sorted(TARGETS))
@pytest.mark.parametrize("case", CORPUS, ids=[c["id"] for c in CORPUS])
def test_corpus_code_matches_evaluate(case, target):
    backend(target)
    d = derive(case, "mixed")
    source = d.code(target)
    audit(source)
    sane_identifiers(source)
    values = values_for(case)
    same(d.compile(target)(**values), d.evaluate(values), f"{target} code:\n{source}\n")


@pytest.mark.parametrize("layout", ["numerator", "denominator"])
@pytest.mark.parametrize("case", CORPUS, ids=[c["id"] for c in CORPUS])
def test_corpus_value_and_derivative_in_every_layout(case, layout):
    d = derive(case, layout)
    values = values_for(case)
    value, deriv = d.compile("numpy", value=True)(**values)
    same(value, d.function.evaluate(values), "value: ")
    same(deriv, d.evaluate(values), "derivative: ")


# ---- value, gradient and Hessian together -----------------------------------------------------

PROBLEMS = {  # the benchmark's problems, small
    "quadratic": ("x'*A*x", "x", {}),
    "logistic": ("sum(log(exp(-y.*(X*w)) + vector(1)))", "w", {}),
    "ridge": ("norm2(A*x - b)^2 + c*norm2(x)^2", "x", {"b": "vector(m)"}),
    "factorization": ("norm2(T - U*V')^2", "U", {}),
    "logdet": ("logdet(X) + tr(S*inv(X))", "X", {}),
    "mlp": ("norm2(W2*relu(W1*X) - Y)^2", "W1", {}),
}


def problem_values(expr, vars) -> dict:
    rng = np.random.default_rng(7)
    variables = md.parse(expr, vars).variables
    sizes = dict(zip(sorted({d for v in variables.values() for d in v.dims}), range(3, 12)))
    values = {}
    for name, var in variables.items():
        shape = tuple(sizes[d] for d in var.dims)
        values[name] = float(rng.uniform(0.5, 1.5)) if not shape else rng.uniform(-1, 1, shape)
    if "S" in values:  # logdet: X well conditioned
        n = values["X"].shape[0]
        values["X"] = values["X"] + n * np.eye(n)
    return values


@pytest.mark.parametrize("target", sorted(TARGETS))
@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_value_grad_hess_matches_evaluate(name, target):
    backend(target)
    expr, wrt, vars = PROBLEMS[name]
    program = value_grad_hess(expr, wrt, vars, target)
    audit(program.source)
    values = problem_values(expr, vars)
    v, g, h = program.compile()(**values)
    same(v, md.parse(expr, vars).evaluate(values), "value: ")
    same(g, md.derivative(expr, wrt, vars).evaluate(values), "gradient: ")
    same(h, md.hessian(expr, wrt, vars).evaluate(values), "hessian: ")


# ---- random well-typed expressions ------------------------------------------------------------

@pytest.mark.parametrize("target", sorted(TARGETS))
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=expressions(depth=3), pick=st.integers(0, 10), hess=st.booleans())
def test_random_expressions_code_matches_evaluate(target, text, pick, hess):
    backend(target)
    names = variables_in(text)
    assume(names)
    wrt = names[pick % len(names)]
    decls = {v: VARS[v] for v in names}
    d = md.derivative(text, [wrt, wrt] if hess else wrt, decls)
    values = {v: random_values(np.random.default_rng(pick))[v] for v in names}
    with np.errstate(all="ignore"):
        want = d.evaluate(values)
        assume(np.all(np.isfinite(want)))
        source = d.code(target, value=True)
        audit(source)
        value, got = d.compile(target, value=True)(**values)
    same(got, want, f"{text} by {wrt}:\n{source}\n")
    same(value, d.function.evaluate(values), "value: ")


# ---- structure of the generated code ------------------------------------------------------------

def body(source: str) -> str:
    """The computing lines: after the shape checks."""
    lines = source.splitlines()
    last = max(k for k, line in enumerate(lines) if "raise ValueError" in line or "shape[" in line)
    return "\n".join(line for line in lines[last + 1:] if not line.lstrip().startswith("f\""))


def test_logistic_hessian_is_syrk_of_rows_scaled_by_sqrt_curvature_not_a_dense_diagonal():
    """d = y.*y.*σ.*(1 - σ) ≥ 0 is proved, so X' diag(d) X = F'F with F = diag(sqrt(d)) X."""
    src = body(value_grad_hess(*PROBLEMS["logistic"]).source)
    assert "t3 = X * np.sqrt(" in src and "hessian = t3.T @ t3" in src, src
    for dense in ("diag(", "eye(", "einsum(", "tensordot("):
        assert dense not in src, src


def test_common_work_is_done_once_across_value_gradient_and_hessian():
    src = body(value_grad_hess(*PROBLEMS["logistic"]).source)
    assert src.count("X @ w") == 1 and src.count("1 / (1 + np.exp(") == 1, src


def test_ridge_hessian_adds_to_the_diagonal_in_place():
    src = body(value_grad_hess(*PROBLEMS["ridge"]).source)
    assert "A.T @ A" in src and "np.diag_indices(n)] += 2 * c" in src and "eye" not in src


def test_factorization_hessian_is_structured_and_right():
    expr, wrt, vars = PROBLEMS["factorization"]
    d = md.hessian(expr, wrt, vars)
    assert "StructuredTensor(np, " in d.code()
    values = problem_values(expr, vars)
    h = d.compile()(**values)
    assert isinstance(h, StructuredTensor)
    dense = d.evaluate(values)
    same(h.todense(), dense)
    direction = np.random.default_rng(1).uniform(-1, 1, values["U"].shape)
    want = np.tensordot(dense, direction, axes=2)
    same(h @ direction, want, "matvec: ")
    same(h @ direction.ravel(), want.ravel(), "flat matvec: ")
    same(np.asarray(h), dense, "__array__: ")
    dense_code = d.compile(structured=False)(**values)
    assert isinstance(dense_code, np.ndarray)
    same(dense_code, dense)


@pytest.mark.parametrize("target", ["jax", "torch"])
def test_structured_tensor_in_other_targets(target):
    backend(target)
    expr, wrt, vars = PROBLEMS["factorization"]
    d = md.hessian(expr, wrt, vars)
    values = problem_values(expr, vars)
    h = d.compile(target)(**values)
    dense = d.evaluate(values)
    same(h.todense(), dense)
    direction = np.random.default_rng(1).uniform(-1, 1, values["U"].shape)
    arg = direction if target == "jax" else __import__("torch").as_tensor(direction)
    same(h @ arg, np.tensordot(dense, direction, axes=2))


def test_structured_tensor_is_a_jax_pytree_that_jit_returns():
    backend("jax")
    import jax

    expr, wrt, vars = PROBLEMS["factorization"]
    d = md.hessian(expr, wrt, vars)
    values = problem_values(expr, vars)
    h = jax.jit(d.compile("jax"))(**values)
    assert isinstance(h, StructuredTensor) and len(jax.tree_util.tree_leaves(h)) == 1
    same(h.todense(), d.evaluate(values))
    doubled = jax.tree_util.tree_map(lambda core: 2 * core, h)
    same(doubled.todense(), 2 * d.evaluate(values))


def test_mlp_gradient_is_two_matrix_products():
    d = md.derivative(*PROBLEMS["mlp"])
    src = body(d.code())
    assert src.count(" @ ") == 4 and "einsum" not in src and "tensordot" not in src, src


def test_sum_of_squares_is_a_dot_product():
    src = body(value_grad_hess(*PROBLEMS["ridge"]).source)
    assert re.search(r"(\w+) @ \1\b", src) and "** 2" not in src, src


# ---- shape checks ----------------------------------------------------------------------------

def test_shape_errors_name_the_argument_and_both_shapes():
    f = md.derivative("x'*A*x", "x").compile()
    with pytest.raises(ValueError, match=r"A must have shape \(n, n\) = \(3, 3\) .*\(3,\)$"):
        f(x=np.ones(3), A=np.ones(3))
    with pytest.raises(ValueError, match=r"A must have shape \(n, n\) = \(3, 3\) .*\(3, 4\)"):
        f(x=np.ones(3), A=np.ones((3, 4)))
    with pytest.raises(ValueError, match=r"x must be a vector \(n,\); got shape \(3, 1\)"):
        f(x=np.ones((3, 1)), A=np.ones((3, 3)))
    g = md.derivative(*PROBLEMS["logistic"]).compile()
    with pytest.raises(ValueError, match=r"X must be a matrix \(n, m\); got shape \(3,\)"):
        g(y=np.ones(3), X=np.ones(3), w=np.ones(2))


def test_free_dimension_is_a_keyword_argument():
    d = md.derivative("x'*x + sum(vector(1))*x'*x", "x")
    f = d.compile()
    assert f(np.array([1.0, 2.0]), m=3).tolist() == [8.0, 16.0]


# ---- safety -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["lambda", "np", "t1", "value", "derivative", "ValueError"])
def test_awkward_variable_names_are_sanitized(name):
    d = md.derivative(f"{name}*x'*x", "x", vars={name: "scalar"})
    source = d.code(value=True)
    audit(source)
    sane_identifiers(source)
    f = d.compile(value=True)
    params = list(f.__code__.co_varnames[:f.__code__.co_argcount])
    value, grad = f(*[2.0 if p != "x" else np.array([1.0, 3.0]) for p in params])
    assert value == 20.0 and grad.tolist() == [4.0, 12.0]


@pytest.mark.parametrize("bad", [
    "import os\n",
    "def f(x):\n    return __import__('os')\n",
    "def f(x):\n    return x.__class__\n",
    "def f(x):\n    return eval('x')\n",
    "def f(x):\n    return 'rm -rf'\n",
])
def test_audit_refuses_what_the_printer_never_writes(bad):
    with pytest.raises(MatdiffError):
        audit(bad)


def test_unknown_target_is_a_matdiff_error():
    with pytest.raises(MatdiffError, match="numpy, jax, torch"):
        md.derivative("x'*x", "x").code("tensorflow")


# ---- golden sources ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_generated_numpy_matches_golden(name):
    expr, wrt, vars = PROBLEMS[name]
    current = value_grad_hess(expr, wrt, vars).source
    path = GOLDEN_DIR / f"{name}.py"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(current)
        return
    how = "MATDIFF_UPDATE_GOLDENS=1 python -m pytest tests/test_codegen.py"
    assert path.exists(), f"no golden {path.name}; create it with: {how}"
    golden = path.read_text()
    if golden != current:
        diff = "".join(difflib.unified_diff(golden.splitlines(True), current.splitlines(True),
                                            "golden", "current"))
        pytest.fail(f"{name}: generated code changed; review, then {how}\n{diff}", pytrace=False)


@pytest.mark.parametrize("target", sorted(TARGETS))
@pytest.mark.parametrize("text, wrt", [("mean(x)", "x"), ("sum(S)", "S"), ("sum(x)/n", "x")])
def test_a_constant_derivative_is_broadcast_in_every_target(text, wrt, target):
    backend(target)
    d = md.derivative(text, wrt, {"x": "vector(n)", "S": "matrix(n,n) symmetric"})
    values = {wrt: random_values(np.random.default_rng(3))[wrt]}
    source = d.code(target)
    audit(source)
    same(d.compile(target)(**values), d.evaluate(values), f"{target} code:\n{source}\n")
