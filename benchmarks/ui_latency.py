"""Event-loop latency of the timetable screen during a whole optimizer run (target: < 50 ms).

Opens the demo department (a fresh copy) in the real TimetableScreen, shows the Optimizer
tab and presses its Start button (the same code path as a user: warm-up check, worker
start, progress polling, the live chart), waits for the result, then presses "Accept as
new version" (backup in a worker, the new version loaded into the grid, conflicts and
score refreshed) and keeps probing for ``--settle`` seconds afterwards.  A QTimer probe
fires every ``--interval`` ms on the GUI thread from ``--settle`` seconds before Start to
the end and records how late each tick arrives; the grid is repainted on every tick so
that painting competes too.  Prints median / p95 / p99 / max lateness, when the worst
ticks happened and in which phase (idle, start, run, result, accept, after).

``--trace-stalls FILE``: a watchdog (``faulthandler.dump_traceback_later``, a C thread
that needs no GIL) re-armed on every tick writes every thread's Python stack to FILE
whenever the GUI thread misses a tick by more than ``--stall-ms``: the stack of the
thread that holds the GIL (or of the GUI thread itself) during the stall.

    QT_QPA_PLATFORM=offscreen python benchmarks/ui_latency.py [--seconds 20] [--interval 10]
"""

from __future__ import annotations

import argparse
import faulthandler
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
    ap.add_argument("--settle", type=float, default=1.0,
                    help="seconds probed before Start and after the result is accepted")
    ap.add_argument("--no-accept", action="store_true", help="do not accept the result at the end")
    ap.add_argument("--baseline", action="store_true", help="probe the same time WITHOUT running the optimizer")
    ap.add_argument("--trace-stalls", type=Path, metavar="FILE",
                    help="write every thread's stack to FILE whenever a tick is later than --stall-ms")
    ap.add_argument("--stall-ms", type=float, default=30.0)
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
    w.tabs.setCurrentWidget(panel)
    panel.time_limit.setValue(args.seconds)
    panel.population.setValue(args.population)
    panel.keep_changes.setChecked(False)
    app.processEvents()

    trace = open(args.trace_stalls, "w", encoding="utf-8") if args.trace_stalls else None
    late: list[float] = []
    when: list[float] = []
    phases: list[str] = []
    phase = ["idle"]
    marks: dict[str, float] = {}
    clock = QElapsedTimer()
    progress = []
    panel.progressed.connect(progress.append)
    expected = [0.0]
    stall_s = (args.interval + args.stall_ms) / 1000

    def set_phase(name: str) -> None:
        phase[0] = name
        marks[name] = clock.nsecsElapsed() / 1e9

    def tick() -> None:
        now = clock.nsecsElapsed() / 1e6
        late.append(max(0.0, now - expected[0]))
        when.append(now / 1000)
        phases.append(phase[0])
        expected[0] = now + args.interval
        if trace is not None:
            trace.write(f"--- armed at {now / 1000:.3f} s ({phase[0]})\n")
            faulthandler.dump_traceback_later(stall_s, file=trace)
        w.grid.update()  # painting competes with the worker too

    probe = QTimer()
    probe.setTimerType(probe.timerType().PreciseTimer)
    probe.setInterval(args.interval)
    probe.timeout.connect(tick)
    loop = QEventLoop()
    result = {}

    def finished(res) -> None:
        result["r"] = res
        set_phase("result")
        if res is None or args.no_accept:
            QTimer.singleShot(int(args.settle * 1000), loop.quit)
        else:  # the user reads the figures, then accepts
            QTimer.singleShot(300, accept)

    def accept() -> None:
        set_phase("accept")
        panel.accept_button.click()

    def accepted(_tid) -> None:
        set_phase("after")
        QTimer.singleShot(int(args.settle * 1000), loop.quit)

    def first_progress(_p) -> None:
        if phase[0] == "start":
            set_phase("run")

    def press_start() -> None:
        set_phase("start")
        if args.baseline:
            QTimer.singleShot(int(args.seconds * 1000), loop.quit)
        else:
            panel.start_button.click()
            QTimer.singleShot(int((args.seconds + 120) * 1000), loop.quit)  # safety net

    panel.finished.connect(finished)
    panel.accepted.connect(accepted)
    panel.progressed.connect(first_progress)
    t0 = time.perf_counter()
    clock.start()
    expected[0] = args.interval
    probe.start()
    QTimer.singleShot(int(args.settle * 1000), press_start)
    loop.exec()
    probe.stop()
    if trace is not None:
        faulthandler.cancel_dump_traceback_later()
        trace.close()
    wall = time.perf_counter() - t0
    r = result.get("r")
    if not late:
        print("no probe ticks recorded")
        return 1
    print(f"run: {wall:.1f} s wall, {len(progress)} progress updates in the GUI, "
          f"result hard {getattr(r, 'hard', '?')} soft {getattr(r, 'soft', '?')}"
          + (f", accepted as version {panel.model.timetable_id}" if "after" in marks else ""))
    print("phases: " + ", ".join(f"{k} at {v:.2f} s" for k, v in marks.items()))
    print(f"probe every {args.interval} ms, {len(late)} ticks; lateness: median {statistics.median(late):.1f} ms, "
          f"p95 {pct(late, 0.95):.1f} ms, p99 {pct(late, 0.99):.1f} ms, max {max(late):.1f} ms")
    by_phase = {}
    for x, ph in zip(late, phases):
        by_phase[ph] = max(by_phase.get(ph, 0.0), x)
    print("max per phase: " + ", ".join(f"{k} {v:.1f} ms" for k, v in by_phase.items()))
    worst = sorted(range(len(late)), key=late.__getitem__)[-3:]
    print("worst ticks at " + ", ".join(f"{when[i]:.2f} s ({late[i]:.0f} ms, {phases[i]})" for i in reversed(worst)))
    if hasattr(os, "getloadavg"):
        print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    if trace is not None:
        print(f"stall stacks (ticks later than {args.stall_ms:.0f} ms) in {args.trace_stalls}")
    print(f"target max < 50 ms: {'met' if max(late) < 50 else 'NOT met'}")
    w.shutdown()
    w.close()
    db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
