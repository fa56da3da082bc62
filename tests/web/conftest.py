"""A demo department with a fixed term: 2027-01-04 to 2027-04-30, Republic Day (Tue 26 Jan) a holiday and
Saturday 30 Jan following Monday's timetable, so the calendars' dates do not depend on today's date."""

from __future__ import annotations

import datetime as dt

import pytest

HOLIDAY = dt.date(2027, 1, 26)
MAKE_UP = dt.date(2027, 1, 30)  # a Saturday with Monday's timetable
WEEK = [dt.date(2027, 1, 25) + dt.timedelta(days=i) for i in range(7)]


def set_fixed_term(db, time_zone: str = "Asia/Kolkata") -> None:
    from ato_desktop.services import term as terms

    for day in terms.get_term(db).days:
        terms.remove_term_day(db, day.date)
    terms.set_term(db, "2027-01-04", "2027-04-30", time_zone)
    terms.add_holiday(db, HOLIDAY, "Republic Day")
    terms.add_exception(db, MAKE_UP, "Monday", "make-up day")


@pytest.fixture
def term_db(demo_db):
    set_fixed_term(demo_db)
    return demo_db
