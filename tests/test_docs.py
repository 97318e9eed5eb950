"""The documentation builds with warnings as errors, and every example in it runs.

Building the site executes every code cell of every page and notebook (MyST-NB), so a
broken example, a dangling reference or a docstring Sphinx cannot read fails this test.
The notebook is also executed on its own, as a reader would run it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

for _module in ("myst_nb", "jax", "torch"):  # the pages run JAX and PyTorch examples too
    pytest.importorskip(_module, reason="pip install -e '.[docs,jax,torch]'")

pytestmark = pytest.mark.docs
ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
NOTEBOOK = DOCS / "notebooks" / "gradient-descent.ipynb"


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    return env


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("docs")
    html, doctrees = out / "html", out / "doctrees"
    # -T: a failing example shows its cell and traceback
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-T", "-j", "auto",
               "-b", "html", str(DOCS), str(html), "-d", str(doctrees)]
    done = subprocess.run(command, capture_output=True, text=True, env=_environment(),
                          timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-8000:]
    return html


def test_site_builds_with_every_page(site):
    for page in ["index", "getting-started", "tutorial/neural-layer", "howto/generated-code",
                 "reference/language", "reference/python-api", "reference/cli",
                 "reference/errors", "architecture", "notebooks/gradient-descent"]:
        assert (site / f"{page}.html").is_file(), page


def test_function_reference_lists_every_function(site):
    from matdiff.functions import KNOWN_FUNCTIONS, LITERAL_ARG_FUNCTIONS

    page = (site / "reference" / "language.html").read_text()
    for name in KNOWN_FUNCTIONS - LITERAL_ARG_FUNCTIONS:
        assert f"{name}(u)" in page, name


def test_cli_reference_lists_every_option(site):
    from matdiff import cli

    page = (site / "reference" / "cli.html").read_text()
    for action in cli._parser()._actions:
        for option in action.option_strings if action.dest != "help" else ():
            assert option in page, option


def test_pages_show_real_outputs(site):
    page = (site / "tutorial" / "neural-layer.html").read_text()
    assert "Substitute back and simplify" in page  # the explain() output, executed
    assert "finite-difference check OK" in page


def test_notebook_executes_and_plots(monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells), "store it without outputs"
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT)}})
    monkeypatch.setenv("PYTHONPATH", _environment()["PYTHONPATH"])  # the kernel imports src/
    client.execute()
    outputs = [o for cell in notebook.cells for o in cell.get("outputs", [])]
    assert any("image/png" in o.get("data", {}) for o in outputs)
    assert any("text/latex" in o.get("data", {}) for o in outputs)
