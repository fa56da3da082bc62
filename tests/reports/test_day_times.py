"""A day's own period times (services.bells) in what is printed and published: the PDF timetables, parsed
back with pypdf, and the .ics calendars, parsed back with icalendar."""

from __future__ import annotations

import datetime as dt

import pytest

from ato_desktop.services import bells
from ato_desktop.services.reports import build_report
from tests.reports.conftest import page_texts, read_pdf

SATURDAY = {"P1": ("08:00", "08:45"), "P2": ("08:45", "09:30")}


def test_group_and_master_pdfs_print_the_days_own_times(demo_db):
    bells.set_day_times(demo_db, "Saturday", SATURDAY)
    pdf, _pages, _data = build_report(demo_db, "group", name="CSE-3A")
    (text,) = page_texts(read_pdf(pdf))
    assert "Saturday: P1 08:00–08:45, P2 08:45–09:30" in text
    assert "09:00–09:50" in text  # the header keeps the calendar's times for the other days
    pdf, _pages, _data = build_report(demo_db, "master")
    texts = page_texts(read_pdf(pdf))
    saturday = next(t for t in texts if "Master timetable — Saturday" in t)
    monday = next(t for t in texts if "Master timetable — Monday" in t)
    assert "08:00–08:45" in saturday and "08:45–09:30" in saturday and "09:00–09:50" not in saturday
    assert "09:00–09:50" in monday and "08:00–08:45" not in monday


def test_ics_events_on_that_day_start_at_its_own_times(demo_db):
    icalendar = pytest.importorskip("icalendar")
    from ato_desktop.io.ical import entity_calendar
    from ato_desktop.services.publishing import timetable_view
    from tests.web.conftest import set_fixed_term

    term_db = demo_db
    set_fixed_term(term_db)

    bells.set_day_times(term_db, "Saturday", SATURDAY)
    now = dt.datetime(2027, 1, 1, 6, 0, tzinfo=dt.timezone.utc)
    view = timetable_view(term_db, now=now)
    saturday = next(d.position for d in view.days if d.name == "Saturday")
    found = 0
    for entity in view.entities("group"):
        sessions = {s.key: s for s in entity.sessions if s.scheduled}
        for ev in icalendar.Calendar.from_ical(entity_calendar(view, entity, now=now)).walk("VEVENT"):
            key = str(ev["UID"]).split("@")[0].removeprefix("ato-")
            s = sessions.get("-".join(key.split("-")[:2]))
            if s is None or s.day != saturday or s.period not in (0, 1) or "RRULE" not in ev:
                continue
            start, end = ev.decoded("DTSTART"), ev.decoded("DTEND")
            assert start.strftime("%H:%M") == SATURDAY[f"P{s.period + 1}"][0]
            last = s.period + s.duration - 1
            want_end = SATURDAY[f"P{last + 1}"][1] if last <= 1 else view.period(last).end
            assert end.strftime("%H:%M") == want_end
            found += 1
    assert found


def test_website_cells_on_that_day_say_its_own_times(demo_db, tmp_path):
    from ato_desktop.services.publishing import publish_site, timetable_view

    bells.set_day_times(demo_db, "Saturday", SATURDAY)
    view = timetable_view(demo_db)
    saturday = next(d.position for d in view.days if d.name == "Saturday")

    def alone_at_p1(e) -> bool:  # one session from P1 and nothing overlapping it: a cell that is the session
        sat = [s for s in e.sessions if s.scheduled and s.day == saturday]
        first = [s for s in sat if s.period == 0]
        return len(first) == 1 and not any(0 < s.period < first[0].duration for s in sat)

    entity = next(e for e in view.entities("group") if alone_at_p1(e))
    publish_site(demo_db, tmp_path / "site")
    page = (tmp_path / "site" / f"group-{entity.code}.html").read_text(encoding="utf-8")
    grid = page[page.index('<table class="tt">'):]
    grid = grid[:grid.index("</table>")]
    saturday_row = grid[grid.index('scope="row">Saturday</th>'):]
    assert "08:00–" in saturday_row.split("</tr>")[0]  # the Saturday P1 session's cell says its own time
    assert "09:00–09:50" in grid  # the header keeps the calendar's times
    assert "times" in page and "08:00–" in page[page.index("</table>"):]  # the day lists too
