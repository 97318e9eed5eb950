"""Union-find over integer labels, for einsum indices that must become one.

The smaller label of a merged pair is the representative, so results do not
depend on the order of the merges.
"""

from __future__ import annotations


class UnionFind:
    def __init__(self):
        self.parent: dict[int, int] = {}

    def find(self, a: int) -> int:
        while self.parent.get(a, a) != a:
            a = self.parent[a]
        return a

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)
