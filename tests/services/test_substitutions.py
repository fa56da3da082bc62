"""Absences and daily arrangements (issue 21): on real database files through the services and the CLI.

The arrangement tests take the database from the ``arrangement_db_path`` fixture, parametrized by the
name of a database-path fixture (the small demo and a copy of the large one).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import select

from ato_desktop.cli import main
from ato_desktop.services import day_timetable as daytt
from ato_desktop.services import substitution_day as sday
from ato_desktop.services import substitution_register as sreg
from ato_desktop.services import substitutions as sb
from ato_desktop.services import term as terms
from ato_desktop.services import timetables as tts
from ato_desktop.services.errors import ValidationError
from ato_desktop.services.rowchange import undo_change
from ato_desktop.storage import models as m
from ato_desktop.storage.database import open_database

DATABASES = ["demo_db_path", "large_demo_copy"]  # the small and the large demo department
TERM = ("2026-07-20", "2026-12-12")


def _fixed_term(db) -> None:
    """The same term whatever day the template was made (the demo sets one around its creation day)."""
    for d in terms.get_term(db).days:
        terms.remove_term_day(db, d.date)
    terms.set_term(db, *TERM)


@pytest.fixture(params=DATABASES)
def arrangement_db_path(request) -> Path:
    """A department database with a published timetable and the fixed term."""
    path = request.getfixturevalue(request.param)
    db = open_database(path)
    try:
        _fixed_term(db)
        if tts.latest_published(db) is None:
            tts.set_status(db, tts.list_timetables(db)[0].id, "published")
    finally:
        db.close()
    return path


@pytest.fixture
def adb(arrangement_db_path):
    db = open_database(arrangement_db_path)
    yield db
    db.close()


def _busiest(db, date: dt.date, n: int) -> list[str]:
    """The ``n`` faculty members with the most periods on ``date`` (the hardest absences to cover)."""
    day = terms.teaching_day(db, date).day
    load = defaultdict(int)
    for x in tts.list_sessions(db, tts.latest_published(db).id):
        if x.day == day:
            for f in x.faculty:
                load[f] += x.duration
    return sorted(load, key=lambda c: (-load[c], c))[:n]


def _cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


DATE = dt.date(2026, 12, 8)  # a Tuesday of the term


def check_against_timetable(db, date: dt.date) -> list:
    """Every lesson covered or self-study; no substitute double-booked, absent, unavailable or over their
    daily limit — recomputed from the timetable and the stored rows, not from the planner."""
    plan = sday.plan_day(db, date)
    day = plan.lessons and terms.teaching_day(db, date).day
    with db.read_session() as s:
        fac = {f.code: f for f in s.execute(m.Faculty.__table__.select())}
        code_of = {f.id: f.code for f in fac.values()}
        unavailable = set()
        days = {r.id: r.position for r in s.execute(m.Day.__table__.select())}
        pers = {r.id: r.position for r in s.execute(m.Period.__table__.select())}
        for r in s.execute(m.FacultyAvailability.__table__.select()):
            if r.state == "unavailable":
                unavailable.add((code_of[r.faculty_id], days[r.day_id], pers[r.period_id]))
        subs = list(s.execute(m.Substitution.__table__.select().where(m.Substitution.date == date)))
    busy = defaultdict(list)
    for x in tts.list_sessions(db, plan.timetable_id):
        if x.day == day:
            for f in x.faculty:
                busy[f] += list(range(x.period, x.period + x.duration))
    absent = {}
    for a in plan.absences:
        absent.setdefault(a.faculty, set()).update(a.periods or range(20))
    for x in plan.lessons:
        assert x.covered, f"{x.label} of {x.faculty} is not covered"
        assert x.arrangement.kind in ("substitute", "self_study")
    for r in subs:
        if r.kind != "substitute":
            continue
        sub = code_of[r.substitute_id]
        span = range(r.period, r.period + r.duration)
        assert not set(span) & absent.get(sub, set()), f"{sub} is absent"
        assert not any((sub, day, p) in unavailable for p in span), f"{sub} is unavailable"
        busy[sub] += list(span)
    for code, periods in busy.items():
        if code in absent:
            continue
        assert len(periods) == len(set(periods)), f"{code} is double-booked: {sorted(periods)}"
        limit = fac[code].max_daily_periods
        assert not limit or len(periods) <= limit, f"{code} teaches {len(periods)} periods, limit {limit}"
    return plan.lessons


# ---------------------------------------------------------------------------
def test_the_demo_term_contains_the_day_it_is_created(db):
    from ato_desktop.demo import populate

    populate(db, today=dt.date(2027, 1, 14))
    t = terms.get_term(db)
    assert t.start <= dt.date(2027, 1, 14) <= t.end and t.time_zone == "Asia/Kolkata"
    assert terms.date_info(db, dt.date(2027, 1, 14)).teaching
    kinds = {d.kind for d in t.days}
    assert kinds == {"holiday", "follows"} and dt.date(2027, 1, 14) not in {d.date for d in t.days}
    follows = next(d for d in t.days if d.kind == "follows")
    assert follows.date.weekday() == 5 and terms.date_info(db, follows.date).day_name == "Monday"


def test_today_is_taken_in_the_terms_time_zone():
    late_utc = dt.datetime(2026, 12, 6, 20, 0, tzinfo=dt.timezone.utc)  # 01:30 on the 7th in India
    assert terms.today(now=late_utc) == dt.date(2026, 12, 7)


def test_three_absences_planned_with_auto_are_all_covered_without_clashes(arrangement_db_path, capsys, tmp_path):
    path = arrangement_db_path
    db = open_database(path)
    absent = _busiest(db, DATE, 3)
    db.close()
    for code in absent:
        rc, out, err = _cli(capsys, "absence", "add", "--db", path, "--faculty", code, "--date", DATE, "--reason",
                            "leave")
        assert rc == 0, err
        assert "lesson(s) to cover" in out
    rc, out, err = _cli(capsys, "substitutions", "plan", "--db", path, "--date", DATE, "--auto", "--json")
    assert rc == 0, err
    data = json.loads(out)
    assert data["date"] == DATE.isoformat() and data["lessons"]
    for lesson in data["lessons"]:
        assert set(lesson) >= {"faculty", "course", "group", "period", "substitute", "self_study", "candidates"}
        assert lesson["faculty"] in absent
        assert lesson["substitute"] or lesson["self_study"]
    db = open_database(path)
    try:
        lessons = check_against_timetable(db, DATE)
        names = {x.arrangement.substitute_name for x in lessons if x.arrangement.kind == "substitute"}
    finally:
        db.close()
    sheet = tmp_path / "sheet.pdf"
    rc, out, err = _cli(capsys, "substitutions", "sheet", "--db", path, "--date", DATE, "--out", sheet)
    assert rc == 0, err
    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(sheet).pages)
    assert "Daily arrangement" in text and "Substitution slips" in text
    for n in names:
        assert n in text


def test_candidates_are_ranked_with_reasons_and_respect_the_hard_rules(adb):
    code = _busiest(adb, DATE, 1)[0]
    sb.add_absence(adb, code, DATE)
    plan = sday.plan_day(adb, DATE)
    assert plan.lessons
    for x in plan.lessons:
        assert code not in [c.code for c in x.candidates]
        keys = [c.key for c in x.candidates]
        assert keys == sorted(keys)
        for c in x.candidates:
            assert c.reasons[0].startswith("free at")
            assert any("department" in r for r in c.reasons) and any("this term" in r for r in c.reasons)
    # a colleague busy at that period is refused with a sentence
    x = plan.lessons[0]
    busy = next(f for s in tts.list_sessions(adb, plan.timetable_id)
                if s.day == terms.teaching_day(adb, DATE).day and s.period == x.period for f in s.faculty
                if f != code)
    with pytest.raises(ValidationError, match="busy at"):
        sb.assign_substitute(adb, DATE, x.absence_id, x.activity_id, x.occurrence, busy)


def test_undo_of_an_assignment_restores_the_previous_state(adb):
    code = _busiest(adb, DATE, 1)[0]
    sb.add_absence(adb, code, DATE)
    x = sday.plan_day(adb, DATE).lessons[0]
    first, second = x.candidates[0].code, x.candidates[1].code
    ch1 = sb.assign_substitute(adb, DATE, x.absence_id, x.activity_id, x.occurrence, first)
    ch2 = sb.assign_substitute(adb, DATE, x.absence_id, x.activity_id, x.occurrence, second)

    def current():
        return next(y for y in sday.plan_day(adb, DATE).lessons if y.ref == x.ref).arrangement

    assert current().substitute == second
    redo2 = undo_change(adb, ch2)
    assert current().substitute == first
    undo_change(adb, ch1)
    assert current() is None
    assert sreg.register(adb).rows == ()
    undo_change(adb, undo_change(adb, ch1))  # redo then undo again: still nothing
    assert current() is None
    sb.assign_substitute(adb, DATE, x.absence_id, x.activity_id, x.occurrence, first)
    undo_change(adb, redo2)  # redo of the replacement
    assert current().substitute == second


def test_auto_plan_is_one_undoable_operation(adb):
    for code in _busiest(adb, DATE, 2):
        sb.add_absence(adb, code, DATE)
    change = sb.auto_plan(adb, DATE)
    assert change.count("substitution") == len(sday.plan_day(adb, DATE).lessons) > 0
    undo_change(adb, change)
    assert all(x.arrangement is None for x in sday.plan_day(adb, DATE).lessons)


def test_replanning_after_a_second_absence_keeps_the_first_assignments(adb):
    a, b, c = _busiest(adb, DATE, 3)
    sb.add_absence(adb, a, DATE)
    sb.auto_plan(adb, DATE)
    before = {x.ref: (x.arrangement.id, x.arrangement.substitute) for x in sday.plan_day(adb, DATE).lessons}
    subs = {s for _, s in before.values()}
    second = next(code for code in (b, c) if code not in subs)
    sb.add_absence(adb, second, DATE)
    plan = sday.plan_day(adb, DATE)
    assert {x.ref: (x.arrangement.id, x.arrangement.substitute) for x in plan.lessons if x.faculty == a} == before
    sb.auto_plan(adb, DATE)
    after = {x.ref: (x.arrangement.id, x.arrangement.substitute) for x in sday.plan_day(adb, DATE).lessons}
    assert {k: after[k] for k in before} == before
    check_against_timetable(adb, DATE)
    # a substitute who falls ill too: only their lessons are planned again
    victim_ref, (_, victim) = next(iter(before.items()))
    sb.add_absence(adb, victim, DATE)
    plan = sday.plan_day(adb, DATE)
    broken = [x for x in plan.lessons if x.problem]
    assert [x.ref for x in broken] == [r for r, (_, s) in before.items() if s == victim]
    assert "now absent" in broken[0].problem
    sb.auto_plan(adb, DATE)
    final = {x.ref: (x.arrangement.id, x.arrangement.substitute) for x in sday.plan_day(adb, DATE).lessons}
    for ref, value in before.items():
        if value[1] != victim:
            assert final[ref] == value
        else:
            assert final[ref][1] != victim
    check_against_timetable(adb, DATE)


def _count_rows(path: Path, table: str) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


@pytest.mark.parametrize("args, expected", [
    (["--faculty", "{F}", "--date", "06-12-2026"], "YYYY-MM-DD"),
    (["--faculty", "{F}", "--date", "2026/12/08"], "YYYY-MM-DD"),
    (["--faculty", "{F}", "--date", "2026-02-30"], "not a real date"),
    (["--faculty", "NOBODY", "--date", "2026-12-08"], "no faculty member with the code 'NOBODY'"),
    (["--faculty", "{F}", "--date", "2027-01-05"], "outside the term"),
    (["--faculty", "{F}", "--date", "2026-11-09"], "is a holiday (Diwali)"),
    (["--faculty", "{F}", "--date", "2026-12-06"], "Sunday, not a working day"),
    (["--faculty", "{F}", "--date", "2026-12-08", "--periods", "P3,P99"], "there is no period 'P99'"),
    (["--faculty", "{F}", "--date", "2026-12-08", "--periods", "{BREAK}"], "is a break"),
])
# On the small demo only: a refusal reads the date, the code, the term and the calendar, not the department's size
# (the large one's nine cases added ~13 s at load 20 and tested the same path).
@pytest.mark.parametrize("arrangement_db_path", ["demo_db_path"], indirect=True)
def test_bad_absences_are_refused_in_one_sentence_and_nothing_is_recorded(arrangement_db_path, capsys, args,
                                                                          expected):
    from ato_desktop.services import calendar as cal

    db = open_database(arrangement_db_path)
    terms.add_holiday(db, "2026-11-09", "Diwali")
    names = {"{F}": _busiest(db, DATE, 1)[0],
             "{BREAK}": next((p.label for p in cal.get_calendar(db).periods if p.is_break), "")}
    db.close()
    if "{BREAK}" in args and not names["{BREAK}"]:
        pytest.skip("this calendar has no break")
    args = [names.get(a, a) for a in args]
    before = _count_rows(arrangement_db_path, "absence")
    rc, out, err = _cli(capsys, "absence", "add", "--db", arrangement_db_path, *args, "--reason", "leave")
    assert rc == 2
    assert expected in err and err.count("\n") == 1 and "Traceback" not in err
    assert _count_rows(arrangement_db_path, "absence") == before


def test_term_commands_and_a_saturday_that_follows_monday(arrangement_db_path, capsys):
    p = arrangement_db_path
    assert _cli(capsys, "term", "holiday", "add", "2026-11-09", "--label", "Diwali", "--db", p)[0] == 0
    rc, out, err = _cli(capsys, "term", "exception", "add", "2026-12-05", "--follows", "Monday", "--db", p)
    assert rc == 0, err
    rc, out, err = _cli(capsys, "term", "exception", "add", "2026-12-12", "--follows", "Funday", "--db", p)
    assert rc == 2 and "not a working day" in err
    rc, out, err = _cli(capsys, "term", "set", "--start", "2026-08-01", "--end", "2026-07-01", "--db", p)
    assert rc == 2 and "before the start" in err
    rc, out, _ = _cli(capsys, "term", "show", "--db", p, "--json")
    shown = json.loads(out)
    assert shown["start"] == TERM[0] and {d["date"] for d in shown["days"]} == {"2026-11-09", "2026-12-05"}
    db = open_database(p)
    try:
        monday = terms.teaching_day(db, "2026-12-07").day
        assert terms.teaching_day(db, "2026-12-05").day == monday
        code = _busiest(db, dt.date(2026, 12, 7), 1)[0]
        sb.add_absence(db, code, "2026-12-05")
        sat = [(x.course, x.period) for x in sday.plan_day(db, "2026-12-05").lessons]
        sb.add_absence(db, code, "2026-12-07")
        mon = [(x.course, x.period) for x in sday.plan_day(db, "2026-12-07").lessons]
        assert sat == mon and sat
    finally:
        db.close()


def test_plan_refuses_without_a_published_version_unless_one_is_named(demo_db_path, capsys):
    db = open_database(demo_db_path)
    _fixed_term(db)
    sb.add_absence(db, "SRA", DATE)
    db.close()
    rc, out, err = _cli(capsys, "substitutions", "plan", "--db", demo_db_path, "--date", DATE)
    assert rc == 2 and "no timetable version is published" in err.lower()
    rc, out, err = _cli(capsys, "substitutions", "plan", "--db", demo_db_path, "--date", DATE, "--timetable",
                        "Reference timetable")
    assert rc == 0 and "SRA" in out


def test_a_simulated_month_spreads_substitutions_fairly(adb):
    from benchmarks.substitutions_month import simulate_month

    out = simulate_month(adb, days=20, seed=0, per_day=3)
    assert out["lessons"] > 20
    assert out["spread"] <= 3, out["taken"]
    reg = out["register"]
    assert sum(t.taken for t in reg.totals) + out["self_study"] == len(reg.rows) == out["lessons"]
    assert sum(t.given for t in reg.totals) == len(reg.rows)


def test_without_the_fairness_rule_the_same_month_is_spread_much_worse(adb, monkeypatch):
    """The fairness rank is what spreads the load: the same seeded month ranked without it."""
    from benchmarks.substitutions_month import simulate_month

    init = sday._Day.__init__

    def forgetful(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.term_count = {}  # every day starts as if nobody had substituted yet this term

    monkeypatch.setattr(sday._Day, "__init__", forgetful)
    out = simulate_month(adb, days=20, seed=0, per_day=3)
    assert out["spread"] >= 5, out["taken"]


def test_register_exports_to_xlsx_and_pdf(arrangement_db_path, capsys, tmp_path):
    db = open_database(arrangement_db_path)
    for code in _busiest(db, DATE, 2):
        sb.add_absence(db, code, DATE, note="=HYPERLINK(\"http://x\")")
    sb.auto_plan(db, DATE)
    reg = sreg.register(db)
    db.close()
    xlsx, pdf = tmp_path / "reg.xlsx", tmp_path / "reg.pdf"
    for out in (xlsx, pdf):
        rc, text, err = _cli(capsys, "substitutions", "register", "--db", arrangement_db_path, "--out", out)
        assert rc == 0, err
    from openpyxl import load_workbook

    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["Per faculty", "Substitutions"]
    rows = list(wb["Substitutions"].iter_rows(values_only=True))
    assert len(rows) == len(reg.rows) + 1
    per = {r[0]: (r[3], r[4]) for r in list(wb["Per faculty"].iter_rows(values_only=True))[1:]}
    assert per == {t.code: (t.taken, t.given) for t in reg.totals}
    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "Register of substitutions" in text and reg.rows[0].course in text
    rc, _, err = _cli(capsys, "substitutions", "register", "--db", arrangement_db_path, "--out", tmp_path / "r.csv")
    assert rc == 2 and ".xlsx or .pdf" in err and not (tmp_path / "r.csv").exists()


def test_self_study_and_swap_alternatives(adb):
    code = _busiest(adb, DATE, 1)[0]
    sb.add_absence(adb, code, DATE)
    x = sday.plan_day(adb, DATE).lessons[0]
    sb.set_self_study(adb, DATE, x.absence_id, x.activity_id, x.occurrence)
    y = next(y for y in sday.plan_day(adb, DATE).lessons if y.ref == x.ref)
    assert y.arrangement.kind == "self_study" and y.arrangement.room == x.room and y.covered
    # a Monday: the rest of the week offers swaps with a later lesson of the same group
    monday = dt.date(2026, 12, 7)
    swaps, lesson = [], None
    for code in _busiest(adb, monday, 30):
        sb.add_absence(adb, code, monday)
        for lesson in (z for z in sday.plan_day(adb, monday).lessons if z.faculty == code):
            swaps = [a for a in sb.alternatives(adb, monday, lesson.absence_id, lesson.activity_id,
                                                lesson.occurrence) if a.kind == "swap"]
            if swaps:
                break
        if swaps:
            break
    assert swaps, "some lesson can be swapped with a later one of the same group"
    s = swaps[0]
    assert monday < s.date <= monday + dt.timedelta(days=6)
    sb.assign_alternative(adb, monday, lesson.absence_id, lesson.activity_id, lesson.occurrence, "swap",
                          s.activity_id, s.occurrence, s.date)
    z = next(z for z in sday.plan_day(adb, monday).lessons if z.ref == lesson.ref)
    assert z.arrangement.kind == "swap" and z.arrangement.substitute == s.teacher and z.covered
    # on the other date the absent teacher now teaches in the other lesson's slot
    there = next(r for r in daytt.day_timetable(adb, s.date).rows if r.note.startswith("swap:"))
    assert there.teachers == (lesson.faculty,) and there.course == lesson.course
    with pytest.raises(ValidationError, match="not possible"):
        sb.assign_alternative(adb, monday, lesson.absence_id, lesson.activity_id, lesson.occurrence, "merge",
                              s.activity_id, s.occurrence)


def test_the_workload_report_counts_substitutions(adb):
    from pypdf import PdfReader
    import io

    from ato_desktop.services.reports import build_report, load_report_data
    from ato_desktop.reports.tables import workload

    absent = _busiest(adb, DATE, 1)[0]
    sb.add_absence(adb, absent, DATE)
    sb.auto_plan(adb, DATE)
    taken = {t.code: t.taken for t in sreg.register(adb).totals}
    data = load_report_data(adb, sday.base_timetable(adb).id)
    rows = {r.code: r for r in workload(data)}
    assert rows[absent].subs_given == len(sday.plan_day(adb, DATE).lessons) > 0
    assert {c: r.subs_taken for c, r in rows.items()} == taken
    pdf, _, _ = build_report(adb, "workload", data=data)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Subst." in text and f"0 / {rows[absent].subs_given}" in text


def test_the_real_timetable_of_a_date(adb, capsys, arrangement_db_path):
    terms.add_holiday(adb, "2026-11-09", "Diwali")
    terms.add_exception(adb, "2026-12-05", "Monday")
    code = _busiest(adb, DATE, 1)[0]
    sb.add_absence(adb, code, DATE)
    sb.auto_plan(adb, DATE)
    day = daytt.day_timetable(adb, DATE)
    mine = [r for r in day.rows if f"{code} absent" in r.note]
    assert mine and all(code not in r.teachers for r in mine)
    plan = {(x.course, x.period): x.arrangement.substitute for x in sday.plan_day(adb, DATE).lessons}
    for r in mine:
        assert plan[(r.course, r.period)] in r.teachers
    others = [r for r in day.rows if not r.note]
    assert len(others) + len(mine) == len(day.rows) and others
    assert daytt.day_timetable(adb, "2026-11-09").rows == () and "Diwali" in daytt.day_timetable(adb, "2026-11-09").why
    saturday = daytt.day_timetable(adb, "2026-12-05")
    monday = daytt.day_timetable(adb, "2026-12-07")
    assert saturday.day_name == "Monday" and [(r.course, r.period) for r in saturday.rows] == \
        [(r.course, r.period) for r in monday.rows]
    rc = main(["substitutions", "day", "--db", str(arrangement_db_path), "--date", "2026-12-05", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["day"] == "Monday" and len(out["lessons"]) == len(saturday.rows)


def test_two_sections_of_a_course_can_be_merged_in_a_room_that_seats_both(adb):
    """Two sections of one course at the same period: the absent teacher's section joins the other one,
    in a free room large enough for both when the other's room is too small."""
    day = terms.teaching_day(adb, DATE).day
    sessions = [x for x in tts.list_sessions(adb, sday.base_timetable(adb).id) if x.day == day]
    pairs = [(x, y) for x in sessions for y in sessions if x.course_code == y.course_code and x.period == y.period
             and x.duration == y.duration and x.groups != y.groups and set(x.faculty).isdisjoint(y.faculty)]
    if not pairs:
        pytest.skip("no course runs for two groups at the same time on this date")
    x, y = pairs[0]
    sb.add_absence(adb, x.faculty[0], DATE)
    lesson = next(z for z in sday.plan_day(adb, DATE).lessons if (z.activity_id, z.occurrence) ==
                  (x.activity_id, x.occurrence))
    merges = [a for a in sb.alternatives(adb, DATE, lesson.absence_id, lesson.activity_id, lesson.occurrence)
              if a.kind == "merge"]
    assert merges and merges[0].teacher == y.faculty[0]
    with adb.read_session() as s:
        cap = {r.code: r.capacity for r in s.scalars(select(m.Room))}
        strength = {g.code: g.strength for g in s.scalars(select(m.StudentGroup))}
    assert cap[merges[0].room] >= sum(strength[g] for g in (*x.groups, *y.groups))
    sb.assign_alternative(adb, DATE, lesson.absence_id, lesson.activity_id, lesson.occurrence, "merge",
                          y.activity_id, y.occurrence)
    z = next(z for z in sday.plan_day(adb, DATE).lessons if z.ref == lesson.ref)
    assert z.arrangement.kind == "merge" and z.arrangement.room == merges[0].room and z.covered


def test_a_date_with_arrangements_cannot_change_the_timetable_it_follows(adb):
    sb.add_absence(adb, _busiest(adb, DATE, 1)[0], DATE)
    sb.auto_plan(adb, DATE)
    with pytest.raises(ValidationError, match="arrangement"):
        terms.add_exception(adb, DATE, "Monday")
    with pytest.raises(ValidationError, match="absence"):
        terms.add_holiday(adb, DATE, "Strike")
    assert terms.get_term(adb).days == ()


def test_a_longer_absence_covers_every_teaching_day_and_one_undo_removes_it(adb):
    terms.add_holiday(adb, "2026-12-09", "Guru Nanak Jayanti")
    code = _busiest(adb, DATE, 1)[0]
    change = sb.add_absence(adb, code, "2026-12-06", to="2026-12-12", reason="leave")
    assert change.detail["dates"] == ["2026-12-07", "2026-12-08", "2026-12-10", "2026-12-11", "2026-12-12"]
    with pytest.raises(ValidationError, match="periods can only be given"):
        sb.add_absence(adb, code, "2026-12-07", to="2026-12-08", periods="P1")
    with pytest.raises(ValidationError, match="already recorded absent"):
        sb.add_absence(adb, code, DATE, periods="P1")
    sb.auto_plan(adb, DATE)
    assert sreg.register(adb).rows
    undo_change(adb, change)  # the absence and the arrangements made since go together
    assert sday.list_absences(adb) == [] and sreg.register(adb).rows == ()


def test_the_real_timetable_of_a_week(adb):
    """The week view's data: dates, a holiday, a day that follows another weekday, the day's substitutions."""
    terms.add_holiday(adb, "2026-12-10", "Foundation Day")  # Thursday
    terms.add_exception(adb, "2026-12-09", "Friday", "make-up")  # Wednesday runs Friday's timetable
    code = _busiest(adb, DATE, 1)[0]
    sb.add_absence(adb, code, DATE)
    sb.auto_plan(adb, DATE)
    week = daytt.week_timetable(adb, "2026-12-10")  # any date of the week: Monday to Sunday
    by_date = {w.date: w for w in week}
    assert week[0].date == dt.date(2026, 12, 7) and [w.day for w in week] == sorted(w.day for w in week)
    thursday = by_date[dt.date(2026, 12, 10)]
    assert thursday.holiday and "Foundation Day" in thursday.holiday and thursday.rows == () \
        and thursday.follows is None
    wednesday, friday = by_date[dt.date(2026, 12, 9)], by_date[dt.date(2026, 12, 11)]
    assert wednesday.follows == friday.day and wednesday.follows_name == "Friday" and wednesday.holiday is None
    assert [(r.activity_id, r.occurrence) for r in wednesday.rows] == \
        [(r.activity_id, r.occurrence) for r in friday.rows]
    tuesday = by_date[DATE]
    assert tuesday.rows == daytt.day_timetable(adb, DATE).rows
    plan = sday.plan_day(adb, DATE)
    taken = [x for x in plan.lessons if x.arrangement and x.arrangement.substitute]
    assert taken
    for x in taken:
        row = tuesday.row_of(x.activity_id, x.occurrence)
        assert row is not None and x.arrangement.substitute in row.teachers and code not in row.teachers
        assert f"{code} absent" in row.note
    monday = by_date[dt.date(2026, 12, 7)]
    assert monday.rows and not any(r.note for r in monday.rows)
    outside = daytt.week_timetable(adb, "2026-12-14")  # the week after the term's end
    assert all(w.holiday == "outside the term" and w.rows == () for w in outside)
