"""End-to-end: `python -m ato_desktop solve-ctt` / `validate-ctt` in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ato_desktop.io.ctt import load_ctt_problem, read_solution
from ato_desktop.io.itc_validator import validate_files

REPO_ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ato_desktop", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=timeout)


def test_malformed_instance_gives_one_line_with_the_line_number_and_no_file(itc_dir: Path, tmp_path: Path) -> None:
    lines = (itc_dir / "toy.ctt").read_text().splitlines()
    lines[11] = "TecCos Rosa 5"  # line 12
    bad = tmp_path / "bad.ctt"
    bad.write_text("\n".join(lines) + "\n")
    out = tmp_path / "bad.sol"
    proc = run("solve-ctt", str(bad), "--time-limit", "1", "--out", str(out))
    assert proc.returncode == 2
    assert proc.stdout == ""
    err = proc.stderr.strip().splitlines()
    assert len(err) == 1, proc.stderr
    assert "line 12: expected 5 fields 'CourseID Teacher #Lectures MinWorkingDays #Students', got 3" in err[0]
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.ctt"]


def test_output_folder_must_exist(itc_dir: Path, tmp_path: Path) -> None:
    proc = run("solve-ctt", str(itc_dir / "toy.ctt"), "--time-limit", "1", "--out", str(tmp_path / "no" / "x.sol"))
    assert proc.returncode == 2 and "does not exist" in proc.stderr


def test_validate_ctt_prints_the_breakdown(itc_dir: Path, tmp_path: Path) -> None:
    sol = tmp_path / "s.sol"
    sol.write_text("SceCosC B 0 0\nArcTec B 0 1\n")
    proc = run("validate-ctt", str(itc_dir / "toy.ctt"), str(sol))
    assert proc.returncode == 0, proc.stderr
    # 16 - 2 lectures missing; days below minimum: SceCosC 2, ArcTec 1, TecCos 4, Geotec 4 -> 11 x 5
    assert "Violations of Lectures (hard) : 14" in proc.stdout
    assert proc.stdout.strip().splitlines()[-1] == "Summary: Violations = 14, Total Cost = 55"
    proc = run("validate-ctt", str(itc_dir / "toy.ctt"), str(sol), "--json")
    assert json.loads(proc.stdout)["MinWorkingDays"] == 55
    sol.write_text("SceCosC B 0 0\nArcTec Q 0 1\n")
    proc = run("validate-ctt", str(itc_dir / "toy.ctt"), str(sol))
    assert proc.returncode == 2 and "line 2: unknown room 'Q'" in proc.stderr


def test_solve_ctt_end_to_end_on_toy(itc_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "toy.sol"
    proc = run("solve-ctt", str(itc_dir / "toy.ctt"), "--time-limit", "3", "--seed", "1", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert set(summary) >= {"instance", "hard", "soft", "seconds", "first_feasible_seconds", "evaluations"}
    assert summary["instance"] == "toy"
    # The JSON line is the validator's scoring of the written file.
    score = validate_files(itc_dir / "toy.ctt", out)
    assert (summary["hard"], summary["soft"]) == (score.hard, score.soft)
    # toy.ctt is easy: a working optimizer is feasible within 3 s, and then agrees with the validator.
    assert summary["hard"] == 0
    assert summary["first_feasible_seconds"] is not None and summary["first_feasible_seconds"] <= summary["seconds"]
    assert (summary["engine_hard"], summary["engine_soft"]) == (score.hard, score.soft)
    assert summary["evaluations"] > 0
    problem = load_ctt_problem(itc_dir / "toy.ctt")
    a = read_solution(out, problem)
    assert (a.start >= 0).all() and len(out.read_text().splitlines()) == problem.n_sessions


def test_the_anytime_profile_takes_the_best_known_at_each_checkpoint_within_the_time_limit() -> None:
    """solve-ctt's JSON line carries the best (hard, soft) after 10, 30, 60, 120, 300 s (benchmarks/itc2007.py)."""
    from types import SimpleNamespace as NS

    from ato_desktop.cli.commands_engine import anytime_profile

    history = [NS(elapsed=0.1, best_hard=-1, best_soft=-1), NS(elapsed=2.0, best_hard=3, best_soft=90),
               NS(elapsed=9.9, best_hard=0, best_soft=70), NS(elapsed=10.2, best_hard=0, best_soft=60),
               NS(elapsed=29.0, best_hard=0, best_soft=41)]
    result = NS(history=history, seconds=45.0, hard=0, soft=40)
    assert anytime_profile(result, 60) == {"10": [0, 70], "30": [0, 41], "60": [0, 40]}
    assert anytime_profile(result, 10) == {"10": [0, 70]}
    early = NS(history=history[:2], seconds=5.0, hard=2, soft=80)  # ended (optimum or stop) before 10 s
    assert anytime_profile(early, 300) == {c: [2, 80] for c in ("10", "30", "60", "120", "300")}


def test_solve_ctt_on_two_threads(itc_dir: Path, tmp_path: Path) -> None:
    """Issue 18 §2: --threads N runs N islands; the written file is still scored by the validator."""
    out = tmp_path / "toy.sol"
    proc = run("solve-ctt", str(itc_dir / "toy.ctt"), "--time-limit", "2", "--threads", "2", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["threads"] == 2 and summary["hard"] == 0
    assert summary["lower_bound"][0] == 0 and 0 <= summary["lower_bound"][1] <= summary["soft"]  # issue 18 §4
    assert (summary["engine_hard"], summary["engine_soft"]) == (summary["hard"], summary["soft"])
    proc = run("solve-ctt", str(itc_dir / "toy.ctt"), "--threads", "0", "--out", str(out))
    assert proc.returncode != 0 and "--threads" in proc.stderr
