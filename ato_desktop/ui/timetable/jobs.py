"""A long job on the QThreadPool with the project's progress/cancel contract.

``Job(fn)`` runs ``fn(on_progress, should_stop)`` in a pool thread. The worker
only stores its latest progress snapshot; a QTimer on the GUI thread polls it
(every ``poll_ms``) and emits ``progress``; ``finished(result, error)`` arrives
on the GUI thread. ``cancel()`` sets the flag ``should_stop`` reads — a
cancelled job still returns its best result, it is not an error.

(If the main window's ``ato_desktop.ui.workers`` lands, this can delegate to it.)
"""

from __future__ import annotations

import os
import sys
import threading
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThread, QThreadPool, QTimer, Signal, Slot


class _Relay(QObject):
    done = Signal(object, object)


class _Runnable(QRunnable):
    def __init__(self, job: "Job"):
        super().__init__()
        self.job = job
        self.relay = job._relay  # keep the relay alive as long as the task runs
        self.setAutoDelete(True)

    def run(self) -> None:  # pool thread
        job = self.job
        result, error = None, None
        if job.low_priority:
            _lower_this_threads_priority()
        try:
            result = job.fn(job._store_progress, job._cancel.is_set)
        except BaseException as exc:  # reported to the GUI thread, never swallowed
            error = exc
            job.traceback = traceback.format_exc()
        job._done.set()
        try:
            job._relay.done.emit(result, error)
        except RuntimeError:  # the widget that started the job is gone (window closed): nobody to tell
            pass


def _lower_this_threads_priority() -> None:
    """Let the GUI thread win the CPU over a long computation (best effort, per OS)."""
    QThread.currentThread().setPriority(QThread.LowPriority)  # Windows, macOS
    if hasattr(os, "setpriority") and hasattr(threading, "get_native_id") and sys.platform.startswith("linux"):
        try:  # Linux: Qt ignores thread priorities under SCHED_OTHER, but each thread has its own nice value
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 4)
        except OSError:
            pass


class Job(QObject):
    progress = Signal(object)
    finished = Signal(object, object)  # result, error

    def __init__(self, fn: Callable[[Callable[[Any], None], Callable[[], bool]], Any], poll_ms: int = 150,
                 pool: QThreadPool | None = None, parent=None, low_priority: bool = False):
        super().__init__(parent)
        self.fn = fn
        self.low_priority = low_priority
        self.pool = pool or QThreadPool.globalInstance()
        self.traceback = ""
        self.running = False
        self._cancel = threading.Event()
        self._done = threading.Event()
        self._latest = None
        self._seen = None
        self._relay = _Relay()
        self._relay.done.connect(self._on_done)
        self._timer = QTimer(self)
        self._timer.setInterval(poll_ms)
        self._timer.timeout.connect(self._poll)

    def _store_progress(self, snapshot: Any) -> None:  # pool thread: one reference assignment
        self._latest = snapshot

    def start(self) -> None:
        self.running = True
        self._cancel.clear()
        self._done.clear()
        self._timer.start()
        self.pool.start(_Runnable(self))

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, timeout_ms: int = 10000) -> bool:
        """Block until the worker has returned (its result is then dropped unless events are processed)."""
        return self._done.wait(timeout_ms / 1000)

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @Slot()
    def _poll(self) -> None:
        snap = self._latest
        if snap is not None and snap is not self._seen:
            self._seen = snap
            self.progress.emit(snap)

    @Slot(object, object)
    def _on_done(self, result: Any, error: Any) -> None:
        self._timer.stop()
        self._poll()
        self.running = False
        self.finished.emit(result, error)
