"""Undoable operations on timetable versions (the rest is in ``services.timetables``)."""

from __future__ import annotations

from ato_desktop.services import resources as res
from ato_desktop.services.errors import NotFoundError
from ato_desktop.services.snapshot import RowSnapshot, snapshot_rows
from ato_desktop.storage import models as m
from ato_desktop.storage.database import Database


def delete_version(db: Database, timetable_id: int) -> RowSnapshot:
    """Delete a version and its sessions; the snapshot lets :func:`restore_version` undo it."""
    with db.session() as s:
        tt = s.get(m.Timetable, timetable_id)
        if tt is None:
            raise NotFoundError("Timetable", timetable_id)
        snap = snapshot_rows(s.connection(), m.Timetable.__table__, [tt.id])
        s.delete(tt)
        s.flush()
        return snap


def restore_version(db: Database, snap: RowSnapshot) -> None:
    res.restore(db, snap)


def status_of(db: Database, timetable_id: int) -> tuple[str, object]:
    with db.read_session() as s:
        tt = s.get(m.Timetable, timetable_id)
        if tt is None:
            raise NotFoundError("Timetable", timetable_id)
        return tt.status, tt.published_at


def set_status_exact(db: Database, timetable_id: int, state: tuple[str, object]) -> None:
    """Put back a status and publication time exactly (undo of publish)."""
    with db.session() as s:
        tt = s.get(m.Timetable, timetable_id)
        if tt is None:
            raise NotFoundError("Timetable", timetable_id)
        tt.status, tt.published_at = state
