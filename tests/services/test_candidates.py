"""services.candidates: K optimizer runs (seeds and weighting profiles), each saved as a draft version
named after its profile and seed, compared with the first; Cancel keeps the finished ones."""

from __future__ import annotations

import pytest

from ato_desktop.services import candidates
from ato_desktop.services import timetables as tts
from ato_desktop.services.errors import ValidationError
from ato_desktop.services.solving import OptimizerSettings

QUICK = OptimizerSettings(time_limit=1.0, generations=1, seed=7)


def test_three_candidates_three_profiles_three_versions_compared(demo_db):
    before = {t.id for t in tts.list_timetables(demo_db)}
    seen = []
    result = candidates.make_candidates(demo_db, 3, QUICK, backup=False,
                                        on_progress=lambda i, k, profile, snap: seen.append((i, k, profile)))
    assert [(c.profile, c.seed) for c in result.candidates] == [("balanced", 7), ("students", 8), ("faculty", 9)]
    assert not result.stopped
    infos = {t.id: t for t in tts.list_timetables(demo_db)}
    new = [c.version_id for c in result.candidates]
    assert set(infos) - before == set(new)
    for c in result.candidates:
        info = infos[c.version_id]
        assert info.status == "draft" and info.name == c.name
        assert c.profile in ("balanced", "students", "faculty") and f"(seed {c.seed})" in c.name
        # saved with the department's weights, whatever the profile searched with
        assert (info.hard_cost, info.soft_cost) == (c.hard, c.soft)
    assert [(cmp.a.id, cmp.b.id) for cmp in result.comparisons] == [(new[0], new[1]), (new[0], new[2])]
    assert {i for i, _k, _p in seen} <= {0, 1, 2} and all(k == 3 for _i, k, _p in seen)
    lines = result.text_lines()
    assert len(lines) == 4 and "students" in lines[2]


def test_profile_weights_multiply_the_departments(demo_db):
    from ato_desktop.services.compile import compile_database

    comp, _a, _t = compile_database(demo_db)
    base = candidates.weights_for(comp.problem, "balanced")
    students = candidates.weights_for(comp.problem, "students")
    assert students["gaps"] == 3 * base["gaps"] and students["isolated"] == 3 * base["isolated"]
    assert {k: v for k, v in students.items() if k not in ("gaps", "isolated", "min_days")} == \
        {k: v for k, v in base.items() if k not in ("gaps", "isolated", "min_days")}
    faculty = candidates.weights_for(comp.problem, "faculty")
    assert faculty["max_days"] == 4 * base["max_days"]


def test_cancel_keeps_the_finished_candidates(demo_db):
    result = candidates.make_candidates(demo_db, 3, QUICK, backup=False,
                                        should_stop=lambda: len(tts.list_timetables(demo_db)) >= 2)
    assert result.stopped and len(result.candidates) == 1 and result.comparisons == ()


@pytest.mark.parametrize("k, profiles", [(0, None), (99, None), (2, ("nonsense",))])
def test_impossible_settings_are_refused_before_anything_runs(demo_db, k, profiles):
    n = len(tts.list_timetables(demo_db))
    with pytest.raises(ValidationError):
        candidates.make_candidates(demo_db, k, QUICK, profiles=profiles, backup=False)
    assert len(tts.list_timetables(demo_db)) == n


def _sessions(db, version_id: int) -> list[tuple]:
    from sqlalchemy import select

    from ato_desktop.storage import models as m

    sa = m.SessionAssignment
    with db.read_session() as s:
        return sorted(s.execute(select(sa.activity_id, sa.occurrence, sa.day_id, sa.period_id, sa.room_id)
                                .where(sa.timetable_id == version_id)).all(), key=repr)


def test_side_by_side_runs_give_the_same_candidates_as_one_after_another(demo_db_path, tmp_path):
    """K=3 on 2 worker threads: each candidate is its seed's, whatever ran beside it (generation limit: one
    generation, an offspring annealed for 3 M iterations, is as much beside the other run as two)."""
    import shutil
    import threading

    from ato_desktop.storage.database import open_database

    shutil.copy(demo_db_path, tmp_path / "other.atodb")
    sessions, threads = {}, {}
    for workers, path in ((1, demo_db_path), (2, tmp_path / "other.atodb")):
        settings = OptimizerSettings(time_limit=None, generations=1, seed=7, threads=workers)
        assert candidates.workers_for(3, settings) == workers
        names = set()
        with open_database(path) as db:
            result = candidates.make_candidates(
                db, 3, settings, backup=False,
                on_progress=lambda i, k, p, snap: names.add((i, threading.current_thread().name)))
            assert [c.index for c in result.candidates] == [0, 1, 2] and not result.stopped
            sessions[workers] = [_sessions(db, c.version_id) for c in result.candidates]
        threads[workers] = names
    assert all(sessions[1]) and sessions[2] == sessions[1]
    assert {n for _i, n in threads[2]} <= {"candidate-1", "candidate-2", "candidate-3"}
    assert candidates.workers_for(3, OptimizerSettings(threads=8)) == 3
    assert candidates.workers_for(3, OptimizerSettings(threads=0)) == 1


def test_cancel_stops_every_run_under_way(demo_db):
    """Two runs side by side, both reporting progress, then Cancel: both stop, nothing is saved."""
    import time

    before = len(tts.list_timetables(demo_db))
    seen: set[int] = set()
    settings = OptimizerSettings(time_limit=120.0, generations=None, seed=3, threads=2)
    started = time.monotonic()
    result = candidates.make_candidates(demo_db, 3, settings, backup=False,
                                        on_progress=lambda i, k, p, snap: seen.add(i),
                                        should_stop=lambda: seen >= {0, 1})
    assert result.stopped and result.candidates == ()
    assert time.monotonic() - started < 100  # stopped, not run to the time limit
    assert len(tts.list_timetables(demo_db)) == before
