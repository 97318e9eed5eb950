"""Measures of matrix notation: its size, its operators as printed, its depth.

They are what readable means when matdiff chooses between equal forms: fewer operators in
print first, then less nesting.
"""

from __future__ import annotations

from typing import Callable

from .forms import (
    Call, Commutation, Const, Delta, Entry, Form, Had, IndexSum, Indexed, Kron, Lit, MatPow, Pow,
    Prod, SingleEntry, Sum, Sym, T,
)


def form_size(f: Form) -> int:
    """Number of nodes in a form: the measure for choosing between equal forms."""
    return 1 + sum(form_size(k) for k in _kids(f))


def operator_count(f: Form) -> int:
    """Operators and function applications the printed text has: k factors need k - 1
    `*`, a coefficient other than ±1 one more, a transpose, call or power one each."""
    own = 0
    if isinstance(f, (Prod, Had)):
        own = len(f.factors) - 1
    elif isinstance(f, Sum):
        own = len(f.terms) - 1 + sum(abs(c) != 1.0 for c, _ in f.terms) + (f.terms[0][0] < 0)
    elif isinstance(f, (T, Call, Pow, MatPow)):
        own = 1
    elif isinstance(f, Lit):
        own = f.value < 0
    return own + sum(operator_count(k) for k in _kids(f))


def form_depth(f: Form) -> int:
    """Nesting depth of a form: the second measure, between forms of one size."""
    return 1 + max((form_depth(k) for k in _kids(f)), default=0)


def _kids(f: Form) -> tuple[Form, ...]:
    """The parts of f that print as matrix notation (index notation is not measured)."""
    return KIDS[type(f)](f)


KIDS: dict[type, Callable[..., tuple[Form, ...]]] = {
    Sym: lambda f: (), Lit: lambda f: (), Const: lambda f: (), SingleEntry: lambda f: (),
    Commutation: lambda f: (),
    Prod: lambda f: f.factors, Had: lambda f: f.factors, Kron: lambda f: f.factors,
    Sum: lambda f: tuple(x for _, x in f.terms),
    T: lambda f: (f.arg,),
    Call: lambda f: (f.arg,) + f.more,
    Pow: lambda f: (f.base, f.exponent),
    MatPow: lambda f: (f.base,),
    Indexed: lambda f: (), Delta: lambda f: (), IndexSum: lambda f: (), Entry: lambda f: (),
}
