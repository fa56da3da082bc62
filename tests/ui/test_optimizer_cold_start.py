"""Issue 16, the first hour: the first Start never waits for the one-time kernel compile.

The compile is controlled: the shared warm-up controller runs a stand-in child process that reports
determinate progress ("progress PERCENT SECONDS-LEFT STEP", as ``warm-up --progress`` does) and never
finishes, and the warm-up marker folder is empty (not warm).  Start gives a first timetable from the
numpy constructor in seconds, loading or compiling no numba kernel in this process, the event loop
keeps turning; a second Start waits for the compile and shows its progress and the time left."""

from __future__ import annotations

import sys
import time

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QUndoStack

from ato_desktop.engine import warmup as engine_warmup
from ato_desktop.ui import warmup as ui_warmup
from ato_desktop.ui.timetable.screen import TimetableScreen

REF = "Reference timetable"
SLOW_COMPILE = ("import sys, time\n"
                "for i in range(100000):\n"
                "    print(f'progress {min(99, 10 + i)} {max(5, 90 - i)} compiling the incremental state', flush=True)\n"
                "    time.sleep(0.2)\n")


@pytest.fixture
def cold_compile(tmp_path, monkeypatch, qapp):
    monkeypatch.setenv(engine_warmup.MARKER_DIR_ENV, str(tmp_path / "markers"))
    assert not engine_warmup.is_warm()
    wc = ui_warmup.WarmUpController(qapp, command=[sys.executable, "-c", SLOW_COMPILE])
    monkeypatch.setattr(ui_warmup, "_controller", wc)
    yield wc
    wc.stop()


def _kernels_touched() -> tuple:
    """Loads/compiles of the engine's kernels in this process so far (cache hits, misses, signatures)."""
    from numba.core.registry import CPUDispatcher

    from ato_desktop.engine import kernels as K

    stats = engine_warmup.kernel_cache_stats()
    sigs = sum(len(d.signatures) for d in vars(K).values() if isinstance(d, CPUDispatcher))
    return tuple(sorted(stats.items())), sigs


def test_start_gives_a_first_timetable_at_once_while_the_kernels_compile(qtbot, demo_db, cold_compile):
    w = TimetableScreen(demo_db, QUndoStack(), timetable=REF)
    w.resize(1366, 768)
    qtbot.addWidget(w)
    w.show()
    try:
        panel = w.optimizer
        panel.keep_changes.setChecked(False)
        before = _kernels_touched()
        gaps, last = [], [time.perf_counter()]

        def tick():
            now = time.perf_counter()
            gaps.append(now - last[0])
            last[0] = now

        timer = QTimer()
        timer.timeout.connect(tick)
        timer.start(10)
        t0 = time.perf_counter()
        with qtbot.waitSignal(panel.finished, timeout=60_000) as got:
            assert panel.start() is True
        seconds = time.perf_counter() - t0
        timer.stop()
        result = got.args[0]
        assert result is not None and result.hard == 0 and (result.assignment.start >= 0).all()
        assert panel.run.quick and seconds < 30
        assert cold_compile.running  # the compile still goes on: the result did not wait for it
        assert _kernels_touched() == before  # no kernel loaded or compiled in this process
        assert max(gaps) < 1.0, f"the event loop stalled {max(gaps):.2f} s"
        assert panel.accept_button.isEnabled() and w.model.previewing  # previewed, ready to accept
        assert "first timetable" in panel.lbl_phase.text()

        # the next Start waits for the compile, with a determinate progress and the time left
        assert panel.start() is True and not panel.running
        qtbot.waitUntil(lambda: "%" in panel.lbl_phase.text() and "left" in panel.lbl_phase.text(), timeout=20_000)
        assert cold_compile.last_progress is not None and 0 < cold_compile.last_progress[0] < 100
        panel.stop()
    finally:
        w.shutdown()
