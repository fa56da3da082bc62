"""Render the main screens to PNG files: ``python -m ato_desktop.ui.screenshots OUTDIR``.

Works headless (the offscreen Qt platform is chosen when no display is set). A fresh copy of
the demo department is written to a temporary folder, so no user data is read or changed.
When the main window (``ato_desktop.ui.app.create_main_window``) is available it is rendered
too; the timetable screens are rendered on their own as well:

* ``timetable-group.png``: a section's week, cards coloured by course, labs spanning periods;
* ``timetable-drag.png``: a card being dragged: every slot green / yellow (+soft) / red;
* ``timetable-faculty.png``: a faculty member's week with the workload meter;
* ``timetable-room.png`` and ``timetable-master.png``: a room's week, the department master view;
* ``timetable-conflicts.png``: the conflicts panel after a manual move that clashes;
* ``timetable-repair.png``: the dialog offering repairs for a red drop;
* ``optimizer.png``: the optimizer panel after a short run (when the optimizer is available);
* ``substitutions.png``: the Substitutions page with three absences planned on a copy of the demo.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path


def _process(app, ms: int = 50) -> None:
    from PySide6.QtCore import QElapsedTimer

    t = QElapsedTimer()
    t.start()
    while t.elapsed() < ms:
        app.processEvents()


def render_all(outdir: Path, *, optimizer_seconds: float = 8.0, log=print) -> list[Path]:
    """Write the PNG files into ``outdir``; the demo copies live in a temporary folder, removed at the end."""
    with tempfile.TemporaryDirectory(prefix="ato-shots-") as tmp:
        return _render_all(outdir, Path(tmp), optimizer_seconds=optimizer_seconds, log=log)


def _render_all(outdir: Path, tmp: Path, *, optimizer_seconds: float, log) -> list[Path]:
    import ato_desktop.ui.qt_workarounds  # noqa: F401
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtGui import QUndoStack
    from PySide6.QtWidgets import QApplication

    from ato_desktop.demo import create_demo_database
    from ato_desktop.services.database_files import open_database
    from ato_desktop.ui.timetable.commands import place
    from ato_desktop.ui.timetable.model import RED, VIEW_FACULTY, VIEW_GROUP, VIEW_MASTER, VIEW_ROOM, Placement
    from ato_desktop.ui.timetable.screen import HardDropDialog, TimetableScreen

    app = QApplication.instance() or QApplication(sys.argv[:1])
    outdir.mkdir(parents=True, exist_ok=True)
    # the grid builds its engine state (drag colours, scores) only once the kernels are compiled:
    # do it here, as the app's warm-up process would (at once when it was done before)
    from ato_desktop.engine import warmup

    if not warmup.is_warm():
        log("compiling the engine's kernels first (once)…")
        warmup.warm_up()
    elif not warmup.kernels_loaded():  # compiled before: load them here, or the grid has no engine state
        warmup.load_kernels()
    db_path = tmp / "demo.atodb"
    create_demo_database(db_path)
    written: list[Path] = []

    def save(widget, name: str) -> None:
        _process(app)
        path = outdir / name
        widget.grab().save(str(path))
        written.append(path)
        log(f"wrote {path}")

    # the whole main window
    from ato_desktop.ui.app import create_main_window

    try:
        win = create_main_window(db_path)
        win.resize(1366, 768)  # a common laptop screen: what a coordinator most often has
        win.show()
        try:  # the Timetables page with the reference version open
            page = win.show_page("timetables")
            from ato_desktop.services import timetables as tts

            page.open_timetable(tts.list_timetables(win.database)[0].id)
            page.screen.show_view(VIEW_GROUP, "CSE-5A")
        except Exception as exc:
            log(f"timetables page not opened in the main window: {type(exc).__name__}: {exc}")
        save(win, "main-window.png")
        if hasattr(win, "shutdown"):
            win.shutdown()
        win.close()
        db = getattr(win, "database", None)
        if db is not None and hasattr(db, "close"):
            db.close()
    except Exception as exc:  # the screenshots of this screen must still be made
        log(f"main window not rendered: {type(exc).__name__}: {exc}")

    try:
        substitutions_shot(app, db_path, save)
    except Exception as exc:  # the other screenshots must still be made
        log(f"substitutions page not rendered: {type(exc).__name__}: {exc}")

    db = open_database(db_path)
    stack = QUndoStack()
    w = TimetableScreen(db, stack)
    w.resize(1366, 768)  # the laptop screen most coordinators have (issue 16)
    w.show()
    m = w.model
    w.show_view(VIEW_GROUP, "CSE-5A")
    save(w, "timetable-group.png")

    # a drag in progress: a lecture of the shown section, hovering a red cell
    s = next(x for x in w.grid.shown_sessions() if m.problem.session_duration[x] == 1
             and m.views[x].groups == ("CSE-5A",))
    w.grid.begin_drag_preview(s)
    pv = m.preview(s)
    P = m.problem.periods_per_day
    red = [t for t in range(m.problem.n_slots) if pv.at(t)[0] == RED and m.problem.slot_usable[t]]
    if red:
        t = red[len(red) // 2]
        w.grid.hover_cell = (w.grid.lane_index(t // P), t % P)
    save(w, "timetable-drag.png")
    w.grid.end_drag_preview()

    fac = m.views[s].faculty[0]
    w.show_view(VIEW_FACULTY, fac)
    save(w, "timetable-faculty.png")
    w.show_view(VIEW_ROOM, m.room_code(int(m.assignment.room[s])))
    save(w, "timetable-room.png")
    w.show_view(VIEW_MASTER)
    save(w, "timetable-master.png")

    # a manual move that clashes, then the repair dialog and the conflicts panel
    w.show_view(VIEW_GROUP, "CSE-5A")
    if red:
        best = None
        for t in red[:12]:  # a red cell for which small repairs exist makes the better picture
            r = int(pv.rooms[t])
            repairs = m.repairs(s, t, r)
            if best is None or len(repairs) > len(best[2]):
                best = (t, r, repairs)
            if len(repairs) >= 2:
                break
        t, r, repairs = best
        dlg = HardDropDialog(m, s, t, r, m.explain_drop(s, t, r), repairs, w)
        dlg.resize(760, 340)
        dlg.show()
        save(dlg, "timetable-repair.png")
        dlg.close()
        w._push(place(m, [Placement(s, t, r)], "Move (screenshot)"))
        w.tabs.setCurrentWidget(w.conflicts)
        w.conflicts.expandAll()
        save(w, "timetable-conflicts.png")
        stack.undo()

    # the optimizer panel after a short run
    if w.optimizer is not None:
        w.tabs.setCurrentWidget(w.optimizer)
        w.optimizer.time_limit.setValue(optimizer_seconds)
        w.optimizer.keep_changes.setChecked(False)
        loop = QEventLoop()
        w.optimizer.finished.connect(lambda _r: loop.quit())
        QTimer.singleShot(int((optimizer_seconds + 120) * 1000), loop.quit)
        if w.optimizer.start():
            loop.exec()
        save(w, "optimizer.png")
        w.shutdown()
    w.close()
    db.close()
    return written


def substitutions_shot(app, db_path: Path, save) -> None:
    """``substitutions.png``: the Substitutions page on a copy of the demo with three absences planned."""
    import shutil

    from ato_desktop.services import substitution_day as sday
    from ato_desktop.services import substitutions as sb
    from ato_desktop.services import term as terms
    from ato_desktop.services import timetables as tts
    from ato_desktop.services.database_files import open_database
    from ato_desktop.ui.app import create_main_window
    from ato_desktop.ui.tasks import wait_idle

    copy = db_path.with_name("substitutions.atodb")
    shutil.copyfile(db_path, copy)
    db = open_database(copy)
    try:
        tts.set_status(db, tts.list_timetables(db)[0].id, "published")
        date = next(d.date for d in terms.term_dates(db) if d.date >= terms.today(db) and d.day_name == "Tuesday")
        for code, periods in (("SRA", None), ("KPA", None), ("RKM", "P5,P6")):
            sb.add_absence(db, code, date, periods=periods, reason="leave" if not periods else "duty")
        sb.auto_plan(db, date)
        first = sday.plan_day(db, date).lessons[0]
        sb.clear_arrangement(db, date, first.absence_id, first.activity_id, first.occurrence)
    finally:
        db.close()
    win = create_main_window(copy)
    win.resize(1366, 768)
    win.show()
    page = win.show_page("substitutions")
    page.set_date(date)
    wait_idle(20000)
    _process(app, 200)
    page.lessons.selectRow(0)
    wait_idle(20000)
    _process(app, 200)
    save(win, "substitutions.png")
    if hasattr(win, "shutdown"):
        win.shutdown()
    win.close()
    if getattr(win, "database", None) is not None:
        win.database.close()


HELP_IMAGES = ("main-window.png", "optimizer.png")  # the pictures of resources/help/getting-started.html
HELP_WIDTH = 800


def write_help_images(shots: Path, help_dir: Path | None = None) -> list[Path]:
    """Smaller copies of the screenshots the in-app guide shows (resources/help/images)."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage

    from ato_desktop.ui.help_guide import guide_path

    folder = help_dir or guide_path().parent / "images"
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name in HELP_IMAGES:
        img = QImage(str(shots / name))
        if img.isNull():
            continue
        if img.width() > HELP_WIDTH:
            img = img.scaledToWidth(HELP_WIDTH, Qt.TransformationMode.SmoothTransformation)
        img.save(str(folder / name))
        out.append(folder / name)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ato_desktop.ui.screenshots",
                                 description="Render the main screens of ATO Desktop to PNG files.")
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--optimizer-seconds", type=float, default=8.0)
    ap.add_argument("--help-images", action="store_true",
                    help="also refresh the pictures of Help ▸ Getting started (resources/help/images)")
    args = ap.parse_args(argv)
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY") and sys.platform.startswith("linux"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    files = render_all(args.outdir, optimizer_seconds=args.optimizer_seconds)
    print(f"{len(files)} screenshots in {args.outdir}")
    if args.help_images:
        for path in write_help_images(args.outdir):
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
