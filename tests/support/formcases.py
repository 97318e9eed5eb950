"""Shared by the tests of printed forms: the public corpus and the textbook cases
(tests/data/textbook.json: det, inverse, trace, power, entry-wise and loss derivatives with
the form a person writes, derived by hand), their derivatives in every layout, golden
files, random values, the size measure of a formula, and the KaTeX renderer.

Golden files (tests/golden/forms/<case id>.txt) hold, per layout, the text, Unicode and
LaTeX of the case's derivative; `golden_text` writes one, `latex_lines` reads them back.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
import subprocess
import zlib
from pathlib import Path

import numpy as np

import matdiff as md
from matdiff.language import syntax
from matdiff.language.parser import parse_text

HERE = Path(__file__).resolve().parents[1]  # tests/
CORPUS: list[dict] = json.loads((HERE / "data" / "public.json").read_text())
TEXTBOOK: list[dict] = json.loads((HERE / "data" / "textbook.json").read_text())
LAYOUTS = ("mixed", "numerator", "denominator")
GOLDEN_DIR = HERE / "golden" / "forms"
KATEX_SCRIPT = HERE / "katex_render.js"


def derive(case: dict, layout: str) -> md.Derivative:
    """The case's derivative: md.hessian when wrt is [u, u], else md.derivative."""
    wrt = case["wrt"]
    if isinstance(wrt, list) and len(wrt) == 2 and wrt[0] == wrt[1]:
        return md.hessian(case["expr"], wrt[0], vars=case["vars"], layout=layout)
    return md.derivative(case["expr"], wrt=wrt, vars=case["vars"], layout=layout)


# --- golden files ------------------------------------------------------------------------


def golden_path(case: dict) -> Path:
    return GOLDEN_DIR / f"{case['id']}.txt"


def _dims(d: md.Derivative) -> str:
    return "×".join(str(x) for x in d.dims) or "scalar"


def golden_text(case: dict) -> str:
    """The golden file of one case: a header, then one block per layout."""
    wrt = case["wrt"]
    lines = [
        f"# {case['id']}",
        f"expr: {case['expr']}",
        f"wrt: {', '.join(wrt) if isinstance(wrt, list) else wrt}",
        "vars: " + "; ".join(f"{k}: {v}" for k, v in case["vars"].items()),
    ]
    for layout in LAYOUTS:
        d = derive(case, layout)
        lines += ["", f"[{layout}] dims: {_dims(d)}",
                  f"text:    {d}", f"unicode: {d.unicode()}", f"latex:   {d.latex()}"]
        if d.arrangement.note:
            lines.append(f"note:    {d.arrangement.note}")
    return "\n".join(lines) + "\n"


def latex_lines(text: str) -> list[str]:
    """The LaTeX strings of a golden file."""
    return [line.split(":", 1)[1].strip() for line in text.splitlines()
            if line.startswith("latex:")]


# --- random values -----------------------------------------------------------------------


def case_values(case: dict, d: md.Derivative, seed: int = 0) -> dict:
    """Random values for the case's variables: sizes from `dims`, sampled per `domain`."""
    rng = np.random.default_rng(zlib.crc32(case["id"].encode()) + seed)
    domain = case.get("domain") or {}
    values = {}
    for name, var in d.variables.items():
        shape = tuple(x if isinstance(x, int) else case["dims"][x] for x in var.dims)
        values[name] = _sample(rng, shape, var.symmetric, domain.get(name))
    return values


def _sample(rng, shape, symmetric: bool, domain: str | None):
    if domain == "spd":
        r = rng.uniform(-1, 1, shape)
        value = r @ r.T + shape[0] * np.eye(shape[0])
    elif domain == "invertible":
        value = rng.uniform(-0.5, 0.5, shape) + shape[0] * np.eye(shape[0])
    elif domain == "positive":
        value = rng.uniform(0.5, 2.0, shape)
    elif domain == "probability":
        value = rng.uniform(0.05, 0.95, shape)
    elif domain == "pm1":
        value = rng.choice([-1.0, 1.0], shape)
    else:
        value = rng.uniform(-1, 1, shape)
    if symmetric:
        value = (value + value.T) / 2
    return float(value) if shape == () else value


# --- size of a formula --------------------------------------------------------------------


def formula_size(text: str) -> int:
    """Operators plus function applications in `text` (each Binary/Unary/Transpose/Call)."""
    count, stack = 0, [parse_text(text)]
    while stack:
        node = stack.pop()
        if isinstance(node, syntax.Binary):
            count += 1
            stack += [node.left, node.right]
        elif isinstance(node, (syntax.Unary, syntax.Transpose)):
            count += 1
            stack.append(node.operand)
        elif isinstance(node, syntax.Call):
            count += 1
            stack += list(node.args)
    return count


# --- KaTeX -----------------------------------------------------------------------------------


def node_executable() -> str | None:
    return shutil.which("node") or shutil.which("nodejs")


def katex_errors(sources: list[str]) -> list[str | None]:
    """Render every string with KaTeX in one node process: None where it rendered,
    else KaTeX's message. Fails (does not skip) when KaTeX is not installed."""
    result = subprocess.run([node_executable(), str(KATEX_SCRIPT)], input=json.dumps(sources),
                            capture_output=True, text=True, timeout=120, cwd=HERE.parent)
    if result.returncode not in (0, 1):
        raise AssertionError(f"tests/katex_render.js failed (run `npm ci` at the repository "
                             f"root): {result.stderr.strip()}")
    errors = json.loads(result.stdout)
    assert len(errors) == len(sources)
    return errors


def assert_matches_golden(path, current: str, what: str) -> None:
    """Compare `current` with the golden file at `path`, or rewrite it under
    MATDIFF_UPDATE_GOLDENS=1 (then review the diff)."""
    if os.environ.get("MATDIFF_UPDATE_GOLDENS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(current)
        return
    golden = path.read_text()
    diff = "".join(difflib.unified_diff(golden.splitlines(True), current.splitlines(True)))
    assert golden == current, f"{what} changed; review, then regenerate:\n{diff}"
