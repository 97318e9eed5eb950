"""Time matdiff on every case of the public corpus.

For each case: parse + differentiate + simplify (`md.derivative`); the same with the
result printed as text (`str`); the same with it rendered as text, Unicode and LaTeX;
and parse + differentiate + evaluate at a random point. Prints per-case medians, then
the median and 95th percentile over the cases, in milliseconds, against the targets
(parse+diff: median under 2 ms, p95 under 20 ms; parse+diff+simplify+print: median
under 1 ms, p95 under 10 ms; with all three renderings: median under 5 ms), and the
share of that time the search for shorter forms (`matdiff.rewrite.search`) takes.

    python benchmarks/bench_core.py [--repeat 30] [--case ID ...] [--corpus FILE]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

import numpy as np

import matdiff as md

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "public.json"
TARGET_MEDIAN_MS, TARGET_P95_MS = 2.0, 20.0
TARGET_PRINT_MEDIAN_MS, TARGET_PRINT_P95_MS = 1.0, 10.0
TARGET_RENDER_MEDIAN_MS = 5.0
_DECL = re.compile(r"^\s*(scalar|vector|matrix)\s*(?:\(([^)]*)\))?")


def sample_values(case, rng) -> dict:
    """A point honouring the case's dims (the domain matters little for timing)."""
    values = {}
    for name, decl in case["vars"].items():
        m = _DECL.match(decl)
        shape = tuple(case["dims"][s.strip()] for s in (m.group(2) or "").split(",") if s.strip())
        if shape == ():
            values[name] = float(rng.uniform(0.5, 1.5))
        elif len(shape) == 2 and shape[0] == shape[1]:   # invertible, positive determinant
            values[name] = rng.uniform(-0.3, 0.3, shape) + shape[0] * np.eye(shape[0])
        else:
            values[name] = rng.uniform(0.1, 1.0, shape)
    return values


def derive(case):
    """Parse + differentiate (a list `wrt` is a second derivative)."""
    return md.derivative(case["expr"], wrt=case["wrt"], vars=case["vars"])


def derive_and_print(case):
    """Parse + differentiate + simplify + print as text."""
    return str(derive(case))


def search_share(cases, repeat: int) -> tuple[float, float, int, int]:
    """(seconds in the search, seconds in all, searches that found a shorter form, calls).

    The search is timed from here, by wrapping the simplifier's `shortest` for the run."""
    from matdiff.rewrite import simplifier

    inner, tally = simplifier.shortest, {"seconds": 0.0, "improved": 0, "calls": 0}

    def timed(expr, *args, **kwargs):
        start = time.perf_counter()
        result = inner(expr, *args, **kwargs)
        tally["seconds"] += time.perf_counter() - start
        tally["calls"] += 1
        tally["improved"] += result is not expr
        return result

    simplifier.shortest = timed
    try:
        start = time.perf_counter()
        for _ in range(repeat):
            for case in cases:
                try:
                    derive_and_print(case)
                except Exception:  # reported with the case above
                    pass
        total = time.perf_counter() - start
    finally:
        simplifier.shortest = inner
    return tally["seconds"], total, tally["improved"], tally["calls"]


def derive_and_render(case):
    """Parse + differentiate + simplify + render in all three styles."""
    d = derive(case)
    return str(d), d.unicode(), d.latex()


def derive_and_evaluate(case, values):
    """Parse + differentiate + evaluate at `values`."""
    return derive(case).evaluate(values)


def timed_ms(repeat: int, fn, *args) -> float:
    """Median wall time of `fn(*args)` in milliseconds over `repeat` runs, after a warm-up."""
    fn(*args)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(*args)
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def percentile(xs: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(xs), q))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30, help="timed runs per case (default 30)")
    parser.add_argument("--case", action="append", help="only these case ids")
    parser.add_argument("--corpus", type=Path, default=CORPUS,
                        help="cases to time (default: the public corpus; also "
                             "tests/data/textbook.json)")
    args = parser.parse_args(argv)

    cases = json.loads(args.corpus.read_text())
    if args.case:
        cases = [c for c in cases if c["id"] in set(args.case)]
    rng = np.random.default_rng(0)
    diff_ms, print_ms, render_ms, full_ms, failed = [], [], [], [], []
    width = max(len(c["id"]) for c in cases)
    print(f"{'case':<{width}}  {'parse+diff':>11}  {'+str':>11}  {'+render':>11}  "
          f"{'+evaluate':>11}   (median ms, {args.repeat} runs)")
    for case in cases:
        values = sample_values(case, rng)
        try:
            d_ms = timed_ms(args.repeat, derive, case)
            p_ms = timed_ms(args.repeat, derive_and_print, case)
            r_ms = timed_ms(args.repeat, derive_and_render, case)
            f_ms = timed_ms(args.repeat, derive_and_evaluate, case, values)
        except Exception as err:  # report and go on: a benchmark, not a test
            failed.append(case["id"])
            print(f"{case['id']:<{width}}  error: {type(err).__name__}: {err}".splitlines()[0])
            continue
        diff_ms.append(d_ms)
        print_ms.append(p_ms)
        render_ms.append(r_ms)
        full_ms.append(f_ms)
        print(f"{case['id']:<{width}}  {d_ms:11.3f}  {p_ms:11.3f}  {r_ms:11.3f}  {f_ms:11.3f}")

    if not diff_ms:
        print("no case ran")
        return 1
    print()
    for label, xs, targets in [("parse+diff", diff_ms, (TARGET_MEDIAN_MS, TARGET_P95_MS)),
                               ("parse+diff+print", print_ms,
                                (TARGET_PRINT_MEDIAN_MS, TARGET_PRINT_P95_MS)),
                               ("end to end + render", render_ms,
                                (TARGET_RENDER_MEDIAN_MS, float("inf"))),
                               ("parse+diff+evaluate", full_ms, None)]:
        median, p95 = statistics.median(xs), percentile(xs, 95)
        line = f"{label:<20} median {median:8.3f} ms   p95 {p95:8.3f} ms"
        if targets:
            ok = median < targets[0] and p95 < targets[1]
            p95_target = f", p95 < {targets[1]:g} ms" if targets[1] != float("inf") else ""
            line += (f"   (targets: median < {targets[0]:g} ms{p95_target}: "
                     f"{'met' if ok else 'MISSED'})")
        print(line)
    searching, total, improved, calls = search_share(cases, max(1, args.repeat // 3))
    print(f"search for shorter forms: {1e3 * searching / max(calls, 1):.3f} ms per call, "
          f"{searching / total:.1%} of parse+diff+print; it shortened {improved} of {calls} "
          f"results")
    if failed:
        print(f"{len(failed)} case(s) failed: {', '.join(failed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
