"""Sphinx configuration of the matdiff documentation.

Pages are MyST Markdown; `{code-cell}` blocks and the notebooks are executed at every build
(MyST-NB), so every output shown is what the code prints today, and a failing example fails
the build. Build with warnings as errors:

    python -m sphinx -W -b html docs docs/_build/html
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
SOURCE = DOCS.parent / "src"

# autodoc and the generated reference import matdiff from this checkout; so do the kernels
# that execute the examples (they inherit the environment, and load `_ext/matdiff_shell`).
PATHS = [str(SOURCE), str(DOCS / "_ext")]
sys.path[:0] = PATHS
os.environ["PYTHONPATH"] = os.pathsep.join(
    PATHS + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])

project = "matdiff"
author = "matdiff developers"
copyright = "2026, matdiff developers"
release = version = __import__("matdiff").__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "matdiff_docs",
    "katex_math",
]
exclude_patterns = ["_build", "jupyter_execute", ".jupyter_cache", "**.ipynb_checkpoints"]
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb", ".rst": "restructuredtext"}

# --- MyST and execution -------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
nb_execution_mode = "force"  # every build runs every example
nb_execution_raise_on_error = True  # a failing example fails the build
nb_execution_show_tb = True  # ... and shows its traceback
nb_execution_timeout = 120
nb_merge_streams = True
nb_render_markdown_format = "myst"  # Markdown outputs (explain("markdown")) keep their math

# --- API reference ------------------------------------------------------------------------
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"members": True, "undoc-members": False}
default_role = "code"  # `x'*A*x` in a docstring reads as code

# --- HTML -----------------------------------------------------------------------------------
html_theme = "furo"
smartquotes = False  # quotes and dashes in code-like text (x', --wrt) stay as typed
html_math_renderer = "katex"  # served with the site: _ext/katex_math.py
html_title = f"matdiff {release}"
html_static_path = ["_static"]
html_css_files = ["matdiff.css"]
