"""The timetable screen's edits as operations, and the optimizer result's undo step.

A drop, a swap, a repair and unscheduling are all one :func:`place` (one or several placements
applied in order by ``services.timetable_edits.place_sessions``, undone together), so a repair with
two moves is one undo step; locking is a :func:`lock`. Each is a :class:`TimetableOperation`: run on
the window's writer (``ui.operations``), it returns a ``Change`` whose ``result`` (the sessions as they
are now) the screen shows; its undo and redo come from the change itself (``ui.undo.OperationCommand``).
Accepting an optimizer result as a new version is an :class:`AcceptResultCommand`.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtGui import QUndoCommand

from ato_desktop.services import timetable_edits as te
from ato_desktop.services import timetables as tts
from ato_desktop.ui.operations import operations_of
from ato_desktop.ui.timetable.model import Placement, TimetableModel


class TimetableOperation:
    """An edit of the version ``model`` shows: ``op(db)`` runs it (returns the Change); ``text()`` names it."""

    def __init__(self, model: TimetableModel, text: str, fn: Callable):
        self.model, self._text, self._fn = model, text, fn

    def text(self) -> str:
        return self._text

    def __call__(self, db):
        return self._fn(db)


def place(model: TimetableModel, moves: list[Placement], text: str) -> TimetableOperation:
    """Place sessions (start -1: unschedule; room -1: keep the room) as one step."""
    P = model.problem.periods_per_day
    plan = []
    for mv in moves:
        v = model.views[mv.session]
        if mv.start < 0:
            plan.append((v.id, None, None, None))
        else:
            plan.append((v.id, mv.start // P, mv.start % P, model.room_code(mv.room)))
    return TimetableOperation(model, text, lambda db: te.place_sessions(db, moves=plan, summary=text))


def lock(model: TimetableModel, sessions: list[int], locked: bool) -> TimetableOperation:
    n = len(sessions)
    what = model.short_label(sessions[0]) if n == 1 else f"{n} sessions"
    text = f"{'Lock' if locked else 'Unlock'} {what}"
    ids = [model.views[s].id for s in sessions]
    return TimetableOperation(model, text, lambda db: te.lock_sessions(db, sessions=ids, locked=locked, summary=text))


def push(stack, op, *, on_done=None, on_error=None) -> Exception | None:
    """Run ``op`` on the writer of ``stack`` (a :class:`TimetableOperation` or an undo command).
    Returns the error when it failed at once (inline writes); otherwise ``on_error`` hears it later."""
    if isinstance(op, TimetableOperation):
        handle = operations_of(stack).run(op, on_done=on_done, on_error=on_error or (lambda _exc: None),
                                          db=op.model.db)
        return handle.error
    op.error = None
    stack.push(op)
    return op.error


class AcceptResultCommand(QUndoCommand):
    """Save an optimizer result as a new timetable version (one transaction) and show it.

    The version is written by ``services.timetables.create_version_with_rows``
    (lock flags copied from the version the run started from). Undo deletes
    the new version and shows the one it came from again; redo writes it again
    under the same name. The caller takes the backup before pushing.
    """

    def __init__(self, model: TimetableModel, rows: dict, name: str, hard: int, soft: int, *, notes: str = "",
                 on_done: Callable[[int], None] | None = None, source_id: int | None = None,
                 saved: tuple | None = None, fingerprint: str | None = None):
        super().__init__(f"Apply optimized timetable ({name})")
        self.fingerprint = fingerprint
        self.model = model
        self.rows = rows
        self.name = name
        self.notes = notes
        self.hard, self.soft = hard, soft
        self.source_id = model.timetable_id if source_id is None else source_id
        self.new_id: int | None = None
        self.on_done = on_done
        # (TimetableInfo, model.Loaded or None): the version was already written (and read back)
        # in a worker thread; the first redo only shows it
        self._saved = saved

    def redo(self) -> None:
        saved, self._saved = self._saved, None
        if saved is not None:
            info, loaded = saved
            self.new_id = info.id
            if loaded is not None and loaded.info.id == info.id:
                self.model.apply(loaded)
            else:
                self.model.load(info.id)
            if self.on_done:
                self.on_done(info.id)
            return
        try:
            info = tts.create_version_with_rows(self.model.db, self.name, self.rows, parent=self.source_id,
                                                hard=self.hard, soft=self.soft, notes=self.notes,
                                                fingerprint=self.fingerprint)
        except Exception as exc:
            self.error = exc
            self.setObsolete(True)
            return
        self.new_id = info.id
        self.model.load(info.id)
        if self.on_done:
            self.on_done(info.id)

    def undo(self) -> None:
        if self.new_id is not None:
            self.model.load(self.source_id)
            tts.delete_timetable(self.model.db, self.new_id)
            self.new_id = None
            if self.on_done:
                self.on_done(self.source_id)
