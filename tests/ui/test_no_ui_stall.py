"""Issue 5 (event-loop latency): nothing slow on the UI thread around an optimizer run.

Behaviour, not timing (the figures come from ``benchmarks/ui_latency.py``): the kernels are
loaded into the process in a worker thread before the first engine state or optimizer run;
the optimizer panel's chart is throttled; accepting a result writes and reads back the new
version in a worker.  "Not loaded yet" is simulated by clearing the engine's in-process flag:
the load then really runs again (in a worker), from numba's cache.
"""

from __future__ import annotations

import importlib
import sys
import threading

import pytest
from PySide6.QtGui import QUndoStack

from ato_desktop.engine import warmup as engine_warmup
from ato_desktop.services import timetables as tts
from ato_desktop.ui.timetable import model as model_mod
from ato_desktop.ui.timetable.screen import TimetableScreen
from ato_desktop.ui.warmup import WarmUpController, warmup_controller

REF = "Reference timetable"
evaluate_mod = importlib.import_module("ato_desktop.engine.evaluate")  # (the package's ``evaluate`` is the function)


@pytest.fixture
def not_loaded(monkeypatch):
    """Warm on disk (the session fixture's marker) but, for this test, not loaded into the process."""
    assert engine_warmup.is_warm()
    monkeypatch.setattr(engine_warmup, "_loaded", False)
    threads = []
    real = engine_warmup._run_kernels

    def recording(step):
        threads.append(threading.current_thread() is threading.main_thread())
        return real(step)

    monkeypatch.setattr(engine_warmup, "_run_kernels", recording)
    return threads


def test_load_kernels_runs_in_a_worker_and_tells(qtbot, not_loaded):
    c = WarmUpController(command=[sys.executable, "-c", "raise SystemExit(9)"])
    assert not c.kernels_loaded()
    with qtbot.waitSignal(c.kernelsLoaded, timeout=120_000) as sig:
        assert c.load_kernels() is True
        assert c.loading and c.load_kernels() is True  # one load at a time
    assert sig.args == [True]
    assert c.kernels_loaded() and not c.loading
    assert not_loaded == [False]  # the load ran once, not on the UI thread
    assert c.load_kernels() is False  # nothing left to do


def test_ensure_started_when_warm_loads_the_kernels_at_idle_time(qtbot, not_loaded):
    c = WarmUpController(command=[sys.executable, "-c", "raise SystemExit(9)"])
    with qtbot.waitSignal(c.kernelsLoaded, timeout=120_000):
        assert c.ensure_started() is False  # no warm-up process: the marker says warm
        assert not c.running and c.loading
    assert c.kernels_loaded()


def test_when_ready_waits_for_the_in_process_load(qtbot, not_loaded):
    c = WarmUpController(command=[sys.executable, "-c", "raise SystemExit(9)"])
    calls = []
    c.kernelsLoaded.connect(lambda ok: calls.append(("loaded", ok)))
    assert c.when_ready(lambda: calls.append(("ready", engine_warmup.kernels_loaded()))) is True
    assert calls == []  # not called at once: the kernels are not in this process yet
    qtbot.waitUntil(lambda: len(calls) == 2, timeout=120_000)
    assert calls == [("loaded", True), ("ready", True)]
    assert c.when_ready(lambda: calls.append("now")) is False and calls[-1] == "now"


def test_after_a_warm_up_process_the_kernels_load_before_the_waiters_run(qtbot, not_loaded):
    c = WarmUpController(command=[sys.executable, "-c", "print('prepared')"])
    order = []
    c.finished.connect(lambda ok, _m: order.append(("finished", ok)))
    c.kernelsLoaded.connect(lambda ok: order.append(("loaded", ok)))
    with qtbot.waitSignal(c.started, timeout=15_000):
        assert c.start() is True
    c.when_ready(lambda: order.append(("ready", engine_warmup.kernels_loaded())))
    qtbot.waitUntil(lambda: len(order) == 3, timeout=120_000)
    assert order == [("finished", True), ("loaded", True), ("ready", True)]


def test_the_screen_never_loads_kernels_on_the_ui_thread(qtbot, demo_db, not_loaded):
    w = TimetableScreen(demo_db, QUndoStack(), timetable=REF, with_optimizer=False)
    qtbot.addWidget(w)
    try:
        m = w.model
        assert m.state is None and m.hard is None  # shown at once, uncoloured
        qtbot.waitUntil(lambda: m.state is not None, timeout=120_000)
        assert not_loaded == [False]  # loaded once, in a worker
        assert m.hard is not None and "Hard" in w.score_label.text()
        # with the kernels loaded, another version's state is built at once
        copy = tts.copy_timetable(demo_db, REF, "Copy")
        assert w.open_timetable(copy.id)
        assert w.model.state is not None
    finally:
        w.shutdown()


def test_start_loads_the_kernels_first_then_runs(qtbot, demo_db, not_loaded):
    w = TimetableScreen(demo_db, QUndoStack(), timetable=REF)
    qtbot.addWidget(w)
    try:
        panel = w.optimizer
        panel.time_limit.setValue(600)
        panel.keep_changes.setChecked(False)
        wc = warmup_controller()
        order = []
        wc.kernelsLoaded.connect(lambda ok: order.append("loaded"))
        panel.started.connect(lambda: order.append("started"))
        if engine_warmup.kernels_loaded():  # the screen's own request finished already: pretend again
            engine_warmup._loaded = False
        assert panel.start() is True
        assert not panel.running and "loading" in panel.lbl_phase.text()
        assert not panel.start()  # one at a time, also while loading
        qtbot.waitUntil(lambda: "started" in order, timeout=120_000)
        assert order.index("loaded") < order.index("started")
        assert all(on_main is False for on_main in not_loaded)
        with qtbot.waitSignal(panel.finished, timeout=30_000):
            panel.stop()
    finally:
        w.shutdown()


def _progress(t, hard, soft):
    """What the panel's run reports: the one Progress, the engine's snapshot in ``detail``."""
    from ato_desktop.engine.optimizer import Snapshot as EngineSnapshot
    from ato_desktop.progress import Progress

    return Progress(done=t, total=60, detail=EngineSnapshot(generation=1, best_hard=hard, best_soft=soft,
                                                            evaluations=int(t * 1000), evals_per_second=1000.0,
                                                            elapsed=t, phase="evolve"))


def test_the_chart_is_throttled_but_shows_the_latest_best(qtbot, demo_db):
    from ato_desktop.ui.timetable import optimizer_panel as op

    w = TimetableScreen(demo_db, QUndoStack(), timetable=REF)
    qtbot.addWidget(w)
    panel = w.optimizer
    seen = []
    panel.progressed.connect(seen.append)
    # 60 s of progress every 20 ms, the best improving on every snapshot
    n = 3000
    for i in range(n):
        t = i * 0.02
        panel._on_progress(_progress(t, max(0, 50 - i // 20), 10_000 - i))
    assert len(seen) == n and len(panel.snapshots) == n  # every snapshot reaches the panel's listeners
    points = panel.hard_series.count()
    assert points == panel.soft_series.count()
    assert points <= 60 / op.CHART_MIN_STEP + 2  # not one point per snapshot
    last = panel.hard_series.at(points - 1), panel.soft_series.at(points - 1)
    assert (last[0].y(), last[1].y()) == (0, 10_000 - (n - 1))  # the latest best is what shows
    xs = [panel.hard_series.at(i).x() for i in range(points)]
    assert xs == sorted(xs)
    # an unchanged best between two points changes nothing
    t_last = xs[-1]
    assert panel._add_point(t_last + 0.01, 0, 10_000 - (n - 1)) is False
    assert panel.hard_series.count() == points
    # a long run keeps about CHART_MAX_POINTS points
    panel._reset_chart()
    for i in range(20_000):
        panel._add_point(i * 0.2, 0, 100_000 - i)
    assert panel.hard_series.count() <= op.CHART_MAX_POINTS + 1
    assert panel.soft_series.at(panel.soft_series.count() - 1).y() == 100_000 - 19_999
    assert panel.axis_x.max() >= 19_999 * 0.2
    w.shutdown()


@pytest.mark.threaded_writes  # the save is an operation: on the writer thread, as in the app
def test_accepting_writes_and_reads_the_new_version_in_a_worker(qtbot, demo_db, monkeypatch):
    w = TimetableScreen(demo_db, QUndoStack(), timetable=REF)
    qtbot.addWidget(w)
    panel, m = w.optimizer, w.model
    panel.time_limit.setValue(2)
    panel.population.setValue(2)
    panel.keep_changes.setChecked(False)
    try:
        with qtbot.waitSignal(panel.finished, timeout=120_000) as blocker:
            panel.start()
        result = blocker.args[0]
        on_main: dict[str, list[bool]] = {"create": [], "compile": [], "fetch": [], "evaluate": []}
        # "compile": the version is read and compiled by services.timetable_view.open_version
        real_create, real_compile, real_fetch = (tts.create_version_with_rows, model_mod.open_version,
                                                 model_mod.fetch)

        def spy(name, fn):
            def wrapper(*a, **k):
                on_main[name].append(threading.current_thread() is threading.main_thread())
                return fn(*a, **k)
            return wrapper

        monkeypatch.setattr(tts, "create_version_with_rows", spy("create", real_create))
        monkeypatch.setattr(model_mod, "open_version", spy("compile", real_compile))
        monkeypatch.setattr("ato_desktop.ui.timetable.optimizer_panel.fetch", spy("fetch", real_fetch))
        # issue 18: the conflicts list's score of the new version is computed there too (it cost the UI
        # thread 6-20 ms of CPU after Accept, 100+ ms of stall on a loaded machine)
        monkeypatch.setattr(evaluate_mod, "evaluate", spy("evaluate", evaluate_mod.evaluate))
        # and the views that show the list of versions (the version box, the screen's own check) read it
        # once on the UI thread for the whole delivery (ui/read_once.py), not once each
        versions: list[bool] = []
        real_list = tts.list_timetables
        monkeypatch.setattr(tts, "list_timetables", lambda *a, **k: (
            versions.append(threading.current_thread() is threading.main_thread()), real_list(*a, **k))[1])
        with qtbot.waitSignal(panel.accepted, timeout=60_000) as acc:
            assert panel.accept_result() is True
            assert panel.accept_result() is False  # one save at a time
        new_id = acc.args[0]
        assert on_main == {"create": [False], "compile": [False], "fetch": [False],
                           "evaluate": [False]}  # none on the UI thread
        assert versions.count(True) == 1, versions  # was 3: the list read once for the delivery
        assert w.version_box.currentData() == new_id and w.version_box.count() == 2
        assert m.timetable_id == new_id and m.timetable.name.startswith("Optimized ")
        assert m.state is not None and (m.hard, m.soft) == (result.hard, result.soft)
        assert w.undo_stack.undoText().startswith("Apply optimized timetable")
        from ato_desktop.ui.operations import operations_of

        executed = operations_of(w.undo_stack).operation_executed
        with qtbot.waitSignal(executed, timeout=30_000):
            w.undo_stack.undo()  # undo / redo still work (on the writer too)
        assert m.timetable.name == REF
        with qtbot.waitSignal(executed, timeout=30_000):
            w.undo_stack.redo()
        assert m.timetable.name.startswith("Optimized ") and m.hard == result.hard
    finally:
        w.shutdown()


def test_the_engine_state_and_score_of_a_version_are_built_in_a_worker(qtbot, demo_db, monkeypatch):
    """Issue 18: when the kernels are loaded (e.g. by Start), the grid's engine state and the conflicts
    list's score are built in a worker, also for a small version (on the UI thread they took 56 ms of its
    CPU for the demo's 155 sessions: a 150-250 ms stall on a loaded machine); the UI thread only shows them."""
    engine_warmup.load_kernels()
    w = TimetableScreen(demo_db, QUndoStack(), timetable=REF, with_optimizer=False)
    qtbot.addWidget(w)
    try:
        m = w.model
        assert m.state is not None
        hard, soft, rows = m.hard, m.soft, len(m.violations())
        m.state, m._score_cache = None, None  # as if the kernels had just been loaded into the process
        on_main: list[bool] = []
        real = evaluate_mod.evaluate

        def spy(*a, **k):
            on_main.append(threading.current_thread() is threading.main_thread())
            return real(*a, **k)

        monkeypatch.setattr(evaluate_mod, "evaluate", spy)
        w._on_engine_ready(True, "")
        assert m.state is None  # not built on the UI thread
        qtbot.waitUntil(lambda: m.state is not None, timeout=60_000)
        assert (m.hard, m.soft) == (hard, soft) and len(m.violations()) == rows
        assert on_main == [False]  # evaluated once, in the worker; the conflicts list used that score
    finally:
        w.shutdown()


def test_the_version_list_is_read_once_per_delivery_and_afresh_after_a_nested_write(demo_db, monkeypatch):
    from ato_desktop.ui import read_once

    reads = []
    real = tts.list_timetables
    monkeypatch.setattr(tts, "list_timetables", lambda db: (reads.append(1), real(db))[1])
    read_once.versions(demo_db), read_once.versions(demo_db)
    assert len(reads) == 2  # outside a delivery: every call reads
    with read_once.once():
        assert [t.name for t in read_once.versions(demo_db)] == [REF]
        tts.copy_timetable(demo_db, REF, "Copy")
        with read_once.once():  # a write delivered inside the delivery: read afresh
            assert [t.name for t in read_once.versions(demo_db)] == [REF, "Copy"]
            read_once.versions(demo_db)
        read_once.versions(demo_db)
    assert len(reads) == 4
    assert len(read_once.versions(demo_db)) == 2 and len(reads) == 5
    assert read_once.first("job") and read_once.first("job")  # outside a delivery: always
    with read_once.once():
        assert read_once.first("job") and not read_once.first("job") and read_once.first("other")
        with read_once.once():
            assert read_once.first("job")
