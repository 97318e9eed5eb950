"""Load on `matdiff serve`, on loopback only: 2 000 requests, 50 at a time, a mix of the
public corpus (as the page asks: the derivative, then its explanation, code and check,
each alone) and bad input. Prints p50/p95 latency of each kind, of the repeats of a corpus
request (which the cache may answer) and of all; the count of each status; dropped
connections; and the server's memory (its process and workers) before and after. Targets:
no 5xx, no dropped connection, p95 < 100 ms for the corpus, memory growth < 50 MB.

    python benchmarks/bench_serve.py [--requests 2000] [--concurrency 50] [--workers N]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from webserver import running_server  # noqa: E402

CORPUS = json.loads((ROOT / "tests" / "data" / "public.json").read_text())
TARGET_P95_MS, TARGET_GROWTH_MB = 100.0, 50.0
BAD = [  # (kind, body bytes)
    ("bad", b'{"expr": "x + * y", "wrt": "x"}'),
    ("bad", b'{"expr": '),
    ("bad", b"\x00\xff\xfe junk"),
    ("bad", json.dumps({"expr": "(" * 3000 + "x" + ")" * 3000, "wrt": "x"}).encode()),
    ("bad", json.dumps({"expr": "x", "wrt": "x", "colour": 1}).encode()),
    ("bad", b'{"expr": "' + b"x+" * 40_000 + b'x", "wrt": "x"}'),
]


EXTRAS = ({"explain": True}, {"code": ["numpy", "jax", "torch"]}, {"check": True})


def corpus_bodies() -> list[tuple[str, bytes]]:
    """Each case as the page asks for it: the derivative, then each optional part alone."""
    bodies = []
    for c in CORPUS:
        case = {"expr": c["expr"], "wrt": c["wrt"], "vars": c["vars"]}
        bodies.append(("corpus", json.dumps(case).encode()))
        bodies += [("extras", json.dumps({**case, **extra}).encode()) for extra in EXTRAS]
    return bodies


def rss_mb(pid: int) -> float:
    """Resident memory of `pid` and its children, in MB (Linux /proc)."""
    pids, total = [pid], 0.0
    while pids:
        p = pids.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += int(status.split("VmRSS:")[1].split()[0]) / 1024
            for task in Path(f"/proc/{p}/task").iterdir():
                pids += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, IndexError):
            continue
    return total


class Connection:
    """One keep-alive HTTP/1.1 connection speaking just enough of the protocol: a plain
    client keeps the load generator's own CPU time (on the same cores) small."""

    def __init__(self, host: str, port: int):
        self.host, self.port, self.streams = host, port, None

    async def post(self, path: str, body: bytes) -> int:
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        writer.write(f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: "
                     f"application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                     + body)
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").lower()
        length = int(head.split("content-length:")[1].split("\r\n")[0])
        await reader.readexactly(length)
        if "connection: close" in head:
            await self.close()
        return int(head.split()[1])

    async def close(self) -> None:
        if self.streams:
            self.streams[1].close()
            self.streams = None


async def load(url: str, bodies, concurrency: int, deadline: float):
    """Send `bodies` over `concurrency` connections; [(kind, status, milliseconds)]."""
    host, port = url.split("//")[1].split(":")
    results, queue = [], collections.deque(bodies)

    async def runner():
        connection = Connection(host, int(port))
        while queue and time.monotonic() < deadline:
            kind, body = queue.popleft()
            start = time.perf_counter()
            try:
                status = await connection.post("/api/derivative", body)
            except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                status = "dropped"
                await connection.close()
            results.append((kind, status, (time.perf_counter() - start) * 1000))
        await connection.close()
    await asyncio.gather(*(runner() for _ in range(concurrency)))
    return results


def percentile(values, q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def report(results, before: float, after: float) -> None:
    statuses = collections.Counter(str(status) for _, status, _ in results)
    print(f"requests {len(results)}; statuses " + ", ".join(
        f"{k}: {v}" for k, v in sorted(statuses.items())))
    groups = (("corpus", {"corpus", "corpus again"}), ("extras", {"extras", "extras again"}),
              ("bad input", {"bad", "bad again"}), ("repeats", {"corpus again", "extras again"}),
              ("all", None))
    for label, kinds in groups:
        ms = [t for kind, _, t in results if kinds is None or kind in kinds]
        print(f"{label:10s} p50 {percentile(ms, 50):7.1f} ms   p95 {percentile(ms, 95):7.1f} ms"
              + (f"   (target p95 < {TARGET_P95_MS:g} ms)" if label == "corpus" else ""))
    five = sum(v for k, v in statuses.items() if k.startswith("5"))
    print(f"5xx {five}, dropped {statuses.get('dropped', 0)} (target 0, 0)")
    print(f"server memory {before:.0f} MB before, {after:.0f} MB after, growth "
          f"{after - before:+.0f} MB (target < {TARGET_GROWTH_MB:g} MB)")


def main() -> None:
    p = argparse.ArgumentParser(description="Load on matdiff serve (loopback only).")
    p.add_argument("--requests", type=int, default=2000)
    p.add_argument("--concurrency", type=int, default=50)
    p.add_argument("--workers", type=int, default=None)
    p.add_argument("--max-seconds", type=float, default=300, help="stop sending after this")
    args = p.parse_args()
    mix = corpus_bodies() + BAD * 4  # about one request in ten is bad input
    bodies = [mix[i % len(mix)] for i in range(args.requests)]
    seen = set()  # a repeat of a request already sent may be answered from the cache
    for i, (kind, body) in enumerate(bodies):
        bodies[i] = (kind if body not in seen else kind + " again", body)
        seen.add(body)
    options = ["--workers", str(args.workers)] if args.workers else []
    with running_server(*options) as (url, process):
        before = rss_mb(process.pid)
        results = asyncio.run(load(url, bodies, args.concurrency,
                                   time.monotonic() + args.max_seconds))
        after = rss_mb(process.pid)
    print(f"matdiff serve on {url}, {os.cpu_count()} cores, {args.concurrency} at a time")
    report(results, before, after)


if __name__ == "__main__":
    main()
