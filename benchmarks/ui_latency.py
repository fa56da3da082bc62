"""Event-loop latency of the timetable screen while the optimizer runs (target: < 50 ms).

Opens the demo department (a fresh copy) in the real TimetableScreen, starts the optimizer
panel's run (QThreadPool worker, the same code path as the Start button) and, with a QTimer
probe firing every ``--interval`` ms on the GUI thread, records how late each tick arrives.
The chart and counters update from the panel's own progress polling during the run, and the
grid is repainted on every probe tick so that painting competes too. Prints the
median / p95 / p99 / max lateness, the number of progress updates and the run's result.

    QT_QPA_PLATFORM=offscreen python benchmarks/ui_latency.py [--seconds 20] [--interval 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=20.0, help="optimizer time limit")
    ap.add_argument("--interval", type=int, default=10, help="probe interval in ms")
    ap.add_argument("--population", type=int, default=8)
    ap.add_argument("--baseline", action="store_true", help="probe the same time WITHOUT running the optimizer")
    args = ap.parse_args()

    try:
        import ato_desktop.engine.optimizer  # noqa: F401
    except ImportError as exc:
        print(f"cannot run: the optimizer cannot be imported ({exc})")
        return 2

    import ato_desktop.ui.qt_workarounds  # noqa: F401
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
    from PySide6.QtGui import QUndoStack
    from PySide6.QtWidgets import QApplication

    from ato_desktop.demo import create_demo_database
    from ato_desktop.storage.database import open_database
    from ato_desktop.ui.timetable.screen import TimetableScreen

    app = QApplication.instance() or QApplication([])
    path = Path(tempfile.mkdtemp()) / "demo.atodb"
    create_demo_database(path)
    db = open_database(path)
    w = TimetableScreen(db, QUndoStack())
    w.resize(1400, 900)
    w.show()
    app.processEvents()
    panel = w.optimizer
    panel.time_limit.setValue(args.seconds)
    panel.population.setValue(args.population)
    panel.keep_changes.setChecked(False)

    late: list[float] = []
    when: list[float] = []
    clock = QElapsedTimer()
    progress = []
    panel.progressed.connect(progress.append)
    expected = [0.0]

    def tick() -> None:
        now = clock.nsecsElapsed() / 1e6
        late.append(max(0.0, now - expected[0]))
        when.append(now / 1000)
        expected[0] = now + args.interval
        w.grid.update()  # painting competes with the worker too

    probe = QTimer()
    probe.setTimerType(probe.timerType().PreciseTimer)
    probe.setInterval(args.interval)
    probe.timeout.connect(tick)
    loop = QEventLoop()
    result = {}

    def finished(res) -> None:
        result["r"] = res
        loop.quit()

    panel.finished.connect(finished)
    t0 = time.perf_counter()
    clock.start()
    expected[0] = args.interval
    probe.start()
    if args.baseline:
        QTimer.singleShot(int(args.seconds * 1000), loop.quit)
    else:
        panel.start()
        QTimer.singleShot(int((args.seconds + 120) * 1000), loop.quit)  # safety net
    loop.exec()
    probe.stop()
    wall = time.perf_counter() - t0
    r = result.get("r")
    if not late:
        print("no probe ticks recorded")
        return 1
    print(f"run: {wall:.1f} s wall, {len(progress)} progress updates in the GUI, "
          f"result hard {getattr(r, 'hard', '?')} soft {getattr(r, 'soft', '?')}")
    print(f"probe every {args.interval} ms, {len(late)} ticks; lateness: median {statistics.median(late):.1f} ms, "
          f"p95 {pct(late, 0.95):.1f} ms, p99 {pct(late, 0.99):.1f} ms, max {max(late):.1f} ms")
    worst = sorted(range(len(late)), key=late.__getitem__)[-3:]
    print("worst ticks at " + ", ".join(f"{when[i]:.2f} s ({late[i]:.0f} ms)" for i in reversed(worst)))
    if hasattr(os, "getloadavg"):
        print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    print(f"target max < 50 ms: {'met' if max(late) < 50 else 'NOT met'}")
    w.shutdown()
    w.close()
    db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
