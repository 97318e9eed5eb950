"""The three printing styles on hand-built matrix-notation forms.

Unicode reads like a textbook and is never ambiguous: `Aᵀx`, `X⁻¹`, `X⁻ᵀ`, `u ⊙ v`,
`u ⊘ v`, `𝕀`, juxtaposed products (tight between single letters); an entry-wise
reciprocal is `𝟙 ⊘ x` (never `x⁻¹`, which reads as an inverse), an entry-wise power of a
matrix is the Hadamard power `A^∘2`, and an entry-wise product inside a matrix product is
parenthesized (juxtaposition binds tighter than ⊙). Text re-parses as matdiff input.
LaTeX avoids double super- and subscripts (test_katex.py renders every one of these).
"""

from __future__ import annotations

import pytest

import matdiff as md
from matdiff.notation.forms import Call, Const, Delta, Entry, Had, Indexed, IndexSum, Lit, Pow, Prod, Sum
from matdiff.notation.forms import MatPow, Sym, T
from matdiff.notation import render

a, s = Sym("scalar", "a"), Sym("scalar", "s")
x, y = Sym("col", "x"), Sym("col", "y")
A, B, X = Sym("matrix", "A"), Sym("matrix", "B"), Sym("matrix", "X")
theta0, rate = Sym("scalar", "theta0"), Sym("scalar", "rate")
ONES, ONES_M, EYE = Const("col", "ones"), Const("matrix", "ones"), Const("matrix", "eye")


def lit(v: float) -> Lit:
    return Lit("scalar", v)


def inv(f):
    return Call(f.kind, "inv", f)


# name -> (form, text, unicode, latex)
CASES = {
    "transpose": (T("matrix", A), "A'", "Aᵀ", r"A^\top"),
    "inverse": (inv(X), "inv(X)", "X⁻¹", "X^{-1}"),
    "inverse-transpose": (T("matrix", inv(X)), "inv(X)'", "X⁻ᵀ", r"X^{-\top}"),
    "juxtaposed": (Prod("col", (lit(2), T("matrix", A), x)), "2*A'*x", "2Aᵀx",
                   r"2 A^\top x"),
    "juxtaposed-group": (Prod("col", (Sum("matrix", ((1.0, A), (1.0, T("matrix", A)))), x)),
                         "(A + A')*x", "(A + Aᵀ)x", r"\left(A + A^\top\right) x"),
    "spaced-call": (Prod("matrix", (A, Call("matrix", "diag", Call("col", "exp", x)))),
                    "A*diag(exp(x))", "A diag(exp(x))",
                    r"A \operatorname{diag}\left(\exp\left(x\right)\right)"),
    "spaced-long-name": (Prod("matrix", (rate, A)), "rate*A", "rate A", r"\mathit{rate} A"),
    "hadamard": (Had("col", (x, y)), "x.*y", "x ⊙ y", r"x \odot y"),
    "hadamard-division": (Had("col", (x, Pow("col", y, lit(-1)))), "x./y", "x ⊘ y",
                          r"x \oslash y"),
    "hadamard-in-product": (Prod("matrix", (Had("col", (x, y)), T("row", y))), "x.*y*y'",
                            "(x ⊙ y)yᵀ", r"\left(x \odot y\right) y^\top"),
    "negated-hadamard": (Prod("col", (lit(-1), Had("col", (x, y)))), "-x.*y", "−x ⊙ y",
                         r"-x \odot y"),
    "reciprocal": (Pow("col", x, lit(-1)), "1./x", "𝟙 ⊘ x", r"\mathbf{1} \oslash x"),
    "reciprocal-square": (Pow("col", x, lit(-2)), "1./x.^2", "𝟙 ⊘ x²",
                          r"\mathbf{1} \oslash x^{2}"),
    "vector-square": (Pow("col", x, lit(2)), "x.^2", "x²", "x^{2}"),
    "matrix-power": (MatPow("matrix", A, 3), "A^3", "A³", "A^{3}"),
    "matrix-power-transposed": (T("matrix", MatPow("matrix", A, 4)), "(A^4)'", "(A⁴)ᵀ",
                                r"\left(A^{4}\right)^\top"),
    "inverse-squared": (MatPow("matrix", inv(X), 2), "inv(X)^2", "(X⁻¹)²",
                        r"\left(X^{-1}\right)^{2}"),
    "hadamard-power": (Pow("matrix", A, lit(2)), "A.^2", "A^∘2", r"A^{\circ 2}"),
    "hadamard-reciprocal": (Pow("matrix", A, lit(-1)), "A.^(-1)", "A^∘(−1)", r"A^{\circ -1}"),
    "scalar-reciprocal": (Pow("scalar", a, lit(-1)), "a^(-1)", "a⁻¹", "a^{-1}"),
    "scalar-power": (Pow("scalar", a, Sum("scalar", ((1.0, s), (-1.0, Lit("scalar", 1.0))))),
                     "a^(s - 1)", "a^(s − 1)", "a^{s - 1}"),
    "division-last": (Prod("matrix", (Pow("scalar", a, lit(-1)), A)), "A/a", "A/a", "A/a"),
    "identity": (Prod("matrix", (s, EYE)), "s*eye", "s𝕀", "s I"),
    "ones-matrix-transposed": (T("matrix", ONES_M), "matrix(1)", "𝟙𝟙ᵀ",
                               r"\mathbf{1}\mathbf{1}^\top"),
    "ones-row": (T("row", ONES), "vector(1)'", "𝟙ᵀ", r"\mathbf{1}^\top"),
    "greek-subscript": (Prod("matrix", (lit(2), theta0, A)), "2*theta0*A", "2θ₀A",
                        r"2 \theta_{0} A"),
    "underscore-name": (Sym("col", "x_hat"), "x_hat", "x_hat", r"\mathit{x\_hat}"),
    "numbered-name": (Sym("matrix", "W_1"), "W_1", "W₁", "W_{1}"),
    "small-number": (Prod("col", (lit(2e-8), x)), "2e-08*x", "2×10⁻⁸ x",
                     r"2 \times 10^{-8} x"),
    "sqrt": (Call("col", "sqrt", Sum("col", ((1.0, x), (1.0, ONES)))), "sqrt(x + vector(1))",
             "√(x + 𝟙)", r"\sqrt{x + \mathbf{1}}"),
    "norm": (Call("scalar", "norm2", x), "norm2(x)", "‖x‖₂",
             r"\left\lVert x \right\rVert_2"),
    "sigmoid": (Call("col", "sigmoid", x), "sigmoid(x)", "σ(x)", r"\sigma\left(x\right)"),
    "trace": (Call("scalar", "tr", A), "tr(A)", "tr(A)", r"\operatorname{tr}\left(A\right)"),
    "indexed-subscripted": (
        Entry("scalar", ("i", "j"), Prod("scalar", (Delta("scalar", ("i", "j")),
                                                   Indexed("scalar", Sym("col", "theta1"),
                                                           ("i",))))),
        "D[i,j] = delta(i,j)*theta1[i]", "D[i,j] = δ(i,j) θ₁[i]",
        r"D_{ij} = \delta_{ij} {\theta_{1}}_{i}"),
    "index-sum": (
        Entry("scalar", ("i",), IndexSum("scalar", ("a",), (Indexed("scalar", A, ("i", "a")),
                                                            Indexed("scalar", x, ("a",))))),
        "D[i] = sum_a(A[i,a]*x[a])", "D[i] = Σ_a A[i,a] x[a]", r"D_{i} = \sum_{a} A_{ia} x_{a}"),
}
DECLS = {"a": "scalar", "s": "scalar", "rate": "scalar", "theta0": "scalar",
         "x": "vector(n)", "y": "vector(n)", "x_hat": "vector(n)",
         "A": "matrix(n,n)", "B": "matrix(n,n)", "X": "matrix(n,n)", "W_1": "matrix(n,n)"}


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("style", ["text", "unicode", "latex"])
def test_style(name, style):
    form, *want = CASES[name]
    assert render(form, style) == want[["text", "unicode", "latex"].index(style)]


@pytest.mark.parametrize("name", [n for n in CASES if not n.startswith("ind")])
def test_text_is_matdiff_input(name):
    form, text, *_ = CASES[name]
    parsed = md.parse(text, DECLS)
    assert len(parsed.dims) == {"scalar": 0, "col": 1, "row": 1, "matrix": 2}[form.kind]


def test_unicode_of_a_derivative():
    d = md.derivative("log(det(inv(X)))", "X")
    assert d.unicode() == "−X⁻ᵀ"
    assert md.derivative("w./x", "w").unicode() == "diag(𝟙 ⊘ x)"
