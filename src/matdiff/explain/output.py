"""Printing an explanation: plain text, Markdown with LaTeX, or JSON for the web page.

Contract: every format prints the same steps in the same order; the last
right-hand side is exactly `str(d)` (text), `d.latex()` (LaTeX). A step that
continues the previous one (same left-hand side) prints as `= …` below it.
"""

from __future__ import annotations

import json

from ..notation import render
from ..notation.forms import Sym
from .derive import Explanation
from .steps import SECTIONS, Partial, Step


def _symbol(name: str, style: str) -> str:
    return render(Sym("scalar", name), style)


def partial_text(p: Partial, style: str) -> str:
    """∂u/∂x, or du/dx for a derivative through every path, in text or LaTeX."""
    num, den = _symbol(p.num, style), _symbol(p.den, style)
    if style == "latex":
        d = "d" if p.total else r"\partial"
        return rf"\frac{{{d} {num}}}{{{d} {den}}}"
    d = "d" if p.total else "∂"
    return f"{d}{num}/{d}{den}"


def lhs_text(step: Step, style: str) -> str:
    if isinstance(step.lhs, Partial):
        return partial_text(step.lhs, style)
    return _symbol(step.lhs, style)


def rhs_text(step: Step, style: str) -> str:
    """The right-hand side: a printed form or a symbolic chain-rule formula."""
    if step.form is not None:
        return render(step.form, style)
    return " + ".join(" ".join(partial_text(p, style) for p in product)
                      for product in step.chain)


def _continues(previous: Step | None, step: Step) -> bool:
    """True when `step` goes on from `previous` (printed as `= …` under it)."""
    return previous is not None and previous.lhs == step.lhs \
        and previous.section == step.section


def _tag(step: Step, style: str) -> tuple[str, str]:
    shape = step.shapes or step.shape
    if style == "latex":
        shape = shape.replace("×", r"\times ").replace("→", r"\to")
    return shape, step.rule


# --- text ---------------------------------------------------------------------------------


def to_text(ex: Explanation) -> str:
    lines = [ex.title, f"({ex.layout} layout)"]
    previous = None
    for step in ex.steps:
        if ex.stage_titles and step.stage != getattr(previous, "stage", None):
            lines += ["", f"Stage {step.stage}: {ex.stage_titles[step.stage - 1]}"]
            previous = None
        if step.section != getattr(previous, "section", None):
            lines += ["", f"{step.section}. {SECTIONS[step.section]}"]
        lhs = lhs_text(step, "text")
        head = " " * len(lhs) if _continues(previous, step) else lhs
        shape, rule = _tag(step, "text")
        lines.append(f"   {head} = {rhs_text(step, 'text')}    [{shape}; {rule}]")
        if step.note:
            lines.append(f"   {' ' * len(lhs)}   {step.note}")
        previous = step
    return "\n".join(lines) + "\n"


# --- markdown -------------------------------------------------------------------------------


def _literal(text: str) -> str:
    """Plain text inside Markdown: `*` and `_` stay characters (x'*A*x is no emphasis)."""
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_")


def to_markdown(ex: Explanation) -> str:
    lines = [f"### {_literal(ex.title)}", "", f"*{ex.layout} layout*"]
    previous = None
    for step in ex.steps:
        if ex.stage_titles and step.stage != getattr(previous, "stage", None):
            lines += ["", f"#### Stage {step.stage}: {ex.stage_titles[step.stage - 1]}"]
            previous = None
        if step.section != getattr(previous, "section", None):
            lines += ["", f"**{step.section}. {SECTIONS[step.section]}**", ""]
        lhs = "" if _continues(previous, step) else lhs_text(step, "latex")
        shape, rule = _tag(step, "latex")
        lines.append(f"- ${lhs} = {rhs_text(step, 'latex')}$ &nbsp; ${shape}$ — *{rule}*")
        if step.note:
            lines.append(f"  <br>{_literal(step.note)}")
        previous = step
    return "\n".join(lines) + "\n"


# --- json -----------------------------------------------------------------------------------


def to_json(ex: Explanation) -> str:
    """A JSON list of steps: section, lhs, expression (text), latex, shape, rule, note."""
    out = []
    for step in ex.steps:
        lhs_t, lhs_l = lhs_text(step, "text"), lhs_text(step, "latex")
        out.append({
            "stage": step.stage,
            "section": step.section,
            "title": SECTIONS[step.section],
            "lhs": lhs_t,
            "expression": f"{lhs_t} = {rhs_text(step, 'text')}",
            "latex": f"{lhs_l} = {rhs_text(step, 'latex')}",
            "shape": step.shapes or step.shape,
            "rule": step.rule,
            "note": step.note,
        })
    return json.dumps(out, indent=2, ensure_ascii=False)


FORMATS = {"text": to_text, "markdown": to_markdown, "json": to_json}
