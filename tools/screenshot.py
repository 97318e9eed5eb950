"""Screenshots of the page, served by a real `matdiff serve`, in Debian's chromium.

    python tools/screenshot.py                 # docs/images/page.png (the README's)
    python tools/screenshot.py --review DIR    # also DIR/page-dark.png and DIR/page-phone.png
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from webserver import running_server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
SHOWN = {"expr": "sum(log(exp(-y.*(X*w)) + vector(1)))", "wrt": "w"}
VIEWS = {  # name: browser context options
    "page": {"viewport": {"width": 1280, "height": 800}},
    "page-dark": {"viewport": {"width": 1280, "height": 800}, "color_scheme": "dark"},
    "page-phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
                   "is_mobile": True, "has_touch": True},
}


def shoot(browser, url: str, options: dict, path: Path) -> None:
    context = browser.new_context(**options)
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("[data-testid=result] .katex", timeout=20_000)
    page.evaluate("document.fonts.ready")
    page.screenshot(path=str(path))
    context.close()


def main() -> None:
    from playwright.sync_api import sync_playwright

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--review", type=Path, help="folder for the dark and phone screenshots")
    args = p.parse_args()
    targets = {"page": ROOT / "docs" / "images" / "page.png"}
    if args.review:
        args.review.mkdir(parents=True, exist_ok=True)
        targets.update({name: args.review / f"{name}.png" for name in VIEWS if name != "page"})
    with running_server() as (url, _), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for name, path in targets.items():
            shoot(browser, f"{url}/?{urlencode(SHOWN)}", VIEWS[name], path)
            print(f"wrote {path}")
        browser.close()


if __name__ == "__main__":
    main()
