"""Printing matrix notation as plain text, Unicode or LaTeX.

One precedence-aware printer, three `Style`s. Plain text is valid matdiff
input (re-parsing and evaluating it gives the same numbers); Unicode reads
like a textbook (`Aᵀx`, `X⁻¹`, `X⁻ᵀ`, `u ⊙ v`, `𝟙 ⊘ x`, `𝕀`, `θ₀`); LaTeX
renders with KaTeX (every golden is rendered in the tests).

Precedence, loosest first: sums (1), products (2), unary minus (3), powers
(4), transposes (5), atoms and calls (6). In Unicode and LaTeX a product is
written by juxtaposition, which a reader binds tighter than `⊙`: there an
entry-wise product inside a matrix product is parenthesized.

Entry-wise powers are written so that they cannot be mistaken for matrix
powers: `x²` for a vector (a vector has no matrix square), `𝟙 ⊘ x` for an
entry-wise reciprocal (never `x⁻¹`, which reads as an inverse), and the
Hadamard power `X^∘2` (`X^{\\circ 2}`) for a matrix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, TypeGuard

from ..functions import ENTRYWISE, FRECHET, MATRIX, PRIMARY, STRUCTURAL
from .forms import (
    Call, Commutation, Const, Delta, Entry, Form, Had, IndexSum, Indexed, Kron, Lit, MatPow, Pow,
    Prod, SingleEntry, Sum, Sym, T,
)

SUM, HADAMARD_LOOSE, PRODUCT, UNARY, POWER, POSTFIX, ATOM = 1, 1.5, 2, 3, 4, 5, 6

GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
    "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ", "chi": "χ",
    "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ",
    "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}
_SUPERSCRIPT = str.maketrans("0123456789-−", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁻")
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def number_text(v: float) -> str:
    """Shortest faithful decimal: 2, 0.5, 1e-08."""
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


def _split_digits(name: str) -> tuple[str, str]:
    """theta0 → ('theta', '0'); W_1 → ('W', '1'); x → ('x', '')."""
    head = name.rstrip("0123456789")
    digits = name[len(head):]
    if digits and head.endswith("_") and "_" not in head[:-1]:
        head = head[:-1]
    return head, digits


@dataclass(frozen=True)
class Style:
    name: str
    matmul: str  # between factors of a matrix product
    hadamard: str
    hadamard_div: str
    scalar_div: str
    transpose: Callable[[str], str]
    inverse: Callable[[str], str] | None  # None: write inv(X)
    inverse_transpose: Callable[[str], str] | None  # X⁻ᵀ; None: transpose of the inverse
    power: Callable[[str, str, bool], str]  # (base, exponent, entrywise)
    hadamard_power: Callable[[str, str], str] | None  # entry-wise power of a matrix, if marked
    call: Callable[[str, str, float], str]  # (function, argument, argument's precedence)
    paren: Callable[[str], str]
    symbol: Callable[[str], str]
    number: Callable[[str], str]  # a non-negative number_text, e.g. '2e-08', as written
    const: dict[str, str]
    delta: Callable[[str, str], str]
    indexed: Callable[[str, str], str]
    index_sum: Callable[[str, str], str]
    entry: Callable[[str, str], str]
    minus: str = "-"
    juxtapose: bool = False  # write products by juxtaposition (tight between single letters)
    reciprocal_as_division: bool = False  # x.^(-1) written 𝟙 ⊘ x
    kron: str = " ⊗ "  # between the factors of a Kronecker product; text: kron(P, Q)
    commutation: Callable[[str, str], str] = lambda m, n: f"commutation({m},{n})"
    where: Callable[[str, list[str]], str] = lambda body, defs: f"{body}, where {', '.join(defs)}"


# --- plain text: valid matdiff input ---------------------------------------------------


def _text_power(b, e, entrywise):
    return f"{b}{'.^' if entrywise else '^'}{e}"


TEXT = Style(
    name="text", matmul="*", hadamard=".*", hadamard_div="./", scalar_div="/",
    transpose=lambda s: s + "'", inverse=None, inverse_transpose=None, power=_text_power,
    hadamard_power=None, call=lambda f, a, prec: f"{f}({a})", paren=lambda s: f"({s})",
    symbol=lambda s: s, number=lambda s: s,
    const={"ones:col": "vector(1)", "ones:matrix": "matrix(1)", "zeros:col": "vector(0)",
           "zeros:matrix": "matrix(0)", "zeros:scalar": "0", "ones:scalar": "1",
           "eye:matrix": "eye"},
    delta=lambda i, j: f"delta({i},{j})", indexed=lambda b, ix: f"{b}[{ix}]",
    index_sum=lambda over, body: f"sum_{over}({body})",
    entry=lambda ix, body: f"D[{ix}] = {body}", reciprocal_as_division=True,
)


# --- Unicode: a textbook ----------------------------------------------------------------


def _unicode_power(b, e, entrywise):
    if e.lstrip("-−").isdigit():
        return b + e.translate(_SUPERSCRIPT)
    return f"{b}^{e}"


_DEFAULT_CALL = {"unicode": "{name}({x})", "latex": r"\operatorname{{{name}}}\left({x}\right)"}


def _written(style: str) -> Callable[[str, str, float], str]:
    """How a function call is written in `style`: the template of its entry in `functions`
    ({x} the argument, {x_} the argument parenthesized unless it is an atom)."""
    def call(f: str, a: str, prec: float) -> str:
        entry = ENTRYWISE.get(f) or MATRIX.get(f) or STRUCTURAL.get(f)
        template = getattr(entry, style) if entry is not None else _DEFAULT_CALL[style]
        return template.format(name=f, x=a, x_=a if prec >= ATOM else f"({a})")
    return call


def _unicode_symbol(name: str) -> str:
    """theta0 → θ₀, x1 → x₁; other names as written."""
    head, digits = _split_digits(name)
    if not head:
        return name
    return GREEK.get(head, head) + digits.translate(_SUBSCRIPT)


def _unicode_number(text: str) -> str:
    """2e-08 → 2×10⁻⁸."""
    mantissa, e, exponent = text.partition("e")
    if not e:
        return text
    exponent = str(int(exponent)).translate(_SUPERSCRIPT)
    return f"10{exponent}" if mantissa == "1" else f"{mantissa}×10{exponent}"


UNICODE = Style(
    name="unicode", matmul=" ", hadamard=" ⊙ ", hadamard_div=" ⊘ ", scalar_div="/",
    transpose=lambda s: s + "ᵀ", inverse=lambda s: s + "⁻¹",
    inverse_transpose=lambda s: s + "⁻ᵀ", power=_unicode_power,
    hadamard_power=lambda b, e: f"{b}^∘{e}", call=_written("unicode"),
    paren=lambda s: f"({s})", symbol=_unicode_symbol, number=_unicode_number,
    const={"ones:col": "𝟙", "ones:matrix": "𝟙𝟙ᵀ", "zeros:col": "0", "zeros:matrix": "0",
           "zeros:scalar": "0", "ones:scalar": "1", "eye:matrix": "𝕀"},
    delta=lambda i, j: f"δ({i},{j})", indexed=lambda b, ix: f"{b}[{ix}]",
    index_sum=lambda over, body: f"Σ_{over} {body}",
    entry=lambda ix, body: f"D[{ix}] = {body}", minus="−", juxtapose=True,
    reciprocal_as_division=True,
    commutation=lambda m, n: f"𝐊({m},{n})",
    where=lambda body, defs: f"{body},  where {', '.join(defs)}",
)


# --- LaTeX: rendered by KaTeX ------------------------------------------------------------

def _latex_symbol(s: str) -> str:
    """theta0 → \\theta_{0}, Sigma → \\Sigma, W1 → W_{1}, rate → \\mathit{rate}."""
    head, digits = _split_digits(s)
    if not head or "_" in head:
        return r"\mathit{" + s.replace("_", r"\_") + "}"
    base = f"\\{head}" if head in GREEK else (head if len(head) == 1 else rf"\mathit{{{head}}}")
    return f"{base}_{{{digits}}}" if digits else base


def _latex_number(text: str) -> str:
    """2e-08 → 2 \\times 10^{-8}."""
    mantissa, e, exponent = text.partition("e")
    if not e:
        return text
    power = f"10^{{{int(exponent)}}}"
    return power if mantissa == "1" else rf"{mantissa} \times {power}"


def _latex_indexed(base: str, ix: str) -> str:
    base = f"{{{base}}}" if "_" in base else base  # θ₀ indexed: {\theta_{0}}_{ij}
    return f"{base}_{{{ix.replace(',', '')}}}"


LATEX = Style(
    name="latex", matmul=" ", hadamard=r" \odot ", hadamard_div=r" \oslash ", scalar_div="/",
    transpose=lambda s: s + r"^\top", inverse=lambda s: s + "^{-1}",
    inverse_transpose=lambda s: s + r"^{-\top}",
    power=lambda b, e, ew: f"{b}^{{{e}}}", hadamard_power=lambda b, e: rf"{b}^{{\circ {e}}}",
    call=_written("latex"), paren=lambda s: rf"\left({s}\right)", symbol=_latex_symbol,
    number=_latex_number,
    const={"ones:col": r"\mathbf{1}", "ones:matrix": r"\mathbf{1}\mathbf{1}^\top",
           "zeros:col": r"\mathbf{0}", "zeros:matrix": r"\mathbf{0}", "zeros:scalar": "0",
           "ones:scalar": "1", "eye:matrix": "I"},
    delta=lambda i, j: rf"\delta_{{{i}{j}}}", indexed=_latex_indexed,
    index_sum=lambda over, body: rf"\sum_{{{over}}} {body}",
    entry=lambda ix, body: rf"D_{{{ix.replace(',', '')}}} = {body}",
    reciprocal_as_division=True,
    kron=r" \otimes ", commutation=lambda m, n: rf"\mathbf{{K}}_{{{m},{n}}}",
    where=lambda body, defs: rf"{body}, \quad \text{{where }} " + r",\; ".join(defs),
)


class _Printer:
    def __init__(self, style: Style):
        self.s = style
        self.had_prec = HADAMARD_LOOSE if style.name != "text" else PRODUCT

    def show(self, f: Form) -> tuple[str, float]:
        """(text, precedence)."""
        return SHOW[type(f)](self, f)

    def at(self, f: Form, min_prec: float) -> str:
        text, prec = self.show(f)
        return text if prec >= min_prec else self.s.paren(text)

    # --- atoms ---
    def _sym(self, f: Sym):
        return self.s.symbol(f.name), ATOM

    def _lit(self, f: Lit):
        plain = number_text(abs(f.value))
        text = self.s.number(plain)
        prec = ATOM if text == plain else PRODUCT  # 2×10⁻⁸ is a product
        return (text, prec) if f.value >= 0 else (self.s.minus + text, UNARY)

    def _const(self, f: Const):
        text = self.s.const[f"{f.name}:{f.kind}"]
        return text, (POSTFIX if text.endswith(("ᵀ", r"^\top")) else ATOM)  # 𝟙𝟙ᵀ

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
            return self.at(term, HADAMARD_LOOSE)
        # a scalar coefficient commutes: c*(s*A) is written c*s*A
        inner = PRODUCT if isinstance(term, (Prod, Had)) else PRODUCT + 1
        coef = Lit("scalar", c)
        return self._join([(self.at(coef, PRODUCT), coef, PRODUCT),
                           (self.at(term, inner), term, inner)])

    def _product(self, f: Prod):
        factors = list(f.factors)
        sign = ""
        if isinstance(factors[0], Lit) and factors[0].value == -1.0 and len(factors) > 1:
            sign, factors = self.s.minus, factors[1:]
        if sign and len(factors) == 1:  # −(u ⊙ v) is −u ⊙ v
            return sign + self.at(factors[0], self.had_prec), min(PRODUCT, self.had_prec)
        # scalar reciprocals commute: a⁻¹·A is written A/a, divisions last
        lead = 0 if all(map(_is_scalar_inverse, factors)) else None  # 1/a/b: a⁻¹/b
        divisors = [x.base for i, x in enumerate(factors) if _is_scalar_inverse(x) and i != lead]
        factors = [x for i, x in enumerate(factors) if not _is_scalar_inverse(x) or i == lead]
        pieces: list[tuple[str, Form, float]] = []  # (text, the factor, its precedence)
        for x in factors:
            # after numbers alone, a scalar product needs no brackets: -0.5*x'*x
            leading = all(isinstance(p[1], Lit) for p in pieces)
            prec = PRODUCT if leading and (not pieces or x.kind == "scalar") else PRODUCT + 1
            pieces.append((self.at(x, prec), x, prec))
        divisions = "".join(self.s.scalar_div + self.at(x, PRODUCT + 1) for x in divisors)
        return sign + self._join(pieces) + divisions, PRODUCT

    def _join(self, pieces: list[tuple[str, Form, float]]) -> str:
        """Factors of a product: `*` in text; juxtaposed in Unicode, tight between letters."""
        out = pieces[0][0]
        for (_, left, lp), (text, right, rp) in zip(pieces, pieces[1:]):
            tight = self.s.juxtapose and self._edge(left, lp, "right") \
                and self._edge(right, rp, "left")
            out += ("" if tight else self.s.matmul) + text
        return out

    def _edge(self, f: Form, min_prec: float, side: str) -> bool:
        """May f, printed at min_prec, touch a neighbouring factor on `side` with no space?"""
        if self.show(f)[1] < min_prec:
            return True  # parenthesized
        if isinstance(f, Sym):
            return _single_letter(self.s.symbol(f.name))
        if isinstance(f, Lit):  # 2x and −2x, never x2 (nor 2×10⁻⁸x)
            plain = number_text(abs(f.value))
            return side == "right" and self.s.number(plain) == plain
        if isinstance(f, Const):
            return True
        if isinstance(f, T) or (isinstance(f, Call) and f.fn == "inv" and self.s.inverse):
            return side == "right" or self._edge(f.arg, ATOM, side)
        if isinstance(f, Prod) and not _is_scalar_inverse(f.factors[-1]) \
                and not (isinstance(f.factors[0], Lit) and f.factors[0].value < 0):
            end = f.factors[0] if side == "left" else f.factors[-1]
            return self._edge(end, PRODUCT + 1 if side == "right" else PRODUCT, side)
        if isinstance(f, MatPow):
            return side == "left" and self._edge(f.base, ATOM, side)
        if isinstance(f, Pow) and not self._as_division(f):
            if side == "left":
                return self._edge(f.base, ATOM, side)
            return f.kind != "matrix" and _is_integer_lit(f.exponent)  # x²y, not X^∘2Y
        return False

    def _hadamard(self, f: Had):
        out = []
        # entry-wise products commute: divisions go last, y.*exp(u)./v, not vector(1)./v.*y
        divides = [x for x in f.factors if isinstance(x, Pow) and _is_negative_lit(x.exponent)]
        factors = [x for x in f.factors if x not in divides] + divides
        for i, x in enumerate(factors):
            if i and isinstance(x, Pow) and _is_negative_lit(x.exponent):
                out.append(self.s.hadamard_div + self.at(_flipped(x), PRODUCT + 1))
                continue
            out.append((self.s.hadamard if i else "") + self.at(x, PRODUCT + 1 if i else PRODUCT))
        return "".join(out), self.had_prec

    def _kron(self, f: Kron):
        """P ⊗ Q binds looser than a matrix product: XA ⊗ 𝕀, (Bᵀ ⊗ A)𝐊; text: kron(B', A)."""
        if self.s.name == "text":
            return f"kron({', '.join(self.show(x)[0] for x in f.factors)})", ATOM
        return self.s.kron.join(self.at(x, PRODUCT) for x in f.factors), HADAMARD_LOOSE

    def _commutation(self, f: Commutation):
        return self.s.commutation(f.rows, f.cols), ATOM

    def _transpose(self, f: T):
        if isinstance(f.arg, Const) and f.arg.kind == "matrix":
            return self.show(f.arg)  # 𝟙𝟙ᵀ, 𝕀 and 0 are their own transposes
        if self.s.inverse_transpose is not None and isinstance(f.arg, Call) and f.arg.fn == "inv":
            return self.s.inverse_transpose(self.at(f.arg.arg, ATOM)), POSTFIX
        return self.s.transpose(self.at(f.arg, ATOM)), POSTFIX

    def _call(self, f: Call):
        if f.fn == "inv" and self.s.inverse:
            return self.s.inverse(self.at(f.arg, ATOM)), POSTFIX
        if f.fn == "powm":
            return self._matrix_power(f)
        if f.more or f.fn in PRIMARY:
            return self._matrix_function(f)
        arg, prec = self.show(f.arg)
        return self.s.call(f.fn, arg, prec), ATOM

    def _matrix_power(self, f: Call):
        """X^p, a matrix power (never `.^`: that is the entry-wise one)."""
        base = self.at(f.arg, ATOM if self.s.name != "text" else POSTFIX)
        exp_text, exp_prec = self.show(f.more[0])
        if exp_prec < ATOM and self.s.name != "latex":
            exp_text = self.s.paren(exp_text)
        return self.s.power(base, exp_text, False), POWER

    def _matrix_function(self, f: Call):
        """expm(X), dexpm(X, E), …; in LaTeX e^{X}, X^{1/2}, L_exp(X, E)."""
        args = [self.show(x)[0] for x in (f.arg,) + f.more]
        if self.s.name != "latex":
            return f"{f.fn}({', '.join(args)})", ATOM
        if f.fn in PRIMARY:
            x = self.at(f.arg, ATOM) if f.fn == "sqrtm" else args[0]
            return PRIMARY[f.fn].latex.format(x=x), ATOM if f.fn == "logm" else POWER
        fn, order = FRECHET[f.fn]
        p = args.pop() if fn == "powm" else None
        name = PRIMARY[fn].latex_frechet.format(p=p)
        name = name if order == 1 else f"{name}^{{({order})}}"
        return rf"{name}\left({', '.join(args)}\right)", ATOM

    def _single_entry(self, f: SingleEntry):
        if self.s.name == "latex":
            return f"J^{{{''.join(f.index)}}}", ATOM
        return f"J({','.join(f.index)})", ATOM

    def _pow(self, f: Pow):
        if self._as_division(f):  # x.^(-2) → 𝟙 ⊘ x², in text 1./x.^2 (1 broadcasts)
            ones = Const("col", "ones") if f.kind == "col" else T("row", Const("col", "ones"))
            one = Lit("scalar", 1.0) if self.s.name == "text" else ones
            return self.show(Had(f.kind, (one, f)))
        base = self.at(f.base, ATOM if self.s.name != "text" else POSTFIX)
        exp_text, exp_prec = self.show(f.exponent)
        hadamard_power = self.s.hadamard_power if f.kind == "matrix" else None
        hadamard = hadamard_power is not None
        superscript = self.s.name == "unicode" and _is_integer_lit(f.exponent) and not hadamard
        if exp_prec < ATOM and self.s.name != "latex" and not superscript:
            exp_text = self.s.paren(exp_text)  # a^(b − 1), x^(−1) only as a^∘(−1)
        if hadamard_power is not None:
            return hadamard_power(base, exp_text), POWER
        return self.s.power(base, exp_text, f.kind != "scalar"), POWER

    def _matrix_power_form(self, f: MatPow):
        """X^3: a matrix power, in every style the plain power of its base."""
        base, exp_text = self.at(f.base, ATOM), str(f.exponent)
        if self.s.name == "unicode":
            return base + exp_text.translate(_SUPERSCRIPT), POWER
        return self.s.power(base, exp_text, False), POWER

    def _as_division(self, f: Pow) -> bool:
        return (self.s.reciprocal_as_division and f.kind in ("col", "row")
                and f.base.kind == f.kind and _is_negative_lit(f.exponent))

    # --- index notation ---
    def _indexed(self, f: Indexed):
        return self.s.indexed(self.at(f.base, ATOM), ",".join(f.index)), ATOM

    def _delta(self, f: Delta):
        return self.s.delta(*f.index), ATOM

    def _index_sum(self, f: IndexSum):
        join = "*" if self.s.name == "text" else self.s.matmul
        body = join.join(self.at(x, PRODUCT + 1) for x in f.factors)
        return self.s.index_sum(",".join(f.over), body), PRODUCT

    def _entry(self, f: Entry):
        body, _ = self.show(f.body)
        return self.s.entry(",".join(f.index), body), SUM


# How each kind of form is printed (every class of `forms` has an entry).
SHOW: dict[type[Form], Callable[[_Printer, Any], tuple[str, float]]] = {
    Sym: _Printer._sym, Lit: _Printer._lit, Const: _Printer._const, Sum: _Printer._sum,
    Prod: _Printer._product, Had: _Printer._hadamard, Kron: _Printer._kron,
    Commutation: _Printer._commutation, T: _Printer._transpose, Call: _Printer._call,
    SingleEntry: _Printer._single_entry, Pow: _Printer._pow, MatPow: _Printer._matrix_power_form,
    Indexed: _Printer._indexed, Delta: _Printer._delta, IndexSum: _Printer._index_sum,
    Entry: _Printer._entry,
}


_MINUS_ONE = Lit("scalar", -1.0)


def _is_negative_lit(f: Form) -> bool:
    return isinstance(f, Lit) and f.value < 0


def _is_scalar_inverse(f: Form) -> TypeGuard[Pow]:
    return isinstance(f, Pow) and f.kind == "scalar" and f.exponent == _MINUS_ONE


def _is_integer_lit(f: Form) -> bool:
    return isinstance(f, Lit) and f.value == int(f.value)


def _flipped(x: Pow) -> Form:
    """u^(-p) → u^p, the divisor of a division."""
    if x.exponent == _MINUS_ONE:
        return x.base
    assert isinstance(x.exponent, Lit)  # a divisor: its exponent is a negative number
    return Pow(x.kind, x.base, Lit("scalar", -x.exponent.value))


def _single_letter(text: str) -> bool:
    """x, θ, W₁: one letter, perhaps with a subscript."""
    return len(text.rstrip("₀₁₂₃₄₅₆₇₈₉")) == 1 and text[0].isalpha()


STYLES = {"text": TEXT, "unicode": UNICODE, "latex": LATEX}


def render(form: Form, style: str = "text") -> str:
    """Print a form in the named style: 'text', 'unicode' or 'latex'."""
    return _Printer(STYLES[style]).show(form)[0]


def definition(name: str, form: Form, style: str = "text") -> str:
    """`s = σ(−y ⊙ (Xw))`: a named subexpression, for a display's `where` clause."""
    printer = _Printer(STYLES[style])
    return f"{printer.show(Sym(form.kind, name))[0]} = {printer.show(form)[0]}"


def render_named(named, style: str = "text") -> str:
    """A `named.Named` form: the body, then `where s = …, t = …` when anything is named."""
    body = render(named.body, style)
    if not named.where:
        return body
    return STYLES[style].where(body, [definition(n, f, style) for n, f in named.where])
