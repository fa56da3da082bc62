"""Timetable PDFs of the demo department, parsed back with pypdf."""

from __future__ import annotations

import re
import sqlite3
from collections import Counter

import pytest

from ato_desktop.reports import ReportError
from ato_desktop.services.reports import build_report, faculty_timetable_pdf, load_report_data
from ato_desktop.services import timetables as tts
from tests.reports.conftest import count_word, outline, page_texts, read_pdf


def _sessions(db):
    return [s for s in tts.list_sessions(db) if s.scheduled]


def _section_sessions(sessions, section: str):
    """Independent rule for a demo section: its own sessions and its lab batches' (no baskets)."""
    return [s for s in sessions if any(g == section or g.startswith(section + "-") for g in s.groups)]


def test_group_pdf_one_page_per_group_with_its_sessions_on_its_page(demo_copy):
    pdf, pages, data = build_report(demo_copy, "group")
    reader = read_pdf(pdf)
    groups = data.top_groups()
    assert "CSE-3A" in groups and "CSE-3A-B1" not in groups  # batches print inside their section
    assert pages == len(reader.pages) == len(groups)
    texts = page_texts(reader)
    sessions = _sessions(demo_copy)
    for i, g in enumerate(groups):
        assert f"Student group {g}" in texts[i]
    for section in ("CSE-3A", "CSE-5B", "CSE-7A", "MTECH-CSE-1"):
        text = texts[groups.index(section)]
        mine = _section_sessions(sessions, section)
        assert mine
        for code, n in Counter(s.course_code for s in mine).items():
            # one merged cell per session (a 3-period lab is ONE cell) + one legend entry
            assert count_word(text, code) == n + 1, (section, code)
        others = {s.course_code for s in sessions} - {s.course_code for s in mine} - {"MD311", "EC311"}
        for code in others:
            assert count_word(text, code) == 0, (section, code)


def test_elective_basket_sessions_appear_on_their_cohorts_pages(demo_copy):
    pdf, _, data = build_report(demo_copy, "group")
    texts = page_texts(read_pdf(pdf))
    groups = data.top_groups()
    for cohort in ("CSE-5A", "CSE-5B", "ECE-5A"):
        text = texts[groups.index(cohort)]
        assert count_word(text, "MD311") == 3 + 1 and count_word(text, "EC311") == 3 + 1
    assert count_word(texts[groups.index("CSE-3A")], "MD311") == 0


def test_multi_period_labs_are_one_cell_with_the_header_and_breaks(demo_copy):
    sessions = _sessions(demo_copy)
    lab = next(s for s in sessions if s.duration == 3 and s.groups == ("CSE-5A-B1",))
    pdf, pages, _ = build_report(demo_copy, "group", name="cse-5a")  # names are case-insensitive
    assert pages == 1
    text = page_texts(read_pdf(pdf))[0]
    assert f"{lab.course_code} P · B1" in text
    assert "Demo Institute of Technology" in text and "Reference timetable" in text
    assert "Odd Semester 2026–27" in text and "Generated" in text
    assert "Lunch" in text and "12:20–13:10" not in text  # the break column shows its label, no times
    assert "09:00–09:50" in text


def test_faculty_pdf_keeps_non_ascii_names_and_lists_their_sessions(demo_copy):
    sessions = _sessions(demo_copy)
    for code, name in (("SFE", "Dr. Sébastien Fernandes"), ("ZDS", "Ms. Zoë D'Souza"), ("ECB", "Dr. Élise Banerjee")):
        pdf = faculty_timetable_pdf(demo_copy, None, code)
        reader = read_pdf(pdf)
        assert len(reader.pages) == 1
        text = page_texts(reader)[0]
        assert f"{name} ({code})" in text
        mine = [s for s in sessions if code in s.faculty]
        assert mine
        for course, n in Counter(s.course_code for s in mine).items():
            assert count_word(text, course) == n + 1, (code, course)
        for room in {s.room for s in mine}:
            assert room in text


def test_all_faculty_and_rooms_one_page_each_in_order(demo_copy):
    sessions = _sessions(demo_copy)
    pdf, pages, data = build_report(demo_copy, "faculty")
    texts = page_texts(read_pdf(pdf))
    teaching = sorted({f for s in sessions for f in s.faculty})
    assert pages == len(teaching) == len(texts)
    for i, code in enumerate(teaching):
        assert f"({code})" in texts[i]
        for s in sessions:
            if code in s.faculty:
                assert s.course_code in texts[i]

    pdf, pages, data = build_report(demo_copy, "room", paper="A3", landscape=False)
    reader = read_pdf(pdf)
    con = sqlite3.connect(demo_copy.path)
    rooms = [r for (r,) in con.execute("SELECT code FROM room ORDER BY code")]
    con.close()
    assert pages == len(rooms)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 1191)  # A3 portrait
    texts = page_texts(reader)
    for i, room in enumerate(rooms):
        assert f"Room {room}" in texts[i]
        for code, n in Counter(s.course_code for s in sessions if s.room == room).items():
            assert count_word(texts[i], code) == n + 1, (room, code)


def test_master_has_a_page_per_day_with_every_group(demo_copy):
    pdf, pages, data = build_report(demo_copy, "master", paper="A4", landscape=True)
    reader = read_pdf(pdf)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    days = [d.name for d in data.calendar.days]
    assert pages == 1 + len(days)  # the key once, on its own page, then a page per day
    texts = page_texts(reader)
    assert "Master timetable — key" in texts[0] and "Data Structures" in texts[0]
    sessions = _sessions(demo_copy)
    for i, day in enumerate(days):
        text = texts[1 + i]
        assert f"Master timetable — {day}" in text and "Data Structures" not in text
        for g in data.top_groups():
            assert g in text
        for s in _section_sessions(sessions, "CSE-7B"):
            if s.day == i:
                assert s.course_code in text


def test_rupee_sign_and_diacritics_survive_in_an_embedded_font(demo_copy, tmp_path):
    import shutil

    from ato_desktop.services import calendar as cal
    from ato_desktop.storage.database import open_database

    path = tmp_path / "copy.atodb"
    shutil.copyfile(demo_copy.path, path)
    db = open_database(path)
    try:
        cal.set_settings(db, term="Odd Semester · fee ₹ 1,200 · Ñuñoa Çağlar Łódź")
        pdf = faculty_timetable_pdf(db, None, "SFE")
    finally:
        db.close()
    reader = read_pdf(pdf)
    text = page_texts(reader)[0]
    assert "fee ₹ 1,200" in text and "Ñuñoa Çağlar Łódź" in text and "Sébastien" in text
    fonts = reader.pages[0]["/Resources"]["/Font"]
    embedded, other = [], []
    for ref in fonts.values():
        font = ref.get_object()
        desc = font.get("/FontDescriptor")
        if desc is not None and "/FontFile2" in desc.get_object():
            embedded.append(str(font["/BaseFont"]))
        else:
            other.append(str(font["/BaseFont"]))
    assert len(embedded) >= 2  # regular and bold TrueType subsets, embedded
    assert set(other) <= {"/Helvetica"}  # ReportLab's page-start default, never used for our text


def test_unknown_names_are_refused_with_the_known_ones(demo_copy):
    with pytest.raises(ReportError, match="no faculty member 'XYZ'.*AGH"):
        build_report(demo_copy, "faculty", name="XYZ")
    with pytest.raises(ReportError, match="no timetable version 'Nope'.*Reference timetable"):
        build_report(demo_copy, "group", timetable_id="Nope")
    with pytest.raises(ReportError, match="unknown report kind"):
        build_report(demo_copy, "poster")
    with pytest.raises(ReportError, match="only applies"):
        build_report(demo_copy, "master", name="CSE-3A")
    with pytest.raises(ReportError, match="paper"):
        build_report(demo_copy, "master", paper="Letter")


def test_empty_database_has_no_timetable_to_print(db):
    with pytest.raises(ReportError, match="no timetable version yet"):
        load_report_data(db)


def test_a_department_without_data_prints_reports_but_refuses_empty_timetables(db):
    tts.create_timetable(db, "v1")
    for kind in ("group", "faculty", "room", "master"):
        with pytest.raises(ReportError, match="nothing to print"):
            build_report(db, kind)
    for kind in ("workload", "utilization", "conflicts"):
        pdf, pages, _ = build_report(db, kind)
        assert pages == len(read_pdf(pdf).pages) >= 1
    pdf, pages, _ = build_report(db, "book")
    assert "Department timetable book" in page_texts(read_pdf(pdf))[0]


def test_reports_render_without_qt(demo_copy):
    import subprocess
    import sys

    code = ("import sys\nfrom ato_desktop.storage.database import open_readonly\n"
            "from ato_desktop.services.reports import build_report\n"
            f"db = open_readonly({str(demo_copy.path)!r})\n"
            "pdf, pages, _ = build_report(db, 'conflicts')\n"
            "assert pages >= 1\n"
            "qt = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6')))\n"
            "print('QT:', qt)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "QT: []" in r.stdout


@pytest.mark.parametrize("kind, name", [("faculty", "SFE"), ("group", None), ("room", None), ("master", None),
                                        ("book", None)])
def test_every_page_footer_says_page_x_of_y(demo_copy, kind, name):
    pdf, pages, _ = build_report(demo_copy, kind, name=name)
    texts = page_texts(read_pdf(pdf))
    n = len(texts)
    assert n == pages and (n > 1 or kind == "faculty")
    assert "Page 1 of %d" % n in texts[0] and "Page %d of %d" % (n, n) in texts[-1]
    for i, text in enumerate(texts, start=1):
        assert re.findall(r"Page (\d+) of (\d+)", text) == [(str(i), str(n))], f"page {i}"
