"""The database compiled into the engine's problem, with a timetable version's current assignment.

Storage compiles the tables (``storage.compile.compile_session``); which version and which of its
rows is a service question (``services.timetables``), so the two meet here.
"""

from __future__ import annotations

from ato_desktop.engine.problem import Assignment
from ato_desktop.services import timetables as tts
from ato_desktop.storage.compile import Compiled, compile_session
from ato_desktop.storage.database import Database


def compile_database(db: Database, timetable: int | str | None = None) -> tuple[Compiled, Assignment | None, int | None]:
    """Compile the database; with a timetable version, also its current assignment."""
    tt_id = None
    rows = None
    if timetable is not None or tts.list_timetables(db):
        info = tts.get_timetable(db, timetable)
        tt_id = info.id
        rows = {(v.activity_id, v.occurrence): (v.day, v.period, v.room) for v in tts.list_sessions(db, tt_id)}
    with db.read_session() as s:
        comp = compile_session(s, tt_id)
    assignment = comp.assignment_from_rows(rows) if rows is not None else None
    return comp, assignment, tt_id
