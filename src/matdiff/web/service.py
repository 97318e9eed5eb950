"""What a request to the JSON API may contain, and the work it asks for.

`validate(endpoint, body)` turns a decoded JSON body into a normalized request or raises
`BadRequest`; `compute(endpoint, request)` does the work through the public Python API and
returns `(status, payload)`. `compute` runs in a worker process (see `workers`), so it takes
and returns plain data only. The optional parts of an answer are one table, `EXTRAS`:
adding one (say, a convexity verdict) is one entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ..errors import MatdiffError

MAX_EXPRESSION = 4000      # characters of an expression
MAX_NAME = 100             # characters of a variable name or declaration
MAX_VARIABLES = 100        # declarations in one request
LAYOUTS = ("mixed", "numerator", "denominator")
CODE_TARGETS = ("numpy", "jax", "torch")


class BadRequest(Exception):
    """A request the API cannot read (wrong fields or types); answered with 400."""


# ---- field validators: value -> normalized value, or BadRequest ------------------------

def _string(field: str, limit: int) -> Callable[[Any], str]:
    def check(value):
        if not isinstance(value, str):
            raise BadRequest(f"'{field}' must be a string")
        if len(value) > limit:
            raise BadRequest(f"'{field}' is longer than {limit} characters")
        return value
    return check


def _boolean(field: str) -> Callable[[Any], bool]:
    def check(value):
        if not isinstance(value, bool):
            raise BadRequest(f"'{field}' must be true or false")
        return value
    return check


def _wrt(value) -> list[str]:
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not 1 <= len(names) <= 2 \
            or not all(isinstance(n, str) and 0 < len(n) <= MAX_NAME for n in names):
        raise BadRequest("'wrt' must be a variable name or a list of one or two names")
    return names


def _vars(value) -> dict[str, str]:
    if not isinstance(value, dict) or len(value) > MAX_VARIABLES:
        raise BadRequest(f"'vars' must be an object of at most {MAX_VARIABLES} "
                         "declarations, e.g. {\"A\": \"matrix(n,n) symmetric\"}")
    check = _string("vars", MAX_NAME)
    return {_string("variable name", MAX_NAME)(k): check(v) for k, v in value.items()}


def _layout(value) -> str:
    if value not in LAYOUTS:
        raise BadRequest("'layout' must be one of " + ", ".join(LAYOUTS))
    return value


def _targets(value) -> list[str]:
    if not isinstance(value, list) or not all(t in CODE_TARGETS for t in value):
        raise BadRequest("'code' must be a list of targets among " + ", ".join(CODE_TARGETS))
    return sorted(set(value), key=CODE_TARGETS.index)


# ---- the optional parts of an answer ---------------------------------------------------

@dataclass(frozen=True)
class Extra:
    """An optional part of a derivative's answer: its request check and how to compute it
    from the Derivative and the (normalized) request value. Falsy values ask for nothing."""

    validate: Callable[[Any], Any]
    compute: Callable[[Any, Any], Any]


def _explain(d, _):
    import json

    return json.loads(d.explain("json"))


def _code(d, targets):
    return {target: d.code(target) for target in targets}


def _check(d, _):
    report = d.check()
    return {"ok": bool(report.ok), "max_error": float(report.max_error), "message": str(report)}


def _convexity(d, _):
    """The convexity verdict of a scalar function of one variable; otherwise why there is none."""
    if len(set(d.wrt)) != 1 or d.function.dims:
        return {"verdict": None, "line": "convexity: for a scalar function of one variable"}
    try:
        return d.convexity().to_dict()
    except MatdiffError as err:
        return {"verdict": None, "line": f"convexity: {err}"}


EXTRAS: dict[str, Extra] = {
    "explain": Extra(_boolean("explain"), _explain),
    "code": Extra(_targets, _code),
    "check": Extra(_boolean("check"), _check),
    "convexity": Extra(_boolean("convexity"), _convexity),
}


# ---- the request of each endpoint: field -> (validator, default; None = required) -----

EXPRESSION = _string("expr", MAX_EXPRESSION)
FIELDS: dict[str, dict[str, tuple[Callable, Any]]] = {
    "derivative": {
        "expr": (EXPRESSION, None),
        "wrt": (_wrt, None),
        "vars": (_vars, {}),
        "layout": (_layout, "mixed"),
        "hessian": (_boolean("hessian"), False),
        **{name: (extra.validate, False) for name, extra in EXTRAS.items()},
    },
    "parse": {
        "expr": (EXPRESSION, None),
        "vars": (_vars, {}),
    },
}


def validate(endpoint: str, body: Any) -> dict:
    """The normalized request of `endpoint` (every field present), or BadRequest."""
    fields = FIELDS[endpoint]
    if not isinstance(body, dict):
        raise BadRequest("the request body must be a JSON object")
    unknown = sorted(set(body) - set(fields))
    if unknown:
        raise BadRequest(f"unknown field '{unknown[0]}'; the fields are " + ", ".join(fields))
    request = {}
    for name, (check, default) in fields.items():
        if name in body:
            request[name] = check(body[name])
        elif default is None:
            raise BadRequest(f"the field '{name}' is required")
        else:
            request[name] = default
    return request


def urgent(endpoint: str, request: dict) -> bool:
    """Whether the page shows this answer first (a parse, a derivative without extras):
    such work goes ahead of explanations, code and checks."""
    return endpoint != "derivative" or not any(request[name] for name in EXTRAS)


# ---- the work (in a worker process) ----------------------------------------------------

def compute(endpoint: str, request: dict) -> tuple[int, dict]:
    """(HTTP status, JSON payload) for a validated request; matdiff's errors answer 400."""
    import matdiff as md

    try:
        return 200, WORK[endpoint](md, request)
    except (md.ParseError, md.ShapeError, md.UnsupportedError) as err:
        return 400, error_payload(type(err).__name__, err)
    except md.MatdiffError as err:  # e.g. a wrt that names no variable
        return 400, error_payload("BadRequest", err)


def error_payload(kind: str, err: Exception | str) -> dict:
    """{"error": {"type", "message", "column"}}; column is 0-based, or null."""
    message = getattr(err, "message", None) or str(err)
    return {"error": {"type": kind, "message": message, "column": getattr(err, "column", None)}}


def _derivative(md, request: dict) -> dict:
    wrt = request["wrt"] * 2 if request["hessian"] and len(request["wrt"]) == 1 \
        else request["wrt"]
    d = md.derivative(request["expr"], wrt, request["vars"], layout=request["layout"])
    full = d.to_dict()
    answer = {key: full[key] for key in ("text", "unicode", "latex", "dims", "axes", "note",
                                         "wrt", "layout")}
    for name, extra in EXTRAS.items():
        if request[name]:
            answer[name] = extra.compute(d, request[name])
    return answer


def _parse(md, request: dict) -> dict:
    e = md.parse(request["expr"], request["vars"])
    return {"dims": [str(d) for d in e.dims],
            "variables": [{"name": name, "type": decl.split("(")[0].split()[0],
                           "dims": [str(d) for d in e.variables[name].dims],
                           "symmetric": bool(e.variables[name].symmetric),
                           "declaration": decl} for name, decl in e.types.items()]}


WORK: dict[str, Callable[[Any, dict], dict]] = {"derivative": _derivative, "parse": _parse}
