"""Text -> AST: a hand-written lexer and Pratt parser for matdiff's input language.

Contract:
- `parse_text(text)` returns a `syntax.Node` or raises `ParseError` with the column of the
  offending token; it never raises anything else and never evaluates user text.
- `parse_type(text)` returns a `syntax.TypeDecl` for `scalar`, `vector(n)`, `matrix(m,n)`,
  `matrix(n,n) symmetric` or `tensor(n,m,k,...)`, each optionally followed by one domain
  word of `functions.DOMAINS` (`vector(n) positive`, `matrix(n,n) spd`, `vector(n) simplex`),
  or raises `ParseError` (also for a domain the shape cannot have: `scalar spd`).
- Every node's `pos` is a 0-based column: the operator's for `Binary` and `Transpose`,
  the start of the node for all others.

Precedence is MATLAB's, lowest first: binary `+ -`; `* / .* ./`; prefix `- +`; then
`^ .^` and postfix `'` on one level. Every binary level associates left to right, so
`a^b^c` is `(a^b)^c`, `x.^2'` is `(x.^2)'` and `-x^2` is `-(x^2)`. A sign right after
`^` or `.^` belongs to the next operand alone, as in MATLAB: `2^-x` is `2^(-x)` and
`2^-x^2` is `(2^(-x))^2`. Left-assoc chains are parsed by a loop, so long inputs cost no
stack; anything that truly nests (parentheses, calls, prefix signs, operands of
operators) is refused beyond `MAX_DEPTH` levels with a ParseError instead of a
RecursionError.
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple

from ..errors import ParseError, did_you_mean
from ..functions import DOMAINS, KNOWN_FUNCTIONS, LITERAL_ARG_FUNCTIONS, NAMED_CONSTANTS, arity
from .syntax import Binary, Call, Name, Node, Num, Transpose, TypeDecl, Unary

MAX_DEPTH = 200

# Binding powers (left, right); every level is left-assoc: right = left + 1.
_POWER_BP = 40  # ^ .^ and postfix ' share this level
_INFIX = {
    "+": (10, 11), "-": (10, 11),
    "*": (20, 21), "/": (20, 21), ".*": (20, 21), "./": (20, 21),
    "^": (_POWER_BP, _POWER_BP + 1), ".^": (_POWER_BP, _POWER_BP + 1),
}
_PREFIX_BP = 30  # binds tighter than * but looser than ^ and '

# A '.' directly before * / ^ belongs to the operator: `2.*x` is `2 .* x`.
_TOKEN = re.compile(
    r"""(?P<ws>\s+)
      | (?P<num>(?:[0-9]+(?:\.(?![*/^])[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<op>\.[*/^]|[-+*/^'(),])""",
    re.VERBOSE,
)

# kind -> (fewest dims, most dims, how an error message says it)
_DIM_COUNTS = {
    "scalar": (0, 0, "no dimensions"),
    "vector": (1, 1, "1 dimension, e.g. vector(n)"),
    "matrix": (2, 2, "2 dimensions, e.g. matrix(m,n)"),
    "tensor": (3, math.inf, "3 or more dimensions, e.g. tensor(n,m,k)"),
}
_TYPE_HELP = ("expected scalar, vector(n), matrix(m,n) [symmetric] or tensor(n,m,k), then "
              "optionally a domain: " + ", ".join(DOMAINS))
_WORDS = ("symmetric", *DOMAINS)  # what may follow a type


class _Tok(NamedTuple):
    kind: str  # 'num' | 'name' | 'op' | 'end'
    text: str
    pos: int


def _hinted(message: str, hint: str) -> str:
    """`message`, then `hint` (which starts with a space) as a second sentence if any."""
    return f"{message}.{hint}" if hint else message


def _show(tok: _Tok) -> str:
    """A token as an error message quotes it."""
    if tok.kind == "end":
        return "end of input"
    return '"\'"' if tok.text == "'" else f"'{tok.text}'"


def _lex(text: str) -> list[_Tok]:
    """Split `text` into tokens ending with an 'end' token; ParseError on a stray character."""
    toks, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            char = text[pos] if text[pos].isprintable() else ascii(text[pos])[1:-1]
            raise ParseError(f"unexpected character '{char}'", text, pos)
        kind = m.lastgroup
        assert kind is not None  # every alternative of _TOKEN is a named group
        if kind != "ws":
            toks.append(_Tok(kind, m.group(), pos))
        pos = m.end()
    toks.append(_Tok("end", "", len(text)))
    return toks


def parse_text(text: str) -> Node:
    """Parse an expression such as `x'*A*x + exp(-b)` into its AST."""
    return _Parser(text).expression()


def parse_type(text: str) -> TypeDecl:
    """Parse a declaration such as `matrix(n,n) symmetric` into a TypeDecl."""
    return _Parser(text).type_decl()


class _Parser:
    """A cursor over the tokens of one text; each method consumes what it parses."""

    def __init__(self, text: str):
        self.text = text
        self.toks = _lex(text)
        self.i = 0
        self.depth = 0  # sub-expressions being parsed right now (the `_expr` frames)

    def _peek(self) -> _Tok:
        return self.toks[self.i]

    def _advance(self) -> _Tok:
        """The next token, consumed; the 'end' token is never consumed."""
        tok = self.toks[self.i]
        if tok.kind != "end":
            self.i += 1
        return tok

    def _error(self, message: str, pos: int) -> ParseError:
        return ParseError(message, self.text, pos)

    # ---- expressions ----------------------------------------------------------------

    def expression(self) -> Node:
        """The whole text as one expression; nothing may follow it."""
        if not self.text.strip():
            raise self._error("empty expression", 0)
        node = self._expr(0)
        tok = self._peek()
        if tok.text == ")":
            raise self._error("unmatched ')'", tok.pos)
        if tok.text == ",":
            raise self._comma_error(tok)
        assert tok.kind == "end", tok  # the `_expr` loop stops only at ')', ',' or the end
        return node

    def _enter(self) -> None:
        """One more level of nesting; a ParseError beyond MAX_DEPTH."""
        if self.depth > MAX_DEPTH:
            opener = self.toks[self.i - 1]
            raise self._error(f"expression nested too deeply (limit {MAX_DEPTH})", opener.pos)
        self.depth += 1

    def _expr(self, min_bp: int) -> Node:
        """Pratt loop: an operand, then every operator binding at least `min_bp`."""
        self._enter()
        left = self._prefix()
        while True:
            tok = self._peek()
            if tok.text == "'":  # postfix transpose: the level of ^, left to right
                if _POWER_BP < min_bp:
                    break
                self._advance()
                left = Transpose(left, tok.pos)
                continue
            if tok.kind in ("num", "name") or tok.text == "(":
                raise self._missing_operator(tok)
            bps = _INFIX.get(tok.text) if tok.kind == "op" else None
            if bps is None or bps[0] < min_bp:
                break
            self._advance()
            right = self._exponent() if bps[0] == _POWER_BP else self._expr(bps[1])
            left = Binary(tok.text, left, right, tok.pos)
        self.depth -= 1
        return left

    def _exponent(self) -> Node:
        """The right operand of ^ or .^: an operand, signed as MATLAB allows (`2^-x`)."""
        tok = self._peek()
        if tok.text not in ("-", "+"):
            return self._expr(_POWER_BP + 1)
        self._enter()
        self._advance()
        node = Unary(tok.text, self._exponent(), tok.pos)
        self.depth -= 1
        return node

    def _prefix(self) -> Node:
        """An operand: number, name, call, parenthesised expression or signed operand."""
        tok = self._peek()
        if tok.kind == "end" or (tok.kind == "op" and tok.text not in ("-", "+", "(")):
            raise self._missing_operand(tok)
        self._advance()
        if tok.kind == "num":
            return self._number(tok)
        if tok.kind == "name":
            return self._name(tok)
        if tok.text == "(":
            return self._paren(tok)
        return Unary(tok.text, self._expr(_PREFIX_BP), tok.pos)

    def _number(self, tok: _Tok) -> Num:
        value = float(tok.text)
        if not math.isfinite(value):
            raise self._error(f"number {tok.text} is too large", tok.pos)
        return Num(value, tok.pos)

    def _name(self, tok: _Tok) -> Node:
        """A variable, a named constant, or (before '(') a function call."""
        if self._peek().text == "(":
            return self._call(tok)
        if tok.text in KNOWN_FUNCTIONS:
            raise self._error(
                f"function '{tok.text}' needs an argument: write '{tok.text}(...)'", tok.pos
            )
        return Name(tok.text, tok.pos)

    def _call(self, name: _Tok) -> Call:
        """`name(arg, …)`: a known function applied to as many arguments as it takes."""
        if name.text not in KNOWN_FUNCTIONS:
            raise self._unknown_function(name)
        count = arity(name.text)
        takes = f"'{name.text}' takes exactly {count} argument{'s' if count > 1 else ''}"
        opener = self._advance()
        start = self._peek().pos
        if self._peek().text == ")":
            raise self._error(f"{takes}, got none", start)
        args = [self._expr(0)]
        closer = self._advance()
        while closer.text == "," and len(args) < count:
            args.append(self._expr(0))
            closer = self._advance()
        if closer.text == ",":
            raise self._error(f"{takes}, got more", closer.pos)
        if closer.text != ")":
            raise self._error(f"unclosed '(' in call to '{name.text}'", opener.pos)
        if len(args) < count:
            raise self._error(f"{takes}, got {len(args)}", closer.pos)
        if name.text in LITERAL_ARG_FUNCTIONS and not isinstance(args[0], Num):
            raise self._error(
                f"'{name.text}(...)' takes a number, e.g. '{name.text}(1)' (all ones)", start
            )
        return Call(name.text, tuple(args), name.pos)

    def _paren(self, opener: _Tok) -> Node:
        """`( expr )`; the AST keeps no node for the parentheses."""
        inner = self._expr(0)
        closer = self._advance()
        if closer.text == ",":
            raise self._comma_error(closer)
        if closer.text != ")":
            raise self._error("unclosed '('", opener.pos)
        return inner

    # ---- expression errors ----------------------------------------------------------

    def _comma_error(self, tok: _Tok) -> ParseError:
        return self._error("unexpected ',': commas only separate function arguments", tok.pos)

    def _missing_operand(self, tok: _Tok) -> ParseError:
        if tok.kind == "end":
            prev = self.toks[self.i - 1]
            return self._error(f"missing operand after {_show(prev)}", prev.pos)
        return self._error(f"missing operand before {_show(tok)}", tok.pos)

    def _missing_operator(self, tok: _Tok) -> ParseError:
        prev = self.toks[self.i - 1]
        message = f"missing operator before {_show(tok)}"
        if prev.kind in ("num", "name") and tok.kind == "name":
            message = _hinted(message, f" Did you mean '{prev.text}*{tok.text}'?")
        return self._error(message, tok.pos)

    def _unknown_function(self, name: _Tok) -> ParseError:
        if name.text in NAMED_CONSTANTS:
            message = f"'{name.text}' is a named constant and takes no arguments"
        else:
            hint = did_you_mean(name.text, KNOWN_FUNCTIONS)
            hint = hint or f" To multiply, write '{name.text}*(...)'."
            message = _hinted(f"unknown function '{name.text}'", hint)
        return self._error(message, name.pos)

    # ---- type declarations ----------------------------------------------------------

    def type_decl(self) -> TypeDecl:
        """The whole text as `kind[(dim, ...)] [symmetric] [domain]`; nothing may follow."""
        if not self.text.strip():
            raise self._error(f"empty type declaration: {_TYPE_HELP}", 0)
        kind = self._advance()
        if kind.text not in _DIM_COUNTS:
            hint = did_you_mean(kind.text, _DIM_COUNTS) if kind.kind == "name" else ""
            raise self._error(_hinted(f"unknown type {_show(kind)}: {_TYPE_HELP}", hint), kind.pos)
        opener = self._peek()
        dims = self._dims() if opener.text == "(" else ()
        self._check_dim_count(kind.text, dims, opener.pos)
        symmetric, domain = False, None
        while self._peek().kind != "end":
            tok = self._advance()
            if tok.text == "symmetric" and not symmetric:
                symmetric = self._symmetric(kind.text, dims, tok)
            elif tok.text in DOMAINS and domain is None:
                domain = self._domain(kind.text, dims, tok)
            elif tok.text in DOMAINS:
                raise self._error(f"one domain per variable: '{domain}' and '{tok.text}'",
                                  tok.pos)
            elif tok.text == "symmetric":
                raise self._error("'symmetric' is given twice", tok.pos)
            else:
                hint = did_you_mean(tok.text, _WORDS) if tok.kind == "name" else ""
                raise self._error(_hinted(f"unexpected {_show(tok)} after the type; "
                                          f"expected one of {', '.join(_WORDS)}", hint),
                                  tok.pos)
        symmetric = symmetric or (domain is not None and DOMAINS[domain].symmetric)
        return TypeDecl(kind.text, dims, symmetric, domain)

    def _dims(self) -> tuple[str | int, ...]:
        """`( dim, dim, ... )` where each dim is a name or a positive integer."""
        opener = self._advance()
        dims = []
        while True:
            dims.append(self._dim(self._advance()))
            tok = self._advance()
            if tok.text == ")":
                return tuple(dims)
            if tok.kind == "end":
                raise self._error("unclosed '('", opener.pos)
            if tok.text != ",":
                raise self._error(f"expected ',' or ')', got {_show(tok)}", tok.pos)

    def _dim(self, tok: _Tok) -> str | int:
        if tok.kind == "name":
            return tok.text
        if tok.kind == "num" and tok.text.isdigit() and int(tok.text) > 0:
            return int(tok.text)
        raise self._error(
            f"a dimension is a name or a positive integer, got {_show(tok)}", tok.pos
        )

    def _check_dim_count(self, kind: str, dims: tuple, pos: int) -> None:
        low, high, want = _DIM_COUNTS[kind]
        if not low <= len(dims) <= high:
            raise self._error(f"{kind} takes {want}; got {len(dims)}", pos)

    def _symmetric(self, kind: str, dims: tuple, tok: _Tok) -> bool:
        """`symmetric`, which only a square matrix may carry."""
        if kind != "matrix":
            raise self._error(f"only a matrix can be symmetric, not a {kind}", tok.pos)
        if dims[0] != dims[1]:
            raise self._error("a symmetric matrix must be square, e.g. matrix(n,n)", tok.pos)
        return True

    def _domain(self, kind: str, dims: tuple, tok: _Tok) -> str:
        """A domain word, checked against the shape it needs (`functions.DOMAINS`)."""
        need = DOMAINS[tok.text].shape
        if need == "vector" and kind != "vector":
            raise self._error(f"'{tok.text}' is a domain of vectors, not of a {kind}", tok.pos)
        if need == "square" and (kind != "matrix" or dims[0] != dims[1]):
            raise self._error(f"'{tok.text}' is a domain of square matrices, e.g. "
                              f"matrix(n,n) {tok.text}", tok.pos)
        return tok.text
