"""Event-loop latency of the timetable screen around a whole optimizer run (target: < 50 ms).

Opens a fresh copy of the demo department in the real main window (``--screen-only``: a
bare TimetableScreen), shows the Timetables page with the grid and the Optimizer tab, and
presses the Start button - the same code path as a user: warm-up check, loading the
kernels into the process, worker start, progress polling, the live chart - waits for the
result, presses "Accept as new version" (backup, write, the new version shown in the grid
with its conflicts and score, the window's other pages told) and keeps probing for
``--settle`` seconds.  A QTimer probe fires every ``--interval`` ms on the GUI thread from
before the grid opens to the end and records how late each tick arrives; the grid is
repainted on every tick so that painting competes too.  Prints median / p95 / p99 / max
lateness from Start to the end, the max of every phase (open, idle, start, run, result,
accept, after) and when the worst ticks happened.  The 50 ms target is for the phases
from Start on; opening the window and the grid (one long UI step today) is reported apart.

``--force-warm-up``: a marker folder of its own (empty), so that Start first runs the
warm-up process, as on the first run after an install or with a stale marker (numba's
on-disk cache is left alone: the child finds the kernels there and ends in seconds).

``--trace-stalls FILE``: a watchdog (``faulthandler.dump_traceback_later``, a C thread
that needs no GIL) re-armed on every tick writes every thread's Python stack to FILE
whenever the GUI thread misses a tick by more than ``--stall-ms``: the stack of the
thread that holds the GIL (or of the GUI thread itself) during the stall.

``--sample FILE``: a thread samples the GUI thread's Python stack every 2 ms and writes, for each of the
worst ticks from Start on, where the GUI thread was during that stall (its innermost frames, counted).
Every tick also records the GUI thread's own CPU time since the previous tick (``time.thread_time``):
a stall with little GUI CPU is the thread waiting (for the GIL or a core), one with much is its own work.

``--pairs N``: the load of a shared machine moves the figures more than the optimizer does, so this runs
the benchmark N times each with and without the optimizer (``--baseline``), alternately, each in a fresh
process, and prints both with the load average beside each run and the *added* latency (optimizer minus
baseline, median over the pairs).

    QT_QPA_PLATFORM=offscreen python benchmarks/ui_latency.py [--seconds 20] [--interval 10] [--pairs 3]
"""

from __future__ import annotations

import argparse
import faulthandler
import json
import os
import subprocess
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

START_PHASES = ("start", "run", "result", "accept", "after")


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def load_average() -> float | None:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else None


def fmt_load(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1f}"


def pairs(n: int, argv: list[str]) -> int:
    """Run the benchmark ``n`` times with and without the optimizer, alternately; print the added latency."""
    rows: dict[str, list[dict]] = {"baseline": [], "optimizer": []}
    for i in range(n):
        for kind in ("baseline", "optimizer"):
            cmd = [sys.executable, str(Path(__file__).resolve()), *argv] + (["--baseline"] if kind == "baseline" else [])
            out = subprocess.run(cmd, capture_output=True, text=True, check=False).stdout
            line = next((x for x in out.splitlines() if x.startswith("RESULT ")), None)
            if line is None:
                print(f"pair {i + 1} {kind}: no result\n{out}")
                return 1
            r = json.loads(line[7:])
            rows[kind].append(r)
            print(f"pair {i + 1} {kind:9}: median {r['median']:6.1f} ms, p95 {r['p95']:6.1f} ms, max {r['max']:6.1f} ms"
                  f"  (load average {fmt_load(r['load_start'])} -> {fmt_load(r['load_end'])} on {os.cpu_count()} CPUs)"
                  + ("" if kind == "baseline" else "; max per phase: " + ", ".join(
                      f"{k} {v:.0f}" for k, v in r["phases"].items() if k in START_PHASES)), flush=True)
    print("added by the optimizer (median over the pairs of optimizer minus baseline): " + ", ".join(
        f"{k} {statistics.median(o[k] - b[k] for o, b in zip(rows['optimizer'], rows['baseline'])):+.1f} ms"
        for k in ("median", "p95", "max")))
    return 0


def main() -> int:
    if "--pairs" in sys.argv:
        i = sys.argv.index("--pairs")
        return pairs(int(sys.argv[i + 1]), sys.argv[1:i] + sys.argv[i + 2:])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pairs", type=int, help="N runs each with and without the optimizer, alternately")
    ap.add_argument("--seconds", type=float, default=20.0, help="optimizer time limit")
    ap.add_argument("--size", choices=("small", "large"), default="small",
                    help="the demo department to open (default small)")
    ap.add_argument("--interval", type=int, default=10, help="probe interval in ms")
    ap.add_argument("--population", type=int, default=8)
    ap.add_argument("--threads", type=int, default=None, help="optimizer threads (default: the panel's)")
    ap.add_argument("--idle", type=float, default=2.0, help="seconds between the grid showing and Start")
    ap.add_argument("--settle", type=float, default=1.0, help="seconds probed after the result is accepted")
    ap.add_argument("--no-accept", action="store_true", help="do not accept the result at the end")
    ap.add_argument("--baseline", action="store_true", help="probe the same time WITHOUT running the optimizer")
    ap.add_argument("--screen-only", action="store_true", help="a bare TimetableScreen instead of the main window")
    ap.add_argument("--force-warm-up", action="store_true",
                    help="an empty warm-up marker folder: Start runs the warm-up process first")
    ap.add_argument("--preloaded", action="store_true",
                    help="load the kernels into the process before the probe starts (as if the app had been idle)")
    ap.add_argument("--trace-stalls", type=Path, metavar="FILE",
                    help="write every thread's stack to FILE whenever a tick is later than --stall-ms")
    ap.add_argument("--stall-ms", type=float, default=30.0)
    ap.add_argument("--sample", type=Path, metavar="FILE",
                    help="sample the GUI thread's stack every 2 ms; write where it was in the worst stalls to FILE")
    args = ap.parse_args()

    try:
        import ato_desktop.engine.optimizer  # noqa: F401
    except ImportError as exc:
        print(f"cannot run: the optimizer cannot be imported ({exc})")
        return 2

    work = Path(tempfile.mkdtemp(prefix="ato-ui-latency-"))
    from ato_desktop.engine import warmup as engine_warmup

    if args.force_warm_up:
        os.environ[engine_warmup.MARKER_DIR_ENV] = str(work / "warmup-markers")

    import ato_desktop.ui.qt_workarounds  # noqa: F401
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from ato_desktop.demo import create_demo_database
    from ato_desktop.ui.warmup import warmup_controller

    app = QApplication.instance() or QApplication([])
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)  # the window's settings: a folder of its own
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(work / "settings"))
    path = work / "demo.atodb"
    if args.size == "large":
        from ato_desktop.demo_large import create_large_demo_database as create_demo_database
    create_demo_database(path)
    wc = warmup_controller()
    if args.preloaded and wc.is_warm():
        engine_warmup.load_kernels()
    print(f"before opening: warm-up marker {'yes' if wc.is_warm() else 'NO (the warm-up process runs first)'}, "
          f"kernels loaded in this process: {'yes' if wc.kernels_loaded() else 'no'}")

    trace = open(args.trace_stalls, "w", encoding="utf-8") if args.trace_stalls else None
    late: list[float] = []
    when: list[float] = []
    cpu: list[float] = []  # the GUI thread's CPU time (ms) since the previous tick
    cpu_last = [time.thread_time()]
    samples: list[tuple[float, list[str]]] = []
    phases: list[str] = []
    phase = ["before"]
    marks: dict[str, float] = {}
    clock = QElapsedTimer()
    progress: list = []
    expected = [0.0]
    stall_s = (args.interval + args.stall_ms) / 1000
    ui: dict = {}
    result: dict = {}
    loop = QEventLoop()

    def set_phase(name: str) -> None:
        phase[0] = name
        marks[name] = clock.nsecsElapsed() / 1e9

    def tick() -> None:
        now = clock.nsecsElapsed() / 1e6
        late.append(max(0.0, now - expected[0]))
        when.append(now / 1000)
        c = time.thread_time()
        cpu.append((c - cpu_last[0]) * 1000)
        cpu_last[0] = c
        phases.append(phase[0])
        if phase[0] == "open" and "screen" in ui:  # the first tick after the window opened
            set_phase("idle")
        expected[0] = now + args.interval
        if trace is not None:
            trace.write(f"--- armed at {now / 1000:.3f} s ({phase[0]})\n")
            faulthandler.dump_traceback_later(stall_s, file=trace)
        grid = getattr(ui.get("screen"), "grid", None)
        if grid is not None:
            grid.update()  # painting competes with the worker too

    def open_window() -> None:
        set_phase("open")
        if args.screen_only:
            from PySide6.QtGui import QUndoStack

            from ato_desktop.storage.database import open_database
            from ato_desktop.ui.timetable.screen import TimetableScreen

            db = open_database(path)
            w = TimetableScreen(db, QUndoStack())
            w.resize(1400, 900)
            w.show()
            ui.update(screen=w, top=w, db=db)
        else:
            from ato_desktop.ui.app import create_main_window

            win = create_main_window(path)
            win.resize(1400, 900)
            win.show()
            page = win.show_page("timetables")
            ui.update(screen=page.screen, top=win, db=None)
        configure()

    def configure() -> None:
        w = ui["screen"]
        if not hasattr(w, "tabs"):  # a large version is read in a worker: the screen is built once it is in
            QTimer.singleShot(50, configure)
            return
        panel = w.optimizer
        w.tabs.setCurrentWidget(panel)
        panel.time_limit.setValue(args.seconds)
        panel.population.setValue(args.population)
        if args.threads is not None:
            panel.threads.setMaximum(max(panel.threads.maximum(), args.threads))
            panel.threads.setValue(args.threads)
        panel.keep_changes.setChecked(False)
        panel.progressed.connect(progress.append)
        panel.progressed.connect(first_progress)
        panel.finished.connect(finished)
        panel.accepted.connect(accepted)
        QTimer.singleShot(int(args.idle * 1000), press_start)

    def press_start() -> None:
        set_phase("start")
        if args.baseline:
            QTimer.singleShot(int(args.seconds * 1000), loop.quit)
        else:
            ui["screen"].optimizer.start_button.click()
            QTimer.singleShot(int((args.seconds + 180) * 1000), loop.quit)  # safety net

    def first_progress(_p) -> None:
        if phase[0] == "start":
            set_phase("run")

    def finished(res) -> None:
        result["r"] = res
        set_phase("result")
        if res is None or args.no_accept:
            QTimer.singleShot(int(args.settle * 1000), loop.quit)
        else:  # the user reads the figures, then accepts
            QTimer.singleShot(300, accept)

    def accept() -> None:
        set_phase("accept")
        ui["screen"].optimizer.accept_button.click()

    def accepted(_tid) -> None:
        set_phase("after")
        QTimer.singleShot(int(args.settle * 1000), loop.quit)

    load_start = load_average()
    t0 = time.perf_counter()
    probe = QTimer()
    probe.setTimerType(probe.timerType().PreciseTimer)
    probe.setInterval(args.interval)
    probe.timeout.connect(tick)
    sampler_stop = threading.Event()
    if args.sample:
        main_id = threading.get_ident()

        def sample() -> None:
            while not sampler_stop.wait(0.002):
                f = sys._current_frames().get(main_id)
                st = []
                while f is not None and len(st) < 12:
                    co = f.f_code
                    st.append(f"{Path(co.co_filename).name}:{f.f_lineno} {co.co_name}")
                    f = f.f_back
                samples.append((clock.nsecsElapsed() / 1e6, st))

        threading.Thread(target=sample, daemon=True, name="gui-sampler").start()
    clock.start()
    expected[0] = args.interval
    probe.start()
    QTimer.singleShot(300, open_window)
    loop.exec()
    probe.stop()
    sampler_stop.set()
    if trace is not None:
        faulthandler.cancel_dump_traceback_later()
        trace.close()
    wall = time.perf_counter() - t0
    r = result.get("r")
    w = ui.get("screen")
    if not late or w is None:
        print("no probe ticks recorded")
        return 1
    print(f"run: {wall:.1f} s wall, {len(progress)} progress updates in the GUI, "
          f"result hard {getattr(r, 'hard', '?')} soft {getattr(r, 'soft', '?')}"
          + (f", accepted as version {w.model.timetable_id}" if "after" in marks else "")
          + f"; chart points {w.optimizer.hard_series.count()}")
    print("phases: " + ", ".join(f"{k} at {v:.2f} s" for k, v in marks.items()))
    by_phase: dict[str, float] = {}
    for x, ph in zip(late, phases):
        by_phase[ph] = max(by_phase.get(ph, 0.0), x)
    print("max per phase: " + ", ".join(f"{k} {v:.1f} ms" for k, v in by_phase.items()))
    run = [i for i, ph in enumerate(phases) if ph in START_PHASES]
    lr = [late[i] for i in run] or [0.0]
    load_end = load_average()
    print(f"from Start to the end: probe every {args.interval} ms, {len(run)} ticks; lateness: median "
          f"{statistics.median(lr):.1f} ms, p95 {pct(lr, 0.95):.1f} ms, p99 {pct(lr, 0.99):.1f} ms, max {max(lr):.1f} ms"
          f" (load average {fmt_load(load_start)} at the start, {fmt_load(load_end)} at the end, "
          f"on {os.cpu_count()} CPUs; {'WITHOUT' if args.baseline else 'with'} the optimizer)")
    worst = sorted(run, key=late.__getitem__)[-3:]
    print("worst ticks at " + ", ".join(f"{when[i]:.2f} s ({late[i]:.0f} ms, {phases[i]}, GUI-thread CPU "
                                        f"{cpu[i]:.0f} ms)" for i in reversed(worst)))
    gui_cpu: dict[str, float] = {}
    for x, ph in zip(cpu, phases):
        gui_cpu[ph] = max(gui_cpu.get(ph, 0.0), x)
    print("max GUI-thread CPU between two ticks per phase: " + ", ".join(f"{k} {v:.1f} ms" for k, v in gui_cpu.items()))
    if args.sample:
        with open(args.sample, "w", encoding="utf-8") as out:
            for i in sorted(sorted(run, key=late.__getitem__)[-12:]):
                end = when[i] * 1000
                start = end - late[i] - args.interval
                inside = [st for t, st in samples if start <= t <= end]
                out.write(f"=== tick at {when[i]:.3f} s, {late[i]:.0f} ms late ({phases[i]}), GUI-thread CPU "
                          f"{cpu[i]:.0f} ms, {len(inside)} samples\n")
                counts: dict[str, int] = {}
                for st in inside:
                    key = " <- ".join(st[:6])
                    counts[key] = counts.get(key, 0) + 1
                for key, n in sorted(counts.items(), key=lambda kv: -kv[1])[:8]:
                    out.write(f"  {n:4d}  {key}\n")
        print(f"GUI-thread samples of the worst stalls in {args.sample}")
    print("RESULT " + json.dumps({"median": statistics.median(lr), "p95": pct(lr, 0.95), "p99": pct(lr, 0.99),
                                  "max": max(lr), "load_start": load_start, "load_end": load_end,
                                  "baseline": args.baseline, "phases": by_phase}))
    if trace is not None:
        print(f"stall stacks (ticks later than {args.stall_ms:.0f} ms) in {args.trace_stalls}")
    print(f"target max < 50 ms from Start to the end: {'met' if max(lr) < 50 else 'NOT met'}")
    w.shutdown()
    ui["top"].close()
    if ui.get("db") is not None:
        ui["db"].close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
