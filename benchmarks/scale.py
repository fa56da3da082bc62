"""Scale benchmark: a 20-department database with ~10,000 weekly sessions.

Builds the database through the services (``bulk_create``, one transaction per
entity type), then times what the UI does: open, list, one edit, one move,
and saving placements for every session (an optimizer result). Prints the
figures; the target is that no operation that runs on the UI thread exceeds
200 ms (building the database, backups and saving a full optimizer result run
in workers and are shown for information).

The main window is measured too (skip with ``--no-ui``), first and in a fresh process so
that it pays the imports a starting app pays: create and show it, open the database,
show every page for the first time, filter the activities, edit and save a faculty
member, undo. Each blocking call is timed (wall and UI-thread CPU time), and so is the
longest gap of a 5 ms heartbeat timer while the event loop runs afterwards (the longest
time the window could not repaint). Lists read in a worker report when their rows show.
Lines over 200 ms on the UI thread are marked ``<== OVER 200 ms``.

By default ato_desktop is byte-compiled first (into its ``__pycache__`` folders, as an
installed app has its .pyc files); ``--no-precompile`` leaves them as they are.

    python benchmarks/scale.py [--departments 20] [--keep PATH] [--reuse] [--repeat 3] [--no-ui]

``--keep PATH --reuse`` opens the database already built at PATH (built there first if
missing) instead of building a new one; the service edits it makes are small.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ato_desktop.services import calendar as cal  # noqa: E402
from ato_desktop.services import resources as res  # noqa: E402
from ato_desktop.services import timetables as tts  # noqa: E402
from ato_desktop.storage.database import open_database  # noqa: E402

DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
PERIODS = [("P1", "09:00", "09:50", False), ("P2", "09:50", "10:40", False), ("P3", "10:40", "11:30", False),
           ("P4", "11:30", "12:20", False), ("Lunch", "12:20", "13:10", True), ("P5", "13:10", "14:00", False),
           ("P6", "14:00", "14:50", False), ("P7", "14:50", "15:40", False)]
TEACHING_PERIODS = [i for i, p in enumerate(PERIODS) if not p[3]]
UI_LIMIT_MS = 200.0


def progress(message: str) -> None:
    print(f"  .. {message}", file=sys.stderr, flush=True)


def build(path: Path, departments: int) -> dict[str, float]:
    """Create the database through the services; returns build timings (seconds)."""
    t = {}
    db = open_database(path)
    try:
        cal.set_calendar(db, DAYS, PERIODS)
        depts = [f"D{d:02d}" for d in range(departments)]
        t0 = time.perf_counter()
        res.bulk_create(db, "department", [{"code": c, "name": f"Department {c}", "is_home": c == "D00"} for c in depts])
        # One bulk_create (one transaction) per department and entity: a single call for all
        # 20 departments slows down quadratically (the session grows with every row; see the report).
        for c in depts:
            res.bulk_create(db, "faculty", [
                {"code": f"{c}F{i:02d}", "name": f"Teacher {i} of {c}", "department": c,
                 "email": f"t{i}.{c.lower()}@example.edu", "max_weekly_periods": 18} for i in range(30)])
            res.bulk_create(db, "room", [
                {"code": f"{c}R{i:02d}", "capacity": 70, "department": c, "kind": "classroom"} for i in range(12)])
            res.bulk_create(db, "group", [
                {"code": f"{c}-{prog}{sem}{sec}", "department": c, "programme": prog, "semester": sem,
                 "section": sec, "strength": 60}
                for prog in ("BT", "MS") for sem in (1, 3, 5, 7) for sec in "ABC"])
            res.bulk_create(db, "course", [
                {"code": f"{c}-{prog}{sem}C{k}", "title": f"Course {k} of {prog} semester {sem}", "department": c,
                 "lecture_hours": 3, "tutorial_hours": 1 if k % 2 else 0}
                for prog in ("BT", "MS") for sem in (1, 3, 5, 7) for k in range(6)])
        t["build: resources"] = time.perf_counter() - t0
        progress(f"resources of {departments} departments created in {t['build: resources']:.1f} s")
        t0 = time.perf_counter()
        rnd = random.Random(7)
        for c in depts:
            acts = []
            for prog in ("BT", "MS"):
                for sem in (1, 3, 5, 7):
                    for sec in "ABC":
                        for k in range(6):
                            teacher = f"{c}F{rnd.randrange(30):02d}"
                            course = f"{c}-{prog}{sem}C{k}"
                            group = f"{c}-{prog}{sem}{sec}"
                            acts.append({"course": course, "kind": "L", "groups": [group], "faculty": [teacher],
                                         "sessions_per_week": 3})
                            if k % 2:
                                acts.append({"course": course, "kind": "T", "groups": [group],
                                             "faculty": [teacher], "sessions_per_week": 1})
            res.bulk_create(db, "activity", acts)
            progress(f"activities of {c}: {time.perf_counter() - t0:.1f} s so far")
        t["build: activities"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        tts.create_timetable(db, "Scale test")
        t["build: timetable"] = time.perf_counter() - t0
    finally:
        db.close()
    return t


def timed(label: str, fn, results: dict, repeat: int):
    progress(label)
    times = []
    value = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
    results[label] = times
    return value


def run(path: Path, repeat: int) -> dict[str, list[float]]:
    # what the main window imports in a worker at start-up, before it opens a file (ui.preload.STARTUP):
    # Alembic and the ORM set-up would otherwise be timed as part of the first open
    from sqlalchemy.orm import configure_mappers

    import ato_desktop.storage.migrate  # noqa: F401
    import ato_desktop.storage.models  # noqa: F401

    configure_mappers()
    # and then, as the app does once those imports are done (ui.app.freeze_long_lived), the objects alive now
    # leave the garbage collector's generations: no full collection walks them again during a timed step
    import gc

    gc.freeze()
    r: dict[str, list[float]] = {}
    db = timed("open database", lambda: open_database(path), r, 1)
    try:
        timed("list faculty", lambda: res.list_items(db, "faculty"), r, repeat)
        timed("list rooms", lambda: res.list_items(db, "room"), r, repeat)
        timed("list groups", lambda: res.list_items(db, "group"), r, repeat)
        timed("search faculty 'teacher 7'", lambda: res.list_items(db, "faculty", search="teacher 7"), r, repeat)
        timed("list activities (all)", lambda: res.list_items(db, "activity"), r, repeat)
        from ato_desktop.services import listing

        # what the editor's pages call (Core queries, same dicts as list_items)
        timed("list activities (fast, the page's worker)", lambda: listing.list_rows(db, "activity"), r, repeat)
        timed("list faculty (fast, as the pages)", lambda: listing.list_rows(db, "faculty"), r, repeat)
        timed("timetable info", lambda: tts.get_timetable(db, "Scale test"), r, repeat)
        sessions = timed("list sessions (all)", lambda: tts.list_sessions(db, "Scale test"), r, repeat)
        fac = res.list_items(db, "faculty")[0]["code"]
        counter = iter(range(10**6))
        timed("edit: update one faculty", lambda: res.update_item(db, "faculty", fac, {"max_weekly_periods": 10 + next(counter) % 8}), r, repeat)
        s0 = sessions[0]
        timed("edit: move one session", lambda: tts.move_session(db, s0.id, next(counter) % 6, TEACHING_PERIODS[0], None), r, repeat)
        rooms = [x["code"] for x in res.list_items(db, "room")]
        rnd = random.Random(1)

        def result():
            return {s.id: (rnd.randrange(len(DAYS)), rnd.choice(TEACHING_PERIODS), rnd.choice(rooms)) for s in sessions}

        timed("save placements (all sessions)", lambda: tts.save_placements(db, "Scale test", result(), hard=0, soft=1), r, repeat)
        from ato_desktop.services import backups

        timed("backup create (worker)", lambda: backups.create(db, "before-optimizer"), r, 1)
        timed("backup list", lambda: backups.list_for(db), r, repeat)
        r["_sessions"] = [len(sessions)]
    finally:
        db.close()
    return r


def run_ui(path: Path, settle: float = 1.0) -> dict[str, list[float]]:
    """Open ``path`` in the main window offscreen and visit every page; blocking times and stalls.

    Each entry is ``[wall seconds, UI-thread CPU seconds]`` (the CPU time shows what the step
    itself costs when other programs share the machine)."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    cfg = Path(tempfile.mkdtemp(prefix="ato-scale-cfg-"))
    os.environ["XDG_CONFIG_HOME"] = str(cfg)  # keep the recent-files list of this run out of the user's settings
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(cfg))

    from ato_desktop.ui.app import create_main_window, ensure_app

    app = ensure_app()
    r: dict[str, list[float]] = {}
    gaps: list[float] = []
    clock = QElapsedTimer()
    clock.start()
    last = [clock.elapsed()]

    def beat():
        now = clock.elapsed()
        gaps.append((now - last[0]) / 1000)
        last[0] = now

    heartbeat = QTimer()
    heartbeat.setInterval(5)
    heartbeat.timeout.connect(beat)

    def run_loop(seconds: float, until=None) -> float:
        """Run the event loop for ``seconds`` (or until ``until()``); the longest heartbeat gap seen."""
        gaps.clear()
        last[0] = clock.elapsed()
        heartbeat.start()
        loop = QEventLoop()
        QTimer.singleShot(int(seconds * 1000), loop.quit)
        if until is not None:
            poll = QTimer()
            poll.setInterval(2)
            poll.timeout.connect(lambda: loop.quit() if until() else None)
            poll.start()
        loop.exec()
        heartbeat.stop()
        return max(gaps, default=0.0)

    def step(label: str, fn):
        t0, c0 = time.perf_counter(), time.thread_time()
        value = fn()
        app.processEvents()
        r[label] = [time.perf_counter() - t0, time.thread_time() - c0]
        return value

    window = step("UI: create and show the main window", lambda: (w := create_main_window(), w.show())[0])
    # as run_gui: the start-up file opens once the window's start-up imports (a worker) are done
    job = getattr(window, "preload_job", None)
    t0 = time.perf_counter()
    stall = run_loop(30, until=lambda: job is None or job.done)
    r["UI: start-up imports done after (worker)"] = [time.perf_counter() - t0]
    r["UI: longest stall after start"] = [max(stall, run_loop(settle))]
    progress("UI: opening the database in the main window")
    ok = step("UI: open the database in the window", lambda: window.open_database(path, ask=False))
    if not ok:
        raise SystemExit(f"the main window could not open {path}")
    r["UI: longest stall after open"] = [run_loop(settle)]
    for key in list(window.pages):
        progress(f"UI: page {key}")
        page = step(f"UI: first show of page '{key}'", lambda: window.show_page(key))
        if getattr(page, "loading", False):  # a big list read in a worker: time until its rows show
            t0 = time.perf_counter()
            stall = run_loop(30, until=lambda: not page.loading)
            r[f"UI: '{key}' rows shown after (worker)"] = [time.perf_counter() - t0]
            r[f"UI: longest stall on '{key}'"] = [max(stall, run_loop(settle))]
        else:
            r[f"UI: longest stall on '{key}'"] = [run_loop(settle)]
    # a filter on the biggest list (the activities) and an edit seen by every page
    acts = window.show_page("activities")
    run_loop(30, until=lambda: not getattr(acts, "loading", False))
    step("UI: filter the activities", lambda: acts.filter_edit.setText("D07 T"))
    step("UI: clear the filter", lambda: acts.filter_edit.clear())
    fac = window.show_page("faculty")
    run_loop(30, until=lambda: not getattr(fac, "loading", False))
    box = fac.form.editors["max_weekly_periods"]

    def edit_and_save():
        box.setValue(box.value() % 20 + 1)
        fac.save()

    step("UI: edit and save one faculty", edit_and_save)
    r["UI: longest stall after the edit"] = [run_loop(settle)]
    step("UI: undo the edit", window.undo_stack.undo)
    r["UI: longest stall after undo"] = [run_loop(settle)]
    window.close_database()
    window.close()
    app.processEvents()
    import shutil as _sh

    _sh.rmtree(cfg, ignore_errors=True)
    return r


# lists of more than ResourcePage.ASYNC_MIN_ROWS rows (the 4,320 activities here) are read in a worker
WORKER_OPS = {"save placements (all sessions)", "backup create (worker)", "list activities (fast, the page's worker)"}
# ORM paths no UI-thread code takes: the pages list through services.listing.list_rows (and read lists
# of more than ResourcePage.ASYNC_MIN_ROWS rows in a worker); list_sessions runs in the timetable's worker
SERVICE_ONLY = {"list activities (all)", "list sessions (all)"}


def precompile() -> None:
    """Byte-compile ato_desktop (its ``__pycache__`` folders, ignored by git), as an installed app is.

    Without it every import compiles the sources again when PYTHONDONTWRITEBYTECODE is set,
    which adds compile time to the UI steps that a user never sees."""
    import compileall

    compileall.compile_dir(str(Path(__file__).resolve().parents[1] / "ato_desktop"), quiet=2)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--departments", type=int, default=20)
    ap.add_argument("--size", choices=("large",), default=None,
                    help="large: time the large demo department (one department, its reference timetable "
                         "copied as the version 'Scale test') instead of building synthetic departments")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="write the database here and keep it")
    ap.add_argument("--reuse", action="store_true",
                    help="with --keep: use the database already at that path (build it only if missing)")
    ap.add_argument("--no-ui", dest="ui", action="store_false", help="skip the main-window measurements")
    ap.add_argument("--no-precompile", dest="precompile", action="store_false",
                    help="do not byte-compile ato_desktop first (with PYTHONDONTWRITEBYTECODE every import compiles)")
    ap.add_argument("--ui-child", type=Path, help=argparse.SUPPRESS)  # internal: measure the UI, print JSON
    args = ap.parse_args(argv)
    if args.ui_child is not None:
        import json

        print(json.dumps(run_ui(args.ui_child)))
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="ato-scale-"))
    path = args.keep or tmp / "scale.atodb"
    try:
        if args.precompile:
            precompile()
        if args.reuse and args.keep and path.exists():
            build_t, build_total = {}, None
        else:
            if path.exists():
                path.unlink()
            t0 = time.perf_counter()
            if args.size == "large":
                from ato_desktop.demo_large import create_large_demo_database

                create_large_demo_database(path)
                db = open_database(path)
                try:
                    tts.copy_timetable(db, "Reference timetable", "Scale test")
                finally:
                    db.close()
                build_t = {"build: large demo": time.perf_counter() - t0}
                args.departments = 1
            else:
                build_t = build(path, args.departments)
            build_total = time.perf_counter() - t0
        ui: dict[str, list[float]] = {}
        if args.ui:
            # in a fresh process, first: the window pays the imports a starting app pays
            import json
            import subprocess

            out = subprocess.run([sys.executable, __file__, "--ui-child", str(path)], check=True,
                                 stdout=subprocess.PIPE, text=True).stdout
            ui = json.loads(out.strip().splitlines()[-1])
        r = run(path, args.repeat)
        n = r.pop("_sessions")[0]
        size = path.stat().st_size / 1024 / 1024
        load = os.getloadavg() if hasattr(os, "getloadavg") else None
        built = (f"built in {build_total:.1f} s (" + ", ".join(f"{k.split(': ')[1]} {v:.1f} s" for k, v in build_t.items())
                 + ")") if build_total is not None else "reused"
        print(f"{args.departments} departments, {n} sessions, file {size:.1f} MB, {built}"
              + (f"; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs" if load else "")
              + ("" if args.precompile else "; not byte-compiled first"))
        over = []

        def line(label, ms, where, cpu=None, flag_it=True):
            flag = ""
            if flag_it and where == "UI" and max(ms) > UI_LIMIT_MS:
                flag = "  <== OVER 200 ms"
                over.append(label)
            cpu_s = f"{cpu:>9.1f}" if cpu is not None else f"{'':>9}"
            print(f"{label:<46}{statistics.median(ms):>10.1f}{max(ms):>10.1f}{cpu_s}  {where}{flag}")

        header = f"{'operation':<46}{'median ms':>10}{'max ms':>10}{'cpu ms':>9}  thread"
        print("\nServices (the calls behind the pages; 'info' = an ORM path no UI-thread code takes)")
        print(header)
        for label, times in r.items():
            ms = [x * 1000 for x in times]
            where = "worker" if label in WORKER_OPS else "info" if label in SERVICE_ONLY else "UI"
            line(label, ms, where)
        ui_total = 0.0
        if ui:
            print("\nMain window (offscreen, a fresh process); 'stall' = longest time the event loop could not run")
            print(header)
            for label, v in ui.items():
                ms = [v[0] * 1000]
                worker = "(worker)" in label
                line(label, ms, "worker" if worker else "UI", v[1] * 1000 if len(v) > 1 else None)
                if len(v) > 1:
                    ui_total += v[0] * 1000
            print(f"total of the blocking UI steps above: {ui_total:.0f} ms")
        ui_ms = [max(t) * 1000 for k, t in r.items() if k not in WORKER_OPS and k not in SERVICE_ONLY]
        ui_ms += [v[0] * 1000 for k, v in ui.items() if "(worker)" not in k]
        print(f"slowest UI-thread operation: {max(ui_ms, default=0):.0f} ms (target {UI_LIMIT_MS:.0f} ms); "
              + (f"{len(over)} over the target: {', '.join(over)}" if over else "none over the target"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
