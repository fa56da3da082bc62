"""Import a FET ``.fet`` file as a new department database (``ato-desktop import-fet``, File ▸ Import ▸ FET file…).

One call, :func:`import_fet`, reads and checks the file (``io.fet``), maps it onto the department model
in memory, then writes a *new* database in ONE transaction into a temporary file that is renamed to the
requested name only at the very end: a bad file, a cancel or a failure leaves no file behind.

Mapping (docs/fet.md has the details):

* days and hours (with their names; clock times read from hour names like ``09:30-10:20`` when every
  hour has one) -> the calendar; an hour that is a FET break on every day becomes a break period;
* subjects -> courses; teachers -> faculty; rooms (building, capacity) -> rooms;
* years -> sections; the *atomic* students sets (subgroups, groups without subgroups) -> lab batches of
  the first year that lists them; an activity for a group names that group's batches, so the overlaps
  FET allows (a subgroup in several groups) clash exactly as in FET;
* activities: the active parts of one split activity (same activity group id) that share duration and
  constraints -> one activity with one session per part; inactive activities are left out, as FET does;
* constraints: the types in :data:`ato_desktop.io.fet.SUPPORTED_TIME` / ``SUPPORTED_SPACE`` map onto engine
  rules; 100 % is hard, less is soft with weight :func:`soft_weight` (the same order of importance).
  Everything else is listed in the report, in plain words, as not imported.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from ato_desktop.io import fet as fio
from ato_desktop.services.fet_plan import FetImportCancelled, FetImportError, FetImportReport, _Planner, soft_weight
from ato_desktop.services.fet_write import _Spec, _build, _write
from ato_desktop.services.setup import _remove  # a database file and its -wal, -shm and .lock
from ato_desktop.storage.database import DB_SUFFIX, DatabaseError, open_database

# An activity requiring this "feature" needs no room (FET places an activity in a room only when a space
# constraint asks for one); storage.compile turns it into session_needs_room = False.
from ato_desktop.storage.compile import NO_ROOM_FEATURE  # noqa: E402

__all__ = ["FetImportError", "FetImportCancelled", "FetImportReport", "import_fet", "soft_weight",
           "NO_ROOM_FEATURE"]


def import_fet(source: str | Path, out: str | Path, *,
               on_progress: Callable[[float, str], None] | None = None,
               should_stop: Callable[[], bool] | None = None) -> FetImportReport:
    """Import ``source`` (.fet) into a new database ``out`` (.atodb); returns the report.

    Raises :class:`FetImportError` (one sentence with the file, line and element) and writes nothing.
    """
    source, out = Path(source).expanduser(), Path(out).expanduser()
    progress = on_progress or (lambda f, msg: None)

    def check_stop() -> None:
        if should_stop is not None and should_stop():
            raise FetImportCancelled("FET import cancelled; nothing was written.")

    if out.suffix.lower() != DB_SUFFIX:
        raise FetImportError(f"{out.name}: the new database's name must end in {DB_SUFFIX}.")
    if out.exists():
        raise FetImportError(f"{out} already exists; choose another name (an import never overwrites a file).")
    if not out.parent.is_dir():
        raise FetImportError(f"{out.parent} is not a folder.")
    progress(0.0, f"Reading {source.name}…")
    try:
        f = fio.read_fet(source)
    except fio.FetError as exc:
        raise FetImportError(str(exc)) from None
    check_stop()
    report = FetImportReport(source=source.name)
    report.notes += f.notes
    progress(0.2, "Mapping the constraints…")
    plan, spec = plan_import(f, report)
    check_stop()
    progress(0.5, "Writing the database…")
    tmp = out.with_name(f".{out.stem}.importing{DB_SUFFIX}")
    _remove(tmp)
    try:
        db = open_database(tmp, backup=False)
        try:
            with db.session() as s:
                _write(s, spec, plan, report, check_stop)
        finally:
            db.close()
        check_stop()
        if out.exists():
            raise FetImportError(f"{out} appeared while importing; nothing was written over it.")
        for suffix in ("-wal", "-shm"):  # the last connection closed: SQLite has folded the journal back in
            p = Path(str(tmp) + suffix)
            if p.exists() and p.stat().st_size:
                raise FetImportError(f"{tmp}: the database journal was not folded back; nothing was written.")
        os.replace(tmp, out)
    except (DatabaseError, OSError) as exc:
        raise FetImportError(f"Cannot write {out}: {exc}") from None
    finally:
        _remove(tmp)
    report.out = out
    progress(1.0, "Done.")
    return report


def plan_import(f: fio.FetFile, report: FetImportReport) -> tuple["_Planner", "_Spec"]:
    """Map a read FET file onto the model in memory (no database); raises :class:`FetImportError`."""
    plan = _Planner(f, report)
    for el in f.time_constraints:
        if el.get("Active", "true").strip().lower() == "false":
            report.inactive += 1
            continue
        plan.time(el)
    for el in f.space_constraints:
        if el.get("Active", "true").strip().lower() == "false":
            report.inactive += 1
            continue
        plan.space(el)
    return plan, _build(plan, report)


