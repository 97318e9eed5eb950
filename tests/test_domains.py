"""Domains in declarations: `x: vector(n) positive`, `P: matrix(n,n) spd`,
`y: vector(n) simplex`, `s: vector(n) sign` — one notion for the whole product: the parser
checks them, variables carry them, numeric checks sample inside them, convexity reads them
(`domain=` is an alias), and every front end accepts them."""

from __future__ import annotations

import json

import numpy as np
import pytest

import matdiff as md
from matdiff.cli import main as cli_main
from matdiff.functions import DOMAINS
from matdiff.language import parse_type
from matdiff.numeric.sampling import random_point
from matdiff.web.service import compute, validate


@pytest.mark.parametrize("text, shown", [
    ("vector(n) positive", "vector(n) positive"), ("scalar positive", "scalar positive"),
    ("matrix(m,n) nonnegative", "matrix(m,n) nonnegative"),
    ("matrix(n,n) spd", "matrix(n,n) spd"), ("matrix(n,n) symmetric psd", "matrix(n,n) psd"),
    ("vector(k) simplex", "vector(k) simplex"), ("matrix(m,n) sign", "matrix(m,n) sign"),
    ("matrix(n,n) symmetric positive", "matrix(n,n) symmetric positive"),
])
def test_declarations_with_a_domain_read_and_print_back(text, shown):
    decl = parse_type(text)
    assert str(decl) == shown and parse_type(str(decl)) == decl
    assert decl.symmetric == (DOMAINS[decl.domain].symmetric or "symmetric" in text)


@pytest.mark.parametrize("text, message", [
    ("scalar spd", "domain of square matrices"), ("matrix(m,n) psd", "domain of square"),
    ("matrix(n,n) simplex", "domain of vectors"), ("scalar simplex", "domain of vectors"),
    ("vector(n) positive sign", "one domain per variable"),
    ("vector(n) postive", "Did you mean 'positive'"),
    ("matrix(n,n) symmetric symmetric", "given twice"),
])
def test_an_impossible_domain_is_a_parse_error_at_its_word(text, message):
    with pytest.raises(md.ParseError, match=message) as info:
        parse_type(text)
    assert info.value.column is not None and info.value.column > 0


def test_variables_carry_their_domain_and_types_show_it():
    e = md.parse("y'*log(p) + sum(x)", {"y": "vector(n) simplex", "x": "vector(m) positive"})
    assert e.variables["y"].domain == "simplex" and e.variables["p"].domain is None
    assert e.types == {"y": "vector(n) simplex", "p": "vector(n)", "x": "vector(m) positive"}


@pytest.mark.parametrize("word", sorted(DOMAINS))
def test_random_points_lie_inside_the_domain(word):
    decl = {"any": "matrix(n,m)", "vector": "vector(n)", "square": "matrix(n,n)"}[
        DOMAINS[word].shape]
    e = md.parse("X", {"X": f"{decl} {word}"})
    rng = np.random.default_rng(0)
    for how in ("normal", "positive", "spd"):
        x = np.asarray(random_point(e.variables, rng, how)["X"])
        lo, hi = DOMAINS[word].entries
        assert np.all((x >= lo) & (x <= hi)), (word, x)
        if DOMAINS[word].positive:
            assert np.all(x > 0)
        if DOMAINS[word].sum_to_one:
            assert np.isclose(x.sum(), 1.0)
        if DOMAINS[word].square_to_one:
            assert np.allclose(x * x, 1.0)
        if DOMAINS[word].definite:
            assert np.allclose(x, x.T) and np.linalg.eigvalsh(x).min() > 0


@pytest.mark.parametrize("text, wrt, decl", [
    ("sum(log(x))", "x", "vector(n) positive"),       # log is defined only there
    ("sum(sqrt(x))", "x", "vector(n) positive"),
    ("logdet(P) + tr(A*P)", "P", "matrix(n,n) spd"),
    ("-y'*log(softmax(z))", "z", "vector(n) simplex"),
    ("sum(log(sigmoid(s.*z)))", "z", "vector(n) sign"),
])
def test_derivatives_check_at_points_inside_the_domains(text, wrt, decl):
    name = {"vector(n) positive": "x", "matrix(n,n) spd": "P", "vector(n) simplex": "y",
            "vector(n) sign": "s"}[decl]
    d = md.derivative(text, wrt, {name: decl})
    assert d.check(), str(d)


def test_a_symmetric_domain_gives_the_gradient_on_symmetric_matrices():
    d = md.derivative("tr(A*P)", "P", {"P": "matrix(n,n) spd"})
    assert str(d) == str(md.derivative("tr(A*P)", "P", {"P": "matrix(n,n) symmetric"}))


def test_convexity_reads_the_declaration_and_domain_is_its_alias():
    declared = md.convexity("-logdet(P)", "P", vars={"P": "matrix(n,n) spd"})
    alias = md.convexity("-logdet(P)", "P", domain={"P": "spd"})
    assert declared.verdict == alias.verdict == "convex"
    assert declared.domain == alias.domain == {"P": "spd"}
    with pytest.raises(md.MatdiffError, match="declared psd and given the domain spd"):
        md.convexity("-logdet(P)", "P", vars={"P": "matrix(n,n) psd"}, domain={"P": "spd"})


def test_the_cli_and_the_json_api_accept_domains(capsys):
    assert cli_main(["sum(log(x))", "--wrt", "x", "--var", "x: vector(n) positive",
                     "--check"]) == 0
    assert "OK" in capsys.readouterr().out
    status, body = compute("parse", validate("parse", {"expr": "y'*z",
                                                       "vars": {"y": "vector(n) simplex"}}))
    assert status == 200
    assert {v["name"]: v["declaration"] for v in body["variables"]}["y"] == "vector(n) simplex"
    status, body = compute("parse", validate("parse", {"expr": "y'*z",
                                                       "vars": {"y": "vector(n) spd"}}))
    assert status == 400 and body["error"]["type"] == "ParseError"
    json.dumps(body)
