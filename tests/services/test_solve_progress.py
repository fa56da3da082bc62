"""The optimizer reports the one progress snapshot (``ato_desktop.progress.Progress``) through the
services, with the engine's own snapshot in ``detail``: a solve and every candidate profile alike."""

from __future__ import annotations

from ato_desktop.engine.optimizer import Snapshot as EngineSnapshot
from ato_desktop.progress import Progress
from ato_desktop.services import candidates
from ato_desktop.services.solving import OptimizerSettings, run_solve


def test_run_solve_reports_progress_with_the_engine_snapshot_in_detail(demo_db):
    seen: list = []
    run = run_solve(demo_db, OptimizerSettings(time_limit=None, generations=2, seed=1), on_progress=seen.append)
    assert seen and all(type(p) is Progress and isinstance(p.detail, EngineSnapshot) for p in seen)
    assert all(p.total == 2 and p.done == p.detail.generation and p.message for p in seen)
    assert 0 <= seen[-1].fraction <= 1 and run.result.generations >= 1


def test_every_candidate_profile_reports_the_same_type(demo_db):
    seen: list = []
    candidates.make_candidates(demo_db, 2, OptimizerSettings(time_limit=5.0, generations=1, seed=3), backup=False,
                               profiles=("balanced", "students"), on_progress=lambda i, k, profile, p: seen.append(
                                   (profile, p)))
    assert {profile for profile, _ in seen} == {"balanced", "students"}  # run_solve, and the profile's own run
    assert all(type(p) is Progress and isinstance(p.detail, EngineSnapshot) and p.total == 5.0 for _, p in seen)
