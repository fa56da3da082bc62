"""Undo below the widgets: the QUndoStack holds one thin command class that calls a change's own undo.

An operation (a service function) returns a :class:`~ato_desktop.services.operations.Change` that
knows how to undo itself (and its undo returns the redo). The writer (:mod:`ato_desktop.ui.operations`)
runs the operation and pushes an :class:`OperationCommand` named after the change; its first ``redo``
does nothing (the operation already ran). Undo and redo run the change's ``undo`` on the writer and
announce the resulting change through ``operation_executed`` like any operation.

:class:`UndoStack` reports commands that can no longer be undone (``failed(message)``); such a
command is dropped from the stack.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ato_desktop.services.operations import Change
from ato_desktop.ui.operations import Operations


class UndoStack(QUndoStack):
    failed = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.database = None
        self.setUndoLimit(200)
        self.operations = Operations(self)
        self.operations.stack = self
        self.operations.failed.connect(self.failed)

    @property
    def operation_executed(self):
        """The one signal: ``operation_executed(change)`` after each operation, undo and redo."""
        return self.operations.operation_executed

    def run(self, operation, **kw) -> bool:
        """Run an operation on the writer (see :meth:`Operations.run`)."""
        return self.operations.run(operation, **kw)

    def set_database(self, db) -> None:
        """A new database: the history of the old one does not apply to it."""
        self.operations.wait_idle()
        self.clear()
        self.database = db
        self.operations.database = db


class OperationCommand(QUndoCommand):
    """One undo step: an operation's :class:`Change`. Undo runs ``change.undo(db)`` and keeps the
    change it returns (the redo); redo runs that one's ``undo``."""

    def __init__(self, ops: Operations, change: Change, db=None):
        super().__init__(change.title)
        self.ops = ops
        self.change = change
        self.db = ops.database if db is None else db
        self._skip = True  # pushed after the operation ran: the first redo does nothing

    def _flip(self, db) -> Change:  # on the writer: one step at a time, in order
        self.change = self.change.undo(db)
        return self.change

    def redo(self) -> None:
        if self._skip:
            self._skip = False
            return
        self.ops.step(self, self._flip, "redo")

    def undo(self) -> None:
        self.ops.step(self, self._flip, "undo")
