"""The one task runner (ato_desktop.ui.tasks): progress polled, cancel, latest wins, errors, idle, inline."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QObject, QThread

from ato_desktop.progress import Progress
from ato_desktop.ui import tasks


@pytest.fixture
def threaded(qapp):
    """A fresh threaded runner for each test (its own idle signal), waited for at the end."""
    old = tasks.use_runner(tasks.TaskRunner())
    yield tasks.runner()
    assert tasks.wait_idle(20_000)
    tasks.use_runner(old)


def test_progress_is_polled_and_the_result_arrives_on_the_gui_thread(qtbot, qapp, threaded):
    go_on = threading.Event()
    threads: list = []

    def job(on_progress, should_stop):
        threads.append(QThread.currentThread())
        for i in range(1, 101):
            on_progress(Progress(i, 100, f"step {i}"))  # only stored: the GUI thread polls the latest
        go_on.wait(10)
        return "ok"

    task = tasks.Task(job, poll_ms=10)
    seen: list = []
    task.progress.connect(seen.append)
    finished: list = []
    task.finished.connect(lambda r, e: finished.append((r, e, QThread.currentThread())))
    task.start()
    qtbot.waitUntil(lambda: bool(seen) and seen[-1].done == 100, timeout=10_000)
    assert len(seen) < 100  # snapshots are polled, not queued one by one
    assert seen[-1].fraction == 1.0 and seen[-1].message == "step 100"
    assert task.running and not finished
    with qtbot.waitSignal(threaded.idle, timeout=10_000):
        go_on.set()
    assert finished == [("ok", None, qapp.thread())]
    assert threads[0] is not qapp.thread()
    assert task.done and not task.running


def test_cancel_sets_the_flag_and_a_cancelled_job_returns_its_best(qtbot, threaded):
    started = threading.Event()

    def job(on_progress, should_stop):
        started.set()
        best = 0
        while not should_stop():
            best += 1
            threading.Event().wait(0.001)  # a slow job (the wait simulates work)
        return best

    task = tasks.Task(job)
    with qtbot.waitSignal(task.finished, timeout=10_000) as blocker:
        task.start()
        assert started.wait(10)
        task.cancel()
    result, error = blocker.args
    assert error is None and result > 0 and task.cancelled


def test_latest_request_wins(qtbot, threaded):
    release = threading.Event()
    got: list = []

    def slow(on_progress, should_stop):
        release.wait(10)
        return "old", should_stop()

    first = tasks.start(slow, lambda r, e: got.append(r), key="rescore")
    second = tasks.start(lambda p, s: ("new", s()), lambda r, e: got.append(r), key="rescore")
    assert first.cancelled and first.superseded and not second.cancelled
    qtbot.waitUntil(lambda: got == [("new", False)], timeout=10_000)
    with qtbot.waitSignal(threaded.idle, timeout=10_000):
        release.set()
    assert got == [("new", False)]  # the older result, which came later, was ignored
    assert first.done and first.result == ("old", True)


def test_an_error_comes_back_on_the_gui_thread_with_its_traceback(qtbot, threaded):
    def broken():
        raise ValueError("bad cell B7")

    got: list = []
    with qtbot.waitSignal(threaded.idle, timeout=10_000):
        task = tasks.run(broken, lambda r, e: got.append((r, e, QThread.currentThread())))
    (result, error, thread), = got
    assert result is None and isinstance(error, ValueError) and str(error) == "bad cell B7"
    assert thread is qapp_thread()
    assert "broken" in task.traceback and "ValueError: bad cell B7" in task.traceback
    assert error.__traceback__ is not None


def qapp_thread():
    from PySide6.QtWidgets import QApplication

    return QApplication.instance().thread()


def test_a_receiver_that_is_gone_is_dropped_quietly(qtbot, threaded):
    import shiboken6

    class Receiver(QObject):
        def __init__(self):
            super().__init__()
            self.got = []

        def done(self, result, error):
            self.got.append(result)

    release = threading.Event()
    receiver = Receiver()
    got = receiver.got
    tasks.run(lambda: release.wait(10), receiver.done)
    shiboken6.delete(receiver)
    with qtbot.waitSignal(threaded.idle, timeout=10_000):
        release.set()
    assert got == []


def test_serial_tasks_run_one_after_the_other(qtbot, threaded):
    running, overlap, order = [0], [False], []
    lock = threading.Lock()

    def job(i):
        def fn():
            with lock:
                running[0] += 1
                overlap[0] |= running[0] > 1
            threading.Event().wait(0.01)  # a slow job
            with lock:
                running[0] -= 1
            order.append(i)
        return fn

    for i in range(5):
        tasks.run(job(i), serial=True)
    assert threaded.busy()
    assert tasks.wait_idle(10_000)
    assert order == [0, 1, 2, 3, 4] and not overlap[0] and not threaded.busy()


def test_wait_idle_delivers_every_result(qtbot, threaded):
    got: list = []
    for i in range(10):
        tasks.run(lambda i=i: i * i, lambda r, e: got.append(r))
    assert tasks.wait_idle(10_000)
    assert sorted(got) == [i * i for i in range(10)]


def test_the_inline_runner_runs_at_once_with_the_same_callbacks(inline_tasks):
    seen, got = [], []

    def job(on_progress, should_stop):
        on_progress(Progress(1, 2, "half"))
        on_progress(Progress(2, 2, "all"))
        return QThread.currentThread()

    idle = []
    inline_tasks.idle.connect(lambda: idle.append(True))
    task = tasks.start(job, lambda r, e: got.append((r, e)), on_progress=seen.append)
    assert [p.message for p in seen] == ["half", "all"]
    assert got == [(qapp_thread(), None)] and task.done and idle == [True]

    def broken():
        raise KeyError("x")

    task = tasks.run(broken, lambda r, e: got.append((r, e)))
    assert isinstance(got[-1][1], KeyError) and "KeyError" in task.traceback


def test_a_real_user_under_the_inline_runner(inline_tasks, db, tmp_path):
    """The export action's callbacks run before ``export_list`` returns: no waiting in the test."""
    from ato_desktop.io.export import ExportError
    from ato_desktop.services import resources as res
    from ato_desktop.ui.export_action import export_list

    res.create_item(db, "department", {"code": "CSE", "name": "CS"})
    res.create_item(db, "faculty", {"code": "OK", "name": "Plain Name", "department": "CSE"})
    done, errors = [], []
    export_list(db, "faculty", tmp_path / "f.csv", on_done=done.append, on_failed=errors.append)
    assert done == [1] and (tmp_path / "f.csv").is_file()
    export_list(db, "faculty", tmp_path / "missing" / "f.csv", on_done=done.append, on_failed=errors.append)
    assert done == [1] and len(errors) == 1 and isinstance(errors[0], ExportError)
    assert not inline_tasks.busy()


@pytest.mark.skipif(not __import__("sys").platform.startswith("linux"), reason="per-thread nice values are Linux's")
def test_a_low_priority_task_runs_below_the_gui_thread_and_gives_its_thread_back(qtbot, threaded):
    """The optimizer's task (low_priority) runs BACKGROUND_STEP nice values below the GUI thread, whatever
    the process's own nice value (a fixed nice 4 did nothing in a process started with ``nice -n 4`` or
    more); the pool thread is given back as it was where the OS allows it (root, here)."""
    import os

    from ato_desktop import thread_priority

    def nice() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    process = os.getpriority(os.PRIO_PROCESS, os.getpid())
    seen: list = []

    def job(_progress, _stop):
        seen.append((threading.get_native_id(), nice()))
        return "ok"

    task = tasks.Task(job, poll_ms=0, low_priority=True)
    with qtbot.waitSignal(task.finished, timeout=10_000):
        task.start()
    (tid, during), = seen
    assert during == min(19, process + thread_priority.BACKGROUND_STEP) > process
    assert nice() == process  # the GUI thread is not touched
    if os.geteuid() == 0:  # an unprivileged Linux thread cannot lower its nice value again
        assert os.getpriority(os.PRIO_PROCESS, tid) == process
