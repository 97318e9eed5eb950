"""Numeric evaluation of IR with numpy: the oracle behind checks, tests and explanations.

`evaluate(expr, values)` binds every dim symbol from the shapes of the given
arrays (vectors are 1-D arrays, scalars floats), checks they agree, and
computes each distinct subexpression once. It is a reference implementation:
clear over fast (the generated code is the fast path).
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import numpy as np
import opt_einsum

from ..errors import MatdiffError, ShapeError, UnsupportedError
from ..ir import (
    Add, Dim, Einsum, Elementwise, Expr, Frechet, Identity, MatrixFunction, Number, Ones, Power,
    Var, Zero, variables, walk,
)
from ..functions import ENTRYWISE, MATRIX, PRIMARY, primary


MAX_ENTRIES = 2.0**34  # no array of the evaluation may have more entries (128 GiB)


def bind_dims(expr: Expr, values: Mapping[str, object], sizes=None,
              context: Mapping[str, Var] | None = None) -> dict[Dim, int]:
    """Sizes of every dim symbol, read from the arrays given for the variables.

    `context` adds variables that fix sizes without occurring in expr (a derivative
    such as ∂x/∂x = I needs the size of x but not its value)."""
    sizes = _given_sizes(sizes)
    if not isinstance(values, Mapping):
        raise MatdiffError(f"values must map variable names to arrays, got "
                           f"{type(values).__name__}")
    needed = variables(expr)
    known = {**{k: v for k, v in (context or {}).items() if k in values}, **needed}
    for name, var in known.items():
        if name not in values:
            raise ShapeError(f"no value given for variable '{name}'")
        arr = real_array(name, values[name])
        if arr.ndim != var.rank:
            raise ShapeError(
                f"'{name}' is declared with {var.rank} axes {_fmt(var.dims)} "
                f"but the value given has shape {arr.shape}"
            )
        for dim, size in zip(var.dims, arr.shape):
            bound = dim if isinstance(dim, int) else sizes.get(dim)
            if bound is not None and bound != size:
                raise ShapeError(
                    f"dimension {dim} of '{name}' is {size}, but it is {bound} elsewhere"
                )
            if not isinstance(dim, int):
                sizes[dim] = size
    return sizes


def real_array(name: str, value) -> np.ndarray:
    """`value` as a float array; complex or non-numeric values are refused, not cast."""
    arr = np.asarray(value)
    if np.iscomplexobj(arr):
        raise UnsupportedError(f"the value of '{name}' is complex; matdiff evaluates real "
                               "values only")
    try:
        return arr.astype(float)
    except (TypeError, ValueError):
        raise MatdiffError(f"the value of '{name}' is not numeric: {str(value)[:40]!r}") from None


def _given_sizes(sizes) -> dict:
    """`sizes` checked: each a whole number >= 0."""
    for dim, size in (sizes or {}).items():
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 0:
            raise MatdiffError(f"the size of '{dim}' must be a whole number >= 0, got {size!r}")
    return dict(sizes or {})


def _fmt(dims) -> str:
    return "(" + ", ".join(str(d) for d in dims) + ")"


def evaluate(expr: Expr, values: Mapping[str, object], sizes=None,
             context: Mapping[str, Var] | None = None) -> np.ndarray | float:
    """The value of `expr` as a numpy array (a float for a scalar); see `bind_dims`."""
    sizes = bind_dims(expr, values, sizes, context)
    env = {k: real_array(k, v) for k, v in values.items()}
    done: dict[int, np.ndarray] = {}
    try:
        for node in walk(expr):
            if np.prod(_shape(node.dims, sizes), dtype=float) > MAX_ENTRIES:
                raise MemoryError
            args = [done[id(c)] for c in node.children()]
            done[id(node)] = _EVAL[type(node)](node, args, env, sizes)
    except MemoryError:
        raise UnsupportedError(f"too large to evaluate with sizes {sizes}") from None
    result = done[id(expr)]
    return float(result) if np.ndim(result) == 0 else result


def _size(dim: Dim, sizes) -> int:
    if isinstance(dim, int):
        return dim
    if dim not in sizes:
        raise ShapeError(f"the size of dimension '{dim}' is not determined by any variable")
    return sizes[dim]


def _shape(dims, sizes) -> tuple[int, ...]:
    return tuple(_size(d, sizes) for d in dims)


def _einsum(node: Einsum, args, env, sizes):
    """np.einsum, extended to repeated output labels (results placed on a diagonal)."""
    unique_out = tuple(dict.fromkeys(node.out))
    operands = []
    for arr, ix in zip(args, node.indices):
        operands += [arr, list(ix)]
    if len(args) <= 2:
        value = np.einsum(*operands, list(unique_out))
    else:  # opt_einsum: a good contraction order, and no limit on the number of operands
        value = opt_einsum.contract(*operands, list(unique_out))
    if unique_out == node.out:
        return value
    result = np.zeros(_shape(node.dims, sizes))
    grids = np.indices(value.shape)
    where = tuple(grids[unique_out.index(a)] for a in node.out)
    result[where] = value
    return result


def _matrix_function(node: MatrixFunction, args, env, sizes):
    if node.fn in PRIMARY:
        return primary.value(node.fn, args[0], node.param)
    return MATRIX[node.fn].numpy(args[0])


def _power(node: Power, args, env, sizes):
    base, p = args
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.power(base, p)


# (node, values of its children, variables' values, sizes) → the node's value
_EVAL: dict[type[Expr], Callable[[Any, list[np.ndarray], dict[str, np.ndarray], dict], Any]] = {
    Var: lambda n, a, env, s: env[n.name],
    Number: lambda n, a, env, s: np.float64(n.value),
    Zero: lambda n, a, env, s: np.zeros(_shape(n.dims, s)),
    Ones: lambda n, a, env, s: np.ones(_shape(n.dims, s)),
    Identity: lambda n, a, env, s: np.eye(_size(n.dims[0], s)),
    Add: lambda n, a, env, s: sum(c * v for (c, _), v in zip(n.terms, a)),
    Einsum: _einsum,
    Elementwise: lambda n, a, env, s: ENTRYWISE[n.fn].numpy(a[0]),
    Power: _power,
    MatrixFunction: _matrix_function,
    Frechet: lambda n, a, env, s: primary.frechet(n.fn, a[0], a[1:], n.param),
}
