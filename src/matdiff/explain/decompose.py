"""Intermediate variables: the first step of the Parr & Howard procedure.

`decompose(function, wrt)` walks the syntax tree of the function as the user
wrote it and introduces one intermediate variable for every operator or
function application that depends on `wrt` (`u1 = X*w`, `u2 = -y.*u1`, …),
innermost first; the last one is the function itself. Sub-expressions that do
not depend on `wrt` stay inside their parent's definition, and a transpose is
part of its parent (`u2 = u1'*x`).

Contract: every intermediate is real IR. `local` is its definition over the
earlier intermediates (placeholder `Var`s named `u1`, `u2`, … — another letter
when the user's variables take those names) and the user's variables; `full`
is the same value over the user's variables only. Vectors are columns (a
row such as `x'*A` is shown as the column `A'*x`). Dims are the ones the whole
expression was typed with, so `u1: m×1` means the same `m` as in `X: m×n`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..language import parser
from ..language import syntax as S
from ..ir import Expr, Identity, Ones, Var, Zero, map_bottom_up, walk
from ..language.lowering import DIM_NAMES, Lowering, Typed
from ..notation.forms import kind_of_rank

PREFIXES = ("u", "v", "t", "q", "z")


@dataclass(frozen=True)
class Intermediate:
    """One intermediate variable: `name = local`, of orientation `kind`."""

    name: str
    var: Var  # the placeholder standing for it in later definitions
    kind: str  # 'scalar', 'col', 'matrix' or 'tensor': vectors are columns (Parr & Howard)
    local: Expr  # definition over earlier placeholders and the user's variables
    full: Expr  # the same value over the user's variables only
    args: tuple[str, ...]  # the placeholders (and wrt) that `local` depends on


class _Lowering(Lowering):
    """Lowering that also knows the placeholders, each with its orientation."""

    def __init__(self, text, decls):
        super().__init__(text, decls)
        self.placeholders: dict[str, Typed] = {}

    def variable(self, name: str, pos: int = 0) -> Typed:
        if name in self.placeholders:
            return self.placeholders[name]
        return super().variable(name, pos)


def decompose(text: str, decls: dict[str, S.TypeDecl], variables: dict[str, Var],
              wrt: str, first: int = 1) -> list[Intermediate]:
    """The intermediates of `text` by `wrt`, innermost first (empty when f is a variable).

    Names are numbered from `first` (a second derivative continues the numbering)."""
    tree = parser.parse_text(text)
    lowering = _Lowering(text, decls)
    lowering.lower(tree)  # types every variable and unifies their dims
    names = _names(variables, first)
    raw: list[tuple[str, Typed]] = []

    def visit(node: S.Node, is_root: bool) -> S.Node:
        if not _depends(node, wrt) or isinstance(node, S.Name):
            return node
        if _squared_norm(node):  # norm2(e)^2 is one operation, sum(e.^2), as in MIT A.9.1
            replaced = _map_children(node, lambda call: _map_children(
                call, lambda child: visit(child, False)))
        else:
            replaced = _map_children(node, lambda child: visit(child, False))
        if _transparent(node) and not is_root:
            return replaced
        typed = lowering.lower(replaced)
        for name, seen in raw:  # a repeated sub-expression reuses its variable
            if seen.expr == typed.expr and seen.kind == typed.kind:
                return S.Name(name, getattr(node, "pos", 0))
        name = next(names)
        lowering.placeholders[name] = Typed(Var(name, typed.expr.dims), typed.kind)
        raw.append((name, typed))
        return S.Name(name, getattr(node, "pos", 0))

    visit(tree, True)
    return _resolve(raw, lowering, variables, wrt)


def _names(variables: dict[str, Var], first: int):
    """u1, u2, … with the first letter whose names the user's variables leave free."""
    taken = set(variables)
    for prefix in PREFIXES:
        if not any(v.startswith(prefix) and v[len(prefix):].isdigit() for v in taken):
            break
    k = first - 1
    while True:
        k += 1
        yield f"{prefix}{k}"


def _depends(node: S.Node, wrt: str) -> bool:
    if isinstance(node, S.Name):
        return node.name == wrt
    return any(_depends(c, wrt) for c in _children(node))


def _squared_norm(node: S.Node) -> bool:
    return (isinstance(node, S.Binary) and node.op in ("^", ".^")
            and isinstance(node.left, S.Call) and node.left.func == "norm2"
            and isinstance(node.right, S.Num) and node.right.value == 2)


def _transparent(node: S.Node) -> bool:
    """Nodes that belong to their parent's definition: transposes and a unary plus."""
    return isinstance(node, S.Transpose) or (isinstance(node, S.Unary) and node.op == "+")


def _children(node: S.Node) -> tuple[S.Node, ...]:
    if isinstance(node, S.Call):
        return node.args
    if isinstance(node, (S.Unary, S.Transpose)):
        return (node.operand,)
    if isinstance(node, S.Binary):
        return (node.left, node.right)
    return ()


def _map_children(node: S.Node, fn) -> S.Node:
    if isinstance(node, S.Call):
        return dataclasses.replace(node, args=tuple(fn(a) for a in node.args))
    if isinstance(node, (S.Unary, S.Transpose)):
        return dataclasses.replace(node, operand=fn(node.operand))
    if isinstance(node, S.Binary):
        return dataclasses.replace(node, left=fn(node.left), right=fn(node.right))
    return node


# --- from the lowering's dim classes to the names the whole expression uses -------------


def _resolve(raw, lowering: _Lowering, variables: dict[str, Var], wrt: str):
    """Rename every dim to the derivative's names; build `full` by substitution."""
    names: dict = {}
    for name, var in lowering.vars.items():
        if name in variables:
            for d, resolved in zip(var.dims, variables[name].dims):
                names.setdefault(lowering.dims.find(d), resolved)

    spare = (n for n in DIM_NAMES + tuple(f"n{i}" for i in range(1, 1000))
             if n not in set(names.values()))

    def fix(d):
        root = lowering.dims.find(d)
        if root not in names and isinstance(root, str) and root.startswith("?"):
            names[root] = next(spare)  # a size no variable fixes, named as lowering does
        return names.get(root, root)

    out: list[Intermediate] = []
    fulls: dict[str, Expr] = {}
    for name, typed in raw:
        local = _with_dims(typed.expr, fix, variables, {i.name: i.var for i in out})
        full = substitute(local, fulls)
        args = tuple(v.name for v in walk(local) if isinstance(v, Var)
                     and (v.name in fulls or v.name == wrt))
        var = Var(name, local.dims)
        fulls[name] = full
        kind = kind_of_rank(local.rank)
        out.append(Intermediate(name, var, kind, local, full, tuple(dict.fromkeys(args))))
    return out


def _with_dims(expr: Expr, fix, variables: dict[str, Var], placeholders: dict[str, Var]):
    def rebuild(node: Expr) -> Expr:
        if isinstance(node, Var):
            return placeholders.get(node.name) or variables[node.name]
        if isinstance(node, Identity):
            return Identity(fix(node.dims[0]))
        if isinstance(node, (Ones, Zero)):
            return type(node)(tuple(fix(d) for d in node.dims))
        return node

    return map_bottom_up(expr, rebuild)


def substitute(expr: Expr, values: dict[str, Expr]) -> Expr:
    """expr with every variable named in `values` replaced by its expression."""
    return map_bottom_up(expr, lambda n: values.get(n.name, n) if isinstance(n, Var) else n)
