"""Identifiers for generated code: the only way a name reaches generated source.

Contract: every identifier `Namer` hands out matches `[A-Za-z_][A-Za-z0-9_]*`, is not a
Python keyword, builtin or a name the target reserves (`np`, `torch`, …), and is unique
within one generated function. A user's variable or dimension name is kept when it already
meets that rule; otherwise it is rewritten (`lambda` → `lambda_`, `α` → `v_3b1`), so no
user text ever reaches the source verbatim unless it is a plain ASCII identifier.
"""

from __future__ import annotations

import builtins
import keyword
import re

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TEMP = re.compile(r"^t[0-9]+$")

# Names the generated code itself uses besides the target's module aliases.
BASE_RESERVED = frozenset({"StructuredTensor", "math"}) | frozenset(dir(builtins))


def sanitize(name: str) -> str:
    """A plain ASCII identifier derived from `name` (not yet checked for clashes)."""
    text = str(name)
    if _PLAIN.match(text):
        return text + "_" if keyword.iskeyword(text) or keyword.issoftkeyword(text) else text
    kept = "".join(c if c.isascii() and (c.isalnum() or c == "_") else f"{ord(c):x}"
                   for c in text)
    return "v_" + kept


class Namer:
    """Hands out unique, safe identifiers; `reserved` are never handed out."""

    def __init__(self, reserved: frozenset[str] = frozenset()):
        self.taken: set[str] = set(BASE_RESERVED) | set(reserved)
        self.counter = 0

    def claim(self, wanted: str) -> str:
        """`wanted`, sanitized; with `_` appended until it is free."""
        name = sanitize(wanted)
        if _TEMP.match(name):
            name = name + "_"  # leave t1, t2, … to temporaries
        while name in self.taken:
            name += "_"
        self.taken.add(name)
        return name

    def temp(self) -> str:
        """The next free temporary: t1, t2, …"""
        while True:
            self.counter += 1
            name = f"t{self.counter}"
            if name not in self.taken:
                self.taken.add(name)
                return name


def is_plain_identifier(name: str) -> bool:
    """True for identifiers generated code may contain."""
    return bool(_PLAIN.match(name)) and not keyword.iskeyword(name)
