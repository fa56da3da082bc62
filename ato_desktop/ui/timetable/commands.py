"""The timetable screen's edits as operations.

A drop, a swap, a repair and unscheduling are all one :func:`place` (one or several placements
applied in order by ``services.timetable_edits.place_sessions``, undone together), so a repair with
two moves is one undo step; locking is a :func:`lock`. Each is a :class:`TimetableOperation`: run on
the window's writer (``ui.operations``), it returns a ``Change`` whose ``result`` (the sessions as they
are now) the screen shows; its undo and redo come from the change itself (``ui.undo.OperationCommand``).
Accepting an optimizer result as a new version is an :func:`accept`.
"""

from __future__ import annotations

from typing import Callable

from ato_desktop.services import timetable_edits as te
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


def push(stack, op: TimetableOperation, *, on_done=None, on_error=None) -> Exception | None:
    """Run ``op`` on the writer of ``stack`` (one undo step when done). Returns the error when it failed
    at once (inline writes); otherwise ``on_error`` hears it later."""
    handle = operations_of(stack).run(op, on_done=on_done, on_error=on_error or (lambda _exc: None),
                                      db=op.model.db)
    return handle.error


def accept(model: TimetableModel, rows: dict, name: str, hard: int, soft: int, *, notes: str = "",
           source_id: int | None = None, fingerprint: str | None = None) -> TimetableOperation:
    """Save an optimizer result as a new version and show it (``services.version_edits.accept_result``);
    undo deletes it and shows the version it came from again."""
    from ato_desktop.services import version_edits

    source = model.timetable_id if source_id is None else source_id
    return TimetableOperation(model, f"Apply optimized timetable ({name})", lambda db: version_edits.accept_result(
        db, name=name, rows=rows, parent=source, hard=hard, soft=soft, notes=notes, fingerprint=fingerprint))
