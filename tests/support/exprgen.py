"""Random well-typed expression texts, as a hypothesis recursive strategy.

`expressions(kind)` writes text of one kind — 'scalar', 'col' (a column vector) or
'matrix' (n×n) — over the variables in VARS, from templates that keep every value
tame: logs and square roots see positive arguments, inverses and log-determinants
see well-conditioned matrices (M*M' + eye), powers are small integers.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from matdiff.language import syntax
from matdiff.language.parser import parse_text

VARS = {"a": "scalar", "b": "scalar", "x": "vector(n)", "y": "vector(n)",
        "A": "matrix(n,n)", "B": "matrix(n,n)", "S": "matrix(n,n) symmetric"}
N = 3
LEAVES = {"scalar": ["a", "b", "2", "0.5"], "col": ["x", "y"], "matrix": ["A", "B", "S"]}
ONE = {"scalar": "1", "col": "vector(1)", "matrix": "matrix(1)"}

# entry-wise functions, {u} the argument, {one} the all-ones of its kind
ENTRYWISE = ["exp(tanh({u}))", "log({u}.*{u} + {one})", "log(exp({u}))", "sin({u})",
             "cos({u})", "tanh({u})", "sigmoid({u})", "sqrt({u}.*{u} + {one})", "arctan({u})",
             "abs({u})", "relu({u})", "step({u})", "{u}.^2", "{u}./({u}.*{u} + {one})"]

# (result kind, template, argument kinds)
TEMPLATES = [
    ("scalar", "{0} + {1}", "scalar scalar"), ("scalar", "{0} - {1}", "scalar scalar"),
    ("scalar", "{0}*{1}", "scalar scalar"), ("scalar", "{0}^2", "scalar"),
    ("scalar", "{0}'*{1}", "col col"), ("scalar", "{0}'*{1}*{2}", "col matrix col"),
    ("scalar", "sum({0})", "col"), ("scalar", "tr({0})", "matrix"),
    ("scalar", "norm2({0})^2", "col"), ("scalar", "logdet({0}*{0}' + eye)", "matrix"),
    ("scalar", "sum(log(exp({0}) + vector(1)))", "col"),
    ("col", "{0} + {1}", "col col"), ("col", "{0} - {1}", "col col"),
    ("col", "{0}*{1}", "matrix col"), ("col", "{0}*{1}", "scalar col"),
    ("col", "{0}.*{1}", "col col"), ("col", "diag({0})", "matrix"),
    ("col", "inv({0}*{0}' + eye)*{1}", "matrix col"), ("col", "{0}'*{1}", "matrix col"),
    ("matrix", "{0} + {1}", "matrix matrix"), ("matrix", "{0}*{1}", "matrix matrix"),
    ("matrix", "{0}'", "matrix"), ("matrix", "{0}*{1}", "scalar matrix"),
    ("matrix", "{0}.*{1}", "matrix matrix"), ("matrix", "{0}*{1}'", "col col"),
    ("matrix", "diag({0})", "col"), ("matrix", "inv({0}*{0}' + eye)", "matrix"),
    ("scalar", "det({0}*{0}' + eye)", "matrix"), ("matrix", "{0}^2", "matrix"),
    ("matrix", "expm(0.5*tanh({0}))", "matrix"),
]
KINDS = ("scalar", "col", "matrix")


@st.composite
def _composite(draw, kind: str, depth: int):
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(LEAVES[kind]))
    if draw(st.integers(0, 4)) == 0:
        fn = draw(st.sampled_from(ENTRYWISE))
        u = draw(_composite(kind, depth - 1))
        return "(" + fn.format(u=f"({u})", one=ONE[kind]) + ")"
    out, fmt, args = draw(st.sampled_from([t for t in TEMPLATES if t[0] == kind]))
    parts = [draw(_composite(k, depth - 1)) for k in args.split()]
    return "(" + fmt.format(*parts) + ")"


def expressions(kind: str | None = None, depth: int = 3) -> st.SearchStrategy[str]:
    """Text of one kind (any kind if None), at most `depth` templates deep."""
    if kind is None:
        return st.sampled_from(KINDS).flatmap(lambda k: _composite(k, depth))
    return _composite(kind, depth)


def random_values(rng: np.random.Generator) -> dict:
    """Values for VARS with n = N; S symmetric."""
    s = rng.standard_normal((N, N))
    return {"a": float(rng.uniform(0.5, 1.5)), "b": float(rng.uniform(-1.5, -0.5)),
            "x": rng.standard_normal(N), "y": rng.standard_normal(N),
            "A": rng.standard_normal((N, N)), "B": rng.standard_normal((N, N)),
            "S": (s + s.T) / 2}


def variables_in(text: str) -> list[str]:
    """The variables of VARS that occur in `text`, in VARS order."""
    found, stack = set(), [parse_text(text)]
    while stack:
        node = stack.pop()
        if isinstance(node, syntax.Name):
            found.add(node.name)
        for child in ("left", "right", "operand"):
            if hasattr(node, child):
                stack.append(getattr(node, child))
        stack += list(getattr(node, "args", ()))
    return [v for v in VARS if v in found]
