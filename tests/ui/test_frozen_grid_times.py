"""A published (frozen) version's timetable grid shows, in its period headers, the times it was published
with, as its printouts, website, .ics files and e-mails do (``frozen_period_times:<id>``); a draft shows
the calendar's current times. The header text is what the real grid paints (offscreen)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QPainter, QUndoStack

from ato_desktop.demo import REFERENCE_NAME
from ato_desktop.services import calendar as cal
from ato_desktop.services import version_lifecycle as versions
from ato_desktop.ui.timetable.screen import TimetableScreen


def _painted_texts(qtbot, db, version, monkeypatch) -> list[str]:
    w = TimetableScreen(db, QUndoStack(), timetable=version, with_optimizer=False)
    w.resize(1400, 900)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    assert w.model.timetable.name == version
    texts: list[str] = []
    real = QPainter.drawText

    def draw_text(painter, *args):
        texts.extend(a for a in args if isinstance(a, str))
        return real(painter, *args)

    with monkeypatch.context() as mp:
        mp.setattr(QPainter, "drawText", draw_text)
        w.grid.grab()  # paints the whole grid (it may be scrolled out of the window)
    w.close()
    return texts


@pytest.mark.parametrize("freeze", ["publish", "approve"])
def test_a_frozen_versions_grid_shows_the_period_times_it_was_frozen_with(freeze, qtbot, demo_db, monkeypatch):
    calendar = cal.get_calendar(demo_db)
    rows = [(p.label, p.start_time, p.end_time, p.is_break) for p in calendar.periods]
    label, start, end, is_break = rows[-1]
    frozen_header = f"{start}–{end}"
    if freeze == "publish":
        versions.publish_version(demo_db, REFERENCE_NAME, by="C")
    else:
        from ato_desktop.services import approval

        approval.submit(demo_db, REFERENCE_NAME, who="Dr. Coordinator")
        approval.approve(demo_db, REFERENCE_NAME, who="Dr. Head")
    versions.copy_to_draft(demo_db, REFERENCE_NAME, "Draft")
    later = f"{int(end[:2]) + 1:02d}{end[2:]}"  # the bells change after: the last period ends an hour later
    rows[-1] = (label, start, later, is_break)
    cal.set_calendar(demo_db, [d.name for d in calendar.days], rows)
    new_header = f"{start}–{later}"

    frozen = _painted_texts(qtbot, demo_db, REFERENCE_NAME, monkeypatch)
    assert frozen_header in frozen and new_header not in frozen
    draft = _painted_texts(qtbot, demo_db, "Draft", monkeypatch)
    assert new_header in draft and frozen_header not in draft
