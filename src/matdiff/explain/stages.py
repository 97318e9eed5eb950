"""Explanations of any `Derivative`: a first derivative directly, a higher one in stages.

A derivative by several variables (a Hessian, a mixed partial) is explained as
one derivation per variable: stage k differentiates the printed result of
stage k − 1 (which re-parses to the same value). Intermediates are numbered on
across stages so every name is unique, and the last step is exactly `str(d)`.
"""

from __future__ import annotations

import dataclasses

from .decompose import Intermediate
from .derive import SAME_VALUE, Explanation, explain_one, final_step
from .steps import Partial, Step


def explain_steps(d) -> Explanation:
    """The derivation of `d` as structured steps (see `derive` and the module doc)."""
    if len(d.wrt) == 1:
        return explain_one(d)
    steps: list[Step] = []
    intermediates: list[Intermediate] = []
    titles: list[str] = []
    stage: Explanation | None = None
    for k, dk in enumerate(d.stages()):
        stage = explain_one(dk, first=len(intermediates) + 1)
        titles.append(stage.title)
        intermediates += stage.intermediates
        steps += [dataclasses.replace(s, stage=k + 1) for s in stage.steps]
        text = str(dk)
    assert stage is not None  # d has two or more stages
    if text != str(d):  # the same value, as matdiff prints it when differentiating at once
        lhs = steps[-1].lhs if isinstance(steps[-1].lhs, Partial) else None
        rule = SAME_VALUE
        steps.append(dataclasses.replace(
            final_step(d, stage.wrt, dk.function.expr, rule, lhs), stage=len(d.wrt)))
    title = f"∂/∂{', '.join(d.wrt)} (in turn) of f = {d.function.text}"
    return Explanation(title, stage.layout, stage.wrt, intermediates, dict(d.variables), steps,
                       titles)
