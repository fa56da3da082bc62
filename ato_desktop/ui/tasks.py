"""The one task runner: every long job (optimizer, PDFs, imports, mail, backups, checks) runs here.

The contract (after Anki's ``aqt/taskman.py`` and Picard's ``util/thread.py``)::

    task = Task(fn)                      # fn(on_progress, should_stop) -> result
    task.progress.connect(show)          # the latest snapshot (a ``Progress``), polled on a timer
    task.finished.connect(done)          # (result, error) on the GUI thread; error keeps its traceback
                                         # (then succeeded(result) or failed(error), for those who prefer)
    task.start()
    task.cancel()                        # should_stop() turns True; the job may still return its best

or, for a plain callable, ``run(fn, on_done)`` (``on_done(result, error)``).

- ``on_progress(snapshot)`` only stores the snapshot (one reference assignment: cheap from a
  numba-driving loop); a QTimer on the GUI thread polls it every ``poll_ms`` and emits ``progress``.
- ``key=``: the latest request wins. Starting a task with the key of one still running cancels the
  older one, whose result is then ignored.
- ``serial=True``: whole-file jobs (backups, restores, copies, imports) run one after the other.
- Errors are handed back on the GUI thread as ``finished(None, error)`` with ``task.traceback``
  (the formatted text); they are never swallowed. A task is kept alive until it has reported; if
  the receiver (``receiver=``, or the QObject whose method ``on_done`` is) is gone, the result is
  dropped quietly.
- ``runner().idle`` is emitted when no task is left; ``wait_idle()`` waits for that (tests, exit).
- ``InlineRunner`` runs each task synchronously on the calling thread with the same callbacks
  (tests select it with ``use_runner``).
"""

from __future__ import annotations

import threading
import time
import traceback
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    QEventLoop,
    QObject,
    QRunnable,
    QThread,
    QThreadPool,
    QTimer,
    Signal,
    Slot,
)

from ato_desktop import thread_priority
from ato_desktop.progress import Progress

Job = Callable[[Callable[[Any], None], Callable[[], bool]], Any]
OnDone = Callable[[Any, "BaseException | None"], None]

__all__ = ["Progress", "Task", "TaskRunner", "InlineRunner", "run", "runner", "use_runner", "wait_idle"]


class Task(QObject):
    """One long job: ``fn(on_progress, should_stop)`` run by the current runner."""

    progress = Signal(object)  # the latest snapshot the job stored
    finished = Signal(object, object)  # result, error (None when it returned)
    succeeded = Signal(object)  # then: the result, when it returned
    failed = Signal(object)  # or: the exception, when it raised

    def __init__(self, fn: Job, *, poll_ms: int = 150, parent: QObject | None = None, low_priority: bool = False,
                 key: Any = None, serial: bool = False):
        super().__init__(parent)
        self.fn = fn
        self.poll_ms = poll_ms
        self.low_priority = low_priority
        self.key = key
        self.serial = serial
        self.running = False
        self.done = False  # True once it has reported (or was dropped)
        self.superseded = False  # a newer task with the same key replaced it
        self.result: Any = None
        self.error: BaseException | None = None
        self.traceback = ""
        self._cancel = threading.Event()
        self._returned = threading.Event()
        self._latest: Any = None
        self._seen: Any = None
        self._timer: QTimer | None = None
        self._runner: TaskRunner | None = None

    # --- the job's side (any thread) ---
    def _store_progress(self, snapshot: Any) -> None:
        self._latest = snapshot  # one reference assignment; the GUI thread polls it

    def should_stop(self) -> bool:
        return self._cancel.is_set()

    # --- the caller's side (GUI thread) ---
    def start(self) -> "Task":
        runner().start(self)
        return self

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def wait(self, timeout_ms: int = 10000) -> bool:
        """Block until the job has returned (its result is delivered later, from the event loop)."""
        return self._returned.wait(timeout_ms / 1000)

    def _execute(self) -> None:  # on the worker thread (or inline)
        result, error = None, None
        try:
            result = self.fn(self._store_progress, self._cancel.is_set)
        except BaseException as exc:  # handed to the GUI thread, never swallowed
            error = exc
            self.traceback = traceback.format_exc()
        self.result, self.error = result, error
        self._returned.set()

    @Slot()
    def _poll(self) -> None:
        snap = self._latest
        if snap is not None and snap is not self._seen:
            self._seen = snap
            self.progress.emit(snap)


class _Runnable(QRunnable):
    def __init__(self, task: Task, relay: "TaskRunner"):
        super().__init__()
        self.task, self.relay = task, relay
        self.setAutoDelete(True)

    def run(self) -> None:  # pool thread
        before = None
        if self.task.low_priority:
            before = (QThread.currentThread().priority(), thread_priority.current())
            _lower_this_threads_priority()
        try:
            self.task._execute()
        finally:
            if before is not None:  # the pool thread goes back as it was (where the OS lets it: not Linux unprivileged)
                q = before[0]
                QThread.currentThread().setPriority(QThread.NormalPriority if q == QThread.InheritPriority else q)
                thread_priority.apply(before[1])
        try:
            self.relay._returned.emit(self.task)  # queued to the GUI thread
        except RuntimeError:  # the application is gone (quit while working): nobody to tell
            pass
        finally:
            self.relay._wake()


def _lower_this_threads_priority() -> None:
    """Let the GUI thread win the CPU over a long computation (best effort, per OS; see
    :mod:`ato_desktop.thread_priority`: on Linux Qt ignores thread priorities under SCHED_OTHER, but each
    thread has its own nice value)."""
    QThread.currentThread().setPriority(QThread.LowestPriority)
    thread_priority.lower_current_thread()


class TaskRunner(QObject):
    """Runs tasks on Qt's global pool (``serial`` ones on a one-thread pool) and reports on the GUI thread."""

    idle = Signal()  # no task is left running or waiting to report
    _returned = Signal(object)  # worker -> GUI thread

    def __init__(self, pool: QThreadPool | None = None):
        super().__init__()
        self._pool = pool
        self._serial_pool: QThreadPool | None = None
        self._live: set[Task] = set()  # keeps each task alive until it has reported
        self._latest: dict[Any, Task] = {}
        self._cond = threading.Condition()
        self._returned.connect(self._deliver)

    @property
    def pool(self) -> QThreadPool:
        return self._pool or QThreadPool.globalInstance()

    @property
    def serial_pool(self) -> QThreadPool:
        if self._serial_pool is None:
            self._serial_pool = QThreadPool(self)
            self._serial_pool.setMaxThreadCount(1)
        return self._serial_pool

    def busy(self) -> bool:
        return bool(self._live)

    def start(self, task: Task) -> Task:
        self._begin(task)
        (self.serial_pool if task.serial else self.pool).start(_Runnable(task, self))
        return task

    def _begin(self, task: Task) -> None:
        task._runner = self
        task.running, task.done = True, False
        if task.key is not None:
            older = self._latest.get(task.key)
            if older is not None and older is not task and not older.done:
                older.superseded = True  # latest request wins: the older result is ignored
                older.cancel()
            self._latest[task.key] = task
        self._live.add(task)
        if task.poll_ms and not isinstance(self, InlineRunner):
            task._timer = QTimer(task)
            task._timer.setInterval(task.poll_ms)
            task._timer.timeout.connect(task._poll)
            task._timer.start()

    def _wake(self) -> None:
        with self._cond:
            self._cond.notify_all()

    @Slot(object)
    def _deliver(self, task: Task) -> None:  # GUI thread
        self._live.discard(task)
        if task.key is not None and self._latest.get(task.key) is task:
            del self._latest[task.key]
        try:
            if not shiboken6.isValid(task):  # its parent (a closed widget) took it along: nobody to tell
                return
            if task._timer is not None:
                task._timer.stop()
            task.running, task.done = False, True
            if task.superseded:
                return
            task._poll()
            task.finished.emit(task.result, task.error)
            if task.error is None:
                task.succeeded.emit(task.result)
            else:
                task.failed.emit(task.error)
        finally:
            if not self._live:
                self.idle.emit()

    def wait_idle(self, timeout_ms: int = 30000, *, deliver: bool = True) -> bool:
        """Wait until every task has returned and (``deliver``) reported; False on timeout.

        With ``deliver`` the events already posted are processed first (a result or a queued signal
        may start another task), so "idle" means: nothing left to run or to report. ``deliver=False`` (at exit, when no receiver should run any more) only waits for the jobs
        to return.
        """
        deadline = time.monotonic() + timeout_ms / 1000
        app = QCoreApplication.instance() if deliver else None
        while True:
            if app is not None:  # what the event loop holds may start a task: drain it first
                app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            pending = [t for t in self._live if not t._returned.is_set()]
            if not pending and (not deliver or not self._live):
                return True
            if time.monotonic() >= deadline:
                return False
            if pending:
                with self._cond:
                    if not all(t._returned.is_set() for t in pending):
                        self._cond.wait(0.02)  # woken by the worker as it returns


class InlineRunner(TaskRunner):
    """Runs each task at once on the calling thread, with the same signals (for tests)."""

    def start(self, task: Task) -> Task:
        self._begin(task)
        store = task._store_progress

        def emit_now(snapshot: Any) -> None:
            store(snapshot)
            task._poll()

        task._store_progress = emit_now  # every snapshot is shown at once (there is no timer)
        task._execute()
        self._deliver(task)
        return task


_runner: TaskRunner | None = None


def runner() -> TaskRunner:
    """The runner tasks start on (created on first use, on the GUI thread)."""
    global _runner
    if _runner is None:
        _runner = TaskRunner()
    return _runner


def use_runner(new: TaskRunner | None) -> TaskRunner | None:
    """Make ``new`` the runner (None: a fresh threaded one on next use); returns the previous one."""
    global _runner
    old, _runner = _runner, new
    return old


def wait_idle(timeout_ms: int = 30000, *, deliver: bool = True) -> bool:
    """Wait for every task of the current runner (see :meth:`TaskRunner.wait_idle`)."""
    return runner().wait_idle(timeout_ms, deliver=deliver)


def _receiver_of(on_done: Callable) -> QObject | None:
    owner = getattr(on_done, "__self__", None)
    return owner if isinstance(owner, QObject) else None


def start(fn: Job, on_done: OnDone | None = None, *, on_progress: Callable[[Any], None] | None = None,
          receiver: QObject | None = None, key: Any = None, serial: bool = False, poll_ms: int = 150,
          low_priority: bool = False) -> Task:
    """Start ``fn(on_progress, should_stop)``; ``on_done(result, error)`` and ``on_progress(snapshot)``
    are called on the GUI thread, unless ``receiver`` (by default the QObject ``on_done`` is a method of)
    is gone by then."""
    task = Task(fn, key=key, serial=serial, poll_ms=poll_ms if on_progress is not None else 0,
                low_priority=low_priority)
    if receiver is None and on_done is not None:
        receiver = _receiver_of(on_done)

    def alive() -> bool:
        return receiver is None or shiboken6.isValid(receiver)

    if on_progress is not None:
        task.progress.connect(lambda snap: on_progress(snap) if alive() else None)
    if on_done is not None:
        task.finished.connect(lambda result, error: on_done(result, error) if alive() else None)
    return runner().start(task)


def run(fn: Callable[[], Any], on_done: OnDone | None = None, *, receiver: QObject | None = None,
        key: Any = None, serial: bool = False) -> Task:
    """Run a plain ``fn()`` off the GUI thread; ``on_done(result, error)`` on the GUI thread."""
    return start(lambda _progress, _stop: fn(), on_done, receiver=receiver, key=key, serial=serial)
