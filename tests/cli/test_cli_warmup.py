"""`ato-desktop warm-up [--quiet] [--if-needed]`: compiles (or loads) the kernels, records it, says how long."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from ato_desktop.cli import build_parser, main
from ato_desktop.engine import warmup

REPO = Path(__file__).resolve().parents[2]


def test_warm_up_records_it_and_if_needed_then_returns_at_once(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(warmup.MARKER_DIR_ENV, str(tmp_path / "m"))
    assert not warmup.is_warm()
    assert main(["warm-up"]) == 0
    cap = capsys.readouterr()
    assert re.fullmatch(r"Optimizer prepared in \d+\.\d s\.", cap.out.strip().splitlines()[-1])
    assert "[warm-up" in cap.err and "compiling the optimizer's search" in cap.err  # progress on stderr
    assert warmup.is_warm()

    t0 = time.perf_counter()
    assert main(["warm-up", "--if-needed"]) == 0
    assert time.perf_counter() - t0 < 1.0
    assert capsys.readouterr().out.strip() == "The optimizer is already prepared for this computer."


def test_quiet_prints_only_the_summary_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(warmup.MARKER_DIR_ENV, str(tmp_path / "m"))
    assert main(["warm-up", "--quiet", "--if-needed"]) == 0  # not warm yet: runs
    cap = capsys.readouterr()
    assert cap.err == ""
    assert cap.out.startswith("Optimizer prepared in ") and len(cap.out.strip().splitlines()) == 1


def test_a_marker_folder_that_cannot_be_written_is_said_and_still_succeeds(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(warmup.MARKER_DIR_ENV, str(blocker / "sub"))
    assert main(["warm-up", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "could not record it in" in out and str(blocker / "sub") in out
    assert not warmup.is_warm()


def test_the_command_is_listed_in_the_help():
    text = build_parser().format_help()
    assert "warm-up" in text and "prepare the optimizer" in text


def test_warm_up_in_a_real_process(tmp_path):
    """As the installer runs it: `python -m ato_desktop warm-up`, exit code 0, the time on stdout."""
    env = {**os.environ, warmup.MARKER_DIR_ENV: str(tmp_path / "m"), "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-m", "ato_desktop", "warm-up", "--quiet"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Optimizer prepared in ")
    assert (tmp_path / "m" / warmup.marker_path().name).is_file()
    again = subprocess.run([sys.executable, "-m", "ato_desktop", "warm-up", "--if-needed"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "already prepared" in again.stdout
