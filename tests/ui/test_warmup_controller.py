"""WarmUpController: the warm-up runs in a separate process and the UI thread keeps running.

The real cold compile takes minutes of CPU on a loaded machine: that test is marked
``slow``; the fast ones use a real child process with a fake command, or the real
``ato-desktop warm-up --if-needed`` command when the marker says warm.
"""

from __future__ import annotations

import os
import sys

import pytest
from PySide6.QtCore import QTimer

from ato_desktop.engine import warmup as engine_warmup
from ato_desktop.ui.warmup import WarmUpController, warm_up_command, warmup_controller


@pytest.fixture
def cold(tmp_path, monkeypatch):
    """A marker folder of this test's own: not warm."""
    monkeypatch.setenv(engine_warmup.MARKER_DIR_ENV, str(tmp_path / "markers"))
    assert not engine_warmup.is_warm()
    return tmp_path


def _ticks(qtbot):
    """A timer on the UI thread: it keeps ticking only if nothing blocks the event loop."""
    ticks = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    return timer, ticks


def test_ensure_started_runs_the_command_in_a_process_and_reports(qtbot, cold):
    c = WarmUpController(command=[sys.executable, "-c", "import time; time.sleep(1.0); print('fake prepared')"])
    timer, ticks = _ticks(qtbot)
    with qtbot.waitSignal(c.started, timeout=15_000):
        assert c.ensure_started() is True
    assert c.running is True
    assert c.ensure_started() is True  # one process at a time
    with qtbot.waitSignal(c.finished, timeout=20000) as sig:
        pass
    timer.stop()
    assert sig.args == [True, "fake prepared"]
    assert c.running is False and c.last_ok is True
    assert len(ticks) >= 10  # the UI thread went on while the child ran (1 s at 20 ms ticks)


def test_a_failing_or_missing_command_reports_failure(qtbot, cold):
    c = WarmUpController(command=[sys.executable, "-c", "import sys; print('kernels broke'); sys.exit(3)"])
    with qtbot.waitSignal(c.finished, timeout=20000) as sig:
        c.ensure_started()
    ok, message = sig.args
    assert ok is False and "exit code 3" in message and "kernels broke" in message
    assert not c.running

    missing = WarmUpController(command=[str(cold / "no-such-program"), "warm-up"])
    with qtbot.waitSignal(missing.finished, timeout=10000) as sig:
        missing.ensure_started()
    ok, message = sig.args
    assert ok is False and "Could not start" in message and "no-such-program" in message
    assert not missing.running


def test_when_ready_runs_the_action_after_the_warm_up(qtbot, cold):
    c = WarmUpController(command=[sys.executable, "-c", "print('done')"])
    calls = []
    with qtbot.waitSignal(c.finished, timeout=20000):
        assert c.when_ready(lambda: calls.append(c.running)) is True
        assert calls == []
    assert calls == [False]


def test_nothing_starts_when_warm_and_when_ready_runs_at_once(qtbot, cold):
    engine_warmup._write_marker(1.0)
    c = WarmUpController(command=[sys.executable, "-c", "raise SystemExit(9)"])
    assert c.is_warm()
    assert c.ensure_started() is False and not c.running
    calls = []
    assert c.when_ready(lambda: calls.append(1)) is False
    assert calls == [1]


def test_the_real_command_in_a_real_process_when_warm(qtbot, cold):
    """The real `python -m ato_desktop warm-up --quiet --if-needed` child: with the marker
    written it ends at once, exit code 0, its message reaches finished()."""
    engine_warmup._write_marker(1.0)
    assert warm_up_command()[1:] == ["-m", "ato_desktop", "warm-up", "--quiet", "--if-needed", "--progress"]
    c = WarmUpController()
    with qtbot.waitSignal(c.finished, timeout=60000) as sig:
        assert c.start() is True
    assert sig.args == [True, "The optimizer is already prepared for this computer."]


def test_stop_kills_a_running_warm_up(qtbot, cold):
    c = WarmUpController(command=[sys.executable, "-c", "import time; time.sleep(60)"])
    with qtbot.waitSignal(c.started, timeout=15_000):
        c.ensure_started()
    with qtbot.waitSignal(c.finished, timeout=10000) as sig:
        c.stop()
    assert sig.args[0] is False and not c.running


def test_the_shared_controller_is_one_object(qapp):
    assert warmup_controller() is warmup_controller()
    assert warmup_controller().parent() is qapp


@pytest.mark.slow
@pytest.mark.timeout(1200)  # its own wait below: a cold compile at load 20+ took 485 s, past the default 300 s
def test_a_cold_real_warm_up_in_a_process(qtbot, cold, monkeypatch):
    """A minute of CPU, the suite's one cold compile: an empty numba cache; the real child
    (``ato-desktop warm-up``) compiles while the UI thread keeps ticking; afterwards the app's
    process sees the kernels as warm, and a comp01 run in a NEW process compiles nothing."""
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(cold / "numba-cache"))
    c = WarmUpController()
    assert not c.is_warm()
    timer, ticks = _ticks(qtbot)
    with qtbot.waitSignal(c.finished, timeout=1_200_000) as sig:
        assert c.ensure_started() is True
    timer.stop()
    ok, message = sig.args
    assert ok, message
    assert message.startswith("Optimizer prepared in ")
    assert c.is_warm() and any((cold / "numba-cache").rglob("*.nbi"))
    assert len(ticks) > 100

    from tests.conftest_itc import itc_dataset_dir
    from tests.engine.warm_checks import REPO, assert_a_new_process_compiles_nothing

    comp01 = itc_dataset_dir() / "comp01.ctt"
    assert comp01.is_file(), f"ITC-2007 comp01 not found at {comp01}"
    assert_a_new_process_compiles_nothing({**os.environ, "PYTHONPATH": str(REPO)}, comp01)


def test_progress_lines_of_the_child_drive_a_determinate_bar_with_the_time_left(qtbot, cold):
    """Issue 16: the child prints 'progress PERCENT SECONDS-LEFT STEP'; the controller parses them (also when
    split across reads) and the main window's status bar shows a determinate bar and an estimate."""
    from ato_desktop.ui.warmup import parse_progress, progress_text

    assert "--progress" in warm_up_command()
    assert parse_progress("progress 26 41 compiling the incremental state") == \
        (26, 41, "compiling the incremental state")
    assert parse_progress("Optimizer prepared in 3.0 s.") is None
    assert progress_text(26, 41) == "Preparing the optimizer (first run only): 26 %, about 40 s left"
    assert "about 2 min left" in progress_text(10, 130)
    assert "first run" in progress_text(0, -1)
    # the engine's steps give the shares: monotone, from 0 to below 100 %
    shares = [engine_warmup.step_fraction(name) for name, _ in engine_warmup.STEP_WEIGHTS]
    assert shares[0] == 0.0 and shares == sorted(shares) and shares[-1] < 1.0
    assert engine_warmup.estimate_left(0.5, 30.0) == pytest.approx(30.0)
    script = ("import sys, time\n"
              "for p, left, step in ((0, -1, 'loading the engine'), (26, 41, 'compiling the incremental state')):\n"
              "    sys.stdout.write(f'progress {p} {left} ')\n    sys.stdout.flush()\n    time.sleep(0.2)\n"
              "    print(step, flush=True)\n    time.sleep(0.2)\n"
              "print('fake prepared', flush=True)\n")
    c = WarmUpController(command=[sys.executable, "-c", script])
    seen = []
    c.progress.connect(lambda *a: seen.append(a))
    with qtbot.waitSignal(c.finished, timeout=20_000):
        c.ensure_started()
    assert seen == [(0, -1, "loading the engine"), (26, 41, "compiling the incremental state")]


def test_the_main_window_shows_the_warm_up_progress_bar(qtbot, window):
    from ato_desktop.ui import window_features

    wc = window_features._warm_up_controller(window)
    bar = window._warm_up_status.bar
    assert bar.isHidden()
    wc.progress.emit(47, 35, "compiling the optimizer's search")
    assert bar.isVisible() and bar.value() == 47 and bar.maximum() == 100
    assert "47 %, about 35 s left" in window.statusBar().currentMessage()
    wc.finished.emit(True, "prepared")
    assert bar.isHidden() and window.statusBar().currentMessage() == "The optimizer is ready."
