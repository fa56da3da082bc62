"""The large demo department: its shape, and its planted reference timetable checked by the engine."""

from collections import Counter, defaultdict

import pytest

from ato_desktop.services import resources as res
from ato_desktop.services import timetables as tts
from ato_desktop.services.compile import compile_database
from ato_desktop.storage.database import open_database


@pytest.fixture(scope="module")
def large(large_demo_path):
    db = open_database(large_demo_path)
    yield db
    db.close()


def test_large_demo_has_the_shape_of_a_real_department(large):
    faculty = res.list_items(large, "faculty")
    home = [f for f in faculty if f["department_name"] == "Computer Science and Engineering"]
    assert 45 <= len(home) <= 60
    assert {f["designation"] for f in home} == {"Professor", "Associate Professor", "Assistant Professor"}
    for f in faculty:  # UGC norms of direct teaching
        assert f["max_weekly_periods"] == (16 if f["designation"] == "Assistant Professor" else 14), f["code"]
        assert f["max_daily_periods"] > 0
    groups = res.list_items(large, "group")
    sections = [g for g in groups if g["code"].startswith("CSE-") and not g["parent"]]
    assert len(sections) == 24 and {g["semester"] for g in sections} == {1, 3, 5, 7}
    batches = Counter(g["parent"] for g in groups if g["parent"])
    assert set(batches) == {g["code"] for g in sections} and set(batches.values()) == {2, 3}
    rooms = res.list_items(large, "room")
    labs = [r for r in rooms if r["kind"] == "lab" and r["department"] == "CSE"]
    assert len(labs) == 12 and len({tuple(r["features"]) for r in labs}) >= 6
    assert any(r["kind"] == "seminar_hall" and r["shared"] and r["department"] != "CSE" for r in rooms)
    acts = res.list_items(large, "activity")
    assert {a["duration"] for a in acts if a["kind"] == "P"} == {2, 3}
    assert any(a["kind"] == "T" and a["groups"][0].rsplit("-B", 1)[-1].isdigit() for a in acts)  # per batch
    baskets = res.list_items(large, "basket")
    assert len(baskets) == 2
    for b in baskets:
        assert any(not c.startswith("CSE-") for c in b["cohorts"])  # shared with other departments
        depts = {res.get_item(large, "course", a["course"])["department"] for a in acts if a["basket"] == b["code"]}
        assert len(depts) >= 2
    sessions = sum(a["sessions_per_week"] for a in acts)
    assert 800 <= sessions <= 1100
    assert any(len(c["title"]) > 60 for c in res.list_items(large, "course"))
    scripts = {"Devanagari": (0x0900, 0x097F), "Tamil": (0x0B80, 0x0BFF), "Telugu": (0x0C00, 0x0C7F)}
    for lo, hi in scripts.values():
        assert any(any(lo <= ord(ch) <= hi for ch in f["name"]) for f in faculty)


def test_planted_reference_timetable_has_no_hard_conflict(large):
    from ato_desktop.engine.evaluate import evaluate

    comp, assignment, _ = compile_database(large, "Reference timetable")
    assert 800 <= comp.problem.n_sessions <= 1100
    assert (assignment.start >= 0).all() and (assignment.room >= 0).all()
    score = evaluate(comp.problem, assignment)
    assert score.hard == 0, {n: c.count for n, c in score.by_constraint.items() if c.count and c.is_hard}


def test_the_data_check_finds_nothing_impossible(large):
    """What `ato-desktop check` and the optimizer's Start run first: no error on the large department."""
    from ato_desktop.engine.checks import check_problem

    comp, _, _ = compile_database(large)
    errors = [f.message for f in check_problem(comp.problem) if f.severity == "error"]
    assert errors == []


def test_every_faculty_member_is_within_weekly_and_daily_limits(large):
    faculty = {f["code"]: f for f in res.list_items(large, "faculty")}
    week: Counter = Counter()
    day: Counter = Counter()
    for s in tts.list_sessions(large, "Reference timetable"):
        assert s.scheduled
        for f in s.faculty:
            week[f] += s.duration
            day[(f, s.day)] += s.duration
    assert set(week) == set(faculty)  # everybody teaches
    for code, n in week.items():
        assert n <= faculty[code]["max_weekly_periods"], code
    for (code, d), n in day.items():
        assert n <= faculty[code]["max_daily_periods"], (code, d)


def test_faculty_unavailability_and_preferences_are_respected(large):
    from ato_desktop.services.availability import get_marks

    marks = {f["code"]: get_marks(large, "faculty", f["code"]) for f in res.list_items(large, "faculty")}
    marked = {c: m for c, m in marks.items() if m}
    assert len(marked) >= 10
    assert {"unavailable", "preferred", "undesired"} <= {v for m in marked.values() for v in m.values()}
    taught = defaultdict(set)
    for s in tts.list_sessions(large, "Reference timetable"):
        for f in s.faculty:
            taught[f].update((s.day, p) for p in range(s.period, s.period + s.duration))
    for code, m in marked.items():
        assert not {k for k, v in m.items() if v == "unavailable"} & taught[code], code


def test_large_demo_is_deterministic(tmp_path):
    from ato_desktop.demo_large import _construct, _plan_data

    plans = []
    for _ in range(2):
        plan = _plan_data()
        _construct(plan, 7)
        plans.append([(a.teacher, a.placed) for a in plan.acts])
    assert plans[0] == plans[1]


def test_cli_creates_the_large_demo(tmp_path, large, capsys):
    from ato_desktop.cli import main

    out = tmp_path / "large.atodb"
    assert main(["demo", "create", str(out), "--size", "large"]) == 0
    assert "816 sessions" in capsys.readouterr().out
    with open_database(out) as db:
        assert res.count_items(db, "faculty") == res.count_items(large, "faculty")
        assert res.count_items(db, "activity") == res.count_items(large, "activity")


@pytest.mark.slow
def test_the_optimizer_solves_the_large_department_to_zero_hard_conflicts(large_demo_copy):
    """From scratch (not from the planted version): the first feasible timetable comes within seconds."""
    import re
    import subprocess
    import sys
    from pathlib import Path

    proc = subprocess.run(
        [sys.executable, "-m", "ato_desktop", "solve", "--db", str(large_demo_copy), "--time-limit", "15",
         "--seed", "1", "--name", "Solved by test"],
        cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True, timeout=280)
    assert proc.returncode == 0, proc.stderr
    m = re.search(r"Saved as timetable version 'Solved by test': hard (\d+), soft (\d+)", proc.stdout)
    assert m and int(m.group(1)) == 0, proc.stdout[-2000:]
