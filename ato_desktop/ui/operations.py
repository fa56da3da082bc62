"""The one writer: every operation (a write) runs here, one at a time, off the UI thread.

``ops.run(operation, on_done=..., on_error=...)`` submits ``operation(db)`` (a service operation
returning a :class:`~ato_desktop.services.operations.Change`) to a single-worker executor, so
writes never run on the UI thread and never overlap. Back on the main thread:

- on success the change becomes one undo step (:class:`~ato_desktop.ui.undo.OperationCommand`, when it
  has an undo), ``operation_executed(change)`` is emitted (every page refreshes what the change
  concerns), then ``on_done(change)`` is called;
- on failure ``on_error(exc)`` is called (a :class:`ServiceError`'s one sentence goes to the form
  or the status bar); without ``on_error`` the sentence goes to ``failed(message)``.

Undo and redo run on the same writer (the change's own ``undo``), and announce the change that
results through ``operation_executed`` too.

Reads may stay where they are. Tests run with ``ATO_INLINE_WRITES=1`` (or pass ``inline=True``): the
operation then runs at once on the calling thread, with the same callbacks.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Qt, QThread, Signal

from ato_desktop.services.operations import Change

Operation = Callable[[Any], Change]


class Submitted:
    """A handle on one submitted operation: ``done`` once it ran and its callbacks were called;
    ``error`` is what it raised. True unless it failed."""

    def __init__(self) -> None:
        self.done = False
        self.finished = threading.Event()  # set with ``done`` (a worker thread can wait on it)
        self.error: BaseException | None = None
        self.change: Change | None = None

    def __bool__(self) -> bool:
        return self.error is None


class Operations(QObject):
    operation_executed = Signal(object)  # the Change, after each operation, undo and redo
    failed = Signal(str)  # an operation without on_error, an undo or a redo failed: the sentence
    idle = Signal()  # no write is queued or running any more
    _deliver = Signal(object)  # from the writer thread to the main thread (a queued connection)
    _run_here = Signal(object)  # from a task's thread to the main thread: submit an operation (run_and_wait)

    def __init__(self, parent: QObject | None = None, *, inline: bool | None = None):
        super().__init__(parent)
        self.database = None
        self.inline = os.environ.get("ATO_INLINE_WRITES") == "1" if inline is None else inline
        self.stack = None  # the UndoStack that keeps the undo steps (ui.undo sets it)
        self.pending = 0
        self.writer_thread: threading.Thread | None = None  # for tests: where the last write ran
        self._executor: ThreadPoolExecutor | None = None
        self._deliver.connect(self._delivered)
        self._run_here.connect(self._run_for_worker, Qt.ConnectionType.QueuedConnection)

    # ---- running -----------------------------------------------------------------------------
    def run(self, operation: Operation, *, on_done: Callable[[Change], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None, undoable: bool = True,
            db=None) -> Submitted:
        """Run ``operation(db)`` on the writer (``db``: the window's database unless given).
        The handle returned is false when the operation failed already (inline mode)."""
        db = self.database if db is None else db
        handle = Submitted()
        self._submit(operation, db, (on_done, on_error, undoable, None, db, handle))
        return handle

    def run_and_wait(self, operation: Operation, *, db=None) -> Change:
        """From a task's thread (a job that writes as it goes, e.g. the candidates): run ``operation`` on
        the writer as :meth:`run` does, but as no undo step of its own (the task adds one for the whole when
        it is done), and wait for it. Returns its change; raises its error. Its ``operation_executed``
        is emitted on the main thread, as for any operation."""
        if QThread.currentThread() is self.thread():  # a task run inline (tests): submit it here
            handle = self.run(operation, undoable=False, db=db, on_error=lambda _exc: None)
            while not handle.finished.is_set():  # a threaded writer delivers through this thread's events
                QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
                handle.finished.wait(0.01)
        else:
            box: list[Submitted] = []
            submitted = threading.Event()
            self._run_here.emit((operation, db, box, submitted))
            submitted.wait()
            handle = box[0]
            handle.finished.wait()
        if handle.error is not None:
            raise handle.error
        return handle.change

    def _run_for_worker(self, request) -> None:  # main thread
        operation, db, box, submitted = request
        box.append(self.run(operation, undoable=False, db=db, on_error=lambda _exc: None))
        submitted.set()

    def step(self, command, fn: Callable[[Any], Change], verb: str) -> None:
        """Undo or redo ``command`` (``fn(db)`` returns the change that results) on the writer."""
        self._submit(fn, command.db, (None, None, False, (command, verb), command.db, Submitted()))

    def _submit(self, fn, db, job) -> None:
        if self.inline:
            outcome = self._call(fn, db)
            self.pending += 1
            self._delivered((job, outcome))
            return
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ato-writer")
        self.pending += 1
        future = self._executor.submit(self._call, fn, db)
        future.add_done_callback(lambda f: self._deliver.emit((job, f.result())))

    def _call(self, fn, db) -> tuple[Any, BaseException | None]:
        self.writer_thread = threading.current_thread()
        try:
            return fn(db), None
        except Exception as exc:  # handed to the main thread
            return None, exc

    def _delivered(self, payload) -> None:
        from ato_desktop.ui import read_once

        with read_once.once():  # the views that re-read the same version list read it once (issue 18)
            self._deliver_now(payload)

    def _deliver_now(self, payload) -> None:
        (on_done, on_error, undoable, stepping, db, handle), (change, exc) = payload
        self.pending -= 1
        handle.error, handle.change = exc, change
        try:
            if stepping is not None:
                command, verb = stepping
                if exc is not None:
                    command.setObsolete(True)  # keep the stack honest: a step that failed cannot stay
                    self.failed.emit(f"Could not {verb} “{command.text()}”: {exc}")
                elif isinstance(change, Change):
                    self.operation_executed.emit(change)
                return
            if exc is not None:
                if on_error is not None:
                    on_error(exc)
                else:
                    self.failed.emit(str(exc))
                return
            shown = getattr(self.stack, "database", None)
            if shown is not None and shown is not db:
                return  # written to a file the window no longer shows: no undo step, no view to tell
            if isinstance(change, Change):
                if undoable and change.can_undo and self.stack is not None:
                    from ato_desktop.ui.undo import OperationCommand

                    self.stack.push(OperationCommand(self, change, db))
                self.operation_executed.emit(change)
            if on_done is not None:
                on_done(change)
        finally:
            handle.done = True
            handle.finished.set()
            if self.pending == 0:
                self.idle.emit()

    def wait_idle(self, timeout: float | None = 30) -> None:
        """Block until the queued writes have run and their results were handed over (before the
        database is closed or replaced)."""
        if self._executor is not None and not self.inline:
            self._executor.submit(lambda: None).result(timeout)
            QCoreApplication.sendPostedEvents(self, 0)  # the results queued for the main thread

    def shutdown(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None


def operations_of(holder) -> Operations:
    """The window's writer, reached through the undo stack every page is given."""
    ops = getattr(holder, "operations", None)
    if ops is None:  # a bare QUndoStack (a dialog's test): a writer of its own, kept on it
        ops = Operations(holder if isinstance(holder, QObject) else None)
        ops.stack = holder
        try:
            holder.operations = ops
        except AttributeError:
            pass
    return ops


def writer_of(widget) -> Operations:
    """The writer of the window ``widget`` is shown in (its undo stack's); a widget shown on its own
    (a page in a test, a dialog without the window) gets one kept on its top-level widget, with no
    undo stack."""
    top = widget.window() if widget is not None else None
    stack = getattr(top, "undo_stack", None)
    if stack is not None:
        return operations_of(stack)
    ops = getattr(top, "_own_writer", None)
    if ops is None:
        ops = Operations(top)
        if top is not None:
            top._own_writer = ops
    return ops
