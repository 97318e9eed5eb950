"""The package's layers point one way, and nothing imports the engine inside a function.

`LAYERS` is the architecture (docs/architecture.md draws the same table): a module may
import from its own subpackage or from a lower layer, never sideways or upward. Every
import statement counts, at module level and inside functions alike; inside a function
only third-party modules may be imported (optional ones: scipy, jax, torch), and the
package root `matdiff` by the web page's worker processes, which run the public API.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "matdiff"

LAYERS: list[tuple[str, ...]] = [
    ("errors",),                # the exception family
    ("functions",),             # facts about every built-in function; no IR
    ("matfun",),                # the runtime generated NumPy code imports (functions.primary)
    ("ir",),                    # the tensor IR and its smart constructors
    ("language", "analysis"),   # text → IR; sound structural facts about IR
    ("calculus", "notation"),   # IR → derivative IR; IR → what a person reads
    ("rewrite",),               # simplification
    ("pipeline",),              # the stages composed once
    ("numeric", "codegen"),     # numbers; generated code
    ("convex", "explain"),      # convexity certificates; derivations
    ("api",),                   # the public Python API
    ("products",),              # hvp, jvp, vjp
    ("optimize",),              # minimize
    ("web",),                   # the page and its JSON API
    ("cli",),                   # the command line
    ("__init__", "__main__"),   # the package itself
]
LAYER = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}
# function-level imports of the package's own modules that are allowed: (importer, imported)
LAZY_ROOT = {"web"}  # worker processes import the public API: `import matdiff as md`


def unit_of(module: str) -> str:
    """The layer unit of a dotted module name: its subpackage or flat module."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(SRC.rglob("*.py")):
        parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = modules()


def imports(module: str, path: Path) -> list[tuple[str, bool]]:
    """(absolute name, inside a function?) of every import of the package's own modules."""
    tree = ast.parse(path.read_text())
    nested = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
              for n in ast.walk(f) if n is not f}
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base
                     for a in node.names]
        for name in names:
            if name == "matdiff" or name.startswith("matdiff."):
                found.append((name, id(node) in nested))
    return found


def test_every_module_belongs_to_a_layer():
    units = {unit_of(m) for m in MODULES}
    assert units <= set(LAYER), f"modules in no layer: {sorted(units - set(LAYER))}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module):
    mine = unit_of(module)
    for name, _ in imports(module, MODULES[module]):
        theirs = unit_of(name)
        if theirs == mine or (module == "matdiff" and name != "matdiff"):
            continue  # within a subpackage; the package root re-exports the API
        if name == "matdiff" and mine in LAZY_ROOT:
            continue
        assert LAYER[theirs] < LAYER[mine], (
            f"{module} (layer {LAYER[mine]}, {mine}) imports {name} "
            f"(layer {LAYER[theirs]}, {theirs}): imports must point to lower layers")


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_internal_imports_inside_functions(module):
    mine = unit_of(module)
    for name, nested in imports(module, MODULES[module]):
        if nested and not (name == "matdiff" and mine in LAZY_ROOT):
            raise AssertionError(f"{module} imports {name} inside a function: import it at "
                                 "the top (only optional third-party modules load lazily)")


def test_no_import_circles():
    graph = {m: {n for n, _ in imports(m, p) if n in MODULES and n != m}
             for m, p in MODULES.items()}
    # a package importing its own submodules (re-exports) is not a circle of design
    graph = {m: {n for n in targets if not n.startswith(m + ".")} for m, targets in graph.items()}
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for n in graph[m]:
            if state.get(n) == 1:
                raise AssertionError("import circle: " + " -> ".join(path[path.index(n):] + [n]))
            if n not in state:
                visit(n, path + [n])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])


def test_every_subpackage_says_what_it_is_for():
    for init in SRC.glob("*/__init__.py"):
        assert ast.get_docstring(ast.parse(init.read_text())), init.parent.name


def test_the_top_level_stays_small():
    flat = [p.name for p in SRC.glob("*.py") if p.name not in ("__init__.py", "__main__.py")]
    assert len(flat) <= 8, flat


def test_no_name_hides_a_module():
    """`from matdiff.notation import render` must not make `matdiff.notation.render` a
    function where a module of that name exists: a subpackage re-exports no name that is
    also one of its modules."""
    import importlib

    for module in MODULES:
        if module.count(".") < 1 or module.endswith("__main__"):
            continue
        parent, _, name = module.rpartition(".")
        importlib.import_module(module)
        assert getattr(importlib.import_module(parent), name) is importlib.import_module(module), \
            f"{parent}.{name} is not the module {module}"
