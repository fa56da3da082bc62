"""How fast the resource lists open and filter on a large department.

Builds a database with 500 faculty, 200 rooms, 120 student groups, 300
courses and 3,000 activities (through ``services.resources.bulk_create``),
opens the main window offscreen and prints, for every list, the time to open
it (services query + model + view) and to filter it. Target: < 200 ms each.
A list read in a worker (more than ``ResourcePage.ASYNC_MIN_ROWS`` rows) is timed until its
rows show; the "ui" column is then the time the UI thread was busy (the blocking part).

    QT_QPA_PLATFORM=offscreen python benchmarks/ui_lists.py [--keep DB]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TARGET_MS = 200.0


def build(path: Path, seed: int = 7) -> dict[str, int]:
    from ato_desktop.services import calendar as cal
    from ato_desktop.services import resources as res
    from ato_desktop.storage.database import open_database

    rnd = random.Random(seed)
    db = open_database(path)
    try:
        cal.set_calendar(db, ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
                         [(f"P{i + 1}", f"{8 + i:02d}:00", f"{8 + i:02d}:50", False) for i in range(8)])
        res.bulk_create(db, "department", [{"code": f"D{i:02d}", "name": f"Department {i}"} for i in range(10)])
        res.bulk_create(db, "faculty", [
            {"code": f"F{i:03d}", "name": f"Dr. Faculty Member {i}", "department": f"D{i % 10:02d}",
             "email": f"f{i}@example.edu", "max_weekly_periods": rnd.randint(10, 18)} for i in range(500)])
        res.bulk_create(db, "room", [
            {"code": f"R{i:03d}", "name": f"Room {i}", "building": f"Block {chr(65 + i % 6)}",
             "capacity": rnd.choice([30, 36, 60, 72, 120]), "kind": "lab" if i % 5 == 0 else "classroom",
             "features": ["projector"] if i % 2 else []} for i in range(200)])
        res.bulk_create(db, "group", [
            {"code": f"G{i:03d}", "name": f"Group {i}", "department": f"D{i % 10:02d}", "semester": 1 + i % 8,
             "strength": 60} for i in range(120)])
        res.bulk_create(db, "course", [
            {"code": f"C{i:03d}", "title": f"Course number {i}", "department": f"D{i % 10:02d}",
             "lecture_hours": 3, "tutorial_hours": 1, "practical_hours": 2} for i in range(300)])
        res.bulk_create(db, "activity", [
            {"course": f"C{i % 300:03d}", "kind": "LTP"[i % 3], "groups": [f"G{i % 120:03d}"],
             "faculty": [f"F{i % 500:03d}"], "sessions_per_week": 1 + i % 3, "duration": 1,
             "room_kind": "lab" if i % 3 == 2 else "classroom"} for i in range(3000)])
        return {e: res.count_items(db, e) for e in ("faculty", "room", "group", "course", "activity")}
    finally:
        db.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", metavar="DB", help="build (or reuse) the database at this path")
    ap.add_argument("--repeat", type=int, default=5, help="rounds per list (default 5)")
    ap.add_argument("--size", choices=("large",), default=None,
                    help="large: the large demo department instead of the synthetic lists")
    args = ap.parse_args()
    tmp = None
    if args.keep:
        path = Path(args.keep)
    else:
        tmp = tempfile.TemporaryDirectory()
        path = Path(tmp.name) / "big.atodb"
    if not path.exists() and args.size == "large":
        from ato_desktop.demo_large import create_large_demo_database

        t = time.perf_counter()
        create_large_demo_database(path)
        print(f"large demo department written to {path.name} in {time.perf_counter() - t:.1f} s")
    if not path.exists():
        t = time.perf_counter()
        counts = build(path)
        print(f"built {path.name}: {counts} in {time.perf_counter() - t:.1f} s")

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    settings_dir = tempfile.TemporaryDirectory()
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings_dir.name)
    from ato_desktop.ui.app import create_main_window

    window = create_main_window(path)
    window.show()
    QApplication.processEvents()
    import statistics

    def ms(fn, page=None) -> float:
        t = time.perf_counter()
        fn()
        QApplication.processEvents()
        while page is not None and getattr(page, "loading", False):  # read in a worker: until the rows show
            QApplication.processEvents()
            time.sleep(0.001)
        return (time.perf_counter() - t) * 1000

    print(f"median (max) of {args.repeat} rounds; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
          if hasattr(os, "getloadavg") else f"median (max) of {args.repeat} rounds")
    print(f"{'list':<13}{'rows':>6}{'open ms':>16}{'ui cpu ms':>11}{'filter ms':>16}{'shown':>7}{'clear ms':>16}")
    worst_median = 0.0
    for key, text in (("faculty", "member 42"), ("rooms", "lab projector"), ("groups", "g01"),
                      ("courses", "number 1"), ("activities", "c01 l"), ("departments", "d0")):
        page = window.pages[key]
        opens, filters, clears, cpus = [], [], [], []
        for _ in range(args.repeat):
            window.show_page("calendar")
            QApplication.processEvents()
            page.on_data_changed("*")  # as after an edit elsewhere: the list reloads when shown
            c0 = time.thread_time()
            opens.append(ms(lambda: window.show_page(key), page))
            cpus.append((time.thread_time() - c0) * 1000)
            page.model.set_rows(page.model.items())  # forget the cached filter strings
            filters.append(ms(lambda: page.filter_edit.setText(text)))
            shown = page.proxy.rowCount()
            clears.append(ms(page.filter_edit.clear))
        med = [statistics.median(x) for x in (opens, filters, clears)]
        worst_median = max(worst_median, *med)
        cells = [f"{m:.1f} ({max(x):.0f})" for m, x in zip(med, (opens, filters, clears))]
        print(f"{key:<13}{page.model.rowCount():>6}{cells[0]:>16}{statistics.median(cpus):>11.1f}{cells[1]:>16}"
              f"{shown:>7}{cells[2]:>16}")
    print(f"worst median {worst_median:.1f} ms (target < {TARGET_MS:.0f} ms): "
          f"{'OK' if worst_median < TARGET_MS else 'TOO SLOW'}")
    window.close()
    window.deleteLater()
    QApplication.processEvents()
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
