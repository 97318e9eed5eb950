"""The builders of matrix notation: every form is made through them, and they keep it tidy.

A sum keeps a common coefficient in front and its positive terms first; a product has its
numbers folded to the front, then scalar factors, then the matrix chain, with neighbouring
diagonals merged, equal factors written as powers and a transpose taken over the whole
product where that prints shorter (`measure.operator_count`); a transpose is pushed into
products and sums. Each choice is stated on the function that makes it.
"""

from __future__ import annotations

from typing import TypeGuard

from .forms import (
    Call, Const, Form, Had, Lit, MatPow, Pow, Prod, Sum, Sym, T,
)
from .measure import form_size, operator_count


def sum_form(terms: list[tuple[float, Form]], kind: str) -> Form:
    """A sum, with a coefficient common to every term written once in front."""
    terms = _mirrors_after(terms)
    tidied = _shortest_sum_transpose(_broadcasts_as_written(_numbers_folded(terms), kind))
    if isinstance(tidied, Form):
        return tidied
    terms = tidied
    if len(terms) == 1:
        c, f = terms[0]
        return f if c == 1.0 else product_form([Lit("scalar", c), f], kind)
    common = abs(terms[0][0])
    if common != 1.0 and all(abs(c) == common for c, _ in terms):
        sign = -1.0 if all(c < 0 for c, _ in terms) else 1.0
        inner = Sum(kind, tuple(_positive_first([(c / (sign * common), f) for c, f in terms])))
        return product_form([Lit("scalar", sign * common), inner], kind)
    if all(c < 0 for c, _ in terms) and len(terms) > 1:
        return product_form([Lit("scalar", -1.0), Sum(kind, tuple((-c, f) for c, f in terms))],
                        kind)
    return Sum(kind, tuple(_positive_first(terms)))


def _mirrors_after(terms: list[tuple[float, Form]]) -> list[tuple[float, Form]]:
    """X' + X → X + X': a transpose follows the term it mirrors."""
    plain = [f for _, f in terms]
    deferred = {i: f.arg for i, (_, f) in enumerate(terms)  # each transpose: what it mirrors
                if isinstance(f, T) and f.arg in plain[i + 1:]}
    out = []
    for i, (c, f) in enumerate(terms):
        if i not in deferred:
            out.append((c, f))
            out += [terms[j] for j in sorted(deferred) if deferred[j] == f]
    return out


def _numbers_folded(terms: list[tuple[float, Form]]) -> list[tuple[float, Form]]:
    """0.5·(2·X'·r) → 1·X'·r: a number leading a term joins its coefficient."""
    out = []
    for c, f in terms:
        if isinstance(f, Prod) and isinstance(f.factors[0], Lit) and len(f.factors) > 1:
            rest = f.factors[1:]
            c, f = c * f.factors[0].value, rest[0] if len(rest) == 1 else Prod(f.kind, rest)
        out.append((c, f))
    return out


def _shortest_sum_transpose(terms: list[tuple[float, Form]]) -> list[tuple[float, Form]] | Form:
    """(X*A)' + (A*X)' → (A*X + X*A)': a sum of transposes written as one, when shorter."""
    if len(terms) < 2 or 2 * sum(isinstance(f, T) for _, f in terms) <= len(terms):
        return terms  # most terms transposed, so the inner sum never is (no regress)
    kind = terms[0][1].kind
    inner = [(c, transpose_form(f)) for c, f in terms]
    wrapped = T(kind, sum_form(inner, {"col": "row", "row": "col"}.get(kind, kind)))
    plain = Sum(kind, tuple(terms))
    return wrapped if operator_count(wrapped) < operator_count(plain) else terms


def _broadcasts_as_written(terms: list[tuple[float, Form]], kind: str):
    """W*x + b*vector(1) → W*x + b: a scalar added to a vector or matrix broadcasts, as
    written in the input; kept only when another term gives the sum its shape."""
    if kind == "scalar":
        return terms
    scalars = [_broadcast_scalar(f) for _, f in terms]
    if all(s is not None for s in scalars):
        return terms
    out = []
    for (c, f), s in zip(terms, scalars):
        if s is None:
            out.append((c, f))
        elif isinstance(s, Lit):
            out.append((1.0 if c * s.value >= 0 else -1.0, Lit("scalar", abs(c * s.value))))
        else:
            out.append((c, s))
    return out


def _broadcast_scalar(f: Form) -> Form | None:
    """s when f is s times the all-ones vector or matrix (1 for the all-ones alone)."""
    if isinstance(f, Const) and f.name == "ones":
        return Lit("scalar", 1.0)
    if isinstance(f, Prod) and isinstance(f.factors[-1], Const) and f.factors[-1].name == "ones":
        head = f.factors[:-1]
        if all(x.kind == "scalar" for x in head):
            return product_form(list(head), "scalar")
    return None


def _positive_first(terms):
    """-a + b reads better as b - a."""
    first_pos = next((i for i, (c, _) in enumerate(terms) if c > 0), 0)
    return [terms[first_pos]] + terms[:first_pos] + terms[first_pos + 1:]


def product_form(factors: list[Form], kind: str) -> Form:
    """A product: numbers folded to the front, then scalar factors, then the matrix chain.

    A scalar made of vectors (`y'*y`) moves to the front as a whole: written
    first, `y'*y*A` still reads as (y'*y)*A."""
    coef, scalars, chain = 1.0, [], []
    for f in factors:
        if isinstance(f, Lit):
            coef *= f.value
        elif isinstance(f, Prod) and f.kind == "scalar":
            inner = [x for x in f.factors if not isinstance(x, Lit)]
            for x in f.factors:
                coef *= x.value if isinstance(x, Lit) else 1.0
            if all(x.kind == "scalar" for x in inner):
                scalars.extend(inner)
            else:  # y'*y stays one unit: its row and column must stay together
                scalars.append(inner[0] if len(inner) == 1 else Prod("scalar", tuple(inner)))
        elif isinstance(f, Prod):
            for x in f.factors:
                if isinstance(x, Lit):
                    coef *= x.value
                elif x.kind == "scalar":
                    scalars.append(x)
                else:
                    chain.append(x)
        elif f.kind == "scalar":
            scalars.append(f)
        else:
            chain.append(f)
    chain = _shortest_transpose(_matrix_powers(_merged_diagonals(chain)), kind)
    rest = _ones_to_sums(scalars + chain)
    if coef != 1.0 and len(rest) == 1 and is_entrywise_reciprocal(rest[0]):
        rest, coef = [Had(rest[0].kind, (Lit("scalar", coef), rest[0]))], 1.0
    rest, mirrored = _align_mirrored_differences(rest)
    coef = -coef if mirrored else coef
    if coef < 0:
        rest, flipped = _negate_a_difference(rest)
        coef = -coef if flipped else coef
    if coef != 1.0 or not rest:
        rest.insert(0, Lit("scalar", coef))
    return rest[0] if len(rest) == 1 else Prod(kind, tuple(rest))


def _merged_diagonals(chain: list[Form]) -> list[Form]:
    """diag(u)*diag(v) → diag(u.*v): diagonal matrices multiply entry by entry."""
    out: list[Form] = []
    for f in chain:
        prev = out[-1] if out else None
        if _is_diag(f) and prev is not None and _is_diag(prev):
            out[-1] = Call("matrix", "diag", hadamard_form([prev.arg, f.arg], "col"))
        else:
            out.append(f)
    return out


def _is_diag(f: Form) -> TypeGuard[Call]:
    return isinstance(f, Call) and f.fn == "diag" and f.kind == "matrix"


def _matrix_powers(chain: list[Form]) -> list[Form]:
    """X*X*X → X^3 and X'*X' → (X^2)': equal neighbouring matrices written as a power."""
    out: list[Form] = []
    for f in chain:
        prev = out[-1] if out else None
        if f.kind == "matrix" and prev is not None and _power_base(prev) == f:
            out[-1] = _power_of(f, _power_count(prev) + 1)
        else:
            out.append(f)
    return out


def _power_base(f: Form) -> Form:
    if isinstance(f, T) and isinstance(f.arg, MatPow):
        return T(f.kind, f.arg.base)
    return f.base if isinstance(f, MatPow) else f


def _power_count(f: Form) -> int:
    if isinstance(f, T) and isinstance(f.arg, MatPow):
        return f.arg.exponent
    return f.exponent if isinstance(f, MatPow) else 1


def _power_of(f: Form, k: int) -> Form:
    if isinstance(f, T):
        return T("matrix", MatPow("matrix", f.arg, k))
    return MatPow("matrix", f, k)


def _shortest_transpose(chain: list[Form], kind: str) -> list[Form]:
    """A'*B'*C' → (C*B*A)': a product written transposed as a whole when that is shorter
    (by `operator_count`, the count of the printer's own output)."""
    if len(chain) < 2 or kind == "scalar" or not any(isinstance(f, T) for f in chain):
        return chain
    inner_kind = {"col": "row", "row": "col"}.get(kind, kind)
    inner = _matrix_powers([transpose_form(f) for f in reversed(chain)])
    wrapped = T(kind, Prod(inner_kind, tuple(inner)))
    if operator_count(wrapped) < operator_count(Prod(kind, tuple(chain))):
        return [wrapped]
    return chain


def is_entrywise_reciprocal(f: Form) -> bool:
    """u.^(-k) for a vector or matrix: c times it is written c./u.^k."""
    return (isinstance(f, Pow) and f.kind != "scalar" and isinstance(f.exponent, Lit)
            and f.exponent.value < 0)


def _negate_a_difference(factors: list[Form]) -> tuple[list[Form], bool]:
    """-(a - b)*c → (b - a)*c: a minus sign is absorbed by the one factor that is a difference."""
    def is_difference(f):
        f = f.arg if isinstance(f, T) else f
        return isinstance(f, Sum) and any(c < 0 for c, _ in f.terms)

    differences = [i for i, f in enumerate(factors) if is_difference(f)]
    if len(differences) != 1 or isinstance(factors[differences[0]], T):
        return factors, False
    i = differences[0]
    difference = factors[i]
    assert isinstance(difference, Sum)  # is_difference and not a transpose
    flipped = Sum(difference.kind,
                  tuple(_positive_first([(-c, t) for c, t in difference.terms])))
    return factors[:i] + [flipped] + factors[i + 1:], True


def _align_mirrored_differences(factors: list[Form]) -> tuple[list[Form], bool]:
    """(μ - x)*(x - μ)' → -(x - μ)*(x - μ)': a difference and its negation read as one."""
    def terms(f):
        f = f.arg if isinstance(f, T) else f
        return frozenset(f.terms) if isinstance(f, Sum) and len(f.terms) == 2 else None

    for i, f in enumerate(factors):
        for g in factors[i + 1:]:
            a, b = terms(f), terms(g)
            if a and b and frozenset((-c, t) for c, t in a) == b:
                inner = f.arg if isinstance(f, T) else f  # a difference, or its transpose
                assert isinstance(inner, Sum)  # terms(f) found one
                flipped: Form = Sum(inner.kind, tuple(_positive_first(
                    [(-c, t) for c, t in inner.terms])))
                if isinstance(f, T):
                    flipped = T(f.kind, flipped)
                return factors[:i] + [flipped] + factors[i + 1:], True
    return factors, False


def _ones_to_sums(factors: list[Form]) -> list[Form]:
    """vector(1)'*v → sum(v) (and v'*vector(1))."""
    if len(factors) == 2:
        a, b = factors
        if isinstance(a, T) and a.arg == Const("col", "ones") and b.kind == "col":
            return [Call("scalar", "sum", b)]
        if isinstance(b, Const) and b.name == "ones" and b.kind == "col" and a.kind == "row":
            return [Call("scalar", "sum", transpose_form(a))]
    return factors


def hadamard_form(factors: list[Form], kind: str) -> Form:
    flat: list[Form] = []
    for f in factors:
        flat.extend(f.factors if isinstance(f, Had) else [f])
    flat = [x for f in flat for x in _numbers_out(f)]  # (2*u).*v → 2*(u.*v)
    scalars = [f for f in flat if f.kind == "scalar"]
    rest = [f for f in flat if f.kind != "scalar"]
    core = rest[0] if len(rest) == 1 else Had(kind, tuple(rest))
    return product_form(scalars + [core], kind) if scalars else core


def _numbers_out(f: Form) -> list[Form]:
    """A product with a numeric coefficient, split into the number and the rest."""
    if isinstance(f, Prod) and f.kind != "scalar" and isinstance(f.factors[0], Lit):
        rest = f.factors[1:]
        return [f.factors[0], rest[0] if len(rest) == 1 else Prod(f.kind, rest)]
    return [f]


def transpose_form(f: Form) -> Form:
    """fᵀ, pushed into products and sums so that `(A*x)'` reads `x'*A'`."""
    flip = {"col": "row", "row": "col"}
    kind = flip.get(f.kind, f.kind)
    if f.kind == "scalar":
        return f
    if isinstance(f, T):
        return f.arg
    if _symmetric(f):
        return f
    if isinstance(f, Prod):
        scalars = [x for x in f.factors if x.kind == "scalar"]
        rest = _shortest_transpose(
            _spliced([transpose_form(x) for x in reversed(f.factors) if x.kind != "scalar"]), kind)
        return Prod(kind, tuple(scalars + rest)) if scalars or len(rest) > 1 else rest[0]
    if isinstance(f, Sum):
        terms = sorted(((c, transpose_form(x)) for c, x in f.terms), key=lambda t: isinstance(t[1], T))
        pushed = Sum(kind, tuple(terms))
        wrapped = T(kind, f)
        smaller = form_size(pushed) < form_size(wrapped)
        if smaller or (f.kind == "matrix" and form_size(pushed) == form_size(wrapped)):
            return pushed  # (eye + 2*M)' reads eye + 2*M'; a vector keeps (W'*A - y)'
        return wrapped
    return T(kind, f)


def _spliced(chain: list[Form]) -> list[Form]:
    """A matrix product inside a matrix product, its factors spliced in: (A*x)*y' → A*x*y'."""
    out: list[Form] = []
    for f in chain:
        if isinstance(f, Prod) and all(x.kind != "scalar" for x in f.factors):
            out.extend(f.factors)
        else:
            out.append(f)
    return out


def _symmetric(f: Form) -> bool:
    """Sᵀ = S: what the notation knows is symmetric (the flags `matrix.py` sets from
    `analysis.symmetry`), a power of it, eye, matrix(1) and diag(v)."""
    if isinstance(f, (Sym, Call)) and f.symmetric:
        return True
    if isinstance(f, MatPow):
        return _symmetric(f.base)
    if isinstance(f, Call) and f.fn == "diag":
        return f.kind == "matrix"
    return isinstance(f, Const) and f.kind == "matrix"  # eye, matrix(1): sizes from context
