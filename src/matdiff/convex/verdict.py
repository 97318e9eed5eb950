"""Is a scalar function convex or concave in one variable? A certificate, a counterexample,
or "unknown", for each of the two.

    >>> import matdiff as md
    >>> c = md.convexity("sum(log(exp(-y.*(X*w)) + vector(1)))", wrt="w")
    >>> c.verdict
    'convex'
    >>> c.convex.status, c.concave.status
    ('certified', 'refuted')

`print(c)` shows the verdict, the Hessian and the rules of the certificate; `c.to_dict()`
the same for JSON.

- certified: the Hessian's IR is shown PSD (NSD for concave) by the structural rules of
  `definite.py`, which hold at every point where the Hessian is defined: the function is
  convex on every convex set where it is twice differentiable. Functions that may have
  kinks (abs, relu, sign; sqrt(u) or u.^0.5 where u may reach 0) are never certified.
- refuted: `counterexample.search` found a point where the Hessian has a negative
  (positive) eigenvalue, re-checked by the function's own second difference.
- unknown: neither.

What the variables range over is declared with them (`x: vector(n) positive`,
`X: matrix(n,n) spd`; the words of `functions.DOMAINS`), or given as `domain={"X": "spd"}`,
an alias of the same word in the declaration. The rules use domains as facts and the
sampling draws points from them; the variable differentiated by, when 'psd'/'spd' or
declared symmetric, moves in symmetric directions only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

from ..ir.build import add, einsum
from .counterexample import Counterexample, search, symmetric_directions
from .definite import UNKNOWN, Finding, definiteness
from ..errors import MatdiffError
from ..ir import Add, Elementwise, Expr, Number, Power, Var, map_bottom_up, walk
from ..ir.traverse import depends_on
from ..functions import ENTRYWISE
from ..analysis.signs import bounds
from ..pipeline import derive

SAMPLES = 200


@dataclass(frozen=True)
class Answer:
    """One property ('convex' or 'concave'): 'certified', 'refuted' or 'unknown'."""

    property: str
    status: str
    rules: tuple[str, ...] = ()
    counterexample: Counterexample | None = None

    def to_dict(self) -> dict:
        return {"status": self.status, "rules": list(self.rules),
                "counterexample": self.counterexample.to_dict() if self.counterexample else None}

    def text(self) -> str:
        if self.status == "certified":
            return f"{self.property}: yes, certified by\n" + "".join(
                f"  - {rule}\n" for rule in self.rules)
        if self.status == "refuted":
            c = self.counterexample
            assert c is not None  # refuted: by a counterexample
            where = ", ".join(f"{k} = {_array(v)}" for k, v in sorted(c.point.items()))
            return (f"{self.property}: no; at {where}\n  the Hessian has the eigenvalue "
                    f"{c.eigenvalue:.4g} in the direction {_array(c.direction)}\n")
        return f"{self.property}: unknown\n"


def _array(v) -> str:
    """A value on one line, 4 significant digits: [[1.148, 0.105], [0.105, 1.143]]."""
    a = np.asarray(v, dtype=float)
    if a.ndim == 0:
        return f"{float(a):.4g}"
    return "[" + ", ".join(_array(row) for row in a) + "]"


@dataclass(frozen=True)
class Convexity:
    """The answer for one function and variable; `verdict` sums it up in a word or two."""

    expression: str
    wrt: str
    domain: dict
    hessian: str
    convex: Answer
    concave: Answer
    notes: tuple[str, ...] = field(default=())

    @property
    def verdict(self) -> str:
        """'convex', 'concave', 'affine', 'neither', 'not convex', 'not concave' or 'unknown'."""
        statuses = (self.convex.status, self.concave.status)
        return {("certified", "certified"): "affine", ("refuted", "refuted"): "neither"}.get(
            statuses, "convex" if statuses[0] == "certified" else
            "concave" if statuses[1] == "certified" else
            "not convex" if statuses[0] == "refuted" else
            "not concave" if statuses[1] == "refuted" else "unknown")

    def line(self) -> str:
        """One line: the verdict and what it rests on."""
        why = {"certified": "yes, certified", "refuted": "no, counterexample",
               "unknown": "unknown"}
        return (f"{self.expression} in {self.wrt}: {self.verdict} (convex: "
                f"{why[self.convex.status]}; concave: {why[self.concave.status]})")

    def __str__(self) -> str:
        domain = ", ".join(f"{k}: {v}" for k, v in sorted(self.domain.items()))
        lines = [self.line(), f"Hessian: {self.hessian}"] + ([f"domain: {domain}"] if domain
                                                            else [])
        text = "\n".join(lines) + "\n" + self.convex.text() + self.concave.text()
        return text + "".join(f"note: {n}\n" for n in self.notes)

    def to_dict(self) -> dict:
        return {"expression": self.expression, "wrt": self.wrt, "domain": dict(self.domain),
                "verdict": self.verdict, "line": self.line(), "hessian": self.hessian,
                "convex": self.convex.to_dict(), "concave": self.concave.to_dict(),
                "notes": list(self.notes)}


def analyse(expr: str, f: Expr, hessian: Expr, variables: Mapping[str, Var], wrt: str,
            show_hessian: Callable[[], str], *, samples: int = SAMPLES,
            seed: int = 0) -> Convexity:
    """Convexity and concavity of the scalar f (written `expr`) in `wrt`, from its Hessian
    (mixed layout; `show_hessian()` prints it); see the module docstring. What the
    variables range over comes from their declarations (`Var.domain`)."""
    if f.rank != 0:
        raise MatdiffError(f"convexity needs a scalar function; '{expr}' has dims {f.dims}")
    domains = domains_of(variables)
    var = variables[wrt]
    if var.symmetric:  # on symmetric directions every extension has the same Hessian
        hessian = entrywise_hessian(f, var)
    finding, notes = certify(f, hessian, var, domains)
    negative = positive = None
    if finding.definite != (True, True):  # a zero Hessian needs no search
        negative, positive = search(f, hessian, variables, wrt, domains, samples, seed)
    rules = finding.rules or (("the Hessian is zero",) if finding.definite == (True, True)
                              else ())
    convex = _answer("convex", finding.definite.psd, rules, negative)
    concave = _answer("concave", finding.definite.nsd, rules, positive)
    if "unknown" in (convex.status, concave.status) and not notes:
        notes += (f"unknown: no rule applies and {samples} sampled points show no "
                  "counterexample; stating a domain (e.g. x: positive) may decide it",)
    return Convexity(expr, wrt, dict(domains), show_hessian(), convex, concave, notes)


def _answer(prop: str, certified: bool, rules, counterexample) -> Answer:
    if certified:
        return Answer(prop, "certified", rules)
    if counterexample is not None:
        return Answer(prop, "refuted", (), counterexample)
    return Answer(prop, "unknown")


def certify(f: Expr, h: Expr, var: Var, domains: Mapping[str, str]
            ) -> tuple[Finding, tuple[str, ...]]:
    """The structural finding for the Hessian h of f in var, and notes on what limits it."""
    kinks = kinks_of(f, var.name, domains)
    if kinks:
        return Finding(UNKNOWN), (
            f"not certified: {', '.join(kinks)} may have kinks (as sqrt(x.^2) = abs(x) "
            "does), where the Hessian does not exist",)
    finding = definiteness(h, var.rank, domains)
    if finding.definite == UNKNOWN and symmetric_directions(var, domains):
        finding = _symmetric_directions(h, domains)
    return finding, ()


def kinks_of(f: Expr, wrt: str, domains: Mapping[str, str]) -> list[str]:
    """Parts of f that may not be twice differentiable in `wrt` inside its domain: functions
    with kinks, and roots or fractional powers of an argument that may reach 0."""
    found, depends = set(), depends_on(f, wrt)
    for n in walk(f):
        if not depends[id(n)]:
            continue
        if isinstance(n, Elementwise) and not ENTRYWISE[n.fn].smooth:
            found.add(n.fn)
        root = n.arg if isinstance(n, Elementwise) and n.fn == "sqrt" else \
            n.base if isinstance(n, Power) and _fractional(n.exponent) else None
        if root is not None and not _away_from_zero(root, domains):
            found.add("sqrt" if isinstance(n, Elementwise) else "a fractional power")
    return sorted(found)


def _fractional(p: Expr) -> bool:
    return not isinstance(p, Number) or p.value != int(p.value)


def _away_from_zero(e: Expr, domains: Mapping[str, str]) -> bool:
    """e > 0 at every point of the domain: a positive variable, or bounded below by > 0."""
    if isinstance(e, Var) and domains.get(e.name) == "positive":
        return True
    return bounds(e, domains)[0] > 0


def _symmetric_directions(h: Expr, domains) -> Finding:
    """For symmetric directions E, Σ E[a,b] H[a,b,c,d] E[c,d] is unchanged when c, d swap."""
    terms = h.terms if isinstance(h, Add) else ((1.0, h),)
    swapped = add(*((c, einsum([t], [(0, 1, 2, 3)], (0, 1, 3, 2))) for c, t in terms))
    found = definiteness(swapped, 2, domains)
    if found.definite == UNKNOWN:
        return found
    rule = "symmetric directions: the Hessian's last two axes may be swapped"
    return Finding(found.definite, found.rules + (rule,))


def entrywise_hessian(f: Expr, var: Var) -> Expr:
    """The Hessian of f by the entries of a symmetric var, as if f were a function of a
    general matrix: on symmetric directions, all it is asked about, its quadratic form is
    the symmetrized Hessian's (every extension of f has the same one there)."""
    plain = Var(var.name, var.dims)
    general = map_bottom_up(f, lambda n: plain if isinstance(n, Var) and n.name == var.name
                            else n)
    return derive(derive(general, plain), plain)


def domains_of(variables: Mapping[str, Var]) -> dict[str, str]:
    """The declared domain of every variable that has one (`functions.DOMAINS`)."""
    return {name: v.domain for name, v in variables.items() if v.domain is not None}
