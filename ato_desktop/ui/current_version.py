"""The one "current version" of a window: what the grid shows is what the versions list marks, what
Publish publishes, what Export PDF prints by default and what the mail preview renders.

:class:`CurrentVersion` holds a timetable version id (or ``None``) and emits ``changed(id)`` when it
changes. The window's undo stack carries it (every page of the window shares that stack), so
:func:`current_version_of` finds it from any page; a stack without one (a screen built alone in a
test) gets its own.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class CurrentVersion(QObject):
    changed = Signal(object)  # the new version id, or None

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._id: int | None = None

    def id(self) -> int | None:
        return self._id

    def set(self, timetable_id: int | None) -> None:
        tid = int(timetable_id) if timetable_id is not None else None
        if tid != self._id:
            self._id = tid
            self.changed.emit(tid)


def current_version_of(undo_stack) -> CurrentVersion:
    """The holder shared through ``undo_stack`` (created on first use)."""
    holder = getattr(undo_stack, "current_version", None)
    if holder is None:
        holder = CurrentVersion(undo_stack if isinstance(undo_stack, QObject) else None)
        try:
            undo_stack.current_version = holder
        except AttributeError:  # pragma: no cover - a stack that takes no attributes
            pass
    return holder
