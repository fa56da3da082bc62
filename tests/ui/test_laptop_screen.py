"""Issue 16 item 3: every page usable on a 1366 × 768 laptop, with the default font and at 125 % scaling.

At 125 % (QT_SCALE_FACTOR=1.25 or the desktop's 125 % setting) the window has 1366 / 1.25 × 768 / 1.25 =
1093 × 614 logical pixels. The score, the Unscheduled tray and the grid must be inside the window, and the
group view's grid must not need a horizontal scroll bar; no page may force the window wider or taller.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect

from ato_desktop.services import timetables as tts
from ato_desktop.ui.timetable.model import VIEW_FACULTY, VIEW_GROUP, VIEW_MASTER, VIEW_ROOM
from tests.ui.layout_settle import settle_layout

LAPTOP = (1366, 768)
LAPTOP_125 = (1093, 614)  # the same screen at 125 % scaling, in logical pixels


def _rect_in(window, widget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def _settle(qtbot, window, size) -> None:
    window.resize(*size)
    qtbot.waitUntil(lambda: window.size().toTuple() == size, timeout=5_000)
    settle_layout(window)  # layouts and the splitters' deferred fitting run on the event loop


def check_timetable_fits(qtbot, window, size) -> dict:
    page = window.show_page("timetables")
    page.open_timetable(tts.list_timetables(window.database)[0].id)
    screen = page.screen
    _settle(qtbot, window, size)
    inside = window.rect()
    found = {}
    for kind, entity in ((VIEW_GROUP, "CSE-5A"), (VIEW_FACULTY, None), (VIEW_ROOM, None), (VIEW_MASTER, None)):
        screen.show_view(kind, entity)
        settle_layout(window)
        assert window.size().toTuple() == size, f"the {kind} view forces the window to {window.size().toTuple()}"
        for name, widget in (("score", screen.score_label), ("tray", screen.tray), ("grid", screen.scroll)):
            r = _rect_in(window, widget)
            assert widget.isVisible() and inside.contains(r), f"{kind} view: the {name} at {r} is outside {inside}"
            found[(kind, name)] = r
        assert screen.tray.width() >= 80 and screen.scroll.viewport().height() >= 150
        if kind == VIEW_GROUP:
            bar = screen.scroll.horizontalScrollBar()
            assert bar.maximum() == 0, f"the group view scrolls sideways by {bar.maximum()} px at {size}"
            assert screen.grid.width() <= screen.scroll.viewport().width()
    return found


@pytest.mark.parametrize("size", [LAPTOP, LAPTOP_125], ids=["1366x768", "1093x614-at-125pct"])
def test_timetable_page_fits_a_laptop_screen(qtbot, window, size):
    check_timetable_fits(qtbot, window, size)
    # the versions list folded away for the grid; its arrow button brings it back and folds it again
    page = window.pages["timetables"]
    if page.versions_collapsed:
        page.versions_toggle.click()
        assert not page.versions_collapsed and page.versions_panel.width() > 0
        page.versions_toggle.click()
        assert page.versions_collapsed


def _substitution_dates(db) -> dict[str, dt.date]:
    """A date with classes and one without, in the demo's term (the page shows other widgets on each)."""
    from ato_desktop.services import term as terms

    term = terms.get_term(db)
    days = [term.start + dt.timedelta(days=i) for i in range((term.end - term.start).days + 1)]
    teaching = {d: terms.date_info(db, d, term).teaching for d in days[:14]}
    return {"classes": next(d for d, t in teaching.items() if t),
            "no classes": next(d for d, t in teaching.items() if not t)}


@pytest.mark.parametrize("size", [LAPTOP, LAPTOP_125], ids=["1366x768", "1093x614-at-125pct"])
def test_no_page_forces_the_window_past_a_laptop_screen(qtbot, window, size):
    _settle(qtbot, window, size)
    for key in list(window.pages):
        page = window.show_page(key)
        # the Substitutions page shows the date it is given (today at first): both kinds of day, on any day
        dates = _substitution_dates(window.database) if key == "substitutions" else {"": None}
        for kind, date in dates.items():
            if date is not None:
                with qtbot.waitSignal(page.plan_loaded, timeout=20_000):
                    page.set_date(date)
                    page.reload()
                assert page.day_label.text().startswith("No classes") == (kind == "no classes")
            settle_layout(window)
            hint = window.minimumSizeHint()
            assert hint.width() <= size[0] and hint.height() <= size[1], f"page {key} {kind} needs {hint.toTuple()}"
            assert window.size().toTuple() == size, f"page {key} {kind} grew the window to {window.size().toTuple()}"


CHILD = r"""
import sys
from pathlib import Path
import ato_desktop.ui.qt_workarounds
from PySide6.QtWidgets import QApplication
app = QApplication([])
from ato_desktop.ui.app import create_main_window
sys.path.insert(0, str(Path(sys.argv[2])))
from test_laptop_screen import check_timetable_fits, LAPTOP_125

class Bot:  # the few pytest-qt calls the check uses
    def waitUntil(self, cond, timeout=5000):
        from PySide6.QtCore import QDeadlineTimer
        end = QDeadlineTimer(timeout)
        while not cond():
            assert not end.hasExpired(), "timed out"
            app.processEvents()

w = create_main_window(Path(sys.argv[1]))
w.show()
ratio = w.devicePixelRatioF()
check_timetable_fits(Bot(), w, LAPTOP_125)
print("ok", ratio)
w.shutdown() if hasattr(w, "shutdown") else None
"""


def test_timetable_page_fits_at_qt_scale_factor_125(demo_db_path, _engine_warm, tmp_path):
    """The real 125 % case: a new process with QT_SCALE_FACTOR=1.25 and the window at 1093 × 614 logical px."""
    env = dict(os.environ, QT_SCALE_FACTOR="1.25", QT_QPA_PLATFORM="offscreen",
               XDG_CONFIG_HOME=str(tmp_path / "config"))
    root = Path(__file__).resolve().parents[2]
    env["PYTHONPATH"] = os.pathsep.join([str(root), env.get("PYTHONPATH", "")])
    proc = subprocess.run([sys.executable, "-c", CHILD, str(demo_db_path), str(Path(__file__).parent)],
                          env=env, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.split()[-1] == "1.25"


@pytest.mark.parametrize("size", [LAPTOP, LAPTOP_125], ids=["1366x768", "1093x614-at-125pct"])
def test_the_large_department_fits_a_laptop_screen(qtbot, large_demo_copy, size):
    """The large demo (50 faculty, 24 sections): longer names, four-digit soft costs and the faculty view's
    UGC norm in the top bar must still fit, in every view."""
    from ato_desktop.ui import tasks
    from ato_desktop.ui.app import create_main_window

    w = create_main_window(large_demo_copy)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    try:
        check_timetable_fits(qtbot, w, size)
        check_timetable_fits(qtbot, w, size)  # and again, from the faculty view's state
    finally:
        tasks.wait_idle(20000)
        w.close()
