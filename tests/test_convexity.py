"""Convexity certificates: the suite's verdicts, no certificate ever wrong (1 000 random
points per certified function), every counterexample re-checked here, the CLI and bad input."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

import matdiff as md
from matdiff.convex.verdict import certify, domains_of
from matdiff.language import with_domains
from matdiff.convex.counterexample import direction_basis, probe, random_points, symmetric_directions
from matdiff.convex.definite import definiteness
from matdiff.analysis.signs import bounds

from support.convexcases import CASES, UNCERTIFIED_CONVEX
from support.exprgen import VARS as EXPR_VARS
from support.exprgen import expressions, variables_in

ALL = CASES + UNCERTIFIED_CONVEX
POINTS = 1000


def _id(case) -> str:
    return f"{case[0]} in {case[1]}" + (f" {case[3]}" if case[3] else "")


@pytest.fixture(scope="module")
def answers():
    return {_id(c): md.convexity(c[0], c[1], c[2], c[3]) for c in ALL}


def test_the_suite_is_large_and_varied():
    verdicts = {c[4] for c in CASES}
    assert len(CASES) >= 40
    assert {"convex", "concave", "neither", "affine"} <= verdicts
    matrix = [c for c in CASES if c[1][0].isupper()]
    assert len(matrix) >= 8


@pytest.mark.parametrize("case", ALL, ids=_id)
def test_verdict(case, answers):
    assert answers[_id(case)].verdict == case[4], str(answers[_id(case)])


def test_how_many_convex_functions_are_certified(answers):
    convex = [c for c in ALL if c[4] in ("convex", "affine") or c in UNCERTIFIED_CONVEX]
    certified = [c for c in convex if answers[_id(c)].convex.status == "certified"]
    print(f"\ncertified convex: {len(certified)} of {len(convex)} convex functions")
    assert len(certified) >= len(convex) - len(UNCERTIFIED_CONVEX)


def _min_max_eigenvalues(case, points: int, seed: int = 1):
    """The extreme Hessian eigenvalues over random points of the domain, and the tolerance."""
    expr, wrt, vars, domain = case[:4]
    h = md.hessian(expr, wrt, with_domains(vars, md.parse(expr, vars).variables, domain))
    domains = domains_of(h.variables)
    var = h.variables[wrt]
    hessian_at = probe(h.mixed, h.variables)
    lowest, highest = np.inf, -np.inf
    for sizes, point in random_points(h.variables, domains, points, seed):
        hess = hessian_at(point)
        if hess is None:
            continue
        basis = direction_basis(var, sizes, symmetric_directions(var, domains))
        values = np.linalg.eigvalsh(basis.T @ hess @ basis)
        rel = max(1.0, float(np.max(np.abs(hess))))
        lowest, highest = min(lowest, values[0] / rel), max(highest, values[-1] / rel)
    return lowest, highest


@pytest.mark.parametrize("case", ALL, ids=_id)
def test_no_certificate_is_wrong(case, answers):
    answer = answers[_id(case)]
    if "certified" not in (answer.convex.status, answer.concave.status):
        pytest.skip("nothing certified")
    lowest, highest = _min_max_eigenvalues(case, POINTS)
    if answer.convex.status == "certified":
        assert lowest >= -1e-9, (case, lowest)
    if answer.concave.status == "certified":
        assert highest <= 1e-9, (case, highest)


@pytest.mark.parametrize("case", ALL, ids=_id)
def test_every_counterexample_rechecks(case, answers):
    answer = answers[_id(case)]
    for a, sign in ((answer.convex, -1.0), (answer.concave, 1.0)):
        if a.status != "refuted":
            continue
        c = a.counterexample
        f = md.parse(case[0], case[2])
        v = np.asarray(c.direction, dtype=float)
        x0 = np.asarray(c.point[case[1]], dtype=float)
        assert sign * c.eigenvalue > 0
        assert np.isclose(np.sum(v * v), 1.0)
        t = 1e-3
        values = [f.evaluate({**c.point, case[1]: x0 + s * t * v}) for s in (1, -1, 0)]
        second = (values[0] + values[1] - 2 * values[2]) / t ** 2
        assert sign * second > 0
        assert abs(second - c.eigenvalue) <= 0.1 * abs(c.eigenvalue) + 1e-6
        h = md.hessian(case[0], case[1], case[2]).evaluate(c.point)
        flat = v.ravel()
        assert np.isclose(flat @ np.reshape(h, (flat.size, flat.size)) @ flat, c.eigenvalue,
                          rtol=1e-6, atol=1e-9)


def test_certificate_lists_its_rules():
    c = md.convexity("sum(log(exp(-y.*(X*w)) + vector(1)))", "w")
    assert c.verdict == "convex"
    rules = "\n".join(c.convex.rules)
    assert "Gram form" in rules and "diag(g) with g >= 0" in rules and "sigmoid" in rules
    text = str(c)
    assert text.startswith("sum(log(exp(-y.*(X*w)) + vector(1))) in w: convex")
    assert "convex: yes, certified by" in text and "concave: no; at " in text


def test_domains_make_the_difference():
    assert md.convexity("-logdet(X)", "X", domain={"X": "spd"}).verdict == "convex"
    assert md.convexity("-logdet(X)", "X").convex.status != "certified"
    assert md.convexity("x'*A*x", "x", domain={"A": "psd"}).verdict == "convex"


def test_kinks_are_never_certified():
    for expr in ("sum(abs(x))", "-sum(abs(x))", "sum(relu(x))", "sum(sqrt(x.^2))",
                 "-sum((x.^2).^0.25)", "-norm2(x)"):
        c = md.convexity(expr, "x")
        assert "certified" not in (c.convex.status, c.concave.status)
        assert c.notes


def test_to_dict_is_json():
    c = md.convexity("x'*A*x", "x")
    data = json.loads(json.dumps(c.to_dict()))
    assert data["verdict"] == "neither"
    assert data["convex"]["counterexample"]["eigenvalue"] < 0
    assert data["line"].startswith("x'*A*x in x: neither")


def test_derivative_convexity():
    d = md.derivative("logsumexp(x)", "x")
    assert d.convexity().verdict == "convex"
    with pytest.raises(md.MatdiffError):
        md.derivative("a*x'*y", ["a", "x"]).convexity()


@pytest.mark.parametrize("expr, wrt, domain, message", [
    ("x'*x", "x", {"x": "round"}, "unknown domain"),
    ("x'*x", "x", {"z": "positive"}, "not a variable"),
    ("x'*x", "x", {"x": "spd"}, "not a square matrix"),
    ("A*x", "x", None, "scalar function"),
])
def test_bad_input(expr, wrt, domain, message):
    with pytest.raises(md.MatdiffError, match=message):
        md.convexity(expr, wrt, domain=domain)


def test_sign_bounds():
    f = md.parse("vector(1) - sigmoid(x)").expr
    assert bounds(f) == (0.0, 1.0)
    assert bounds(md.parse("x.*x").expr)[0] == 0.0
    assert bounds(md.parse("exp(x) - vector(1)").expr)[0] == -1.0
    assert bounds(md.parse("sqrt(x)").expr, {"x": "positive"})[0] == 0.0
    assert bounds(md.parse("sin(x) + vector(2)").expr) == (1.0, 3.0)


def test_gram_form_needs_a_mirror():
    h = md.hessian("x'*A*B*x", "x").mixed  # A*B + (A*B)': no Gram form
    assert not definiteness(h, 1).definite.psd
    h = md.hessian("x'*B'*A'*A*B*x", "x").mixed
    assert definiteness(h, 1).definite.psd


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "matdiff", *args], capture_output=True,
                          text=True, timeout=120)


def test_readme_example_is_the_real_output():
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    section = readme[readme.index("## Convexity"):]
    command = re.search(r'```sh\nmatdiff "(.*)" --wrt (\w+) --convexity\n```', section)
    shown = re.search(r"```text\n(.*?)```", section, re.S).group(1)
    out = run_cli(command.group(1), "--wrt", command.group(2), "--convexity")
    assert out.stdout == shown


def test_cli():
    out = run_cli("logdet(X)", "--wrt", "X", "--convexity", "--domain", "X: spd")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("logdet(X) in X: concave")
    out = run_cli("logsumexp(x)", "--wrt", "x", "--convexity", "--format", "json")
    assert json.loads(out.stdout)["verdict"] == "convex"
    bad = run_cli("x'*x", "--wrt", "x", "--convexity", "--domain", "x: spd")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


# --- property: random functions, certificates checked at random points -------------------

OUTER = ["norm2({u})^2", "sum(exp({u}))", "logsumexp({u})", "sum(log(exp({u}) + vector(1)))",
         "-sum(log(sigmoid({u})))", "{u}'*{u}", "sum({u}.^4)", "-logsumexp({u})",
         "sum(sigmoid({u}))", "{u}'*S*{u}", "sum(log({u}.*{u} + vector(1)))",
         "log(sum(exp({u})))", "-log(sum(exp({u})))"]
PROPERTY_SETTINGS = settings(max_examples=int(os.environ.get("MATDIFF_EXAMPLES", 60)),
                             deadline=None, derandomize=not os.environ.get("MATDIFF_EXAMPLES"),
                             suppress_health_check=[HealthCheck.too_slow,
                                                    HealthCheck.filter_too_much])


MATRIX_OUTER = ["tr({u}'*{u})", "-logdet({u}*{u}' + eye)", "tr(inv({u}*{u}' + eye))",
                "norm2({u}*x)^2", "logsumexp({u}*x)", "tr({u}*S*{u}')"]
RANDOM_FUNCTIONS = st.one_of(
    st.builds(lambda o, u: o.format(u=f"({u})"), st.sampled_from(OUTER),
              expressions("col", depth=2)),
    st.builds(lambda o, u: o.format(u=f"({u})"), st.sampled_from(MATRIX_OUTER),
              expressions("matrix", depth=2)))


@PROPERTY_SETTINGS
@given(text=RANDOM_FUNCTIONS, wrt=st.sampled_from(["x", "A", "a", "S"]),
       domain=st.sampled_from([None, {"S": "psd"}]))
def test_random_certificates_hold(text, wrt, domain):
    """A convex outer function of a random inner one: certified only when it holds."""
    assume(wrt in variables_in(text))
    vars = {k: v for k, v in EXPR_VARS.items() if k in variables_in(text)}
    domain = domain if "S" in vars else None
    try:
        h = md.hessian(text, wrt, with_domains(vars, md.parse(text, vars).variables, domain))
    except md.UnsupportedError:
        assume(False)
    var = h.variables[wrt]
    finding, _ = certify(h.function.expr, h.mixed, var, domains_of(h.variables))
    event(f"certified: {finding.definite.psd or finding.definite.nsd}")
    if not (finding.definite.psd or finding.definite.nsd):
        return
    lowest, highest = _min_max_eigenvalues((text, wrt, vars, domain), 40)
    if finding.definite.psd:
        assert lowest >= -1e-7, (text, wrt, lowest, finding.rules)
    if finding.definite.nsd:
        assert highest <= 1e-7, (text, wrt, highest, finding.rules)


def test_an_affine_function_names_its_certificate():
    c = md.convexity("x'*y + a", "x")
    assert c.verdict == "affine"
    assert c.convex.rules == c.concave.rules == ("the Hessian is zero",)
