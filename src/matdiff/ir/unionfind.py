"""Union-find over integer labels, for einsum indices that must become one.

The smaller label of a merged pair is the representative, so results do not
depend on the order of the merges. Labels may be any ordered hashable values
(`analysis.quadform` joins tagged pairs such as ("l", 3)).
"""

from __future__ import annotations

from typing import Any, Generic, Protocol, TypeVar


class _Ordered(Protocol):
    def __lt__(self, other: Any, /) -> bool: ...


Label = TypeVar("Label", bound=_Ordered)


class UnionFind(Generic[Label]):
    def __init__(self):
        self.parent: dict[Label, Label] = {}

    def find(self, a: Label) -> Label:
        while self.parent.get(a, a) != a:
            a = self.parent[a]
        return a

    def union(self, a: Label, b: Label) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)
