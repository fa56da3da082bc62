"""The Dashboard page on the large demo: the time to compute its data (``services.dashboard``, done in a
worker in the app) and the time to render the page once the data is ready (the charts built and the
page painted at 1366×768). Target: render < 1 s.

    QT_QPA_PLATFORM=offscreen python benchmarks/dashboard.py [--db large.atodb] [--repeat 3]

Without ``--db`` the large demo is created in a temporary folder first (``ato-desktop demo create PATH
--size large``), which takes a minute.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", help="a database (default: a new large demo in a temporary folder)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    from PySide6.QtWidgets import QApplication

    from ato_desktop.services.dashboard import dashboard_data
    from ato_desktop.storage.database import open_database
    from ato_desktop.ui.dashboard_page import DashboardPage
    from ato_desktop.ui.undo import UndoStack

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.db) if args.db else Path(tmp) / "large.atodb"
        if not args.db:
            from ato_desktop.demo_large import create_large_demo_database

            create_large_demo_database(path)
        db = open_database(path)
        try:
            data_times, render_times = [], []
            page = DashboardPage(UndoStack())
            page.resize(1366 - 150, 768 - 100)  # the window less its navigation, menus and status bar
            page.show()
            app.processEvents()
            for _ in range(args.repeat):
                t = time.perf_counter()
                data = dashboard_data(db)
                data_times.append(time.perf_counter() - t)
                t = time.perf_counter()
                page.show_data(data)
                app.processEvents()
                page.grab()  # paint every chart
                render_times.append(time.perf_counter() - t)
            print(f"large demo: {len(data.faculty)} faculty, {len(data.groups)} groups, {data.rooms} rooms, "
                  f"{len(data.trend)} version(s)")
            print(f"data:   first {data_times[0]:.3f} s, best {min(data_times):.3f} s, "
                  f"median {sorted(data_times)[len(data_times) // 2]:.3f} s")
            print(f"render: first {render_times[0]:.3f} s, best {min(render_times):.3f} s, "
                  f"median {sorted(render_times)[len(render_times) // 2]:.3f} s (target < 1 s)")
            page.close()
        finally:
            db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
