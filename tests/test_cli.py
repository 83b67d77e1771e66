"""The command line as a newcomer meets it: --version, and output piped into another program."""
from __future__ import annotations

import subprocess
import sys

from conftest import TODAY, read_rows, write_rows

from gongkai import __version__


def test_version():
    done = subprocess.run([sys.executable, "-m", "gongkai.cli", "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == f"gongkai {__version__}"


def test_output_piped_into_head_ends_quietly(portal):
    rows = read_rows(portal, "units")
    for row in rows:
        row["kind"] = "居委会"  # many findings: more output than a pipe holds
    write_rows(portal, "units", rows * 40)
    command = f"{sys.executable} -m gongkai.cli validate {portal} --today {TODAY} --format json | head -n 1"
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "{"
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr
