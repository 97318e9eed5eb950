"""Shared test configuration: markers for the suites that need more than the engine.

- `browser`: drives the page in Debian's chromium (tests/test_web_page.py);
- `docs`: builds the documentation site and runs its notebook (tests/test_docs.py);
- `slow`: the random-expression property runs (every hypothesis test is one) and tests
  that wait on a server's time limit.

`pytest -m "not browser and not docs and not slow"` runs the engine's own tests; the
helpers they share are the package `support` (pyproject's `pythonpath` puts tests/ first
on the path, so they import the same way under every import mode).
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.slow)
