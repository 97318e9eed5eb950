"""Math on the site rendered by KaTeX served with the pages (no CDN, no network).

KaTeX comes from npm (`npm ci` installs the version pinned in package-lock.json, the same
one the LaTeX tests use). Math nodes are written as elements holding their TeX source;
a few lines of script typeset them in the browser.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from docutils import nodes
from sphinx.errors import ConfigError

KATEX = Path(__file__).resolve().parents[2] / "node_modules" / "katex" / "dist"
FILES = ("katex.min.js", "katex.min.css", "fonts")

RENDER = """
document.addEventListener("DOMContentLoaded", () => {
  for (const el of document.querySelectorAll(".katex-math")) {
    katex.render(el.textContent, el, {
      displayMode: el.tagName === "DIV", throwOnError: false, output: "htmlAndMathml",
    });
  }
});
"""


def visit_math(self, node):
    self.body.append(self.starttag(node, "span", "", CLASS="katex-math"))
    self.body.append(self.encode(node.astext()) + "</span>")
    raise nodes.SkipNode


def visit_displaymath(self, node):
    self.body.append(self.starttag(node, "div", "", CLASS="katex-math"))
    self.body.append(self.encode(node.astext()) + "</div>\n")
    raise nodes.SkipNode


def _check_katex(app, config) -> None:
    if config.html_math_renderer == "katex" and not (KATEX / "katex.min.js").is_file():
        raise ConfigError("KaTeX is missing: run `npm ci` in the repository root")


def _copy_katex(app, exception) -> None:
    """Put KaTeX's script, style and fonts under _static/katex of the built site."""
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / "katex"
    target.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        source = KATEX / name
        if source.is_dir():
            shutil.copytree(source, target / name, dirs_exist_ok=True)
        else:
            shutil.copy2(source, target / name)


def setup(app):
    app.add_html_math_renderer("katex", (visit_math, None), (visit_displaymath, None))
    app.add_js_file("katex/katex.min.js")
    app.add_css_file("katex/katex.min.css")
    app.add_js_file(None, body=RENDER)
    app.connect("config-inited", _check_katex)
    app.connect("build-finished", _copy_katex)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
