"""Build the derivation of a `Derivative`: the four steps of Parr & Howard's procedure.

    1. intermediate variables (`decompose`), each with its shape;
    2. the derivative of each by its arguments, named by kind (`local`);
    3. the chain rule, in the order and layout shown (`chain`);
    4. substitution and simplification, ending at exactly `str(d)`.

Numerator layout (Parr & Howard) and denominator layout (MIT 6.390) are shown
as asked; the mixed layout is worked in numerator layout (it only differs by
writing gradients as columns) and converted in the last step.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from ..numeric.evaluate import evaluate
from ..notation.forms import Form, Lit, Prod, Sum
from ..ir.build import is_number, split_coefficient
from ..ir import Expr, Identity, Var, variables
from ..language import declared
from ..calculus.layout import arrange, arrangement
from ..notation import render, to_form
from ..rewrite import Rewrite, simplify
from ..calculus.symmetric import applies
from .chain import Accumulation, ChainRule, collapse
from .decompose import Intermediate, decompose, substitute
from .local import describe, is_diagonal, local_derivative
from .steps import Check, Partial, Step, shape_text


NO_REWRITE = "simplify: no rewrite applies"
SAME_VALUE = "matdiff's printed form of the same value"


@dataclass
class Explanation:
    """The steps of a derivation and what a test needs to check them."""

    title: str
    layout: str  # the layout the steps are shown in
    wrt: Var
    intermediates: list[Intermediate]
    variables: dict[str, Var]  # the user's
    steps: list[Step] = field(default_factory=list)
    stage_titles: list[str] = field(default_factory=list)  # for a higher derivative

    def bind(self, values: dict) -> dict:
        """`values` of the user's variables plus the value of every intermediate there."""
        out = dict(values)
        for im in self.intermediates:
            out[im.name] = evaluate(im.full, out, context=self.variables)
        return out


def working_layout(layout: str) -> str:
    return "denominator" if layout == "denominator" else "numerator"


def arranged(mixed: Expr, out_rank: int, in_rank: int, layout: str) -> tuple[Expr, bool]:
    """The mixed-layout derivative arranged in `layout`: (IR, shown as a row)."""
    how = arrangement(out_rank, in_rank, layout)
    return arrange(mixed, how), how.row


def form_of(expr: Expr, row: bool) -> Form:
    return to_form(expr, "row" if row else None)


def explain_one(d, first: int = 1) -> Explanation:
    """The derivation of a first derivative `d`; intermediates numbered from `first`."""
    (wrt,) = d.wrt
    x = d.variables[wrt]
    layout = working_layout(d.layout)
    ims = decompose(d.function.text, declared(d.variables), d.variables, wrt, first)
    title = f"∂f/∂{wrt} for f = {d.function.text}"
    ex = Explanation(title, layout, x, ims, dict(d.variables))
    if not ims or wrt not in variables(d.function.expr):  # as a - a, which builds to 0
        what = "the variable itself" if d.function.expr == x else f"constant in {wrt}"
        ex.steps.append(final_step(d, x, d.function.expr, f"no intermediates: f is {what}"))
        return ex
    _Builder(ex, d).run()
    ex.steps = merge_repeats(ex.steps)
    return ex


def merge_repeats(steps: list[Step]) -> list[Step]:
    """Drop a line that prints exactly like the next one for the same lhs (keeping both rules)."""
    out: list[Step] = []
    for step in steps:
        last = out[-1] if out else None
        if (last is not None and last.lhs == step.lhs and last.section == step.section
                and last.form is not None
                and step.form is not None
                and render(last.form, "text") == render(step.form, "text")):
            rule = last.rule if step.rule == NO_REWRITE else f"{last.rule}; {step.rule}"
            out[-1] = dataclasses.replace(step, rule=rule)
        else:
            out.append(step)
    return out


class _Builder:
    def __init__(self, ex: Explanation, d):
        self.ex, self.d = ex, d
        self.x, self.layout, self.ims = ex.wrt, ex.layout, ex.intermediates
        self.local: dict[tuple[str, str], Expr] = {}
        self.ranks = {i.name: i.var.rank for i in self.ims} | {self.x.name: self.x.rank}

    def run(self) -> None:
        self._define()
        self._differentiate()
        accumulations, final = ChainRule(self.ims, self.x, self.local, self.layout).run()
        for acc in accumulations:
            self._chain_steps(acc)
        self._substitute(final)

    def push(self, step: Step) -> None:
        self.ex.steps.append(step)

    # --- 1. intermediates ---------------------------------------------------------------
    def _define(self) -> None:
        root = self.ims[-1]
        for im in self.ims:
            rule = "the function f" if im is root else "intermediate variable"
            self.push(Step(1, im.name, im.local, form_of(im.local, False),
                           shape_text(im.var.dims), rule))

    # --- 2. local derivatives -----------------------------------------------------------
    def _differentiate(self) -> None:
        placeholders = {i.name: i.var for i in self.ims} | {self.x.name: self.x}
        for im in self.ims:
            for a in im.args:
                by = placeholders[a]
                mixed = local_derivative(im.local, by)
                self.local[(im.name, a)] = mixed
                rule, note = describe(im.name, im.var.rank, a, by.rank, mixed, self.layout)
                shown, row = self._arrange(mixed, im.var.rank, by.rank)
                self.push(Step(2, Partial(im.name, a), shown, form_of(shown, row),
                               self._shape(shown, row), rule, note,
                               check=Check(im.local, by, mixed)))

    def _arrange(self, mixed: Expr, out_rank: int, in_rank: int) -> tuple[Expr, bool]:
        return arranged(mixed, out_rank, in_rank, self.layout)

    @staticmethod
    def _shape(expr: Expr, row: bool) -> str:
        return shape_text(expr.dims, row)

    # --- 3. chain rule ------------------------------------------------------------------
    def _chain_steps(self, acc: Accumulation) -> None:
        lhs = acc.lhs
        out_rank, in_rank = self._ranks(lhs)
        result, row = self._arrange(acc.result, out_rank, in_rank)
        raw, _ = self._arrange(acc.raw, out_rank, in_rank)
        shapes = " + ".join("".join(f"({self._factor_shape(p, ir)})" for p, ir in product)
                            for product in acc.factors)
        rule, note = self._chain_rule_name(acc)
        self.push(Step(3, lhs, None, None, self._shape(result, row), rule, note,
                       chain=acc.chain, shapes=f"{shapes} → {self._shape(result, row)}"))
        plugged = self._plugged(acc, result.rank, row)
        if plugged is not None:
            self.push(Step(3, lhs, raw, plugged, self._shape(result, row),
                           "plug in the derivatives of step 2",
                           check=Check(acc.of, acc.by, acc.raw)))
        diagonal = any(self._ranks(p) == (1, 1) and is_diagonal(ir)
                       and not isinstance(split_coefficient(ir)[1], Identity)
                       for product in acc.factors for p, ir in product)
        self.push(Step(3, lhs, result, form_of(result, row), self._shape(result, row),
                       _multiply_rule(diagonal, acc.rewrites),
                       check=Check(acc.of, acc.by, acc.result)))

    def _ranks(self, p: Partial) -> tuple[int, int]:
        return self.ranks[p.num], self.ranks[p.den]

    def _factor_shape(self, p: Partial, ir: Expr) -> str:
        out_rank, in_rank = self._ranks(p)
        shown, row = self._arrange(ir, out_rank, in_rank)
        return self._shape(shown, row)

    def _plugged(self, acc: Accumulation, rank: int, row: bool) -> Form | None:
        """Σ Π of the factors' forms in layout order, or None if one has 3+ axes."""
        kind = ("scalar", "row" if row else "col", "matrix")[rank] if rank <= 2 else None
        products = []
        for product in acc.factors:
            forms = []
            for p, ir in product:
                if sum(self._ranks(p)) > 2 or kind is None:
                    return None
                if not is_number(ir, 1.0):  # a factor 1 (∂(a + b)/∂a) is left out
                    forms.append(form_of(*self._arrange(ir, *self._ranks(p))))
            forms = forms or [form_of(*self._arrange(product[0][1], *self._ranks(product[0][0])))]
            forms.sort(key=lambda f: not isinstance(f, Lit))  # numbers commute: write them first
            assert kind is not None  # else the loop over the product returned None
            products.append(forms[0] if len(forms) == 1 else Prod(kind, tuple(forms)))
        if len(products) == 1:
            return products[0]
        assert kind is not None  # an accumulation has products (add() needs a term)
        return Sum(kind, tuple((1.0, p) for p in products))

    def _chain_rule_name(self, acc: Accumulation) -> tuple[str, str]:
        partials = [p for product in acc.factors for p, _ in product]
        scalar = all(sum(self._ranks(p)) == 0 for p in partials)
        several = len(acc.chain) > 1
        if scalar:
            name = "single-variable total-derivative chain rule" if several else \
                "single-variable chain rule"
        else:
            name = "vector chain rule" + (f", summed over {len(acc.chain)} paths (total "
                                          "derivative)" if several else "")
        return name, self._tensor_note(acc, partials)

    def _tensor_note(self, acc: Accumulation, partials: list[Partial]) -> str:
        """How a 3-axis factor collapses to a matrix in this product (MIT A.9.2)."""
        tensors = [p for p in partials if sum(self._ranks(p)) > 2]
        if not tensors:
            return ""
        p = tensors[0]
        head = f"∂{p.num}/∂{p.den} has {sum(self._ranks(p))} axes, but "
        name = next(n for n in ("g", "g0", "g00", "g000") if n not in self.ex.variables)
        found = collapse(acc, self.layout, name)
        if found is None:
            return head + "summed against the other factor over the axes they share it " \
                "collapses to a matrix (MIT A.9.2)"
        g, collapsed = found
        other = next(q for q in partials if q != p)
        shown, row = self._arrange(collapsed, *self._ranks(acc.lhs))
        text = render(form_of(shown, row), "text")
        return head + f"for any {g.name} = d{other.num}/d{other.den} the product is " \
            f"{text}: it collapses to a matrix (MIT A.9.2)"

    # --- 4. substitute back and simplify ------------------------------------------------
    def _substitute(self, final: Expr) -> None:
        root, x = self.ims[-1], self.x
        lhs = Partial(root.name, x.name, True)
        fulls = {i.name: i.full for i in self.ims}
        substituted = substitute(final, fulls)
        if substituted != final:
            shown, row = self._arrange(substituted, root.var.rank, x.rank)
            self.push(Step(4, lhs, shown, form_of(shown, row), self._shape(shown, row),
                           "substitute the intermediates back",
                           check=Check(root.full, x, substituted)))
        record: list[Rewrite] = []
        simplified = simplify(substituted, record)
        rule = _simplify_rule(record)
        converted = self.d.layout == "mixed" and self.d.arrangement != arrangement(
            root.var.rank, x.rank, "numerator")
        as_d = form_of(arrange(simplified, self.d.arrangement), self.d.arrangement.row)
        if render(as_d, "text") != str(self.d) or converted:
            shown, row = self._arrange(simplified, root.var.rank, x.rank)
            self.push(Step(4, lhs, shown, form_of(shown, row), self._shape(shown, row), rule,
                           check=Check(root.full, x, simplified)))
            rule = "mixed layout: the gradient is written as a column" if converted else \
                SAME_VALUE
            if applies(x):
                rule = SYMMETRIZED[self.d.symmetric].format(x=x.name)
        self.push(final_step(self.d, x, root.full, rule, lhs))


def _multiply_rule(diagonal: bool, rewrites: tuple[str, ...]) -> str:
    parts = ["diagonal Jacobian → element-wise product (MIT A.9.5)"] if diagonal else \
        ["multiply out"]
    if rewrites:
        parts.append("rules: " + ", ".join(rewrites))
    return "; ".join(parts)


def _simplify_rule(record: list[Rewrite]) -> str:
    names = list(dict.fromkeys(r.rule for r in record))
    return "simplify: " + ", ".join(names) if names else NO_REWRITE


SYMMETRIZED = {  # the last step's rule by a symmetric matrix, per `symmetric=` mode
    "sym": "{x} is symmetric: the gradient on symmetric matrices is sym(G) = (G + G')/2 "
           "(Srinivasan & Panda 2019)",
    "cookbook": "{x} is symmetric: by its independent entries, G + G' - I∘G "
                "(Matrix Cookbook)",
}


def final_step(d, x: Var, function: Expr, rule: str, lhs: Partial | None = None) -> Step:
    """The last step: exactly `str(d)`, in d's layout."""
    shape = shape_text(d.dims) if d.arrangement.vec else shape_text(d.expr.dims, d.arrangement.row)
    return Step(4, lhs or Partial("f", x.name, True), d.expr, d.form(), shape, rule,
                d.arrangement.note,
                check=Check(function, x, d.mixed, d.symmetric if applies(x) else None))
