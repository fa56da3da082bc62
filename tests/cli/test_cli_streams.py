"""A windowed bundle may start with no stdout/stderr (sys.stdout is None): commands must still run."""

from __future__ import annotations

import subprocess
import sys


def test_a_command_runs_without_standard_streams(tmp_path):
    code = ("import sys; sys.stdout = None; sys.stderr = None\n"
            "from ato_desktop.cli import main\n"
            f"rc = main(['demo', 'create', {str(tmp_path / 'd.atodb')!r}])\n"
            "sys.__stdout__.write(f'rc={rc}')\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().endswith("rc=0") and (tmp_path / "d.atodb").exists()
