"""Assembling generated programs, and the one audited place that executes one.

`generate(outputs, variables, target)` runs lower → print for a list of (label, IR,
orientation) outputs that share every common subexpression. `Program` holds the source; its
`compile()` goes through `load`, which parses the source, checks with `audit` that it
contains only what the printer writes, and only then executes it.
"""

from __future__ import annotations

import ast
import linecache
import re
from dataclasses import dataclass, field
from typing import Callable, Mapping

from ..errors import MatdiffError
from ..ir import Expr, Var
from .contract import Contractor
from .from_ir import Lowerer
from .names import is_plain_identifier
from .ops import Graph
from .printer import Printer
from .runtime import register_jax_pytree
from .targets import TARGETS, target as get_target

DEFAULT_SIZE = 1000  # size assumed for a dimension symbol when ordering contractions


@dataclass(frozen=True)
class Options:
    """How to generate: `structured` returns Kronecker-delta Hessians as StructuredTensor;
    `sizes` (dim symbol → size) tunes the contraction order, it never changes results."""

    structured: bool = True
    sizes: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Program:
    """Generated source of one function `name` for `target`; `compile()` gives the callable."""

    source: str
    name: str
    target: str
    outputs: tuple[str, ...]

    def compile(self) -> Callable:
        if self.target == "jax":  # structured results are then pytrees jax.jit can return
            register_jax_pytree()
        return load(self.source, self.name)

    def __str__(self) -> str:
        return self.source


def generate(outputs: list[tuple[str, Expr, str | None]], variables: Mapping[str, Var],
             target: str, name: str, options: Options = Options()) -> Program:
    """One function computing every output; each is (label, IR, 'row'/'col'/None)."""
    tgt = get_target(target)
    graph = Graph()
    contractor = Contractor(graph, lambda d: d if isinstance(d, int)
                            else int(options.sizes.get(d, DEFAULT_SIZE)))
    lowerer = Lowerer(graph, contractor)
    roots = [(label, lowerer.output(e, orientation, options.structured))
             for label, e, orientation in outputs]
    printer = Printer(tgt, variables, roots)
    source = printer.source(name)
    fname = source.split("\ndef ", 1)[1].split("(", 1)[0]
    return Program(source, fname, target, tuple(label for label, _, _ in outputs))


# --- the audited exec ---------------------------------------------------------------------------

_MODULES = {"numpy", "jax", "jax.numpy", "torch", "matdiff.codegen.runtime", "matdiff.matfun",
            "matdiff.codegen.matfun_runtime"}
_SPEC = re.compile(r"^[A-Za-z,\->]*$")  # einsum specs; the only other bare strings


def audit(source: str) -> ast.Module:
    """Parse generated source and check it holds only what `printer` writes.

    Allowed: imports of the target modules, one function definition, assignments,
    `if … raise ValueError(…)` shape checks, augmented assignment onto a subscript, calls,
    arithmetic, subscripts, attributes, tuples and lists, numbers, and strings that are einsum
    specs or error messages. Every identifier is a plain ASCII identifier.
    """
    tree = ast.parse(source)
    for node in ast.walk(tree):
        _check(node)
    messages = {id(c) for f in ast.walk(tree) if isinstance(f, ast.JoinedStr)
                for c in ast.walk(f)}
    docstrings = {id(f.body[0].value) for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)
                  and isinstance(f.body[0], ast.Expr)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and id(node) not in messages | docstrings and not _SPEC.match(node.value) \
                and node.value not in ("inf", "-inf", "nan"):
            raise MatdiffError(f"generated code has string {node.value!r}: refused")
    return tree


_FORBIDDEN = (ast.Lambda, ast.ClassDef, ast.Global, ast.Nonlocal, ast.With, ast.While, ast.For,
              ast.Try, ast.Delete, ast.Await)
_FORBIDDEN_NAMES = {"eval", "exec", "compile", "__import__", "open", "getattr", "globals"}


def _check(node: ast.AST) -> None:
    """One node of generated code: refuse anything the printer never writes."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        mods = [node.module] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
        if not set(mods) <= _MODULES:
            raise MatdiffError(f"generated code imports {mods}: refused")
    elif isinstance(node, _FORBIDDEN):
        raise MatdiffError(f"generated code contains {type(node).__name__}: refused")
    elif isinstance(node, ast.Name) and (not is_plain_identifier(node.id)
                                         or node.id in _FORBIDDEN_NAMES):
        raise MatdiffError(f"generated code has identifier {node.id!r}: refused")
    elif isinstance(node, ast.Attribute) and node.attr.startswith("_"):
        raise MatdiffError(f"generated code uses attribute {node.attr!r}: refused")


def load(source: str, name: str) -> Callable:
    """Execute audited, matdiff-generated source and return its function `name`.

    This is the only exec in matdiff. Its input is never user text: `printer` builds the
    source from its own templates, sanitized identifiers (`names.Namer`) and numbers, and
    `audit` re-checks the parsed result before anything runs.
    """
    tree = audit(source)
    filename = f"<matdiff-generated {name}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace: dict = {}
    exec(compile(tree, filename, "exec"), namespace)  # noqa: S102 — audited generated code
    return namespace[name]


__all__ = ["DEFAULT_SIZE", "Options", "Program", "TARGETS", "audit", "generate", "load"]
