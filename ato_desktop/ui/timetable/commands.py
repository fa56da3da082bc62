"""Undo commands of the timetable screen. Each is one named step on the QUndoStack.

A drop, a swap and a repair are all a :class:`PlaceCommand` (one or several
placements applied in order, undone in reverse), so a repair with two moves
is one undo step. Locking is a :class:`LockCommand`; accepting an optimizer
result as a new version is an :class:`AcceptResultCommand`.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtGui import QUndoCommand

from ato_desktop.services import timetables as tts
from ato_desktop.ui.timetable.model import Placement, TimetableModel


def push(stack, cmd: QUndoCommand) -> Exception | None:
    """Push ``cmd``; if its first redo failed, it is not kept and the error is returned."""
    cmd.error = None
    stack.push(cmd)
    return cmd.error


class PlaceCommand(QUndoCommand):
    def __init__(self, model: TimetableModel, moves: list[Placement], text: str):
        super().__init__(text)
        self.model = model
        self.moves = list(moves)
        self.timetable_id = model.timetable_id
        self._before: list[tts.SessionView] = []

    def redo(self) -> None:
        self._ensure_version()
        self._before = []
        try:
            for mv in self.moves:
                self._before.append(self.model.place(mv.session, mv.start, mv.room))
        except Exception as exc:  # put back the ones already done; the stack drops the command
            for b in reversed(self._before):
                self.model.restore(b)
            self._before = []
            self.error = exc
            self.setObsolete(True)

    def undo(self) -> None:
        self._ensure_version()
        for b in reversed(self._before):
            self.model.restore(b)
        self._before = []

    def _ensure_version(self) -> None:
        if self.model.timetable_id != self.timetable_id:
            self.model.load(self.timetable_id)


class LockCommand(QUndoCommand):
    def __init__(self, model: TimetableModel, sessions: list[int], locked: bool):
        n = len(sessions)
        what = model.short_label(sessions[0]) if n == 1 else f"{n} sessions"
        super().__init__(f"{'Lock' if locked else 'Unlock'} {what}")
        self.model = model
        self.sessions = list(sessions)
        self.locked = locked
        self.timetable_id = model.timetable_id
        self._before: list[tts.SessionView] = []

    def redo(self) -> None:
        if self.model.timetable_id != self.timetable_id:
            self.model.load(self.timetable_id)
        self._before = self.model.set_locked(self.sessions, self.locked)

    def undo(self) -> None:
        if self.model.timetable_id != self.timetable_id:
            self.model.load(self.timetable_id)
        self.model.restore_locks(self._before)


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
