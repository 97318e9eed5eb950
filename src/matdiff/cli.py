"""The `matdiff` command: differentiate an expression and print the result.

    matdiff "x'*A*x" --wrt x [--var "A: matrix(n,n) symmetric"] [--layout numerator]
            [--symmetric sym|cookbook] [--hessian] [--check]
            [--format text|unicode|latex|json|numpy|jax|torch]
            [--explain [text|markdown|json]]
    matdiff serve [--host 127.0.0.1] [--port 8000] [--open]      (the web page, `matdiff.web`)
    matdiff "-logdet(X)" --wrt X --convexity [--domain "X: spd"] [--format json]

Bad input prints the error and exits with status 2; no traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from typing import Callable

from .api import Derivative, convexity, derivative
from .errors import MatdiffError, MatdiffWarning
from .functions import DOMAINS
from .web.serve import main as serve
from .calculus.layout import LAYOUTS
from .calculus.symmetric import SYMMETRIC_MODES

CODE_FORMATS = ("numpy", "jax", "torch")  # Python source of the derivative (matdiff.codegen)
FORMATS = ("text", "unicode", "latex", "json") + CODE_FORMATS


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="matdiff", description="Matrix calculus: derivatives in "
                                "compact matrix notation.")
    p.add_argument("expression", help="e.g. \"x'*A*x\" (quote it for the shell)")
    p.add_argument("--wrt", required=True, action="append",
                   help="variable to differentiate by; repeat for a second derivative")
    p.add_argument("--var", action="append", default=[], metavar="NAME: TYPE",
                   help="declare a type, e.g. \"A: matrix(n,n) symmetric\" or "
                   "\"x: vector(n) positive\"; repeatable")
    p.add_argument("--layout", choices=LAYOUTS, default="mixed")
    p.add_argument("--symmetric", choices=SYMMETRIC_MODES, default="sym",
                   help="by a symmetric matrix: sym(G) = (G + G')/2 (default) or the Matrix "
                   "Cookbook's G + G' - I∘G")
    p.add_argument("--hessian", action="store_true", help="second derivative by --wrt twice")
    p.add_argument("--check", action="store_true", help="verify with finite differences")
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument("--explain", nargs="?", const="text", choices=("text", "markdown", "json"),
                   help="print a step-by-step derivation instead (default: text)")
    p.add_argument("--convexity", action="store_true",
                   help="is the (scalar) expression convex or concave in --wrt?")
    p.add_argument("--domain", action="append", default=[], metavar="NAME: DOMAIN",
                   help="with --convexity: what a variable ranges over, as the domain word of "
                   f"its declaration would say ({', '.join(DOMAINS)}); repeatable")
    return p


def _declarations(items: list[str], flag: str = "--var", kind: str = "TYPE",
                  example: str = "A: matrix(n,n)") -> dict[str, str]:
    decls: dict[str, str] = {}
    for item in items:
        name, sep, decl = item.partition(":")
        name = name.strip()
        if not sep or not name:
            raise MatdiffError(f"{flag} expects 'NAME: {kind}', e.g. '{example}'; got '{item}'")
        if name in decls:
            raise MatdiffError(f"{flag} gives '{name}' twice: '{decls[name]}' and '{decl.strip()}'")
        decls[name] = decl.strip()
    return decls


def _expression_first(argv: list[str]) -> list[str]:
    """argparse takes '-logdet(X)' for an option; a leading space keeps it the expression.

    Options here are all long (`--wrt`), so any other word that starts with one '-'
    (except -h) is an expression that begins with a minus sign.
    """
    return [" " + arg if arg.startswith("-") and not arg.startswith("--")
            and arg not in ("-", "-h") else arg for arg in argv]


def _convexity(args) -> int:
    if len(set(args.wrt)) != 1:
        raise MatdiffError("--convexity needs one variable in --wrt")
    c = convexity(args.expression, args.wrt[0], _declarations(args.var),
                  _declarations(args.domain, "--domain", "DOMAIN", "X: spd"))
    if args.format == "json":
        print(json.dumps(c.to_dict(), indent=2))
    else:
        print(c, end="")
    return 0


def run(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(_expression_first(sys.argv[1:] if argv is None else argv))
    args.expression = args.expression.strip()
    if args.convexity:
        return _convexity(args)
    if args.domain:
        raise MatdiffError("--domain is used with --convexity")
    if args.hessian and len(args.wrt) != 1:
        raise MatdiffError("--hessian differentiates twice by one --wrt; for a mixed second "
                           "derivative give --wrt twice without --hessian")
    wrt = args.wrt * 2 if args.hessian else args.wrt
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", MatdiffWarning)
        d = derivative(args.expression, wrt, _declarations(args.var), layout=args.layout,
                       symmetric=args.symmetric)
    for warning in caught:
        print(f"matdiff: warning: {warning.message}", file=sys.stderr)
    if args.explain:
        print(d.explain(args.explain), end="")
        return 0
    if args.format in CODE_FORMATS:
        print(d.code(args.format), end="")
        report = d.check() if args.check else None
        if report is not None:
            print(report, file=sys.stderr)
        return 0 if report is None or report.ok else 1
    if args.format == "json":
        payload = d.to_dict()
        if args.check:
            report = d.check()
            payload["check"] = {"ok": report.ok, "max_error": report.max_error}
        print(json.dumps(payload, indent=2))
        return 0 if not args.check or payload["check"]["ok"] else 1
    shown: dict[str, Callable[[Derivative], str]] = {
        "text": str, "unicode": lambda x: x.unicode(), "latex": lambda x: x.latex()}
    print(shown[args.format](d))
    if d.arrangement.note:
        print(f"note: {d.arrangement.note}", file=sys.stderr)
    if d.axes():
        print(f"axes: {d.axes()}", file=sys.stderr)
    if args.check:
        report = d.check()
        print(report)
        return 0 if report.ok else 1
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["serve"] and "--wrt" not in argv:  # `matdiff serve --wrt x` is an expression
        return serve(argv[1:])
    try:
        return run(argv)
    except MatdiffError as err:
        print(f"matdiff: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
