"""`matdiff serve [--host 127.0.0.1] [--port 8000] [--open] [--workers N] [--timeout S]`."""

from __future__ import annotations

import argparse
import sys
import threading
import webbrowser

from .app import create_app


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="matdiff serve",
                                description="Serve the matdiff web page on this machine.")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--open", action="store_true", help="open the page in a browser")
    p.add_argument("--workers", type=int, default=None,
                   help="worker processes for computations (default: up to 4, one per core)")
    p.add_argument("--timeout", type=float, default=5.0,
                   help="seconds one computation may take (default 5)")
    return p


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    import uvicorn

    host = f"[{args.host}]" if ":" in args.host else args.host
    url = f"http://{host}:{args.port}/"
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"matdiff: warning: bound to {args.host}: the page is reachable from other "
              "machines", file=sys.stderr)
    print(f"matdiff: serving on {url} (Ctrl+C stops)", flush=True)
    if args.open:
        threading.Timer(1.0, webbrowser.open, [url]).start()
    uvicorn.run(create_app(args.workers, args.timeout), host=args.host, port=args.port,
                log_level="warning", access_log=False)
    return 0
