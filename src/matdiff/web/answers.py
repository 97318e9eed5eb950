"""Answers to API requests by request: from an LRU cache, from the computation already under
way for the same request, or computed by the worker pool — so a shared link that many
people open at once costs one computation.

An answer is (HTTP status, encoded JSON body). Answers of a stopped computation (422) or an
internal error (500) are not kept: a later request tries again.
"""

from __future__ import annotations

import asyncio
import json
from collections import OrderedDict

from .service import error_payload, urgent
from .workers import Pool, TooExpensive

Answer = tuple[int, bytes]


def encode(payload) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Cache:
    """A least-recently-used map of key → value."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()

    def get(self, key):
        if key in self._items:
            self._items.move_to_end(key)
        return self._items.get(key)

    def put(self, key, value) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        if len(self._items) > self.size:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


class Answers:
    """`await answers.get(endpoint, request)` → Answer; see the module doc."""

    def __init__(self, pool: Pool, cache_size: int):
        self.pool = pool
        self.cache = Cache(cache_size)
        self.computed = 0  # computations run, for tests and curiosity
        self._pending: dict[tuple, asyncio.Future] = {}

    async def get(self, endpoint: str, request: dict) -> Answer:
        key = (endpoint, json.dumps(request, sort_keys=True))
        answer = self.cache.get(key)
        if answer is not None:
            return answer
        if key in self._pending:
            return await asyncio.shield(self._pending[key])
        future = self._pending[key] = asyncio.get_running_loop().create_future()
        try:
            answer = await self._compute(endpoint, request)
        except BaseException as err:
            future.set_exception(err)
            future.exception()  # retrieved here, so a future nobody awaits stays quiet
            raise
        else:
            future.set_result(answer)
        finally:
            del self._pending[key]
        if answer[0] not in (422, 500):
            self.cache.put(key, answer)
        return answer

    async def _compute(self, endpoint: str, request: dict) -> Answer:
        self.computed += 1
        try:
            status, payload = await self.pool.run(endpoint, request,
                                                  urgent(endpoint, request))
        except TooExpensive as err:
            return 422, encode(error_payload("TooExpensive", err))
        return status, encode(payload)
