"""Run a callable off the UI thread and hand ``(result, error)`` back on the UI thread.

One small helper for every long call (backups, restores, opening big files):
``run_in_thread(fn, on_done)`` queues ``fn`` on the global QThreadPool; when
it finishes, ``on_done(result, error)`` is called in the thread that owns the
returned :class:`Job` (the UI thread). Cancel is the caller's flag to check.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

_live: set["Job"] = set()


class Job(QObject):
    finished = Signal(object, object)  # result, error

    def __init__(self, fn: Callable[[], Any], on_done: Callable[[Any, BaseException | None], None] | None):
        super().__init__()
        self._fn = fn
        self.result: Any = None
        self.error: BaseException | None = None
        self.done = False
        if on_done is not None:
            self.finished.connect(lambda r, e: on_done(r, e))
        self.finished.connect(self._finish)

    def _finish(self, *_):
        self.done = True
        _live.discard(self)

    def run(self) -> None:  # in the worker thread
        try:
            result, error = self._fn(), None
        except BaseException as exc:  # handed to the UI thread, never swallowed
            result, error = None, exc
        self.result, self.error = result, error
        try:
            self.finished.emit(result, error)  # queued to the UI thread
        except RuntimeError:  # the application is gone (quit while working): nobody to tell
            pass


class _Runnable(QRunnable):
    def __init__(self, job: Job):
        super().__init__()
        self.job = job

    def run(self) -> None:
        self.job.run()


_file_pool: QThreadPool | None = None


def file_pool() -> QThreadPool:
    """One worker for whole-file jobs (backups, restores, copies): they run one after the other."""
    global _file_pool
    if _file_pool is None:
        _file_pool = QThreadPool()
        _file_pool.setMaxThreadCount(1)
    return _file_pool


def run_in_thread(fn: Callable[[], Any], on_done: Callable[[Any, BaseException | None], None] | None = None,
                  *, pool: QThreadPool | None = None) -> Job:
    job = Job(fn, on_done)
    _live.add(job)
    (pool or QThreadPool.globalInstance()).start(_Runnable(job))
    return job


def wait_for_workers(msecs: int = 30000) -> None:
    """Wait for every queued job (at exit; in tests)."""
    for pool in (QThreadPool.globalInstance(), _file_pool):
        if pool is not None:
            pool.waitForDone(msecs)
