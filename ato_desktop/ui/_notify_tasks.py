"""Run one callable on Qt's thread pool and hand ``(result, error)`` back on the UI thread.

Used by the mail settings dialog and the notifications view for anything that
touches the network or may take a while (test e-mail, delivery, previews).
``on_done`` should be a method of a QObject: Qt drops the call if that object
was deleted meanwhile.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

_alive: set["_Task"] = set()  # keep tasks (and their signal objects) alive until they report


class _Signals(QObject):
    done = Signal(object, object)  # result, exception (or None)


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any]):
        super().__init__()
        self.setAutoDelete(False)
        self.fn = fn
        self.signals = _Signals()

    def run(self) -> None:  # worker thread
        try:
            result, error = self.fn(), None
        except Exception as exc:  # reported to the UI, never swallowed
            result, error = None, exc
        self.signals.done.emit(result, error)


def run_in_background(fn: Callable[[], Any], on_done: Callable[[Any, BaseException | None], None],
                      pool: QThreadPool | None = None) -> _Task:
    task = _Task(fn)
    _alive.add(task)
    task.signals.done.connect(on_done)
    task.signals.done.connect(lambda *_: _alive.discard(task))
    (pool or QThreadPool.globalInstance()).start(task)
    return task
