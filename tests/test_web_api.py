"""The JSON API of `matdiff serve`: every public corpus case gives the Python API's text;
every bad request gets its 4xx with a JSON error, never a 500, and the server stays healthy;
a computation over the time limit is stopped (422) while other requests are answered."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx")

import matdiff as md  # noqa: E402
from matdiff.web.answers import Cache  # noqa: E402
from matdiff.web.app import CSP, MAX_BODY  # noqa: E402
from matdiff.web.service import EXTRAS, MAX_EXPRESSION  # noqa: E402
from support.webserver import running_server  # noqa: E402

CORPUS = json.loads((Path(__file__).parent / "data" / "public.json").read_text())
SLOW = "tr(" + "*".join(["X"] * 150) + ")"  # tens of seconds to simplify


@pytest.fixture(scope="module")
def client():
    with running_server("--workers", "2", "--timeout", "60") as (url, _):
        with httpx.Client(base_url=url, timeout=60) as c:
            yield c


def error_of(response, status: int, kind: str) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["type"] == kind and error["message"], error
    return error


@pytest.mark.parametrize("case", CORPUS, ids=[c["id"] for c in CORPUS])
def test_corpus_text_equals_the_python_api(client, case):
    d = md.derivative(case["expr"], case["wrt"], case["vars"])
    r = client.post("/api/derivative", json={k: case[k] for k in ("expr", "wrt", "vars")})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["text"] == str(d)
    assert body["latex"] == d.latex() and body["unicode"] == d.unicode()
    assert body["dims"] == d.to_dict()["dims"] and body["axes"] == d.axes()


def test_extras_layout_and_hessian(client):
    body = {"expr": "x'*A*x", "wrt": "x", "vars": {"A": "matrix(n,n) symmetric"},
            "layout": "numerator", "explain": True, "code": ["numpy", "torch"], "check": True}
    answer = client.post("/api/derivative", json=body).json()
    d = md.derivative("x'*A*x", "x", {"A": "matrix(n,n) symmetric"}, layout="numerator")
    assert answer["text"] == str(d) and answer["dims"] == [1, "n"]
    assert answer["explain"] == json.loads(d.explain("json"))
    assert answer["code"] == {"numpy": d.code("numpy"), "torch": d.code("torch")}
    assert answer["check"]["ok"] is True
    hessian = client.post("/api/derivative", json={"expr": "x'*A*x", "wrt": "x",
                                                   "hessian": True}).json()
    assert hessian["text"] == str(md.hessian("x'*A*x", "x"))
    assert set(EXTRAS) == {"explain", "code", "check", "convexity"}


def test_convexity_line(client):
    loss = "sum(log(exp(-y.*(X*w)) + vector(1)))"
    answer = client.post("/api/derivative", json={"expr": loss, "wrt": "w",
                                                  "convexity": True}).json()
    assert answer["convexity"] == md.convexity(loss, "w").to_dict()
    assert answer["convexity"]["verdict"] == "convex"
    vector = client.post("/api/derivative", json={"expr": "A*x", "wrt": "x",
                                                  "convexity": True}).json()
    assert vector["convexity"]["verdict"] is None


def test_parse_reports_variables(client):
    r = client.post("/api/parse", json={"expr": "x'*A*x + c",
                                        "vars": {"A": "matrix(n,n) symmetric"}})
    assert r.status_code == 200
    variables = {v["name"]: v for v in r.json()["variables"]}
    assert variables["A"]["declaration"] == "matrix(n,n) symmetric"
    assert variables["x"]["type"] == "vector" and variables["x"]["dims"] == ["n"]
    assert variables["c"]["declaration"] == "scalar"


def test_health_and_security_headers(client):
    r = client.get("/api/health")
    assert r.json() == {"status": "ok", "version": md.__version__}
    for path in ("/", "/api/health", "/static/app.js"):
        assert client.get(path).headers["content-security-policy"] == CSP
    assert "'self'" in CSP and "http" not in CSP


NESTED = "(" * 10_000 + "x" + ")" * 10_000
BAD_REQUESTS = {
    "malformed JSON": (b'{"expr": "x", ', 400, "BadRequest"),
    "not an object": (b'["x"]', 400, "BadRequest"),
    "binary junk": (bytes(range(256)) * 4, 400, "BadRequest"),
    "NUL bytes in the body": (b'{"expr": "x\x00", "wrt": "x"}', 400, "BadRequest"),
    "deeply nested JSON": (b"[" * 50_000, 400, "BadRequest"),
    "1 MB body": (b'{"expr": "' + b"x+" * 500_000 + b'x", "wrt": "x"}', 413,
                  "PayloadTooLarge"),
    "missing wrt": ({"expr": "x"}, 400, "BadRequest"),
    "expr not a string": ({"expr": 5, "wrt": "x"}, 400, "BadRequest"),
    "wrt a number": ({"expr": "x", "wrt": 3}, 400, "BadRequest"),
    "three wrt": ({"expr": "x", "wrt": ["x", "x", "x"]}, 400, "BadRequest"),
    "vars a list": ({"expr": "x", "wrt": "x", "vars": ["A"]}, 400, "BadRequest"),
    "declaration not a string": ({"expr": "x", "wrt": "x", "vars": {"x": 1}}, 400,
                                 "BadRequest"),
    "unknown layout": ({"expr": "x", "wrt": "x", "layout": "sideways"}, 400, "BadRequest"),
    "hessian not a bool": ({"expr": "x", "wrt": "x", "hessian": "yes"}, 400, "BadRequest"),
    "unknown code target": ({"expr": "x", "wrt": "x", "code": ["fortran"]}, 400,
                            "BadRequest"),
    "unknown field": ({"expr": "x", "wrt": "x", "colour": "red"}, 400, "BadRequest"),
    "expression too long": ({"expr": "x+" * MAX_EXPRESSION + "x", "wrt": "x"}, 400,
                            "BadRequest"),
    "10 000 nested parentheses": ({"expr": NESTED, "wrt": "x"}, 400, "BadRequest"),
    "deep nesting within the length limit": ({"expr": "(" * 1999 + "x" + ")" * 1999,
                                              "wrt": "x"}, 400, None),
    "NUL in the expression": ({"expr": "x +\x00 y", "wrt": "x"}, 400, "ParseError"),
    "parse error": ({"expr": "x + * y", "wrt": "x"}, 400, "ParseError"),
    "shape error": ({"expr": "A*x", "wrt": "x", "vars": {"A": "matrix(m,k)",
                                                          "x": "vector(n)"}}, 400, "ShapeError"),
    "bad declaration": ({"expr": "x", "wrt": "x", "vars": {"x": "vektor(n)"}}, 400,
                        "ParseError"),
    "wrt not a name": ({"expr": "x", "wrt": "sin"}, 400, "BadRequest"),
}


@pytest.mark.parametrize("name", BAD_REQUESTS)
def test_bad_request_gets_its_4xx(client, name):
    body, status, kind = BAD_REQUESTS[name]
    sent = {"content": body} if isinstance(body, bytes) else {"json": body}
    r = client.post("/api/derivative", headers={"content-type": "application/json"}, **sent)
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert error["message"] and (kind is None or error["type"] == kind), error
    assert client.get("/api/health").json()["status"] == "ok"


def test_parse_error_has_its_column(client):
    error = error_of(client.post("/api/parse", json={"expr": "x + * y"}), 400, "ParseError")
    assert error["column"] == 4


def test_wrong_method_and_path(client):
    assert client.get("/api/derivative").status_code == 405
    assert client.get("/api/nothing").status_code == 404


def test_cache_is_least_recently_used():
    cache = Cache(2)
    cache.put("a", 1), cache.put("b", 2), cache.get("a"), cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)


@pytest.mark.slow  # waits on the time limit
def test_overrun_is_stopped_while_the_server_keeps_answering():
    with running_server("--workers", "2", "--timeout", "5") as (url, _):
        slow = {}
        thread = threading.Thread(target=lambda: slow.update(r=httpx.post(
            url + "/api/derivative", json={"expr": SLOW, "wrt": "X"}, timeout=60)))
        thread.start()
        quick = httpx.post(url + "/api/derivative", json={"expr": "x'*x", "wrt": "x"},
                           timeout=30)
        assert quick.status_code == 200 and quick.json()["text"] == "2*x"
        thread.join(60)
        error_of(slow["r"], 422, "TooExpensive")
        again = httpx.post(url + "/api/derivative", json={"expr": "sum(x)", "wrt": "x"},
                           timeout=30)  # answered by the replacement worker
        assert again.status_code == 200
        assert httpx.get(url + "/api/health").json()["status"] == "ok"


def test_body_limit_is_what_the_app_says():
    assert 10_000 < MAX_BODY < 1_000_000


def test_identical_requests_in_flight_share_one_computation():
    import asyncio

    from matdiff.web.answers import Answers
    from matdiff.web.workers import TooExpensive

    class FakePool:
        async def run(self, endpoint, request, urgent):
            await asyncio.sleep(0.05)
            if request["expr"] == "slow":
                raise TooExpensive("over the limit")
            return 200, {"text": request["expr"]}

    answers = Answers(FakePool(), cache_size=8)

    async def ask(expr, times):
        return await asyncio.gather(*(answers.get("parse", {"expr": expr})
                                      for _ in range(times)))

    first = asyncio.run(ask("x", 10))
    assert answers.computed == 1 and set(first) == {(200, b'{"text":"x"}')}
    asyncio.run(ask("x", 3))
    assert answers.computed == 1  # cached
    assert {status for status, _ in asyncio.run(ask("slow", 2))} == {422}
    asyncio.run(ask("slow", 1))
    assert answers.computed == 3  # a stopped computation is not kept


def test_serve_command(monkeypatch, capsys):
    import uvicorn

    from matdiff.cli import main

    started = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.update(options))
    assert main(["serve", "--port", "8123"]) == 0
    assert started["host"] == "127.0.0.1" and started["port"] == 8123
    assert "http://127.0.0.1:8123/" in capsys.readouterr().out
    assert main(["serve", "--host", "0.0.0.0"]) == 0
    assert "reachable from other machines" in capsys.readouterr().err
    assert main(["serve", "--wrt", "serve"]) == 0  # an expression named serve, as before
    assert capsys.readouterr().out.strip() == "eye"


STATIC = Path(md.__file__).parent / "web" / "static"


def test_static_files_name_no_other_host():
    """The page's own files load nothing from elsewhere (KaTeX's script only names its site)."""
    for path in STATIC.rglob("*"):
        if path.suffix in (".html", ".js", ".css", ".json") and path.name != "katex.min.js":
            text = path.read_text()
            assert "http://" not in text and "https://" not in text, path


def test_vendored_katex_is_the_pinned_one():
    root = Path(__file__).resolve().parents[1]
    if not (root / "node_modules" / "katex").exists():
        pytest.skip("node_modules/katex is missing (npm ci)")
    import importlib.util

    script = root / "tools" / "vendor_katex.py"
    spec = importlib.util.spec_from_file_location("vendor_katex", script)
    vendor = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(vendor)
    for name in vendor.vendored_files():
        copy = vendor.TARGET / name.removeprefix("dist/")
        assert copy.read_bytes() == (vendor.SOURCE / name).read_bytes(), name
