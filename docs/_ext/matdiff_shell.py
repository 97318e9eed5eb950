"""`%matdiff ARGS`: run the matdiff command inside a documentation page.

The pages load it with `%load_ext matdiff_shell`, so a cell reads like the shell command
it stands for (drop the `%` in a terminal) and shows the command's real output and exit
status. Nothing is evaluated: the line is split as a shell would and handed to the CLI.
"""

from __future__ import annotations

import contextlib
import io
import shlex
import sys

from matdiff import cli


def run_command(line: str) -> str:
    """What `matdiff LINE` prints (stdout, then stderr), plus the exit status if not 0."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = cli.main(shlex.split(line))
        except SystemExit as exit_:  # argparse's own usage errors
            status = exit_.code
    text = out.getvalue() + err.getvalue()
    if status:
        text += f"[exit status {status}]\n"
    return text


def load_ipython_extension(ipython) -> None:
    def matdiff(line: str) -> None:
        sys.stdout.write(run_command(line))

    ipython.register_magic_function(matdiff, "line", "matdiff")
