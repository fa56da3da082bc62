"""Printing the large demo department (24 sections, 816 sessions), parsed back with pypdf.

The book is rendered once (it holds every kind: group, faculty, room, master, workload, utilization,
conflicts) and the workload once more in portrait. pypdf reads a page in a few tenths of a second, so
the font-size check reads every page's content stream directly, and the text checks read a sample of
sections that covers the hard cases (three lab batches, electives, names in Indian scripts).
"""

from __future__ import annotations

import re
from functools import lru_cache

import pytest

from ato_desktop.services.reports import build_report
from ato_desktop.storage.database import open_database
from tests.reports.conftest import count_word, outline, read_pdf

MIN_PT = 7.0


@pytest.fixture(scope="module")
def large_book(large_demo_path):
    db = open_database(large_demo_path)
    try:
        pdf, pages, data = build_report(db, "book")
        portrait, _, _ = build_report(db, "workload", landscape=False, data=data)
    finally:
        db.close()
    reader = read_pdf(pdf)
    assert pages == len(reader.pages)

    @lru_cache(maxsize=None)
    def text(i: int) -> str:
        return reader.pages[i].extract_text() or ""

    marks = outline(reader)
    starts = sorted({p for _, _, p in marks})

    def pages_of(title: str) -> range:
        first = next(p for _, t, p in marks if t == title)
        later = [p for p in starts if p > first]
        return range(first, later[0] if later else len(reader.pages))

    def section_text(title: str) -> str:
        return "\n".join(text(i) for i in pages_of(title))

    return {"reader": reader, "data": data, "text": text, "pages_of": pages_of, "section": section_text,
            "portrait": read_pdf(portrait)}


def _font_sizes(page) -> list[float]:
    """Every ``Tf`` size in a page's content stream and in the forms it draws (page numbers)."""
    streams = [page.get_contents().get_data()]
    xobjects = page["/Resources"].get("/XObject")
    if xobjects is not None:
        streams += [x.get_object().get_data() for x in xobjects.get_object().values()]
    return [float(m) for s in streams for m in re.findall(rb"/\S+\s+(-?[\d.]+)\s+Tf", s)]


def test_no_text_is_smaller_than_7_points_on_any_page(large_book):
    for reader in (large_book["reader"], large_book["portrait"]):
        for i, page in enumerate(reader.pages):
            sizes = _font_sizes(page)
            assert sizes and min(sizes) >= MIN_PT - 0.01, (i, min(sizes))


def _overflows(page) -> list[tuple[float, float, str]]:
    """Text drawn outside the page box or into the margins (12 mm; the footer sits on the bottom one)."""
    w, h = float(page.mediabox.width), float(page.mediabox.height)
    margin = 12 * 72 / 25.4
    bad = []

    def visit(text, cm, tm, font_dict, font_size):
        if not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        if not (margin - 1 <= x <= w - margin + 1 and margin - 3 <= y <= h - margin + 1):
            bad.append((round(x), round(y), text[:30]))

    page.extract_text(visitor_text=visit)
    return bad


def test_no_page_overflows_in_a_sample_of_every_kind(large_book):
    data, pages_of = large_book["data"], large_book["pages_of"]
    titles = ["CSE-1A", "CSE-3F", "CSE-5C", "CSE-7A", "OE-5-CS311", "PSH", "ARS", "LAB", "Monday", "Key",
              "Faculty workload", "Room utilization", "Unscheduled sessions and conflicts"]
    fac = {f: f"{data.faculty[f]['name']} ({f})" for f in data.active_faculty()}
    sample = []
    for t in titles:
        t = fac.get(t, t)
        if t == "LAB":
            t = next(r for r in data.active_rooms() if r.startswith("CSL-"))
        sample += list(pages_of(t))
    reader = large_book["reader"]
    for i in sample:
        assert _overflows(reader.pages[i]) == [], i
    for page in large_book["portrait"].pages:
        assert _overflows(page) == []


@pytest.mark.parametrize("section", ["CSE-1A", "CSE-3F", "CSE-5C", "CSE-7D"])
def test_every_session_of_a_section_is_on_its_pages(large_book, section):
    data = large_book["data"]
    text = large_book["section"](section)
    mine = [s for s in data.group_sessions(section) if s.scheduled]
    assert mine
    for s in mine:
        assert count_word(text, s.course_code) >= 1, (section, s.course_code)
    assert "Student group " + section in text


def test_each_group_faculty_and_room_timetable_is_one_page_with_its_key(large_book):
    """24 sections with three lab batches, long course titles: grid and legend still share one A4 page."""
    data, pages_of, text = large_book["data"], large_book["pages_of"], large_book["text"]
    groups = [g for g in data.top_groups() if data.group_sessions(g)]
    faculty = [f"{data.faculty[f]['name']} ({f})" for f in data.active_faculty()]
    rooms = list(data.active_rooms())
    assert len(groups) >= 24 and len(faculty) >= 45
    pages = {title: len(pages_of(title)) for title in groups + faculty + rooms}
    assert {t: n for t, n in pages.items() if n != 1} == {}
    for g in ("CSE-1A", "CSE-5B", "CSE-7D"):
        page = text(pages_of(g).start)
        assert "Courses" in page and "Kinds" in page and "practical (lab)" in page, g


def test_every_session_of_a_day_is_on_the_master_pages_of_that_day(large_book):
    data = large_book["data"]
    day = data.calendar.days[2]
    text = large_book["section"](day.name)
    for g in data.top_groups():
        assert g in text
        for s in data.group_sessions(g):
            if s.scheduled and s.day == day.position:
                assert s.course_code in text, (g, s.course_code)


def test_faculty_names_in_latin_and_indian_scripts_are_found_by_text_search(large_book):
    data, section = large_book["data"], large_book["section"]
    indian = [f for f in data.active_faculty() if any(ord(ch) >= 0x0900 for ch in data.faculty[f]["name"])]
    assert {"PSH", "ARS", "VLK", "SKA", "KSE", "RMU"} <= set(indian)
    for code in indian + ["VSB", "SFE", "ZDS", "ECE1"]:
        name = data.faculty[code]["name"]
        title = f"{name} ({code})"
        text = section(title)
        # as typed (the invisible layer; the shaped glyphs drawn over it extract as nothing)
        assert name in text and f"({code})" in text, code
        assert not [hex(ord(ch)) for ch in text if 0xE000 <= ord(ch) <= 0xF8FF], code
        for s in data.faculty_sessions(code):
            assert s.course_code in text, (code, s.course_code)
    # every name in the contents and in the workload report (both orientations), as typed
    reader = large_book["reader"]
    contents = "\n".join(large_book["text"](i) for i in range(large_book["pages_of"]("Student groups").start))
    workload = "\n".join(large_book["section"]("Faculty workload").split("\n"))
    portrait = "\n".join(p.extract_text() for p in large_book["portrait"].pages)
    for code, f in data.faculty.items():
        if code in data.active_faculty():
            assert f["name"] in contents and f"({code})" in contents, code
        for where in (workload, portrait):
            # a long name may wrap at a blank inside its cell, never inside a word: each word is found whole
            words = set(re.split(r"[\s\ue000-\uf8ff]+", where))
            for word in f["name"].split():
                assert word in words or word in where.split("\n"), (code, word)
    assert len(reader.pages) > 100


def test_the_contents_flow_over_pages_with_the_right_numbers(large_book):
    pages_of, text = large_book["pages_of"], large_book["text"]
    cover = range(pages_of("Student groups").start)
    assert len(cover) >= 2  # more than one page of contents, no LayoutError
    flat = re.sub(r"[\s.]+", " ", "\n".join(text(i) for i in cover))
    for title in ("CSE-7F", "Mr. Amit Saxena (ASA)", "CSL-12", "Saturday", "Room utilization"):
        key = re.sub(r"[\s.]+", " ", title)
        assert re.search(rf"{re.escape(key)} {pages_of(title).start + 1}(?!\d)", flat), title
