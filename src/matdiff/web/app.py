"""The Starlette app: the page, its static files and the JSON API.

    GET  /                 the page            GET /static/...   its scripts, styles, KaTeX
    POST /api/derivative   see `service`       POST /api/parse   the variables and their types
    GET  /api/health       {"status": "ok", "version": ...}

Limits: the body size (413), the request's fields (`service.validate`, 400) and the time of
each computation (`workers`, 422 TooExpensive). Answers are cached by request (`answers`), so
a shared link that many people open costs one computation. Every response carries a
Content-Security-Policy that allows only the page's own origin.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .answers import Answers
from .service import BadRequest, error_payload, validate
from .workers import Pool

STATIC = Path(__file__).parent / "static"
MAX_BODY = 64 * 1024       # bytes of a request body
CACHE_SIZE = 1024          # answers kept
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; font-src 'self'; "
       "img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")
HEADERS = [(b"content-security-policy", CSP.encode()),
           (b"x-content-type-options", b"nosniff"),
           (b"referrer-policy", b"no-referrer")]


class PayloadTooLarge(Exception):
    """The request body is over MAX_BODY bytes."""


async def read_json(request: Request):
    """The decoded JSON body; PayloadTooLarge past MAX_BODY, BadRequest if not JSON."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise PayloadTooLarge()
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise PayloadTooLarge()
    try:
        return json.loads(bytes(body).decode("utf-8"))
    except (ValueError, RecursionError):
        raise BadRequest("the request body is not valid UTF-8 JSON") from None


def api(endpoint: str):
    """The handler of POST /api/<endpoint>: read, validate, answer from cache or a worker."""
    async def handle(request: Request) -> Response:
        try:
            query = validate(endpoint, await read_json(request))
        except PayloadTooLarge:
            return JSONResponse(error_payload("PayloadTooLarge", f"the request body is over "
                                              f"{MAX_BODY} bytes"), status_code=413)
        except BadRequest as err:
            return JSONResponse(error_payload("BadRequest", err), status_code=400)
        status, body = await request.app.state.answers.get(endpoint, query)
        return Response(body, status_code=status, media_type="application/json")
    return handle


async def health(request: Request) -> JSONResponse:
    from .. import __version__  # the package root, as the workers import it

    return JSONResponse({"status": "ok", "version": __version__})


async def page(request: Request) -> FileResponse:
    return FileResponse(STATIC / "index.html", headers={"cache-control": "no-cache"})


class SecurityHeaders:
    """ASGI middleware adding the Content-Security-Policy (and friends) to every response."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + HEADERS
            await send(message)
        await self.app(scope, receive, send_with_headers if scope["type"] == "http" else send)


def create_app(workers: int | None = None, timeout: float = 5.0):
    """The ASGI app; `workers` processes, each computation limited to `timeout` seconds."""
    @contextlib.asynccontextmanager
    async def lifespan(app):
        pool = Pool(workers, timeout)
        await pool.start()
        app.state.answers = Answers(pool, CACHE_SIZE)
        yield
        await pool.stop()

    routes = [
        Route("/", page),
        Route("/api/health", health),
        Route("/api/derivative", api("derivative"), methods=["POST"]),
        Route("/api/parse", api("parse"), methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    return SecurityHeaders(Starlette(routes=routes, lifespan=lifespan))
