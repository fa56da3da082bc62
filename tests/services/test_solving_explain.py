"""Issue 18 §4 through the one solve service: a run left with hard violations says why, with a bound."""

from __future__ import annotations

import time


def test_a_run_anyway_on_an_impossible_demo_names_the_faculty_member(demo_db_path) -> None:
    from ato_desktop.services import availability as av
    from ato_desktop.services.solving import OptimizerSettings, run_solve
    from ato_desktop.storage.database import open_database

    db = open_database(demo_db_path)
    try:
        # Mr. Arjun Ghosh (10 periods a week) left with two periods
        av.set_marks(db, "faculty", "AGH",
                     {(d, p): "unavailable" for d in range(6) for p in range(8) if not (d == 0 and p < 2)})
        run = run_solve(db, OptimizerSettings(time_limit=None, generations=1, seed=1, refuse_impossible=False,
                                              threads=1))
    finally:
        db.close()
    assert run.result.hard > 0
    lines = run.end_lines()
    assert lines[0].startswith(f"Best possible: hard {run.bound.hard} or more")
    assert 1 <= run.bound.hard <= run.result.hard
    text = "\n".join(lines)
    assert "Still broken:" in text and "Mr. Arjun Ghosh" in text.split("Impossible as entered:")[1]


def test_the_bound_and_explanation_are_cheap_on_the_large_demo(large_demo_path) -> None:
    from ato_desktop.engine.optimizer import Result
    from ato_desktop.services.compile import compile_database
    from ato_desktop.services.solving import explain_result
    from ato_desktop.storage.database import open_database

    db = open_database(large_demo_path)
    try:
        comp, current, _ = compile_database(db, None)
    finally:
        db.close()
    fake = Result(current, 1, 0, 0, 0.0, None, 0, False)  # pretend hard 1: the explanation runs too
    t0 = time.perf_counter()
    bound, explanation = explain_result(comp.problem, fake)
    assert time.perf_counter() - t0 < 10
    assert bound.hard == 0 and explanation is not None and explanation.conflicts == ()
