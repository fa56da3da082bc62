"""Workload, utilization, unscheduled/conflicts, the department book, progress and cancel."""

from __future__ import annotations

import re
import shutil
import sqlite3

import pytest

from ato_desktop.reports import ReportCancelled
from ato_desktop.services.reports import build_report, load_report_data, render_report
from ato_desktop.reports.tables import problems, utilization, workload
from ato_desktop.services import resources as res
from ato_desktop.services import timetables as tts
from ato_desktop.storage.database import open_database
from tests.reports.conftest import count_word, outline, page_texts, read_pdf

@pytest.fixture
def scratch(demo_copy, tmp_path):
    """A writable copy of the demo for tests that change the timetable."""
    path = tmp_path / "scratch.atodb"
    shutil.copyfile(demo_copy.path, path)
    db = open_database(path)
    yield db
    db.close()


def _sql(db, query, *args):
    con = sqlite3.connect(db.path)
    try:
        return con.execute(query, args).fetchall()
    finally:
        con.close()


def test_workload_counts_periods_per_day_against_limits(scratch):
    # SFE's scheduled periods per day, straight from SQL
    rows = _sql(scratch, """
        SELECT d.position, SUM(a.duration) FROM session_assignment sa
        JOIN activity a ON a.id = sa.activity_id
        JOIN activity_faculty af ON af.activity_id = a.id JOIN faculty f ON f.id = af.faculty_id
        JOIN day d ON d.id = sa.day_id
        WHERE f.code = 'SFE' GROUP BY d.position""")
    expected = [0] * 6
    for day, n in rows:
        expected[day] = n
    res.update_item(scratch, "faculty", "SFE", {"max_weekly_periods": 2, "max_daily_periods": 1})
    data = load_report_data(scratch)
    sfe = next(r for r in workload(data) if r.code == "SFE")
    assert sfe.per_day == expected and sfe.week == sum(expected) > 2
    assert sfe.over_week and any(sfe.over_day(d) for d in range(6))
    pdf, pages, _ = build_report(scratch, "workload", data=data)
    text = page_texts(read_pdf(pdf))[0]
    assert pages == 1
    assert "Faculty workload" in text and "Dr. Sébastien Fernandes" in text and "Ms. Zoë D'Souza" in text
    assert f"{sum(expected) - 2} over weekly limit" in text
    ok = next(r for r in workload(data) if r.code == "AIY")
    assert not ok.over_week


def test_room_utilization_by_room_and_day(demo_copy):
    rows = _sql(demo_copy, """
        SELECT d.position, SUM(a.duration) FROM session_assignment sa
        JOIN activity a ON a.id = sa.activity_id JOIN room r ON r.id = sa.room_id JOIN day d ON d.id = sa.day_id
        WHERE r.code = 'LAB-1' GROUP BY d.position""")
    used = [0] * 6
    for day, n in rows:
        used[day] = n
    data = load_report_data(demo_copy)
    lab = next(r for r in utilization(data) if r.code == "LAB-1")
    assert lab.used == used
    assert lab.available == [7] * 6  # 7 teaching periods a day, lunch excluded
    assert lab.week_used == sum(used) and 0 < lab.seat_fill <= 1
    pdf, pages, _ = build_report(demo_copy, "utilization", data=data)
    text = page_texts(read_pdf(pdf))[0]
    assert pages == 1 and "Room utilization" in text
    share = sum(used) / 42
    assert f"{sum(used)}/42" in text and f"{share:.0%}" in text
    assert "All rooms" in text


def test_unscheduled_sessions_and_conflicts_are_listed(scratch):
    sessions = [s for s in tts.list_sessions(scratch) if s.scheduled]
    gone = next(s for s in sessions if s.course_code == "CS303" and s.kind == "L")
    tts.move_session(scratch, gone.id, None, None, None)
    # put a CSE-3A lecture on top of another CSE-3A lecture: a group clash
    a, b = [s for s in sessions if s.groups == ("CSE-3A",) and s.kind == "L"][:2]
    tts.move_session(scratch, b.id, a.day, a.period, b.room)
    data = load_report_data(scratch)
    pr = problems(data)
    assert [s.id for s in pr.unscheduled] == [gone.id]
    names = {g.name: g for g in pr.conflicts}
    assert names["unscheduled"].count == 1 and names["unscheduled"].hard
    assert names["resource_clash"].count >= 1
    pdf, _, _ = build_report(scratch, "conflicts", data=data)
    text = "\n".join(page_texts(read_pdf(pdf)))
    assert f"CS303 L #{gone.occurrence + 1}" in text and "Database Management Systems" in text
    clash = names["resource_clash"]
    row = re.search(rf"{re.escape(clash.label)}\s+hard\s+(\d+)\s+(\d+)", text)
    assert row and int(row.group(1)) == clash.count >= 1
    assert re.search(rf"{re.escape(names['unscheduled'].label)}\s+hard\s+1\s+1", text)
    assert "classroom" in text  # the room the unscheduled session needs


def test_conflicts_come_with_the_engines_explanations(scratch):
    sessions = [s for s in tts.list_sessions(scratch) if s.scheduled]
    a, b = [s for s in sessions if s.groups == ("CSE-3A",) and s.kind == "L"][:2]
    tts.move_session(scratch, b.id, a.day, a.period, b.room)
    data = load_report_data(scratch)
    pr = problems(data)
    assert pr.explained
    clash = next(g for g in pr.conflicts if g.name == "resource_clash")
    assert clash.messages and any(a.course_code in m or b.course_code in m for m in clash.messages)
    text = "\n".join(page_texts(read_pdf(build_report(scratch, "conflicts", data=data)[0])))
    assert clash.messages[0][:30] in text.replace("\n", " ")


def test_book_has_contents_bookmarks_and_every_section_on_its_page(demo_copy):
    pdf, pages, data = build_report(demo_copy, "book")
    reader = read_pdf(pdf)
    assert pages == len(reader.pages)
    texts = page_texts(reader)
    assert "Department timetable book" in texts[0] and "Contents" in texts[0]
    marks = outline(reader)
    top = [t for lvl, t, _ in marks if lvl == 0]
    assert top == ["Student groups", "Faculty", "Rooms", "Master timetable", "Reports"]
    pages_of = {t: p for _, t, p in marks}
    groups, faculty, rooms = data.top_groups(), data.active_faculty(), data.active_rooms()
    second = [t for lvl, t, _ in marks if lvl == 1]
    assert len(second) == len(groups) + len(faculty) + len(rooms) + 1 + len(data.calendar.days) + 3  # + master key
    sessions = [s for s in data.sessions if s.scheduled]
    for g in groups:
        text = texts[pages_of[g]]
        assert f"Student group {g}" in text
    for s in sessions:
        for g in s.groups:
            section = data.groups[g].get("parent") or g
            if section in pages_of:
                assert count_word(texts[pages_of[section]], s.course_code) >= 1
        for f in s.faculty:
            name = f"{data.faculty[f]['name']} ({f})"
            assert s.course_code in texts[pages_of[name]]
        assert s.course_code in texts[pages_of[s.room]]
    assert "Sébastien" in texts[pages_of["Dr. Sébastien Fernandes (SFE)"]]
    assert "Faculty workload" in texts[pages_of["Faculty workload"]]
    assert "Room utilization" in texts[pages_of["Room utilization"]]
    # the contents page lists the entries with their page numbers (1-based)
    contents = "\n".join(texts[:pages_of["Student groups"]])
    assert "Ms. Zoë D'Souza (ZDS)" in contents and "Dr. Élise Banerjee (ECB)" in contents
    flat = re.sub(r"[\s.]+", " ", contents)
    for title in ("CSE-3A", "Ms. Zoë D'Souza (ZDS)", "LAB-1"):
        key = re.sub(r"[\s.]+", " ", title)
        assert re.search(rf"{re.escape(key)} {pages_of[title] + 1}(?!\d)", flat), title


def test_progress_is_monotonic_and_cancel_writes_nothing(demo_copy, tmp_path):
    seen = []
    out = tmp_path / "book.pdf"
    result = render_report(demo_copy, "book", out, on_progress=seen.append)
    assert out.read_bytes()[:5] == b"%PDF-" and result.pages == len(read_pdf(out.read_bytes()).pages)
    fractions = [p.fraction for p in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(fractions) > 20
    assert any("Page" in p.message for p in seen)

    out2 = tmp_path / "cancelled.pdf"
    calls = []

    def stop() -> bool:
        calls.append(1)
        return len(calls) > 30  # part-way through

    with pytest.raises(ReportCancelled):
        render_report(demo_copy, "book", out2, should_stop=stop)
    assert not out2.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["book.pdf"]  # no temporary file left behind


def test_existing_file_is_replaced_only_by_a_complete_pdf(demo_copy, tmp_path):
    out = tmp_path / "faculty.pdf"
    out.write_bytes(b"old contents")
    with pytest.raises(Exception):
        render_report(demo_copy, "faculty", out, name="NOBODY")
    assert out.read_bytes() == b"old contents"
    render_report(demo_copy, "faculty", out, name="AGH")
    assert "Mr. Arjun Ghosh" in page_texts(read_pdf(out.read_bytes()))[0]


def test_book_contents_numbers_follow_sections_that_take_several_pages(demo_copy, monkeypatch):
    """Contents page numbers are filled in when the book is saved, so a section longer than one page
    (here: every group timetable forced onto two pages) moves every later number with it."""
    from ato_desktop.reports import timetable as t

    real = t.timetable_page

    def two_pages(*args, **kwargs):
        from reportlab.platypus import PageBreak

        return real(*args, **kwargs) + [PageBreak(), t.Paragraph("continued", args[1].body)]

    monkeypatch.setattr("ato_desktop.reports.build.timetable_page", two_pages)
    pdf, pages, data = build_report(demo_copy, "book")
    reader = read_pdf(pdf)
    texts = page_texts(reader)
    pages_of = {t: p for _, t, p in outline(reader)}
    assert pages_of["LAB-1"] - pages_of["CSE-3A"] > 2 * (len(data.top_groups()) + len(data.active_faculty()))
    assert "Room utilization" in texts[pages_of["Room utilization"]]
    assert "Student group CSE-3A" in texts[pages_of["CSE-3A"]]
    flat = re.sub(r"[\s.]+", " ", "\n".join(texts[:pages_of["Student groups"]]))
    for title in ("CSE-3A", "LAB-1", "Room utilization"):
        assert re.search(rf"{re.escape(title)} {pages_of[title] + 1}(?!\d)", flat), title
    n = len(texts)
    assert [re.findall(r"Page (\d+) of (\d+)", t) for t in texts] == [[(str(i), str(n))] for i in range(1, n + 1)]


def test_unscheduled_sessions_say_where_they_fit_now_or_why_not(scratch):
    from ato_desktop.services import availability as av
    from ato_desktop.services import calendar as cal

    calendar = cal.get_calendar(scratch)
    sessions = tts.list_sessions(scratch)
    gone = next(s for s in sessions if s.course_code == "CS201" and s.kind == "L" and s.groups == ("CSE-3B",))
    tts.move_session(scratch, gone.id, None, None, None)
    pr = problems(load_report_data(scratch))
    why = pr.why[gone.id]
    places = re.findall(r"(\w{3}) (P\d) in ([\w-]+)", why)
    assert why.startswith("Fits now at") and len(places) == 3
    others = [s for s in tts.list_sessions(scratch) if s.scheduled and s.id != gone.id]
    day_of = {d.short_name: d.position for d in calendar.days}
    period_of = {p.label: p.position for p in calendar.periods}
    for day, period, room in places:  # independently: nobody involved is busy there
        d, p = day_of[day], period_of[period]
        for o in others:
            if o.day == d and o.period <= p < o.period + o.duration:
                assert o.room != room
                assert not set(o.faculty) & set(gone.faculty)
                assert not any(g == "CSE-3B" or g.startswith("CSE-3B-") for g in o.groups)
    # make its teacher unavailable all week: now it cannot go anywhere, and the report says why
    teacher = gone.faculty[0]
    marks = {(d.position, p.position): "unavailable" for d in calendar.days for p in calendar.periods if not p.is_break}
    av.set_marks(scratch, "faculty", teacher, marks)
    pr = problems(load_report_data(scratch))
    assert "Fits now" not in pr.why[gone.id] and pr.why[gone.id]
    text = "\n".join(page_texts(read_pdf(build_report(scratch, "conflicts")[0])))
    assert pr.why[gone.id][:25] in text.replace("\n", " ")


def test_clashing_cells_are_flagged_and_parallel_batches_are_not(demo_copy, scratch):
    # the planted demo has parallel lab batches and electives in one cell, but no clash
    for kind in ("group", "faculty", "room", "master"):
        texts = page_texts(read_pdf(build_report(demo_copy, kind)[0]))
        assert not any("CLASH" in t for t in texts), kind
    sessions = [s for s in tts.list_sessions(scratch) if s.scheduled]
    a = next(s for s in sessions if s.groups == ("CSE-7A",) and s.kind == "L")
    b = next(s for s in sessions if s.groups == ("CSE-7A-B2",) and s.kind == "P")  # a batch of the same section
    tts.move_session(scratch, b.id, a.day, a.period, None)
    data = load_report_data(scratch)
    texts = page_texts(read_pdf(build_report(scratch, "group", name="CSE-7A", data=data)[0]))
    assert texts[0].count("CLASH") == 1
    other = page_texts(read_pdf(build_report(scratch, "group", name="CSE-7B", data=data)[0]))
    assert "CLASH" not in other[0]


def test_conflict_sections_count_violations_not_the_weighted_count(demo_copy):
    """In the demo a soft rule's count (e.g. isolated: 125) exceeds its number of violations."""
    from ato_desktop.engine.evaluate import evaluate
    from ato_desktop.services.compile import compile_database

    data = load_report_data(demo_copy)
    comp, assignment, _ = compile_database(demo_copy, data.timetable.id)
    score = evaluate(comp.problem, assignment)
    differs = {n: r for n, r in score.by_constraint.items() if r.count > len(r.violations) > 0}
    assert differs, "the demo should have a rule whose count exceeds its violations"
    text = " ".join(page_texts(read_pdf(build_report(demo_copy, "conflicts", data=data)[0]))).replace("\n", " ")
    pr = problems(data)
    for g in pr.conflicts:
        r = score.by_constraint[g.name]
        assert g.violations == len(r.violations)
        head = re.search(rf"{re.escape(g.label)} \((?:hard|soft)\): (\d+) violation\(s\), count (\d+), cost (\d+)", text)
        assert head, g.label
        assert (int(head.group(1)), int(head.group(2))) == (len(r.violations), r.count)
        shown = sum(1 for m in g.messages if not m.startswith("… and"))
        more = [m for m in g.messages if m.startswith("… and")]
        if shown < len(r.violations):
            assert more == [f"… and {len(r.violations) - shown} more."]
        else:
            assert not more
    for name in differs:  # the example lines plus "… and N more" add up to the violations, not the count
        g = next(g for g in pr.conflicts if g.name == name)
        row = re.search(rf"{re.escape(g.label)}\s+(?:hard|soft)\s+(\d+)\s+(\d+)\s+(\d+)", text)
        assert row, g.label  # summary table: Count, Cost, Violations
        assert (int(row.group(1)), int(row.group(3))) == (g.count, len(score.by_constraint[name].violations))
