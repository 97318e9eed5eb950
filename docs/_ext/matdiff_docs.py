"""Reference tables generated from matdiff itself, so the documentation cannot drift.

Directives:

- ``matdiff-functions``: every function of the input language (`functions.KNOWN_FUNCTIONS`):
  the arguments it takes, its domain and its derivative rule, from its entry in the function
  tables; every derivative shown is computed by `matdiff.derivative` at build time.
- ``matdiff-operators``: the operators by precedence, from the parser's binding powers.
- ``matdiff-cli``: the options of the ``matdiff`` command, from `cli._parser()`.
- ``optional-figure``: a figure shown only when its image file exists (screenshots that a
  later step produces).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.parsers.rst.directives.images import Figure
from sphinx.util.docutils import SphinxDirective

import matdiff as md
from matdiff import cli
from matdiff.language import parser
from matdiff.functions import (
    ENTRYWISE, KNOWN_FUNCTIONS, LITERAL_ARG_FUNCTIONS, MATRIX, PRIMARY, STRUCTURAL,
)


@dataclass(frozen=True)
class Code:
    """A table cell shown as inline code."""

    text: str


def _paragraph(content) -> nodes.paragraph:
    para = nodes.paragraph()
    if isinstance(content, Code):
        para += nodes.literal(content.text, content.text)
    else:
        para += nodes.Text(str(content))
    return para


def _cell(content) -> nodes.entry:
    """A cell: one paragraph, or one per item of a list."""
    items = content if isinstance(content, list) else [content]
    return nodes.entry("", *(_paragraph(item) for item in items))


def table(headers: list[str], rows: list[list]) -> nodes.table:
    """A docutils table; a cell is a str (text), a `Code` (inline code) or a list of them."""
    group = nodes.tgroup(cols=len(headers))
    group += [nodes.colspec(colwidth=1) for _ in headers]
    head = nodes.thead()
    head += nodes.row("", *(_cell(h) for h in headers))
    body = nodes.tbody()
    body += [nodes.row("", *(_cell(c) for c in row)) for row in rows]
    group += [head, body]
    return nodes.table("", group)


# --- functions ----------------------------------------------------------------------------

# Sample arguments of the functions that are not entry-wise: a vector and a matrix (their
# types come from the first letter). Entry-wise functions are shown on a scalar `a`.
SAMPLES = ("x", "X")

DOMAINS = {  # functions.EntrywiseFunction.domain -> words
    "real": "all reals",
    "positive": "u > 0",
    "unit": "|u| < 1",
}

def _derivative_by(fn: str, arg: str) -> str | None:
    """`∂fn(arg)/∂arg` as matdiff writes it (mixed layout), or None if `arg` does not fit."""
    try:
        d = md.derivative(f"{fn}({arg})", wrt=arg)
    except md.MatdiffError:
        return None
    return str(d)


def _entrywise_row(fn: str) -> list:
    rule = ENTRYWISE[fn]
    domain = DOMAINS.get(rule.domain, rule.domain)
    if not rule.smooth:
        domain += "; derivative almost everywhere"
    return [Code(f"{fn}(u)"), "entry-wise, any shape", domain,
            Code(f"d {fn}(a)/da = {_derivative_by(fn, 'a')}")]


def _other_row(fn: str) -> list:
    entry = MATRIX.get(fn) or STRUCTURAL.get(fn) or PRIMARY.get(fn)
    summary, domain = (entry.summary, entry.domain) if entry is not None else ("", "")
    rules = []
    for arg in SAMPLES:
        result = _derivative_by(fn, arg)
        if result is not None:
            rules.append(Code(f"d {fn}({arg})/d{arg} = {result}"))
    return [Code(f"{fn}(u)"), summary, domain, rules]


def function_rows() -> list[list]:
    """One row per function of the language: entry-wise ones first, each group sorted."""
    names = sorted(KNOWN_FUNCTIONS - LITERAL_ARG_FUNCTIONS)
    entrywise = [fn for fn in names if fn in ENTRYWISE]
    others = [fn for fn in names if fn not in ENTRYWISE]
    return [_entrywise_row(fn) for fn in entrywise] + [_other_row(fn) for fn in others]


class FunctionsTable(SphinxDirective):
    """``matdiff-functions``: the functions of the input language."""

    def run(self):
        headers = ["function", "what it computes", "domain", "derivative (mixed layout)"]
        return [table(headers, function_rows())]


# --- operators ------------------------------------------------------------------------------

OPERATOR_MEANINGS = {
    "'": "transpose (postfix)",
    "^": "power: of a scalar, or an integer power of a square matrix (X^-1 = inv(X))",
    ".^": "entry-wise power",
    "prefix": "sign: -u, +u",
    "*": "matrix product; scaling when one side is a scalar",
    "/": "division by a scalar",
    ".*": "entry-wise (Hadamard) product",
    "./": "entry-wise division",
    "+": "sum (same shapes)",
    "-": "difference (same shapes)",
}


def operator_rows() -> list[list]:
    """Operators from tightest to loosest binding, from the parser's binding powers."""
    levels: dict[int, list[str]] = {}
    for op, (left, _) in parser._INFIX.items():
        levels.setdefault(left, []).append(op)
    levels[parser._PREFIX_BP] = ["prefix"]
    levels[parser._POWER_BP].append("'")  # the postfix transpose binds like ^
    rows = []
    for bp in sorted(levels, reverse=True):
        ops = levels[bp]
        if ops == ["prefix"]:
            rows.append([Code("-u  +u"), "prefix", OPERATOR_MEANINGS["prefix"]])
            continue
        left, right = parser._INFIX[ops[0]]
        assoc = "right to left" if right < left else "left to right"
        meaning = "; ".join(f"{op} {OPERATOR_MEANINGS.get(op, '')}".strip() for op in ops)
        rows.append([Code("  ".join(ops)), assoc, meaning])
    return rows


class OperatorsTable(SphinxDirective):
    """``matdiff-operators``: precedence, tightest first."""

    def run(self):
        return [table(["operators", "binding", "meaning"], operator_rows())]


# --- command line ---------------------------------------------------------------------------


def cli_rows() -> list[list]:
    rows = []
    for action in cli._parser()._actions:
        if action.dest == "help":
            continue
        name = ", ".join(action.option_strings) or action.dest.upper()
        if action.metavar:
            name += f" {action.metavar}"
        elif action.choices:
            name += " {" + "|".join(action.choices) + "}"
        details = action.help or ""
        if action.default not in (None, False, [], "==SUPPRESS=="):
            details += f" (default: {action.default})"
        if action.required and action.option_strings:
            details += " (required)"
        rows.append([Code(name), details.strip()])
    return rows


class CliTable(SphinxDirective):
    """``matdiff-cli``: the usage line and every option of the ``matdiff`` command."""

    def run(self):
        usage = cli._parser().format_usage().strip()
        block = nodes.literal_block(usage, usage, language="text")
        return [block, table(["argument", "meaning"], cli_rows())]


# --- figures that may not exist yet -----------------------------------------------------------


class OptionalFigure(Figure):
    """A figure when its image file exists; nothing (no warning) otherwise."""

    option_spec = dict(Figure.option_spec, alt=directives.unchanged)

    def run(self):
        source = Path(self.state.document.current_source).parent
        if not (source / self.arguments[0]).is_file():
            return []
        return super().run()


def setup(app):
    app.add_directive("matdiff-functions", FunctionsTable)
    app.add_directive("matdiff-operators", OperatorsTable)
    app.add_directive("matdiff-cli", CliTable)
    app.add_directive("optional-figure", OptionalFigure)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
