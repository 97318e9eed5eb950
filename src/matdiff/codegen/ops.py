"""The array program between the IR and source text: a small DAG of array operations.

`from_ir.py` builds it from the IR once for every output together; each target prints it
(`printer.py` with a `targets.Target`). Nodes are interned by `Graph.op`, so two equal
operations — anywhere in a value, gradient or Hessian — are the same node: that is the
common-subexpression elimination.

Every node has `kind`, `args` (nodes), `attr` (hashable data) and `dims` (symbolic sizes of
its axes, in order). The kinds and their meaning, for inputs a, b, …:

| kind        | attr                        | value                                          |
|-------------|-----------------------------|------------------------------------------------|
| var         | name                        | the input                                      |
| lit         | float                       | a number                                       |
| size        | dim symbol                  | the size of a dimension, as a number           |
| zeros/ones  | —                           | a constant array of `dims`                     |
| eye         | —                           | the identity (only where it is the answer)     |
| add         | coefficients                | Σ cᵢ·aᵢ (scalars broadcast)                    |
| mul         | —                           | a ⊙ b ⊙ … with numpy broadcasting              |
| matmul      | —                           | a @ b (1-D or 2-D operands)                    |
| tensordot   | (axes of a, axes of b)      | tensordot(a, b, axes)                          |
| einsum      | spec 'ab,ab->a'             | einsum (pairs with batch and summed labels)    |
| gram        | —                           | aᵀ a (symmetric: SYRK where the library has it) |
| T           | —                           | transpose of a matrix                          |
| permute     | axis order                  | a.transpose(order)                             |
| expand      | pattern of ':' and 'None'   | a[:, None] (broadcastable view)                |
| sum         | axes                        | sum over the axes                              |
| diagonal    | spec 'aab->ab'              | a diagonal taken inside one operand            |
| broadcast   | —                           | broadcast a to `dims`                          |
| fn          | function name               | entry-wise or matrix function of a             |
| pow         | exponent (float) or None    | a ** exponent (or a ** b)                      |
| embed       | spec 'bd->abad'             | dense tensor, zero off the δ diagonals          |
| add_diag    | —                           | a + diag(b) for a square matrix a (copying a)  |
| structured  | specs ('bd->abad', …)       | runtime.StructuredTensor Σ terms               |
| orient      | 'row' or 'col'              | a vector reshaped to a 1×n row or n×1 column   |
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


KINDS = frozenset({
    "var", "lit", "size", "zeros", "ones", "eye", "add", "mul", "matmul", "tensordot", "einsum",
    "gram", "T", "permute", "expand", "sum", "diagonal", "broadcast", "fn", "matfun", "frechet",
    "pow", "embed", "add_diag", "structured", "orient",
})  # the closed set of operations; every printer has an entry for each


@dataclass(eq=False, frozen=True)
class Op:
    """One interned array operation; compare by identity (`Graph.op` interns)."""

    kind: str
    args: tuple["Op", ...]
    attr: Any  # hashable data whose type depends on `kind` (the table above)
    dims: tuple
    uid: int = field(default=0)

    @property
    def rank(self) -> int:
        return len(self.dims)


class Graph:
    """Interns ops: equal (kind, args, attr, dims) give the same node."""

    def __init__(self):
        self.nodes: dict[tuple, Op] = {}

    def op(self, kind: str, args=(), attr=None, dims=()) -> Op:
        args = tuple(args)
        assert kind in KINDS, kind
        key = (kind, tuple(a.uid for a in args), attr, tuple(dims))
        node = self.nodes.get(key)
        if node is None:
            node = Op(kind, args, attr, tuple(dims), len(self.nodes) + 1)
            self.nodes[key] = node
        return node


def topological(roots: list[Op]) -> list[Op]:
    """Every node reachable from `roots` once, arguments before users."""
    order: list[Op] = []
    seen: set[int] = set()
    stack: list[tuple[Op, bool]] = [(r, False) for r in reversed(roots)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if node.uid in seen:
            continue
        seen.add(node.uid)
        stack.append((node, True))
        stack.extend((a, False) for a in reversed(node.args))
    return order


def use_counts(roots: list[Op]) -> dict[int, int]:
    """How often each node is an argument (roots count once each)."""
    counts: dict[int, int] = {}
    for node in topological(roots):
        for a in node.args:
            counts[a.uid] = counts.get(a.uid, 0) + 1
    for r in roots:
        counts[r.uid] = counts.get(r.uid, 0) + 1
    return counts
