"""The iCalendar feeds, parsed back with the ``icalendar`` library: every session of one week at its local
time, no class on a holiday, Monday's classes on the Saturday that follows Monday, a time zone with
daylight saving, folding and escaping."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr

icalendar = pytest.importorskip("icalendar")

from ato_desktop.io.ical import entity_calendar, fold  # noqa: E402
from ato_desktop.services import resources as res  # noqa: E402
from ato_desktop.services.publishing import faculty_calendar, timetable_view  # noqa: E402
from tests.web.conftest import HOLIDAY, MAKE_UP, WEEK, set_fixed_term  # noqa: E402

NOW = dt.datetime(2027, 1, 1, 6, 0, tzinfo=dt.timezone.utc)


def occurrences(text: str, first: dt.date, last: dt.date) -> dict[str, list[dt.datetime]]:
    """UID -> start times in [first, last], recurrence and EXDATEs applied (as a calendar app does)."""
    cal = icalendar.Calendar.from_ical(text)
    out: dict[str, list[dt.datetime]] = {}
    for ev in cal.walk("VEVENT"):
        start = ev.decoded("DTSTART")
        assert start.tzinfo is not None, "times carry their time zone"
        lo = dt.datetime.combine(first, dt.time(0), start.tzinfo)
        hi = dt.datetime.combine(last, dt.time(23, 59), start.tzinfo)
        if "RRULE" in ev:
            rule = rrulestr(ev["RRULE"].to_ical().decode(), dtstart=start)
            found = rule.between(lo, hi, inc=True)
            ex = ev.get("EXDATE")
            exdates = {d.dt for x in (ex if isinstance(ex, list) else [ex] if ex else []) for d in x.dts}
            found = [t for t in found if t not in exdates]
        else:
            found = [start] if lo <= start <= hi else []
        uid = str(ev["UID"]).split("-2027")[0]
        out.setdefault(uid, []).extend(found)
    return out


def expected(view, entity, tz) -> dict[str, list[dt.datetime]]:
    out: dict[str, list[dt.datetime]] = {}
    for s in entity.sessions:
        if not s.scheduled:
            continue
        start, _ = view.times(s)
        h, m = map(int, start.split(":"))
        for d in WEEK:
            if view.term.runs.get(d) == s.day:
                out.setdefault(s.key, []).append(dt.datetime(d.year, d.month, d.day, h, m, tzinfo=tz))
    return out


def by_key(found: dict[str, list[dt.datetime]]) -> dict[str, list[dt.datetime]]:
    # "ato-a42-2@cse.ato-desktop" and "ato-a42-2-20270130@…" are the same weekly session
    out: dict[str, list[dt.datetime]] = {}
    for uid, times in found.items():
        key = uid.split("@")[0].removeprefix("ato-")
        parts = key.split("-")
        key = "-".join(parts[:2])
        if times:
            out.setdefault(key, []).extend(times)
    return out


@pytest.mark.parametrize("kind", ["faculty", "group", "room"])
def test_every_session_of_a_week_at_its_local_time(term_db, kind):
    view = timetable_view(term_db, now=NOW)
    tz = ZoneInfo("Asia/Kolkata")
    entities = view.entities(kind)
    assert entities
    for entity in entities[:4]:
        text = entity_calendar(view, entity, now=NOW)
        got = by_key(occurrences(text, WEEK[0], WEEK[-1]))
        want = expected(view, entity, tz)
        assert {k: sorted(v) for k, v in got.items()} == {k: sorted(v) for k, v in want.items()}, entity.code
        for times in got.values():
            for t in times:
                assert t.date() != HOLIDAY, "no class on a holiday"
                assert t.utcoffset() == dt.timedelta(hours=5, minutes=30)


def test_holiday_and_make_up_day(term_db):
    view = timetable_view(term_db, now=NOW)
    monday = next(d.position for d in view.days if d.name == "Monday")
    tuesday = next(d.position for d in view.days if d.name == "Tuesday")
    saturday = next(d.position for d in view.days if d.name == "Saturday")
    fac = next(e for e in view.faculty if any(s.day == monday for s in e.sessions)
               and any(s.day == tuesday for s in e.sessions))
    got = occurrences(entity_calendar(view, fac, now=NOW), WEEK[0], WEEK[-1])
    dates = [t.date() for times in got.values() for t in times]
    assert HOLIDAY not in dates
    n_monday = sum(1 for s in fac.sessions if s.day == monday)
    assert dates.count(MAKE_UP) == n_monday  # the Saturday runs Monday's classes, not Saturday's
    assert dates.count(dt.date(2027, 1, 25)) == n_monday
    # and a Saturday session of anyone is not on that Saturday
    for e in view.faculty:
        if any(s.day == saturday for s in e.sessions):
            sat = occurrences(entity_calendar(view, e, now=NOW), MAKE_UP, MAKE_UP)
            assert sum(len(v) for v in sat.values()) == sum(1 for s in e.sessions if s.day == monday)
            break
    # the recurrence ends with the term
    whole = occurrences(entity_calendar(view, fac, now=NOW), dt.date(2027, 1, 1), dt.date(2027, 6, 30))
    assert max(t.date() for v in whole.values() for t in v) <= dt.date(2027, 4, 30)
    assert min(t.date() for v in whole.values() for t in v) >= dt.date(2027, 1, 4)


def test_time_zone_setting_with_daylight_saving(demo_db):
    set_fixed_term(demo_db, "Europe/London")  # summer time from 28 March 2027
    view = timetable_view(demo_db, now=NOW)
    fac = view.faculty[0]
    text = entity_calendar(view, fac, now=NOW)
    cal = icalendar.Calendar.from_ical(text)
    tzs = cal.walk("VTIMEZONE")
    assert len(tzs) == 1 and str(tzs[0]["TZID"]) == "Europe/London"
    assert tzs[0].walk("DAYLIGHT"), "the summer-time change inside the term is described"
    s = next(x for x in fac.sessions if x.scheduled)
    start, _ = view.times(s)
    april = [dt.date(2027, 4, 5) + dt.timedelta(days=i) for i in range(7)]
    got = by_key(occurrences(text, april[0], april[-1]))[s.key]
    assert all(t.strftime("%H:%M") == start for t in got)
    assert all(t.utcoffset() == dt.timedelta(hours=1) for t in got)


def test_folding_escaping_and_indian_names(term_db):
    code = res.list_items(term_db, "faculty")[0]["code"]
    name = "डॉ. राम शर्मा, HoD; ಕನ್ನಡ \\ test"
    res.update_item(term_db, "faculty", code, {"name": name})
    data = faculty_calendar(term_db, None, code, now=NOW)
    assert data is not None
    text = data.decode("utf-8")
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    assert "\n" not in text.replace("\r\n", "")
    cal = icalendar.Calendar.from_ical(text)
    ev = cal.walk("VEVENT")[0]
    assert f"{name} ({code})" in str(ev["DESCRIPTION"])
    uids = [str(e["UID"]) for e in cal.walk("VEVENT")]
    assert len(uids) == len(set(uids))
    # stable: the same calendar again has the same UIDs
    again = icalendar.Calendar.from_ical(faculty_calendar(term_db, None, code, now=NOW))
    assert [str(e["UID"]) for e in again.walk("VEVENT")] == uids


def test_fold_never_splits_a_character():
    line = "SUMMARY:" + "क्ष" * 40
    folded = fold(line)
    parts = folded.split("\r\n ")
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert "".join(parts) == line


def test_no_term_dates_no_calendar(demo_db):
    from ato_desktop.services import term as terms
    from ato_desktop.storage import models as m

    with demo_db.session() as s:  # a database whose term was never set
        s.query(m.TermDay).delete()
        s.query(m.Setting).filter(m.Setting.key.in_(("term_start", "term_end"))).delete()
    assert not terms.get_term(demo_db).is_set
    code = timetable_view(demo_db).faculty[0].code
    assert faculty_calendar(demo_db, None, code) is None
