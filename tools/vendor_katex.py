"""Copy KaTeX (the version package-lock.json pins, after `npm ci`) into the web package:
the minified script and stylesheet, the woff2 fonts they name, and KaTeX's licence."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "node_modules" / "katex"
TARGET = ROOT / "src" / "matdiff" / "web" / "static" / "katex"


def vendored_files() -> list[str]:
    """Paths under node_modules/katex that the page needs, relative to it."""
    css = (SOURCE / "dist" / "katex.min.css").read_text()
    fonts = sorted(set(re.findall(r"fonts/[\w-]+\.woff2", css)))
    return ["LICENSE", "dist/katex.min.js", "dist/katex.min.css"] + [f"dist/{f}" for f in fonts]


def main() -> None:
    shutil.rmtree(TARGET, ignore_errors=True)
    for name in vendored_files():
        target = TARGET / name.removeprefix("dist/")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SOURCE / name, target)
    print(f"copied {len(vendored_files())} files to {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
