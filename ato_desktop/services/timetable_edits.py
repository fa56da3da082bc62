"""The timetable screen's edits as operations: place (move, swap, repair, unschedule), lock, and
saving an optimizer result as a new version.

Each returns a :class:`~ato_desktop.services.operations.Change` touching ``"timetable"``, with the
version in ``versions`` and the sessions moved in ``sessions``; for placements and locks ``result``
is the sessions as they are now (``SessionView``), so a grid showing the version updates exactly
those. Undo puts the sessions back as they were; it returns the change that redoes it.
"""

from __future__ import annotations

from ato_desktop.services import timetables as tts
from ato_desktop.services.operations import Change
from ato_desktop.storage.database import Database

KIND = frozenset({"timetable"})

Move = tuple[int, "int | None", "int | None", "str | None"]  # session id, day, period, room code (None: keep)


def session_views(db: Database, session_ids: list[int]) -> list[tts.SessionView]:
    """The sessions as they are now."""
    with db.read_session() as s:
        return [tts._view(tts._session_row(s, sid)) for sid in session_ids]


def _timetable_of(db: Database, session_ids: list[int]) -> set[int]:
    with db.read_session() as s:
        return {tts._session_row(s, sid).timetable_id for sid in session_ids}


def _changed(summary: str, versions: set[int], before: list[tts.SessionView], after: list[tts.SessionView]) -> Change:
    def back(db: Database) -> Change:
        return restore_sessions(db, views=before, summary=summary)

    return Change(summary, KIND, versions, {v.id for v in after}, result=after, reverse=back)


def place_sessions(db: Database, *, moves: list[Move], summary: str) -> Change:
    """Place sessions one after the other (a drop, a swap, a repair, unscheduling: ``day`` None), as one
    step; when one is refused the ones already made are put back and nothing changed."""
    before: list[tts.SessionView] = []
    try:
        for sid, day, period, room in moves:
            before.append(tts.move_session(db, sid, day, period, room))
    except Exception:
        for b in reversed(before):
            tts.restore_session(db, b)
        raise
    ids = list(dict.fromkeys(sid for sid, *_ in moves))
    first = {}
    for b in before:  # a session moved twice goes back to where it was first
        first.setdefault(b.id, b)
    return _changed(summary, _timetable_of(db, ids), [first[i] for i in ids], session_views(db, ids))


def lock_sessions(db: Database, *, sessions: list[int], locked: bool, summary: str) -> Change:
    """Lock or unlock sessions (a locked session stays where it is when optimizing)."""
    before = tts.set_locked(db, list(sessions), locked)
    return _changed(summary, _timetable_of(db, list(sessions)), before, session_views(db, list(sessions)))


def restore_sessions(db: Database, *, views: list[tts.SessionView], summary: str) -> Change:
    """Put sessions back exactly as ``views`` (slot, room, lock): the undo of a placement or a lock."""
    ids = [v.id for v in views]
    now = session_views(db, ids)
    for v in reversed(views):
        tts.restore_session(db, v)
    return _changed(summary, _timetable_of(db, ids), now, session_views(db, ids))
