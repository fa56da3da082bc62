"""The timetable screen's "Week of" view (issue 21): a chosen date's real timetable - dates in the rows'
labels, a holiday greyed with its label, a substitute's code on the card - read-only, and back to the pattern."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtGui import QUndoStack

from ato_desktop.services import substitution_day as sday
from ato_desktop.services import substitutions as sb
from ato_desktop.services import term as terms
from ato_desktop.services import timetables as tts
from ato_desktop.ui.timetable.model import VIEW_GROUP
from ato_desktop.ui.timetable.screen import TimetableScreen
from ato_desktop.ui.tasks import wait_idle

TUESDAY = dt.date(2026, 12, 8)
HOLIDAY = dt.date(2026, 12, 10)  # the Thursday of that week


@pytest.fixture
def week_db(demo_db):
    """The demo with a fixed term, a holiday in the week of TUESDAY and one absence covered by a substitute."""
    db = demo_db
    for d in terms.get_term(db).days:
        terms.remove_term_day(db, d.date)
    terms.set_term(db, "2026-07-20", "2026-12-12")
    terms.add_holiday(db, HOLIDAY, "Foundation Day")
    tts.set_status(db, "Reference timetable", "published")
    sessions = [x for x in tts.list_sessions(db, tts.latest_published(db).id) if x.scheduled]
    tuesday = terms.teaching_day(db, TUESDAY).day
    code = sorted({f for x in sessions if x.day == tuesday for f in x.faculty})[0]
    absence = sb.add_absence(db, code, TUESDAY)
    sb.auto_plan(db, TUESDAY)
    lesson = next(x for x in sday.plan_day(db, TUESDAY).lessons if x.arrangement and x.arrangement.substitute)
    return db, lesson, tuesday


def test_week_of_a_date_shows_dates_holiday_and_substitute_then_back_to_the_pattern(qtbot, week_db):
    db, lesson, tuesday = week_db
    w = TimetableScreen(db, QUndoStack(), None, with_optimizer=False)
    qtbot.addWidget(w)
    w.resize(1300, 800)
    w.show()
    qtbot.waitExposed(w)
    w.show_view(VIEW_GROUP, lesson.groups[0])
    grid = w.grid
    pattern_labels = [ln.label for ln in grid._lanes]
    assert not w.week_box.isChecked() and not w.week_edit.isEnabled() and grid.week is None

    w.set_week(TUESDAY)
    qtbot.waitUntil(lambda: grid.week is not None, timeout=15_000)
    labels = [ln.label for ln in grid._lanes]
    assert labels[:5] == ["Mon 7 Dec", "Tue 8 Dec", "Wed 9 Dec", "Thu 10 Dec", "Fri 11 Dec"]
    thursday = grid.week_day(labels.index("Thu 10 Dec"))
    assert thursday.date == HOLIDAY and "Foundation Day" in thursday.holiday
    # nothing happens on the holiday; the pattern's Thursday sessions are not shown there
    assert not [it for it in grid._items if it.lane == labels.index("Thu 10 Dec")]
    cards = [it for it in grid._items if it.lane == tuesday
             and (grid.model.views[it.session].activity_id, grid.model.views[it.session].occurrence)
             == (lesson.activity_id, lesson.occurrence)]
    assert cards
    who, mark = grid.card_who(cards[0])
    assert lesson.arrangement.substitute in who and lesson.faculty not in who and mark == "substitute"
    assert not grid.grab().isNull()  # paints (the greyed holiday, the marked card)
    # read-only: no drag, no keyboard unschedule
    seen = []
    grid.message.connect(seen.append)
    grid.contextMenuEvent(type("E", (), {"pos": lambda self: cards[0].rect.center().toPoint()})())
    assert seen and "read-only" in seen[-1]

    w.set_week(None)
    qtbot.waitUntil(lambda: grid.week is None, timeout=5_000)
    assert [ln.label for ln in grid._lanes] == pattern_labels
    assert [it for it in grid._items if it.lane == labels.index("Thu 10 Dec")]  # the pattern's Thursday again
    who, mark = grid.card_who(next(it for it in grid._items if it.session == cards[0].session))
    assert lesson.faculty in who and mark == ""
    wait_idle(10_000)
