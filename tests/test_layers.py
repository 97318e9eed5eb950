"""The package's layers point one way: the engine and its printers below, `api` on top of
them, the command line and the web page on top of `api`."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "matdiff"


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, as written (relative imports keep their dots)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            names.add(base)
            names.update(f"{base}.{alias.name}" if node.module else base + alias.name
                         for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def layer_files(*packages: str) -> list[Path]:
    return [p for package in packages for p in sorted((SRC / package).glob("*.py"))]


@pytest.mark.parametrize("path", layer_files("codegen", "explain"), ids=lambda p: p.name)
def test_codegen_and_explain_do_not_import_the_api(path):
    assert not any(name.endswith("api") or ".api." in name for name in imported_modules(path))


@pytest.mark.parametrize("path", sorted(SRC.glob("*.py")) + layer_files("codegen", "explain"),
                         ids=lambda p: p.name)
def test_nothing_below_the_web_page_imports_it(path):
    assert not any("web" in name.split(".") for name in imported_modules(path)
                   if path.name not in ("cli.py",))
