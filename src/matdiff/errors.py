"""One exception family for everything matdiff refuses.

`MatdiffError` is what callers catch; the subclasses say *why*:
`ParseError` (the text is not valid input, shown with a caret under the column),
`ShapeError` (the shapes do not fit an operator; both shapes are named) and
`UnsupportedError` (valid input that matdiff cannot differentiate or show
faithfully; raised instead of ever returning a wrong number). `MatdiffWarning` is
issued, not raised, for valid input that is likely a mistake.

They are also the built-in exceptions a caller may already catch: `ParseError` and
`ShapeError` are `ValueError`s (a bad value was passed), `UnsupportedError` is a
`NotImplementedError` (the input is valid, the feature is missing).

    >>> import matdiff as md
    >>> try:
    ...     md.parse("x +")
    ... except ValueError as err:
    ...     print(type(err).__name__)
    ParseError
"""

from __future__ import annotations

import difflib


class MatdiffError(Exception):
    """Base of every error matdiff raises on purpose."""


class _Located(MatdiffError):
    """An error about a place in the input; `str()` shows it with a caret under `column`."""

    def __init__(self, message: str, text: str = "", column: int | None = None):
        self.message = message
        self.text = text
        self.column = column
        super().__init__(self._format())

    def _format(self) -> str:
        if self.column is None or not self.text or len(self.text) > 200:
            if self.column is not None:
                return f"{self.message} (at column {self.column + 1})"
            return self.message
        return f"{self.message}\n  {self.text}\n  {' ' * self.column}^"


class ParseError(_Located, ValueError):
    """The input text is not valid (column is 0-based)."""


class ShapeError(_Located, ValueError):
    """Operand shapes do not fit an operator; the message names both shapes."""


class UnsupportedError(MatdiffError, NotImplementedError):
    """Valid input that matdiff cannot (yet) handle correctly."""


class MatdiffWarning(UserWarning):
    """Valid input whose answer is probably not what was meant (a `wrt` that does not occur)."""


def closest(name: str, known) -> str | None:
    """The known name most like `name`, for 'did you mean' hints; None if nothing is close."""
    matches = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return matches[0] if matches else None


def did_you_mean(name: str, known) -> str:
    """A ' Did you mean 'x'?' suffix, or an empty string."""
    guess = closest(name, known)
    return f" Did you mean '{guess}'?" if guess else ""
