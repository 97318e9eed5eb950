"""Printing matrix notation as plain text, Unicode or LaTeX.

One precedence-aware printer, three `Style`s. Plain text is valid matdiff
input (re-parsing and evaluating it gives the same numbers); Unicode reads
like a textbook (`Aᵀ`, `X⁻¹`, `⊙`); LaTeX renders with KaTeX.

Precedence, loosest first: sums (1), products (2), unary minus (3), powers
(4), transposes (5), atoms and calls (6).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .forms import (
    Call, Const, Delta, Entry, Form, Had, IndexSum, Indexed, Lit, Pow, Prod, Sum, Sym, T,
)

SUM, PRODUCT, UNARY, POWER, POSTFIX, ATOM = 1, 2, 3, 4, 5, 6

GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "phi", "chi", "psi", "omega",
    "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Phi", "Psi", "Omega",
}
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def number_text(v: float) -> str:
    """Shortest faithful decimal: 2, 0.5, 1e-08."""
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


@dataclass(frozen=True)
class Style:
    name: str
    matmul: str  # between factors of a matrix product
    hadamard: str
    hadamard_div: str
    scalar_div: str
    transpose: Callable[[str], str]
    inverse: Callable[[str], str] | None  # None: write inv(X)
    power: Callable[[str, str, bool], str]  # (base, exponent, entrywise)
    call: Callable[[str, str], str]
    paren: Callable[[str], str]
    symbol: Callable[[str], str]
    const: dict[str, str]
    delta: Callable[[str, str], str]
    indexed: Callable[[str, str], str]
    index_sum: Callable[[str, str], str]
    entry: Callable[[str, str], str]
    minus: str = "-"


def _text_power(b, e, entrywise):
    return f"{b}{'.^' if entrywise else '^'}{e}"


TEXT = Style(
    name="text", matmul="*", hadamard=".*", hadamard_div="./", scalar_div="/",
    transpose=lambda s: s + "'", inverse=None, power=_text_power,
    call=lambda f, a: f"{f}({a})", paren=lambda s: f"({s})", symbol=lambda s: s,
    const={"ones:col": "vector(1)", "ones:matrix": "matrix(1)", "zeros:col": "vector(0)",
           "zeros:matrix": "matrix(0)", "zeros:scalar": "0", "ones:scalar": "1",
           "eye:matrix": "eye"},
    delta=lambda i, j: f"delta({i},{j})", indexed=lambda b, ix: f"{b}[{ix}]",
    index_sum=lambda over, body: f"sum_{over}({body})",
    entry=lambda ix, body: f"D[{ix}] = {body}",
)


def _unicode_power(b, e, entrywise):
    if e.lstrip("-").isdigit():
        return b + e.translate(_SUPERSCRIPT)
    return f"{b}^{e}"


UNICODE = Style(
    name="unicode", matmul=" ", hadamard=" ⊙ ", hadamard_div=" ⊘ ", scalar_div="/",
    transpose=lambda s: s + "ᵀ", inverse=lambda s: s + "⁻¹", power=_unicode_power,
    call=lambda f, a: f"{f}({a})", paren=lambda s: f"({s})", symbol=lambda s: s,
    const={"ones:col": "𝟙", "ones:matrix": "𝟙𝟙ᵀ", "zeros:col": "0", "zeros:matrix": "0",
           "zeros:scalar": "0", "ones:scalar": "1", "eye:matrix": "𝕀"},
    delta=lambda i, j: f"δ({i},{j})", indexed=lambda b, ix: f"{b}[{ix}]",
    index_sum=lambda over, body: f"Σ_{over} {body}",
    entry=lambda ix, body: f"D[{ix}] = {body}", minus="−",
)

_LATEX_FUNCTIONS = {
    "exp": r"\exp", "log": r"\log", "sin": r"\sin", "cos": r"\cos", "tan": r"\tan",
    "tanh": r"\tanh", "arcsin": r"\arcsin", "arccos": r"\arccos", "arctan": r"\arctan",
    "det": r"\det", "tr": r"\operatorname{tr}", "diag": r"\operatorname{diag}",
    "sigmoid": r"\sigma", "logdet": r"\log\det", "sum": r"\operatorname{sum}",
}


def _latex_call(f: str, a: str) -> str:
    if f == "sqrt":
        return rf"\sqrt{{{a}}}"
    if f == "norm2":
        return rf"\left\lVert {a} \right\rVert_2"
    if f == "norm1":
        return rf"\left\lVert {a} \right\rVert_1"
    if f == "abs":
        return rf"\left| {a} \right|"
    name = _LATEX_FUNCTIONS.get(f, rf"\operatorname{{{f}}}")
    return rf"{name}\left({a}\right)"


def _latex_symbol(s: str) -> str:
    head = s.rstrip("0123456789")
    tail = s[len(head):]
    base = f"\\{head}" if head in GREEK else (head if len(head) == 1 else rf"\mathit{{{head}}}")
    return f"{base}_{{{tail}}}" if tail else base


LATEX = Style(
    name="latex", matmul=" ", hadamard=r" \odot ", hadamard_div=r" \oslash ", scalar_div="/",
    transpose=lambda s: s + r"^\top", inverse=lambda s: s + "^{-1}",
    power=lambda b, e, ew: f"{b}^{{{e}}}",
    call=_latex_call, paren=lambda s: rf"\left({s}\right)", symbol=_latex_symbol,
    const={"ones:col": r"\mathbf{1}", "ones:matrix": r"\mathbf{1}\mathbf{1}^\top",
           "zeros:col": r"\mathbf{0}", "zeros:matrix": r"\mathbf{0}", "zeros:scalar": "0",
           "ones:scalar": "1", "eye:matrix": "I"},
    delta=lambda i, j: rf"\delta_{{{i}{j}}}", indexed=lambda b, ix: f"{b}_{{{ix.replace(',', '')}}}",
    index_sum=lambda over, body: rf"\sum_{{{over}}} {body}",
    entry=lambda ix, body: rf"D_{{{ix.replace(',', '')}}} = {body}",
)


class _Printer:
    def __init__(self, style: Style):
        self.s = style

    def show(self, f: Form) -> tuple[str, int]:
        """(text, precedence)."""
        method = getattr(self, "_" + type(f).__name__.lower())
        return method(f)

    def at(self, f: Form, min_prec: int) -> str:
        text, prec = self.show(f)
        return text if prec >= min_prec else self.s.paren(text)

    # --- atoms ---
    def _sym(self, f: Sym):
        return self.s.symbol(f.name), ATOM

    def _lit(self, f: Lit):
        text = number_text(f.value)
        return (text, ATOM) if f.value >= 0 else (self.s.minus + text[1:], UNARY)

    def _const(self, f: Const):
        return self.s.const[f"{f.name}:{f.kind}"], ATOM

    # --- operators ---
    def _sum(self, f: Sum):
        parts = []
        for i, (c, term) in enumerate(f.terms):
            body, neg = self._scaled(abs(c), term), c < 0
            if i == 0:
                parts.append(self.s.minus + body if neg else body)
            else:
                parts.append((f" {self.s.minus} " if neg else " + ") + body)
        return "".join(parts), SUM

    def _scaled(self, c: float, term: Form) -> str:
        if c == 1.0:
            return self.at(term, SUM + 1)
        join = "*" if self.s.name == "text" else " "
        # a scalar coefficient commutes: c*(s*A) is written c*s*A
        inner = PRODUCT if isinstance(term, (Prod, Had)) else PRODUCT + 1
        return f"{number_text(c)}{join}{self.at(term, inner)}"

    def _prod(self, f: Prod):
        factors = list(f.factors)
        sign = ""
        if isinstance(factors[0], Lit) and factors[0].value == -1.0 and len(factors) > 1:
            sign, factors = self.s.minus, factors[1:]
        out = []
        for i, x in enumerate(factors):
            if i and isinstance(x, Pow) and x.kind == "scalar" and x.exponent == _MINUS_ONE:
                out.append(self.s.scalar_div + self.at(x.base, PRODUCT + 1))
                continue
            text = self.at(x, PRODUCT + 1 if i else PRODUCT)
            out.append((self.s.matmul if i else "") + text)
        return sign + "".join(out), PRODUCT

    def _had(self, f: Had):
        out = []
        for i, x in enumerate(f.factors):
            if i and isinstance(x, Pow) and _is_negative_lit(x.exponent):
                flipped = x.base if x.exponent == _MINUS_ONE else Pow(
                    x.kind, x.base, Lit("scalar", -x.exponent.value))
                out.append(self.s.hadamard_div + self.at(flipped, PRODUCT + 1))
                continue
            out.append((self.s.hadamard if i else "") + self.at(x, PRODUCT + 1 if i else PRODUCT))
        return "".join(out), PRODUCT

    def _t(self, f: T):
        if self.s.inverse and isinstance(f.arg, Call) and f.arg.fn == "inv":
            inner = self.at(f.arg.arg, ATOM)
            return self.s.inverse(self.s.transpose(inner)), POSTFIX
        return self.s.transpose(self.at(f.arg, ATOM)), POSTFIX

    def _call(self, f: Call):
        if f.fn == "inv" and self.s.inverse:
            return self.s.inverse(self.at(f.arg, ATOM)), POSTFIX
        arg, _ = self.show(f.arg)
        return self.s.call(f.fn, arg), ATOM

    def _pow(self, f: Pow):
        base = self.at(f.base, ATOM if self.s.name != "text" else POSTFIX)
        exp_text, exp_prec = self.show(f.exponent)
        if exp_prec < ATOM and self.s.name != "latex":
            exp_text = self.s.paren(exp_text)
        return self.s.power(base, exp_text, f.kind != "scalar"), POWER

    # --- index notation ---
    def _indexed(self, f: Indexed):
        return self.s.indexed(self.at(f.base, ATOM), ",".join(f.index)), ATOM

    def _delta(self, f: Delta):
        return self.s.delta(*f.index), ATOM

    def _indexsum(self, f: IndexSum):
        body = self.s.matmul.join(self.at(x, PRODUCT + 1) for x in f.factors)
        if self.s.name == "text":
            body = "*".join(self.at(x, PRODUCT + 1) for x in f.factors)
        return self.s.index_sum(",".join(f.over), body), PRODUCT

    def _entry(self, f: Entry):
        body, _ = self.show(f.body)
        return self.s.entry(",".join(f.index), body), SUM


_MINUS_ONE = Lit("scalar", -1.0)


def _is_negative_lit(f: Form) -> bool:
    return isinstance(f, Lit) and f.value < 0


STYLES = {"text": TEXT, "unicode": UNICODE, "latex": LATEX}


def render(form: Form, style: str = "text") -> str:
    """Print a form in the named style: 'text', 'unicode' or 'latex'."""
    return _Printer(STYLES[style]).show(form)[0]
