"""The versions list shows scores that are true now (issue 14, item 5): a version scored before the data
changed shows "out of date — rechecking…", then the figure recomputed in a worker (real window, real
demo database, no sleeps: the page's signals and qtbot.waitUntil)."""

from __future__ import annotations

from ato_desktop.services.operations import Change
import pytest

from ato_desktop.services import availability as av
from ato_desktop.services import scores
from ato_desktop.services import timetables as tts

pytestmark = pytest.mark.timeout(120)

REF = "Reference timetable"


def _watch(page):
    """Every text the Hard cell of each version shows when the page says it is rechecking / rechecked."""
    seen: list[tuple[str, dict]] = []

    def cells():
        return {page.table.item(r, 0).data(256): (page.table.item(r, page.HARD_COL).text(),
                                                 page.table.item(r, page.SOFT_COL).text())
                for r in range(page.table.rowCount())}

    page.scores_rechecking.connect(lambda ids: seen.append(("rechecking", cells())))
    page.scores_rechecked.connect(lambda new: seen.append(("rechecked", cells())))
    return seen


def test_a_score_made_untrue_by_a_data_change_is_shown_out_of_date_then_recomputed(window, qtbot):
    db = window.database
    page = window.show_page("timetables")
    ref = tts.get_timetable(db, REF)
    seen = _watch(page)
    # the demo's reference was never scored: it is rechecked when the list is first shown
    qtbot.waitUntil(lambda: [k for k, _ in seen] == ["rechecking", "rechecked"], timeout=60_000)
    assert seen[0][1][ref.id] == (scores.OUT_OF_DATE, "")
    assert seen[1][1][ref.id][0] == "0"
    assert tts.get_timetable(db, REF).hard_cost == 0
    seen.clear()

    # a teacher becomes unavailable where they teach (edited elsewhere; the window announces it)
    sv = next(v for v in tts.list_sessions(db, REF) if v.scheduled and len(v.faculty) == 1)
    av.set_marks(db, "faculty", sv.faculty[0], {(sv.day, sv.period): "unavailable"})
    window.undo_stack.operation_executed.emit(Change("an edit", {"availability"}))
    qtbot.waitUntil(lambda: [k for k, _ in seen] == ["rechecking", "rechecked"], timeout=60_000)
    assert seen[0][1][ref.id] == (scores.OUT_OF_DATE, "")
    hard, soft = seen[1][1][ref.id]
    assert int(hard) >= 1 and soft.isdigit()
    assert tts.get_timetable(db, REF).hard_cost == int(hard)  # stored
    seen.clear()

    # nothing changed since: shown again without a recheck
    window.undo_stack.operation_executed.emit(Change("an edit", {"timetable"}))
    qtbot.waitUntil(lambda: page.table.item(0, page.HARD_COL).text() == hard)
    from ato_desktop.ui.tasks import wait_idle

    wait_idle(20000)  # every recheck started has reported
    assert seen == []


def test_unscheduled_sessions_are_named_beside_the_hard_figure(window, qtbot):
    db = window.database
    page = window.show_page("timetables")
    ref = tts.get_timetable(db, REF)
    seen = _watch(page)
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=60_000)
    seen.clear()
    sv = next(v for v in tts.list_sessions(db, REF) if v.scheduled)
    tts.move_session(db, sv.id, None, None, None)
    window.undo_stack.operation_executed.emit(Change("an edit", {"timetable"}))
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=60_000)
    assert seen[1][1][ref.id][0] == "1 (1 unscheduled)"


def test_the_page_rechecks_the_scores_once_per_delivery_of_a_change(window, qtbot, monkeypatch):
    """Issue 18: after Accept the page reloads twice in one delivery (the change, then the current version);
    each reload started a recheck that compiles the whole data, side by side, holding the GIL (300-700 ms
    stalls of the window). Within one delivery (ui/read_once.once) one recheck starts."""
    from ato_desktop.ui import read_once
    from ato_desktop.ui.tasks import wait_idle

    page = window.show_page("timetables")
    wait_idle(60_000)
    calls = []
    real = scores.find_out_of_date
    monkeypatch.setattr(scores, "find_out_of_date", lambda db: (calls.append(1), real(db))[1])
    with read_once.once():
        page.reload()
        page.reload()
    wait_idle(60_000)
    assert len(calls) == 1
    page.reload()  # outside a delivery: every reload rechecks
    wait_idle(60_000)
    assert len(calls) == 2
