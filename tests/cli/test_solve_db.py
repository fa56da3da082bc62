"""End-to-end: `python -m ato_desktop solve --db DB` on a copy of the demo department."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_solve_db_saves_a_new_feasible_version(demo_db_path: Path) -> None:
    from ato_desktop.engine.evaluate import evaluate
    from ato_desktop.services import timetables as tts
    from ato_desktop.services.compile import compile_database
    from ato_desktop.storage.database import open_database

    db = open_database(demo_db_path)
    try:
        before = {t.name for t in tts.list_timetables(db)}
    finally:
        db.close()
    proc = subprocess.run(
        [sys.executable, "-m", "ato_desktop", "solve", "--db", str(demo_db_path), "--time-limit", "5",
         "--seed", "3", "--name", "Optimized by test"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    m = re.search(r"Saved as timetable version 'Optimized by test': hard (\d+), soft (\d+)", proc.stdout)
    assert m, proc.stdout
    hard, soft = int(m.group(1)), int(m.group(2))
    assert hard == 0
    assert "evals/s" in proc.stderr  # progress lines while it ran
    assert re.search(r"Best possible: hard 0 or more, soft \d+ or more", proc.stdout), proc.stdout  # issue 18 §4
    db = open_database(demo_db_path)
    try:
        after = {t.name for t in tts.list_timetables(db)}
        assert after - before == {"Optimized by test"}
        comp, saved, _ = compile_database(db, "Optimized by test")
        score = evaluate(comp.problem, saved)
        assert (score.hard, score.soft) == (hard, soft)
    finally:
        db.close()


def test_solve_takes_the_apps_optimizer_settings_unless_told_otherwise() -> None:
    """One settings dataclass (issue 15, item 5): an argument not given keeps OptimizerSettings' default;
    --generations alone drops the time limit (a reproducible run)."""
    import pytest

    from ato_desktop.cli import build_parser
    from ato_desktop.cli.commands_solve import solve_settings
    from ato_desktop.services.solving import OptimizerSettings

    parser = build_parser(with_commands=True)
    assert solve_settings(parser.parse_args(["solve", "--db", "x.atodb"])) == OptimizerSettings()
    s = solve_settings(parser.parse_args(["solve", "--db", "x.atodb", "--generations", "3", "--seed", "4",
                                          "--population", "6", "--keep-changes"]))
    assert s == OptimizerSettings(time_limit=None, generations=3, seed=4, population_size=6, keep_changes=True)
    s = solve_settings(parser.parse_args(["solve", "--db", "x.atodb", "--generations", "3", "--time-limit", "9"]))
    assert (s.time_limit, s.generations) == (9.0, 3)
    with pytest.raises(TypeError, match="unknown optimizer setting"):
        OptimizerSettings().but(populaton_size=3)
    # issue 18: --threads (default: the machine's cores minus one, at least one)
    from ato_desktop.engine.islands import default_threads

    assert OptimizerSettings().threads == default_threads() >= 1
    s = solve_settings(parser.parse_args(["solve", "--db", "x.atodb", "--threads", "2"]))
    assert s.threads == 2 and s.engine_params(minimal_change=False).threads == 2
    with pytest.raises(SystemExit):
        parser.parse_args(["solve", "--db", "x.atodb", "--threads", "0"])
