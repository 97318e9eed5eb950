"""Shape inference and lowering: syntax tree → tensor IR with symbolic dims.

Every variable gets a type: declared (`vector(n)`, `matrix(m,n) symmetric`, …)
or by its first letter (a–g scalar, h–z vector, A–Z matrix). A name that is
not a declared variable but a declared dimension (`n` after `x: vector(n)`) is that
dimension's size, a scalar (`sum(x)/n`). Dims are
symbols unified by the operators (`A*x` forces cols(A) = len(x)); two
different declared symbols, or two different sizes, never unify: that is a
`ShapeError` naming the operator and both shapes, with a caret at the
operator. Orientation (column, row) is tracked here only, to type products
like `x'*A` or `x*y'`; the IR itself is orientation-free.

Chains of `+ -` and of `* / .* ./` are lowered iteratively into one sum or
one einsum, so very long expressions cost linear time and no deep recursion.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from . import syntax as S
from ..ir.build import (
    add, einsum, elementwise, frechet, matrix_function, num, ones, power, scale, size, total_sum,
)
from ..errors import ParseError, ShapeError, UnsupportedError
from ..functions import ENTRYWISE, FRECHET, LITERAL_ARG_FUNCTIONS, whole_matrix
from ..ir import Dim, Expr, Identity, Ones, Var, Zero, map_bottom_up
from ..ir.unionfind import UnionFind

KINDS_BY_DECL = {"scalar": "scalar", "vector": "col", "matrix": "matrix", "tensor": "tensor"}
DIM_NAMES = ("n", "m", "k", "p", "q", "r", "l", "s", "t", "u", "v", "w")


@dataclass(frozen=True)
class Typed:
    """An IR expression with its orientation: 'scalar', 'col', 'row', 'matrix' or 'tensor'."""

    expr: Expr
    kind: str


@dataclass(frozen=True)
class Lowered:
    """The result of lowering: the IR, the orientation of its value, and its variables."""

    expr: Expr
    kind: str
    variables: dict[str, Var]  # those of the text, and those typed on request (`also`)
    occurring: tuple[str, ...] = ()  # the variables the text names, in order of appearance


def default_kind(name: str) -> str:
    """a–g scalar, h–z vector, A–Z matrix (by the first letter)."""
    first = name[0]
    if "a" <= first <= "g":
        return "scalar"
    if "h" <= first <= "z":
        return "col"
    if "A" <= first <= "Z":
        return "matrix"
    raise UnsupportedError(f"cannot infer the type of '{name}'; declare it, e.g. {name}: vector(n)")


class _Dims(UnionFind[Any]):
    """Union-find over dims (symbols and sizes, which do not compare with each other): a
    class is represented by its rigid member, a declared symbol or a size, and two rigid
    members never merge (`unify` says False: a shape error)."""

    def __init__(self):
        super().__init__()
        self.declared: set[str] = set()
        self.hints: dict[str, str] = {}  # how to name an unresolved dim in messages
        self.counter = 0

    def fresh(self, hint: str = "?") -> str:
        self.counter += 1
        name = f"?{self.counter}"
        self.hints[name] = hint
        return name

    def rigid(self, d: Dim) -> bool:
        return isinstance(d, int) or d in self.declared

    def unify(self, a: Dim, b: Dim) -> bool:
        """Merge a and b; False when both are rigid and differ."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if self.rigid(ra) and self.rigid(rb):
            return False
        if self.rigid(rb):
            ra, rb = rb, ra
        self.parent[rb] = ra
        return True


class Lowering:
    """Lower one syntax tree; `decls` maps variable names to TypeDecls."""

    def __init__(self, text: str, decls: dict[str, S.TypeDecl]):
        self.text = text
        self.decls = decls
        self.dims = _Dims()
        self.vars: dict[str, Var] = {}
        self.sizes_named: set[str] = set()  # dimension names the text uses as scalars
        for decl in decls.values():
            self.dims.declared.update(d for d in decl.dims if isinstance(d, str))

    # --- entry point -------------------------------------------------------------
    def run(self, tree: S.Node, also: tuple[str, ...] = ()) -> Lowered:
        """Lower `tree`; `also` names variables to type even if absent (differentiation
        by a variable that does not occur gives a zero of the right dims)."""
        typed = self.lower(tree)
        occurring = tuple(self.vars)
        for name in also + self._fixing_sizes():
            self.variable(name)
        expr, variables = self._resolve(typed.expr)
        return Lowered(expr, typed.kind, variables, occurring)

    def _fixing_sizes(self) -> tuple[str, ...]:
        """For each size named in the text that no variable of the text fixes, a declared
        variable that does (its value tells the size; `n` alone, with x: vector(n))."""
        fixed = {d for v in self.vars.values() for d in v.dims}
        return tuple(dict.fromkeys(
            next(name for name, decl in self.decls.items() if dim in decl.dims)
            for dim in sorted(self.sizes_named - fixed)))

    def lower(self, node: S.Node) -> Typed:
        return _LOWER[type(node)](self, node)

    # --- leaves ------------------------------------------------------------------
    def _num(self, node: S.Num) -> Typed:
        return Typed(num(node.value), "scalar")

    def _name(self, node: S.Name) -> Typed:
        if node.name == "eye":
            return Typed(Identity(self.dims.fresh()), "matrix")
        if node.name not in self.decls and node.name in self.dims.declared:
            self.sizes_named.add(node.name)
            return Typed(size((node.name,)), "scalar")  # a dimension's size
        return self.variable(node.name, node.pos)

    def variable(self, name: str, pos: int = 0) -> Typed:
        """The variable `name`, typed by declaration or first letter (created once)."""
        decl = self.decls.get(name)
        if name not in self.vars:
            domain = decl.domain if decl is not None else None
            if decl is not None:
                dims, sym = decl.dims, decl.symmetric
            else:
                kind = default_kind(name)
                fresh = self.dims.fresh
                short = {"scalar": (), "col": (fresh(f"len({name})"),)}.get(kind)
                dims = short if short is not None else (fresh(f"rows({name})"),
                                                        fresh(f"cols({name})"))
                sym = False
            self.vars[name] = Var(name, dims, sym, domain)
        var = self.vars[name]
        kind = KINDS_BY_DECL[decl.kind] if decl is not None else default_kind(name)
        return Typed(var, kind)

    # --- operators ------------------------------------------------------------------
    def _unary(self, node: S.Unary) -> Typed:
        inner = self.lower(node.operand)
        return inner if node.op == "+" else Typed(scale(-1.0, inner.expr), inner.kind)

    def _transpose(self, node: S.Transpose) -> Typed:
        inner = self.lower(node.operand)
        flip = {"col": "row", "row": "col"}
        if inner.kind in flip:
            return Typed(inner.expr, flip[inner.kind])
        if inner.kind == "matrix":
            return Typed(einsum([inner.expr], [(0, 1)], (1, 0)), "matrix")
        if inner.kind == "tensor":
            raise UnsupportedError("transpose of a tensor with 3 or more axes is not defined")
        return inner

    def _binary(self, node: S.Binary) -> Typed:
        if node.op in "+-":
            return self._sum_chain(node)
        if node.op in ("*", "/", ".*", "./"):
            return self._product_chain(node)
        return self._power(node)

    def _sum_chain(self, node: S.Binary) -> Typed:
        """a ± b ± c …: one flat sum; a scalar added to a tensor is broadcast."""
        terms: list[tuple[float, S.Node, int]] = []
        left: S.Node = node
        while isinstance(left, S.Binary) and left.op in "+-":
            terms.append((1.0 if left.op == "+" else -1.0, left.right, left.pos))
            left = left.left
        terms.append((1.0, left, -1))
        terms.reverse()
        lowered = [(sign, self.lower(t), pos) for sign, t, pos in terms]
        kind = next((t.kind for _, t, _ in lowered if t.kind != "scalar"), "scalar")
        first = next(t for _, t, _ in lowered if t.kind == kind)
        out = []
        for i, (sign, t, pos) in enumerate(lowered):
            op = "+" if sign > 0 else "-"
            if t.kind == "scalar" and kind != "scalar":
                t = Typed(einsum([t.expr, ones(first.expr.dims)], [(), _ix(first.expr)],
                                 _ix(first.expr)), kind)
            self._same_shape(first, t, op, pos if pos >= 0 else left.pos)
            out.append((sign, t.expr))
        return Typed(add(*out), kind)

    def _product_chain(self, node: S.Binary) -> Typed:
        chain: list[tuple[str, S.Node, int]] = []
        left: S.Node = node
        while isinstance(left, S.Binary) and left.op in ("*", "/", ".*", "./"):
            chain.append((left.op, left.right, left.pos))
            left = left.left
        builder = _Product(self, self.lower(left))
        for op, right, pos in reversed(chain):
            builder.apply(op, self.lower(right), pos)
        return builder.result()

    def _power(self, node: S.Binary) -> Typed:
        base, exponent = self.lower(node.left), self.lower(node.right)
        if exponent.kind != "scalar" and node.op == "^":
            raise self._shape_error(f"the exponent of '^' must be a scalar, not {self.describe(exponent)}", node.pos)
        if node.op == ".^":
            if exponent.kind not in ("scalar", base.kind):
                raise self._shape_error(
                    f"'.^' needs an exponent that is a scalar or has the shape of the base: "
                    f"base is {self.describe(base)}, exponent is {self.describe(exponent)}",
                    node.pos,
                )
            if exponent.kind != "scalar":
                self._same_shape(base, exponent, ".^", node.pos)
            return Typed(power(base.expr, exponent.expr), base.kind)
        if base.kind == "scalar":
            return Typed(power(base.expr, exponent.expr), "scalar")
        if base.kind == "matrix":
            return self._matrix_power(base, node)
        raise self._shape_error(
            f"'^' of {self.describe(base)} is not defined; use '.^' for an entry-wise power",
            node.pos,
        )

    def _matrix_power(self, base: Typed, node: S.Binary) -> Typed:
        """X^k for an integer literal k: a product of k factors (inv(X) for k < 0)."""
        k = _integer_literal(node.right)
        if k is None:
            p = _number_literal(node.right)
            if p is None:
                raise UnsupportedError(
                    "a matrix power X^p needs a number p (a literal); use '.^' for entry-wise "
                    "powers")
            self._square(base, "^", node.pos)
            return Typed(matrix_function("powm", base.expr, p), "matrix")
        self._square(base, "^", node.pos)
        if abs(k) > 64:
            raise UnsupportedError(f"matrix power {k} is too large (|k| ≤ 64)")
        x = base.expr if k > 0 else matrix_function("inv", base.expr)
        if k == 0:
            return Typed(Identity(x.dims[0]), "matrix")
        ops = [x] * abs(k)
        ix = [(i, i + 1) for i in range(abs(k))]
        return Typed(einsum(ops, ix, (0, abs(k))), "matrix")

    # --- functions ---------------------------------------------------------------------
    def _call(self, node: S.Call) -> Typed:
        fn = node.func
        if fn in LITERAL_ARG_FUNCTIONS:
            return self._constant_call(node)
        arg = self.lower(node.args[0])
        if fn in ENTRYWISE:
            return Typed(elementwise(fn, arg.expr), arg.kind)
        if fn in _STRUCTURAL:
            return _STRUCTURAL[fn](self, arg, node)
        facts = whole_matrix(fn)
        if facts is not None:
            return self._whole_matrix(fn, facts, arg, node)
        if fn in FRECHET:
            return self._frechet(arg, node)
        raise ParseError(f"unknown function '{fn}'", self.text, node.pos)

    def _whole_matrix(self, fn: str, facts, arg: Typed, node: S.Call) -> Typed:
        """inv(X), softmax(u), expm(X), …: the argument as the function's entry says."""
        if facts.argument == "square":
            self._square(arg, fn, node.pos)
        elif arg.kind not in ("col", "row"):
            raise self._shape_error(f"{fn} takes a vector, not {self.describe(arg)}", node.pos)
        kind = "scalar" if facts.result == "scalar" else arg.kind
        return Typed(matrix_function(fn, arg.expr), kind)

    # --- sums, traces, diagonals and norms (`functions.STRUCTURAL`) as einsums ---------
    def _sum(self, arg: Typed, node: S.Call) -> Typed:
        return Typed(total_sum(arg.expr), "scalar")

    def _mean(self, arg: Typed, node: S.Call) -> Typed:
        # sum(u)/(number of entries)
        return Typed(einsum([total_sum(arg.expr), power(size(arg.expr.dims), -1)],
                            [(), ()], ()), "scalar")

    def _norm1(self, arg: Typed, node: S.Call) -> Typed:
        return Typed(total_sum(elementwise("abs", arg.expr)), "scalar")

    def _norm2(self, arg: Typed, node: S.Call) -> Typed:
        return Typed(power(total_sum(power(arg.expr, 2)), 0.5), "scalar")

    def _trace(self, arg: Typed, node: S.Call) -> Typed:
        self._square(arg, node.func, node.pos)
        return Typed(einsum([arg.expr], [(0, 0)], ()), "scalar")

    def _frechet(self, point: Typed, node: S.Call) -> Typed:
        """dexpm(X, E), d2expm(X, E, F), dpowm(X, E, p): Fréchet derivatives, E like X."""
        fn, order = FRECHET[node.func]
        self._square(point, node.func, node.pos)
        directions = []
        for arg in node.args[1:order + 1]:
            e = self.lower(arg)
            self._same_shape(point, e, node.func, node.pos)
            directions.append(e.expr)
        p = None
        if fn == "powm":
            p = _number_literal(node.args[-1])
            if p is None:
                raise self._shape_error(
                    f"the last argument of '{node.func}' is the exponent, a number", node.pos)
        return Typed(frechet(fn, point.expr, tuple(directions), p), "matrix")

    def _constant_call(self, node: S.Call) -> Typed:
        arg = node.args[0] if node.args else None
        if not isinstance(arg, S.Num):
            raise ParseError(f"{node.func}(c) takes a number, e.g. {node.func}(1)", self.text,
                             node.pos)
        rank = 1 if node.func == "vector" else 2
        dims = tuple(self.dims.fresh() for _ in range(rank))
        body = Zero(dims) if arg.value == 0 else scale(arg.value, Ones(dims))
        return Typed(body, "col" if rank == 1 else "matrix")

    def _diag(self, arg: Typed, node: S.Call) -> Typed:
        if arg.kind in ("col", "row"):
            return Typed(einsum([arg.expr], [(0,)], (0, 0)), "matrix")
        if arg.kind == "matrix":
            self._square(arg, "diag", node.pos)
            return Typed(einsum([arg.expr], [(0, 0)], (0,)), "col")
        if arg.kind == "scalar":
            return arg
        raise self._shape_error(f"diag of {self.describe(arg)} is not defined", node.pos)

    # --- shape checks --------------------------------------------------------------------
    def describe(self, t: Typed) -> str:
        d = [self._dim_text(x) for x in t.expr.dims]
        if t.kind == "scalar":
            return "a scalar"
        if t.kind == "col":
            return f"a {d[0]}×1 vector"
        if t.kind == "row":
            return f"a 1×{d[0]} row vector"
        return "a " + "×".join(d) + (" matrix" if t.kind == "matrix" else " tensor")

    def _dim_text(self, d: Dim) -> str:
        root = self.dims.find(d)
        if isinstance(root, str) and root.startswith("?"):
            return self.dims.hints.get(root, "?")
        return str(root)

    def _shape_error(self, message: str, pos: int) -> ShapeError:
        return ShapeError(message, self.text, pos if pos >= 0 else None)

    def unify(self, a: Dim, b: Dim, message, pos: int) -> None:
        if not self.dims.unify(a, b):
            raise self._shape_error(message(), pos)

    def _same_shape(self, a: Typed, b: Typed, op: str, pos: int) -> None:
        def message():
            return (f"shape mismatch in '{op}': the left operand is {self.describe(a)}, "
                    f"the right operand is {self.describe(b)}")

        if a.kind != b.kind:
            raise self._shape_error(message(), pos)
        for x, y in zip(a.expr.dims, b.expr.dims):
            self.unify(x, y, message, pos)

    def _square(self, t: Typed, op: str, pos: int) -> None:
        def message():
            return f"'{op}' needs a square matrix, not {self.describe(t)}"

        if t.kind != "matrix":
            raise self._shape_error(message(), pos)
        self.unify(t.expr.dims[0], t.expr.dims[1], message, pos)

    # --- finishing ------------------------------------------------------------------------
    def _resolve(self, expr: Expr) -> tuple[Expr, dict[str, Var]]:
        """Replace every dim by its class representative; name the unnamed classes."""
        names = self._dim_names()

        def fix(d: Dim) -> Dim:
            root = self.dims.find(d)
            return names.get(root, root)

        def rebuild(node: Expr) -> Expr:
            if isinstance(node, Var):
                return self.vars[node.name]
            if isinstance(node, Identity):
                return Identity(fix(node.dims[0]))
            if isinstance(node, (Ones, Zero)):
                return type(node)(tuple(fix(d) for d in node.dims))
            return node

        for name, var in list(self.vars.items()):
            dims = tuple(fix(d) for d in var.dims)
            if var.symmetric and len(dims) == 2 and dims[0] != dims[1]:
                raise ShapeError(f"'{name}' is declared symmetric but is {dims[0]}×{dims[1]}")
            self.vars[name] = Var(name, dims, var.symmetric, var.domain)
        return map_bottom_up(expr, rebuild), dict(self.vars)

    def _dim_names(self) -> dict[Dim, str]:
        """Readable names for undeclared dims, vectors' first (x: n, then A: m×n); never
        a variable's name, since a printed size `n` must read back as the size."""
        taken = set(self.dims.declared) | set(self.vars)
        names: dict[Dim, str] = {}
        pool = (n for n in DIM_NAMES + tuple(f"n{i}" for i in range(1, 1000)) if n not in taken)
        ordered = sorted(self.vars.values(), key=lambda v: v.rank)
        leftovers = [f"?{i}" for i in range(1, self.dims.counter + 1)]
        for d in [d for v in ordered for d in v.dims] + leftovers:
            root = self.dims.find(d)
            if isinstance(root, str) and root.startswith("?") and root not in names:
                names[root] = next(pool)
        return names


# How each syntax node is lowered, and each function of `functions.STRUCTURAL`.
_LOWER: dict[type, Callable[[Lowering, Any], Typed]] = {
    S.Num: Lowering._num, S.Name: Lowering._name, S.Call: Lowering._call,
    S.Unary: Lowering._unary, S.Binary: Lowering._binary, S.Transpose: Lowering._transpose,
}
_STRUCTURAL = {
    "sum": Lowering._sum, "mean": Lowering._mean, "tr": Lowering._trace,
    "diag": Lowering._diag, "norm1": Lowering._norm1, "norm2": Lowering._norm2,
}


class _Product:
    """Accumulates a chain of * / .* ./ into one einsum, typing each step."""

    def __init__(self, lowering: Lowering, first: Typed):
        self.lw = lowering
        self.next_label = 0
        labels = self._fresh(first.expr.rank)
        self.factors: list[tuple[Expr, tuple[int, ...]]] = [(first.expr, labels)]
        self.dims_of = dict(zip(labels, first.expr.dims))
        self.out = labels
        self.kind = first.kind

    def _fresh(self, n: int) -> tuple[int, ...]:
        start, self.next_label = self.next_label, self.next_label + n
        return tuple(range(start, start + n))

    def apply(self, op: str, right: Typed, pos: int) -> None:
        if op in ("/", "./"):
            if op == "/" and right.kind != "scalar":
                raise self.lw._shape_error(
                    f"'/' divides by a scalar, but the right operand is "
                    f"{self.lw.describe(right)}; use './' for entry-wise division", pos)
            right = Typed(power(right.expr, -1), right.kind)
        if op in (".*", "./") and right.kind != "scalar" and self.kind != "scalar":
            self._hadamard(right, op, pos)
        else:
            self._multiply(right, op, pos)

    def _add_factor(self, expr: Expr, labels: tuple[int, ...], op: str, right: Typed,
                    pos: int) -> None:
        for label, dim in zip(labels, expr.dims):
            if label in self.dims_of:
                self.lw.unify(self.dims_of[label], dim, lambda: self._mismatch(op, right), pos)
            else:
                self.dims_of[label] = dim
        self.factors.append((expr, labels))

    def _mismatch(self, op: str, right: Typed) -> str:
        left = Typed(self.result().expr, self.kind)
        return (f"shape mismatch in '{op}': the left operand is {self.lw.describe(left)}, "
                f"the right operand is {self.lw.describe(right)}")

    def _hadamard(self, right: Typed, op: str, pos: int) -> None:
        if right.kind != self.kind:
            raise self.lw._shape_error(self._mismatch(op, right), pos)
        self._add_factor(right.expr, self.out, op, right, pos)

    def _multiply(self, right: Typed, op: str, pos: int) -> None:
        left = self.kind
        if right.kind == "scalar":
            self._add_factor(right.expr, (), op, right, pos)
            return
        if left == "scalar":
            labels = self._fresh(right.expr.rank)
            self._add_factor(right.expr, labels, op, right, pos)
            self.out, self.kind = labels, right.kind
            return
        plan = _MATMUL.get((left, right.kind))
        if plan is None:
            raise self.lw._shape_error(self._mismatch(op, right) + _matmul_hint(left, right.kind),
                                       pos)
        new = self._fresh(1)[0]
        contracted = self.out[-1] if left in ("row", "matrix") else None
        # "c" (contract) is in the plans of a row or matrix on the left only
        labels = tuple(self.out[-1] if s == "c" else new for s in plan[0])
        self._add_factor(right.expr, labels, op, right, pos)
        kept = self.out[:-1] if contracted is not None else self.out
        self.out = kept + ((new,) if "n" in plan[0] else ())
        self.kind = plan[1]

    def result(self) -> Typed:
        exprs = [f for f, _ in self.factors]
        labels = [ix for _, ix in self.factors]
        return Typed(einsum(exprs, labels, self.out), self.kind)


# (left kind, right kind) -> (labels of the right operand: c = contracted, n = new; result kind)
_MATMUL = {
    ("col", "row"): ("n", "matrix"),  # outer product x*y'
    ("row", "col"): ("c", "scalar"),  # inner product x'*y
    ("row", "matrix"): ("cn", "row"),  # x'*A
    ("matrix", "col"): ("c", "col"),  # A*x
    ("matrix", "matrix"): ("cn", "matrix"),  # A*B
}


def _matmul_hint(left: str, right: str) -> str:
    if left == right == "col":
        return "; for an entry-wise product use '.*', for the inner product x'*y"
    return ""


def _ix(e: Expr) -> tuple[int, ...]:
    return tuple(range(e.rank))


def _integer_literal(node: S.Node) -> int | None:
    sign = 1
    if isinstance(node, S.Unary):
        sign, node = (-1 if node.op == "-" else 1), node.operand
    if isinstance(node, S.Num) and float(node.value).is_integer():
        return sign * int(node.value)
    return None


def _number_literal(node: S.Node) -> float | None:
    sign = 1
    if isinstance(node, S.Unary):
        sign, node = (-1 if node.op == "-" else 1), node.operand
    return sign * node.value if isinstance(node, S.Num) else None


def lower(tree: S.Node, text: str, decls: dict[str, S.TypeDecl],
          also: tuple[str, ...] = ()) -> Lowered:
    """Type-check `tree` and lower it to IR (see the module docstring)."""
    return Lowering(text, decls).run(tree, also)
