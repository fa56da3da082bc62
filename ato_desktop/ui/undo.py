"""Undo below the widgets: every edit is a named command that calls the services.

The pattern: a view calls the service first (so a :class:`ValidationError`
reaches the form and nothing is pushed), then pushes a command built with
``done=True`` whose first ``redo`` does nothing. Later undo/redo calls the
services again; each is committed at once (one transaction each).

:class:`UndoStack` tells views what changed (``data_changed(entity)``, ``"*"``
for "anything") and reports commands that can no longer be undone
(``failed(message)``); such a command is dropped from the stack.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ato_desktop.services import resources as res
from ato_desktop.services.snapshot import RowSnapshot


class UndoStack(QUndoStack):
    data_changed = Signal(str)
    failed = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.database = None
        self.setUndoLimit(200)
        self._index = 0
        self._reports = 0  # data_changed emissions, to see whether a command reported itself
        self._reports_seen = 0
        self.data_changed.connect(self._count_report)
        self.indexChanged.connect(self._index_changed)

    def _count_report(self, _entity: str) -> None:
        self._reports += 1

    def _index_changed(self, index: int) -> None:
        """A command of another part (the grid, availability) that did not report what it changed:
        tell the views that something changed ("external")."""
        self._index = index
        silent = self._reports == self._reports_seen
        if silent:
            self.data_changed.emit("external")
        self._reports_seen = self._reports

    def set_database(self, db) -> None:
        """A new database: the history of the old one does not apply to it."""
        self.clear()
        self._index = 0
        self._reports_seen = self._reports
        self.database = db


class ServiceCommand(QUndoCommand):
    """Base: subclasses implement ``apply(db)`` (redo) and ``revert(db)`` (undo)."""

    entity = "*"

    def __init__(self, stack: UndoStack, text: str, *, done: bool = True):
        super().__init__(text)
        self._stack = stack
        self._skip = done

    def apply(self, db) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def revert(self, db) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _run(self, fn: Callable[[Any], None], verb: str) -> None:
        try:
            fn(self._stack.database)
        except Exception as exc:  # keep the stack honest: a command that failed cannot stay
            self.setObsolete(True)
            self._stack.failed.emit(f"Could not {verb} “{self.text()}”: {exc}")
        finally:
            self._stack.data_changed.emit(self.entity)

    def redo(self) -> None:
        if self._skip:
            self._skip = False
            self._stack.data_changed.emit(self.entity)
            return
        self._run(self.apply, "redo")

    def undo(self) -> None:
        self._run(self.revert, "undo")


def _key(entity: str, item: dict) -> Any:
    return item[res.spec(entity).key]


class CreateItemCommand(ServiceCommand):
    """Undo deletes the created item (keeping a snapshot); redo restores the snapshot (same id)."""

    def __init__(self, stack: UndoStack, entity: str, item: dict, *, text: str | None = None):
        sp = res.spec(entity)
        super().__init__(stack, text or f"Add {sp.label.lower()} {item.get('_label', '')}".strip())
        self.entity = entity
        self.key = _key(entity, item)
        self.snapshot: RowSnapshot | None = None

    def revert(self, db) -> None:
        self.snapshot = res.delete_item(db, self.entity, self.key)

    def apply(self, db) -> None:
        res.restore(db, self.snapshot)


class UpdateItemCommand(ServiceCommand):
    def __init__(self, stack: UndoStack, entity: str, before: dict, after: dict, changed: dict,
                 *, text: str | None = None):
        sp = res.spec(entity)
        super().__init__(stack, text or f"Edit {sp.label.lower()} {after.get('_label', '')}".strip())
        self.entity = entity
        self.key_before = _key(entity, before)
        self.key_after = _key(entity, after)
        self.old_values = {k: before[k] for k in changed}
        self.new_values = dict(changed)

    def revert(self, db) -> None:
        res.update_item(db, self.entity, self.key_after, self.old_values)

    def apply(self, db) -> None:
        res.update_item(db, self.entity, self.key_before, self.new_values)


class DeleteItemCommand(ServiceCommand):
    entity = "*"  # cascades touch other lists

    def __init__(self, stack: UndoStack, entity: str, item: dict, snapshot: RowSnapshot, *, text: str | None = None):
        sp = res.spec(entity)
        super().__init__(stack, text or f"Delete {sp.label.lower()} {item.get('_label', '')}".strip())
        self.kind = entity
        self.key = _key(entity, item)
        self.snapshot = snapshot

    def revert(self, db) -> None:
        res.restore(db, self.snapshot)

    def apply(self, db) -> None:
        self.snapshot = res.delete_item(db, self.kind, self.key)


class CallCommand(ServiceCommand):
    """A command from two callables ``apply(db)`` / ``revert(db)`` (calendar, settings, versions...)."""

    def __init__(self, stack: UndoStack, text: str, apply: Callable[[Any], None], revert: Callable[[Any], None],
                 *, entity: str = "*", done: bool = True):
        super().__init__(stack, text, done=done)
        self.entity = entity
        self._apply, self._revert = apply, revert

    def apply(self, db) -> None:
        self._apply(db)

    def revert(self, db) -> None:
        self._revert(db)


class RowChangeCommand(ServiceCommand):
    """An operation that returned a :class:`~ato_desktop.services.rowchange.RowChange` (term days, absences,
    substitutions): undo and redo both go through ``undo_change``."""

    def __init__(self, stack: UndoStack, change, *, entity: str = "substitutions", done: bool = True):
        super().__init__(stack, change.summary[:1].upper() + change.summary[1:], done=done)
        self.entity = entity
        self.change, self.inverse = change, None

    def revert(self, db) -> None:
        from ato_desktop.services.rowchange import undo_change

        self.inverse = undo_change(db, self.change)

    def apply(self, db) -> None:
        from ato_desktop.services.rowchange import undo_change

        self.change = undo_change(db, self.inverse)
