"""Tests for matdiff.parser: precedence, every operator and function, numbers,
declarations, every error with its caret column, long and deeply nested input."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matdiff.errors import ParseError
from matdiff.functions import ARITY, KNOWN_FUNCTIONS, LITERAL_ARG_FUNCTIONS
from matdiff.language.parser import MAX_DEPTH, parse_text, parse_type
from matdiff.language.syntax import Binary, Call, Name, Num, Transpose, TypeDecl, Unary

UNARY = sorted(f for f in KNOWN_FUNCTIONS - LITERAL_ARG_FUNCTIONS if f not in ARITY)
BINARY_OPS = ["+", "-", "*", "/", "^", ".*", "./", ".^"]
CORPUS = json.loads((Path(__file__).parent / "data" / "public.json").read_text())


def sx(node) -> str:
    """An S-expression of `node`, ignoring positions: `(+ a (* b c))`, `(u- x)`, `(' A)`."""
    match node:
        case Num(value=v):
            return format(v, "g")
        case Name(name=n):
            return n
        case Call(func=f, args=args):
            return f"({f} {' '.join(sx(a) for a in args)})"
        case Unary(op=op, operand=u):
            return f"(u{op} {sx(u)})"
        case Binary(op=op, left=a, right=b):
            return f"({op} {sx(a)} {sx(b)})"
        case Transpose(operand=u):
            return f"(' {sx(u)})"
    raise TypeError(node)


def parse_error(fn, text: str) -> ParseError:
    with pytest.raises(ParseError) as info:
        fn(text)
    return info.value


def assert_error(fn, text: str, fragment: str, column: int) -> None:
    """`fn(text)` raises a ParseError with `fragment` in its message and its caret at `column`."""
    err = parse_error(fn, text)
    assert fragment in err.message
    assert err.column == column
    assert f"\n  {text}\n  {' ' * column}^" in str(err)


# ---- precedence and associativity ---------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("a+b*c", "(+ a (* b c))"),
    ("a*b+c", "(+ (* a b) c)"),
    ("a-b-c", "(- (- a b) c)"),
    ("a+b-c+d", "(+ (- (+ a b) c) d)"),
    ("a/b/c", "(/ (/ a b) c)"),
    ("a*b/c", "(/ (* a b) c)"),
    ("a.*b./c*d", "(* (./ (.* a b) c) d)"),
    ("a^b^c", "(^ (^ a b) c)"),  # MATLAB: powers associate left to right
    ("a.^b.^c", "(.^ (.^ a b) c)"),
    ("a^b.^c", "(.^ (^ a b) c)"),
    ("a^(b^c)", "(^ a (^ b c))"),
    ("a*b^c", "(* a (^ b c))"),
    ("3*x^2*y", "(* (* 3 (^ x 2)) y)"),
    ("-x^2", "(u- (^ x 2))"),
    ("-x*y", "(* (u- x) y)"),
    ("-x+y", "(+ (u- x) y)"),
    ("+x", "(u+ x)"),
    ("--x", "(u- (u- x))"),
    ("a*-b", "(* a (u- b))"),
    ("a - -b", "(- a (u- b))"),
    ("2^-1", "(^ 2 (u- 1))"),
    ("2^-1*3", "(* (^ 2 (u- 1)) 3)"),
    ("2^-x^2", "(^ (^ 2 (u- x)) 2)"),  # the sign takes the next operand alone
    ("2^-x'", "(' (^ 2 (u- x)))"),
    ("2^--x", "(^ 2 (u- (u- x)))"),
    ("-2^2", "(u- (^ 2 2))"),
    ("(a+b)*c", "(* (+ a b) c)"),
    ("a*(b+c)", "(* a (+ b c))"),
    ("((a))", "a"),
    ("x'*A*x", "(* (* (' x) A) x)"),
    ("(A*x)'", "(' (* A x))"),
    ("A''", "(' (' A))"),
    ("A'''", "(' (' (' A)))"),
    ("x^2'", "(' (^ x 2))"),  # ' and ^ share a level: (x^2)'
    ("x.^2'", "(' (.^ x 2))"),
    ("(X + X)^2'", "(' (^ (+ X X) 2))"),
    ("x'^2'", "(' (^ (' x) 2))"),
    ("a^b'^c", "(^ (' (^ a b)) c)"),
    ("x'^2", "(^ (' x) 2)"),
    ("-x'", "(u- (' x))"),
    ("exp(x)'", "(' (exp x))"),
    ("x' * A' * y", "(* (* (' x) (' A)) y)"),
    ("sum(x.*y)/n", "(/ (sum (.* x y)) n)"),
    ("log(sin(x^3)^2)", "(log (^ (sin (^ x 3)) 2))"),
    ("exp (x)", "(exp x)"),
    ("eye", "eye"),
    ("2*eye - A", "(- (* 2 eye) A)"),
    ("theta_0 + _b2", "(+ theta_0 _b2)"),
])
def test_precedence_and_associativity(text, expected):
    assert sx(parse_text(text)) == expected


def test_positions_are_operator_columns_for_binary_and_transpose():
    assert parse_text("x'*A*x") == Binary(
        "*",
        Binary("*", Transpose(Name("x", 0), 1), Name("A", 3), 2),
        Name("x", 5),
        4,
    )


def test_positions_are_start_columns_for_other_nodes():
    assert parse_text(" -x^2") == Unary("-", Binary("^", Name("x", 2), Num(2.0, 4), 3), 1)
    assert parse_text("a + exp( b )") == Binary(
        "+", Name("a", 0), Call("exp", (Name("b", 9),), 4), 2
    )
    assert parse_text("(x)") == Name("x", 1)


@pytest.mark.parametrize("op", BINARY_OPS)
def test_every_binary_operator(op):
    assert parse_text(f"a{op}b") == Binary(op, Name("a", 0), Name("b", len(op) + 1), 1)
    assert parse_text(f"a {op} b") == Binary(op, Name("a", 0), Name("b", len(op) + 3), 2)


@pytest.mark.parametrize("func", UNARY)
def test_every_function(func):
    assert parse_text(f"{func}(x)") == Call(func, (Name("x", len(func) + 1),), 0)
    assert sx(parse_text(f"2*{func}(A*x + b)'")) == f"(* 2 (' ({func} (+ (* A x) b))))"


@pytest.mark.parametrize("func", sorted(LITERAL_ARG_FUNCTIONS))
def test_all_ones_constants_take_a_numeric_literal(func):
    assert parse_text(f"{func}(1)") == Call(func, (Num(1.0, len(func) + 1),), 0)
    assert_error(parse_text, f"{func}(n)", f"'{func}(...)' takes a number", len(func) + 1)
    assert_error(parse_text, f"{func}(-1)", "takes a number", len(func) + 1)


# ---- numbers ------------------------------------------------------------------------

@pytest.mark.parametrize("text, value", [
    ("2", 2.0), ("0.5", 0.5), (".5", 0.5), ("2.", 2.0), ("1e-3", 1e-3), ("2.5E+4", 2.5e4),
    ("1E3", 1e3), ("007", 7.0), ("2.e3", 2e3),
])
def test_numbers(text, value):
    assert parse_text(text) == Num(value, 0)


@pytest.mark.parametrize("text, expected", [
    ("2.*x", "(.* 2 x)"),
    ("2./x", "(./ 2 x)"),
    ("2.^x", "(.^ 2 x)"),
    ("2.5*x", "(* 2.5 x)"),
    ("2..*x", "(.* 2 x)"),
    ("x.*2", "(.* x 2)"),
    ("1e-3*x", "(* 0.001 x)"),
    ("x^.5", "(^ x 0.5)"),
])
def test_a_dot_before_an_operator_belongs_to_the_operator(text, expected):
    assert sx(parse_text(text)) == expected


# ---- errors -------------------------------------------------------------------------

@pytest.mark.parametrize("text, fragment, column", [
    ("   ", "empty expression", 0),
    ("x # y", "unexpected character '#'", 2),
    ("x $", "unexpected character '$'", 2),
    ("x.'", "unexpected character '.'", 1),
    ("(x + y", "unclosed '('", 0),
    ("((x)", "unclosed '('", 0),
    ("(x + (y)", "unclosed '('", 0),
    ("x + (y", "unclosed '('", 4),
    ("exp(x", "unclosed '(' in call to 'exp'", 3),
    ("x + y)", "unmatched ')'", 5),
    ("(x))", "unmatched ')'", 3),
    (")", "missing operand before ')'", 0),
    ("()", "missing operand before ')'", 1),
    ("x +", "missing operand after '+'", 2),
    ("-", "missing operand after '-'", 0),
    ("* x", "missing operand before '*'", 0),
    ("x * * y", "missing operand before '*'", 4),
    ("'x", "missing operand before \"'\"", 0),
    ("x y", "missing operator before 'y'. Did you mean 'x*y'?", 2),
    ("2x", "missing operator before 'x'. Did you mean '2*x'?", 1),
    ("2 (x)", "missing operator before '('", 2),
    ("(a)(b)", "missing operator before '('", 3),
    ("x, y", "unexpected ','", 1),
    ("(x, y)", "unexpected ','", 2),
    ("lgo(x)", "unknown function 'lgo'. Did you mean 'log'?", 0),
    ("2*lgo(x)", "unknown function 'lgo'. Did you mean 'log'?", 2),
    ("x(y + 1)", "unknown function 'x'. To multiply, write 'x*(...)'.", 0),
    ("eye(3)", "'eye' is a named constant", 0),
    ("x + exp", "function 'exp' needs an argument", 4),
    ("exp()", "'exp' takes exactly 1 argument, got none", 4),
    ("exp(x, y)", "'exp' takes exactly 1 argument, got more", 5),
    ("1e999", "too large", 0),
])
def test_error_messages_and_caret(text, fragment, column):
    assert_error(parse_text, text, fragment, column)


def test_empty_text_is_an_error():
    err = parse_error(parse_text, "")
    assert err.message == "empty expression" and err.column == 0


@pytest.mark.parametrize("func", sorted(KNOWN_FUNCTIONS - set(ARITY)))
def test_every_function_needs_parentheses_and_one_argument(func):
    assert_error(parse_text, f"x + {func}", f"function '{func}' needs an argument", 4)
    assert_error(parse_text, f"{func}(1, 2)", "takes exactly 1 argument", len(func) + 2)


@pytest.mark.parametrize("func", sorted(ARITY))
def test_frechet_derivatives_take_their_arguments(func):
    k = ARITY[func]
    args = ", ".join("X" * (i + 1) for i in range(k))
    assert len(parse_text(f"{func}({args})").args) == k
    too_many = ", ".join(["X"] * (k + 1))
    assert_error(parse_text, f"{func}({too_many})", f"takes exactly {k} arguments, got more",
                 len(func) + 1 + 3 * k - 2)
    assert_error(parse_text, f"{func}(X)", f"takes exactly {k} arguments, got 1", len(func) + 2)


# ---- long and deeply nested input ---------------------------------------------------

@pytest.mark.parametrize("text", [
    "x" + "+x" * 5000,
    "x" + "*x" * 5000,
    "x" + "-y.*z" * 2000,
    "A" + "'" * 10000,
    "x" + "^x" * 5000,  # powers associate left to right: a loop, not nesting
])
def test_long_flat_input_parses_quickly(text):
    start = time.perf_counter()
    node = parse_text(text)
    assert time.perf_counter() - start < 2.0
    assert isinstance(node, (Binary, Transpose))


@pytest.mark.parametrize("make, column_of_limit", [
    (lambda n: "(" * n + "x" + ")" * n, lambda n: MAX_DEPTH),  # the first '(' too many
    (lambda n: "exp(" * n + "x" + ")" * n, lambda n: 4 * MAX_DEPTH + 3),
    (lambda n: "-" * n + "x", lambda n: MAX_DEPTH),
    (lambda n: "2^" + "-" * (n - 1) + "x", lambda n: MAX_DEPTH + 1),  # signs of an exponent
])
def test_nesting_up_to_the_limit_parses_and_beyond_is_a_parse_error(make, column_of_limit):
    parse_text(make(MAX_DEPTH))
    for n in (MAX_DEPTH + 1, 5000):
        err = parse_error(parse_text, make(n))
        assert err.message == f"expression nested too deeply (limit {MAX_DEPTH})"
        assert err.column == column_of_limit(n)


def test_mixed_nesting_is_a_parse_error_not_a_recursion_error():
    for unit in ("x+(", "-(x*", "2^-(", "sum(-(x.^"):
        err = parse_error(parse_text, unit * 3000 + "x" + ")" * 3000)
        assert "nested too deeply" in err.message


# ---- declarations -------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("scalar", TypeDecl("scalar", ())),
    ("vector(n)", TypeDecl("vector", ("n",))),
    ("vector(3)", TypeDecl("vector", (3,))),
    ("matrix(m,n)", TypeDecl("matrix", ("m", "n"))),
    (" matrix( m , 4 ) ", TypeDecl("matrix", ("m", 4))),
    ("matrix(n,n) symmetric", TypeDecl("matrix", ("n", "n"), True)),
    ("matrix(3,3) symmetric", TypeDecl("matrix", (3, 3), True)),
    ("tensor(n,m,k)", TypeDecl("tensor", ("n", "m", "k"))),
    ("tensor(a,b,c,2)", TypeDecl("tensor", ("a", "b", "c", 2))),
])
def test_declarations(text, expected):
    assert parse_type(text) == expected


@pytest.mark.parametrize("text, fragment, column", [
    ("  ", "empty type declaration", 0),
    ("Scalar", "unknown type 'Scalar'", 0),
    ("vec(n)", "Did you mean 'vector'?", 0),
    ("3", "unknown type '3'", 0),
    ("vector", "vector takes 1 dimension", 6),
    ("scalar(n)", "scalar takes no dimensions", 6),
    ("vector(m,n)", "vector takes 1 dimension", 6),
    ("matrix(n)", "matrix takes 2 dimensions", 6),
    ("tensor(n,m)", "tensor takes 3 or more dimensions", 6),
    ("vector()", "a dimension is a name or a positive integer", 7),
    ("vector(0)", "a dimension is a name or a positive integer, got '0'", 7),
    ("vector(2.5)", "got '2.5'", 7),
    ("vector(-3)", "got '-'", 7),
    ("vector(n", "unclosed '('", 6),
    ("vector(n m)", "expected ',' or ')', got 'm'", 9),
    ("vector(n) symmetric", "only a matrix can be symmetric", 10),
    ("matrix(m,n) symmetric", "must be square", 12),
    ("matrix(n,n) symetric", "Did you mean 'symmetric'?", 12),
    ("matrix(n,n) symmetric symmetric", "'symmetric' is given twice", 22),
    ("vector(n))", "unexpected ')' after the type", 9),
    ("vector(n) $", "unexpected character '$'", 10),
])
def test_declaration_errors(text, fragment, column):
    assert_error(parse_type, text, fragment, column)


# ---- the public corpus and random input ---------------------------------------------

@pytest.mark.parametrize("case", CORPUS, ids=[case["id"] for case in CORPUS])
def test_corpus_expressions_and_declarations_parse(case):
    parse_text(case["expr"])
    for decl in case["vars"].values():
        parse_type(decl)
    if not case["expected_form"].startswith("D["):  # index notation is output only
        parse_text(case["expected_form"])


def _parenthesised(node) -> str:
    """Source text with every node in parentheses, so it parses back to the same tree."""
    match node:
        case Num(value=v):
            return repr(v)
        case Name(name=n):
            return n
        case Call(func=f, args=(a,)):
            return f"{f}({_parenthesised(a)})"
        case Unary(op=op, operand=u):
            return f"({op}{_parenthesised(u)})"
        case Binary(op=op, left=a, right=b):
            return f"({_parenthesised(a)} {op} {_parenthesised(b)})"
        case Transpose(operand=u):
            return f"(({_parenthesised(u)})')"
    raise TypeError(node)


_leaves = st.one_of(
    st.sampled_from(["x", "A", "theta0", "eye"]).map(lambda n: Name(n, 0)),
    st.sampled_from([0.0, 1.0, 0.5, 2.5e-7, 1e20]).map(lambda v: Num(v, 0)),
)
_trees = st.recursive(_leaves, lambda kids: st.one_of(
    st.builds(Binary, st.sampled_from(BINARY_OPS), kids, kids, st.just(0)),
    st.builds(Unary, st.sampled_from(["-", "+"]), kids, st.just(0)),
    st.builds(Transpose, kids, st.just(0)),
    st.builds(lambda f, a: Call(f, (a,), 0),
              st.sampled_from(UNARY), kids),
), max_leaves=20)


@settings(max_examples=200, deadline=None)
@given(_trees)
def test_parenthesised_source_parses_back_to_the_same_tree(tree):
    assert sx(parse_text(_parenthesised(tree))) == sx(tree)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="xAe2.5+-*/^'(), #", max_size=30))
def test_any_text_parses_or_raises_parse_error(text):
    try:
        parse_text(text)
    except ParseError as err:
        assert err.column is not None and 0 <= err.column <= len(text)
