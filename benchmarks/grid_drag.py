"""Drag colouring latency of the timetable grid on a database with thousands of sessions.

Builds (once, through the services) a synthetic department with ``--sections`` sections of
eight courses (three lectures and one two-period lab each: 26 sessions per section, about 3,100
sessions for the default 120 sections), 100 rooms and a greedy placement, then opens it in the
real :class:`~ato_desktop.ui.timetable.screen.TimetableScreen` (offscreen) and, for
``--samples`` random sessions, measures

* ``preview``: the one ``State.move_grid`` call (every start slot x every room) plus the
  best-room choice per slot, i.e. everything needed to colour every slot;
* ``preview+paint``: the same plus a full repaint of the grid with every cell coloured
  (rendered into a pixmap), i.e. what the user sees when the drag starts;
* ``hover``: the per-cell lookup while the pointer moves (drop_info on every cell).

Target: one frame (16 ms) for preview+paint. Prints median / p95 / max.

    QT_QPA_PLATFORM=offscreen python benchmarks/grid_drag.py [--sections 120] [--db big.atodb]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

COURSES_PER_SECTION = 8


def build_database(path: Path, sections: int, seed: int = 7) -> None:
    from ato_desktop.demo import DAYS, PERIODS
    from ato_desktop.services import calendar as cal
    from ato_desktop.services import resources as res
    from ato_desktop.services import timetables as tts
    from ato_desktop.services.compile import compile_database
    from ato_desktop.storage.database import open_database

    rnd = random.Random(seed)
    db = open_database(path)
    try:
        cal.set_calendar(db, DAYS, PERIODS)
        res.create_item(db, "department", {"code": "BIG", "name": "Big department", "is_home": True})
        n_fac = max(20, sections * 2)
        res.bulk_create(db, "faculty", [
            {"code": f"F{i:04d}", "name": f"Faculty {i:04d}", "department": "BIG", "max_weekly_periods": 40,
             "max_daily_periods": 8} for i in range(n_fac)])
        res.bulk_create(db, "room", [
            {"code": f"CR-{i:03d}", "name": f"Classroom {i}", "capacity": 70, "kind": "classroom"}
            for i in range(80)] + [
            {"code": f"LAB-{i:02d}", "name": f"Lab {i}", "capacity": 70, "kind": "lab"} for i in range(20)])
        groups = [{"code": f"S{i:03d}", "name": f"Section {i}", "department": "BIG", "strength": 60}
                  for i in range(sections)]
        res.bulk_create(db, "group", groups)
        courses, acts = [], []
        for i in range(sections):
            for c in range(COURSES_PER_SECTION):
                code = f"C{i:03d}{c}"
                courses.append({"code": code, "title": f"Course {code}", "credits": 4, "lecture_hours": 3,
                                "tutorial_hours": 0, "practical_hours": 2, "department": "BIG"})
                t1, t2 = rnd.randrange(n_fac), rnd.randrange(n_fac)
                acts.append({"course": code, "kind": "L", "groups": [f"S{i:03d}"], "faculty": [f"F{t1:04d}"],
                             "sessions_per_week": 3, "duration": 1, "room_kind": "classroom"})
                if c < 1:
                    acts.append({"course": code, "kind": "P", "groups": [f"S{i:03d}"], "faculty": [f"F{t2:04d}"],
                                 "sessions_per_week": 1, "duration": 2, "room_kind": "lab"})
        res.bulk_create(db, "course", courses)
        res.bulk_create(db, "activity", acts)
        tts.create_timetable(db, "Bench")
        comp, _, _ = compile_database(db, "Bench")
        tts.save_rows(db, "Bench", comp.rows_from_assignment(greedy(comp.problem, rnd)))
    finally:
        db.close()


def greedy(problem, rnd):
    """A quick placement: each session at a random slot where its resources and some allowed room are free."""
    import numpy as np

    from ato_desktop.engine.problem import Assignment

    a = Assignment.empty(problem)
    T, P = problem.n_slots, problem.periods_per_day
    busy_q = np.zeros((problem.n_resources, T), bool)
    busy_r = np.zeros((problem.n_rooms, T), bool)
    order = list(range(problem.n_sessions))
    rnd.shuffle(order)
    order.sort(key=lambda s: -int(problem.session_duration[s]))
    for s in order:
        d = int(problem.session_duration[s])
        qs = problem.resources_of(s)
        starts = [t for t in range(T) if t % P + d <= P and problem.slot_usable[t:t + d].all()]
        rnd.shuffle(starts)
        rooms = np.flatnonzero(problem.session_allowed_rooms[s])
        for t in starts:
            if busy_q[qs, t:t + d].any():
                continue
            free = [r for r in rooms if not busy_r[r, t:t + d].any()]
            if free:
                r = free[0]
                a.start[s], a.room[s] = t, r
                busy_q[qs, t:t + d] = True
                busy_r[r, t:t + d] = True
                break
        else:
            a.start[s], a.room[s] = starts[0], (rooms[0] if len(rooms) else -1)
    return a


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sections", type=int, default=120)
    ap.add_argument("--samples", type=int, default=40)
    ap.add_argument("--db", type=Path, help="reuse (or create) this database file")
    ap.add_argument("--size", choices=("large",), default=None,
                    help="large: the large demo department instead of the synthetic sections")
    args = ap.parse_args()

    from PySide6.QtGui import QPixmap, QUndoStack
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    path = args.db or Path(tempfile.mkdtemp()) / f"grid-bench-{args.sections}.atodb"
    if not path.exists() and args.size == "large":
        from ato_desktop.demo_large import create_large_demo_database

        t0 = time.perf_counter()
        create_large_demo_database(path)
        print(f"large demo department written to {path} in {time.perf_counter() - t0:.1f} s")
    if not path.exists():
        t0 = time.perf_counter()
        build_database(path, args.sections)
        print(f"built {path} in {time.perf_counter() - t0:.1f} s")

    from ato_desktop.storage.database import open_database
    from ato_desktop.ui.timetable.model import VIEW_GROUP
    from ato_desktop.ui.timetable.screen import TimetableScreen

    db = open_database(path)
    t0 = time.perf_counter()
    w = TimetableScreen(db, QUndoStack(), with_optimizer=False)
    w.resize(1600, 1000)
    w.show()
    while not w.showing_timetable:  # large versions load in a worker thread
        app.processEvents()
        time.sleep(0.005)
    m = w.model
    print(f"sessions {m.problem.n_sessions}, rooms {m.problem.n_rooms}, slots {m.problem.n_slots}, "
          f"hard {m.hard}, soft {m.soft}; screen opened (worker load) in {time.perf_counter() - t0:.2f} s")
    rnd = random.Random(1)
    m.preview(m.scheduled()[0])  # JIT warm-up (numba cache)
    pre, full, hover, tips = [], [], [], []
    pm = QPixmap(w.grid.size())
    for s in rnd.sample(m.scheduled(), args.samples):
        w.show_view(VIEW_GROUP, m.views[s].groups[0])
        w.grid.render(pm)  # the view is on screen before the drag starts
        app.processEvents()
        m._preview_cache.clear()
        t0 = time.perf_counter()
        m.preview(s)
        pre.append(time.perf_counter() - t0)
        m._preview_cache.clear()
        t0 = time.perf_counter()
        w.grid.begin_drag_preview(s)
        w.grid.render(pm)  # paints every cell in its drop colour
        full.append(time.perf_counter() - t0)
        cells = [(lane, per) for lane in range(len(w.grid._lanes)) for per in range(m.problem.periods_per_day)]
        t0 = time.perf_counter()
        infos = [w.grid.drop_info(s, lane, per, with_tooltip=False) for lane, per in cells]
        hover.append((time.perf_counter() - t0) / len(cells))
        red = [(c, i) for c, i in zip(cells, infos) if i["category"] == "red"]
        if red:
            (lane, per), _ = red[0]
            t0 = time.perf_counter()
            w.grid.drop_info(s, lane, per, with_tooltip=True)
            tips.append(time.perf_counter() - t0)
        w.grid.end_drag_preview()
    ms = 1000.0
    for name, xs in (("preview (deltas of every slot + rooms)", pre), ("preview + full paint", full),
                     ("hover lookup per cell", hover),
                     ("reasons tooltip of a red cell (on rest)", tips or [0.0])):
        print(f"{name:44s} median {statistics.median(xs) * ms:7.2f} ms   p95 {pct(xs, 0.95) * ms:7.2f} ms"
              f"   max {max(xs) * ms:7.2f} ms")
    if hasattr(os, "getloadavg"):
        print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: timings include that contention)")
    ok = pct(full, 0.95) * ms < 16
    print(f"target one frame (16 ms) for preview + paint at p95: {'met' if ok else 'NOT met'}")
    w.close()
    w.deleteLater()
    app.processEvents()
    db.close()
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
