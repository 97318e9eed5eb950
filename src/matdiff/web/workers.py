"""Worker processes that do the API's work under a wall-clock limit.

A computation runs in one of a few worker processes; the server waits for the answer in a
thread, so it keeps answering other requests. A worker that overruns the limit is killed and
replaced (a thread could not be stopped). Workers start with "spawn": no state of the server
(event loop, sockets, threads) is copied into them.
"""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
import os

from .service import compute, error_payload, validate

STARTUP_SECONDS = 120
# a request that loads what a first real one would, run by each worker as it starts
WARM_UP = {"expr": "sum(exp(x'*A*x))", "wrt": "x", "explain": True, "code": ["numpy"],
           "check": True}


class TooExpensive(Exception):
    """The computation ran past the time limit (its worker was replaced)."""


def _serve(conn) -> None:
    """A worker's loop: (endpoint, request) in, (status, payload) out, until the pipe closes."""
    compute("derivative", validate("derivative", WARM_UP))
    conn.send("ready")
    while True:
        try:
            endpoint, request = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer = compute(endpoint, request)
        except RecursionError:
            answer = 400, error_payload("UnsupportedError", "expression nested too deeply")
        except Exception as err:  # a bug in matdiff: say so, and keep serving
            answer = 500, error_payload("InternalError", f"{type(err).__name__}: {err}")
        conn.send(answer)


class Worker:
    """One worker process and the pipe to it."""

    def __init__(self, context):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child,), daemon=True)
        self.process.start()
        child.close()
        if not self.conn.poll(STARTUP_SECONDS) or self.conn.recv() != "ready":
            self.stop()
            raise RuntimeError(f"a worker did not start within {STARTUP_SECONDS} s")

    def call(self, job, timeout: float):
        """Send a job and wait; TooExpensive (worker killed) after `timeout` seconds."""
        self.conn.send(job)
        if not self.conn.poll(timeout):
            self.stop()
            raise TooExpensive(f"the computation took longer than {timeout:g} s")
        return self.conn.recv()

    def alive(self) -> bool:
        return self.process.is_alive()

    def stop(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()


class Pool:
    """`size` workers; `await pool.run(endpoint, request, urgent)` gives (status, payload).

    Jobs wait in one queue, urgent ones (a derivative alone, a parse: what the page shows
    first) ahead of the rest (explanations, code, checks); one driver task per worker takes
    the next job and waits for its worker in a thread."""

    def __init__(self, size: int | None = None, timeout: float = 5.0):
        self.size = size or min(4, os.cpu_count() or 1)
        self.timeout = timeout
        self._context = multiprocessing.get_context("spawn")
        self._jobs: asyncio.PriorityQueue | None = None
        self._all: list[Worker] = []
        self._drivers: list[asyncio.Task] = []
        self._count = itertools.count()  # first come, first served within a priority

    async def start(self) -> None:
        self._jobs = asyncio.PriorityQueue()
        self._all = list(await asyncio.gather(*(asyncio.to_thread(Worker, self._context)
                                                for _ in range(self.size))))
        self._drivers = [asyncio.create_task(self._drive(i)) for i in range(self.size)]

    async def run(self, endpoint: str, request: dict, urgent: bool = False):
        done = asyncio.get_running_loop().create_future()
        assert self._jobs is not None, "Pool.start() first"
        self._jobs.put_nowait((0 if urgent else 1, next(self._count), (endpoint, request), done))
        return await asyncio.shield(done)  # a cancelled request leaves the job to finish

    async def _drive(self, slot: int) -> None:
        while True:
            assert self._jobs is not None  # started: start() makes the drivers
            _, _, job, done = await self._jobs.get()
            try:
                done.set_result(await asyncio.to_thread(self._use, slot, job))
            except Exception as err:  # TooExpensive, or a worker that cannot start
                done.set_exception(err)

    def _use(self, slot: int, job):
        """In a thread: run `job` on worker `slot`, replacing the worker if it died."""
        worker = self._all[slot]
        try:
            return worker.call(job, self.timeout)
        except (EOFError, OSError):  # the worker died (e.g. out of memory)
            worker.stop()
            raise TooExpensive("the computation stopped its worker") from None
        finally:
            if not worker.alive():
                self._replace(worker)

    def _replace(self, dead: Worker) -> None:
        """A fresh worker in the dead one's place; if none starts, the dead one stays (its
        next job fails at once and tries again), so the pool never shrinks."""
        try:
            self._all[self._all.index(dead)] = Worker(self._context)
        except (EOFError, OSError, RuntimeError):
            pass

    async def stop(self) -> None:
        for driver in self._drivers:
            driver.cancel()
        for worker in self._all:
            await asyncio.to_thread(worker.stop)
        self._all.clear()
