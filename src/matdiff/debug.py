"""A compact, unambiguous text form of IR nodes for debugging (`repr`), dims shown."""

from __future__ import annotations

from .ir import (
    Add, Einsum, Elementwise, Expr, Frechet, Identity, MatrixFunction, Number, Ones, Power, Var,
)


def _labels(ix) -> str:
    return "".join(chr(ord("a") + a) if a < 26 else f"<{a}>" for a in ix)


def _dims(e: Expr) -> str:
    return "[" + ",".join(str(d) for d in e.dims) + "]"


def show(e: Expr) -> str:
    """E.g. `einsum(ab,b->a; A[m,n], x[n])`."""
    if isinstance(e, Var):
        return f"{e.name}{_dims(e)}"
    if isinstance(e, Number):
        return repr(e.value)
    if isinstance(e, Identity):
        return f"I{_dims(e)}"
    if isinstance(e, Ones):
        return f"ones{_dims(e)}"
    if isinstance(e, Add):
        return "(" + " + ".join(f"{c:g}*{show(t)}" for c, t in e.terms) + ")"
    if isinstance(e, Einsum):
        spec = ",".join(_labels(ix) for ix in e.indices) + "->" + _labels(e.out)
        return f"einsum({spec}; " + ", ".join(show(o) for o in e.operands) + ")"
    if isinstance(e, (Elementwise, MatrixFunction)):
        param = "" if getattr(e, "param", None) is None else f", {e.param:g}"
        return f"{e.fn}({show(e.arg)}{param})"
    if isinstance(e, Frechet):
        args = ", ".join(show(c) for c in e.children())
        return f"d{e.order}{e.fn}({args}{'' if e.param is None else f', {e.param:g}'})"
    if isinstance(e, Power):
        return f"({show(e.base)})^({show(e.exponent)})"
    return f"zeros{_dims(e)}"
