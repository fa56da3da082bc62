"""A tiny helper to run a callable on the QThreadPool and get its result (or error) back on the UI thread.

    job = Job(fn, *args)                  # fn(*args, progress=..., should_stop=...) if wants_progress
    job.signals.done.connect(on_result)   # on the UI thread
    job.signals.failed.connect(on_error)  # the exception object
    job.signals.progress.connect(on_progress)  # (done, total); total 0 = unknown
    start(job)

``job.cancel()`` sets a flag the callable sees through ``should_stop()``.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

__all__ = ["Job", "start", "running_jobs"]

_running: set["Job"] = set()


class JobSignals(QObject):
    progress = Signal(int, int)
    done = Signal(object)
    failed = Signal(object)


class Job(QRunnable):
    def __init__(self, fn: Callable[..., Any], *args: Any, wants_progress: bool = False, **kwargs: Any):
        super().__init__()
        self.setAutoDelete(False)
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.wants_progress = wants_progress
        self.signals = JobSignals()
        self._stop = threading.Event()
        self.signals.done.connect(self._finished)
        self.signals.failed.connect(self._finished)

    def cancel(self) -> None:
        self._stop.set()

    def cancelled(self) -> bool:
        return self._stop.is_set()

    def _progress(self, done: int, total: int = 0) -> None:
        self.signals.progress.emit(int(done), int(total))

    def run(self) -> None:
        try:
            if self.wants_progress:
                result = self.fn(*self.args, progress=self._progress, should_stop=self.cancelled, **self.kwargs)
            else:
                result = self.fn(*self.args, **self.kwargs)
        except BaseException as exc:  # handed to the UI thread, which shows it
            self.signals.failed.emit(exc)
            return
        self.signals.done.emit(result)

    def _finished(self, _result: Any) -> None:
        _running.discard(self)


def start(job: Job, pool: QThreadPool | None = None) -> Job:
    _running.add(job)  # keep the Python object alive until it reports back
    (pool or QThreadPool.globalInstance()).start(job)
    return job


def running_jobs() -> int:
    return len(_running)
