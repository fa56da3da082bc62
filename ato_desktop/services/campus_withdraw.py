"""Withdrawing a department's commitment from the campus (issue 19): its committed occupancy is removed and
the commitment it replaced (``timetable.replaced_id``, migration 0008) is put back in the same transaction.
If that earlier version now clashes with what another department committed meanwhile, nothing stays committed
for the department and :class:`Withdrawn` says why in one sentence (the department commits again when it
has settled it). On PostgreSQL the exclusion constraints decide a race with another department's commit:
the loser of the race is this put-back, in a savepoint, and the withdrawal itself still happens."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ato_desktop.services.campus import (
    Clash,
    _department,
    _is_exclusion_violation,
    _write_rows,
    clashes,
    occupancy,
    owner_id,
)
from ato_desktop.storage import models as m
from ato_desktop.storage.database import Database
from ato_desktop.storage.models_campus import CommittedOccupancy


@dataclass(frozen=True)
class Withdrawn:
    department: str
    rows: int
    restored: str = ""  # the version whose commitment was put back ("" if none)
    restored_rows: int = 0
    not_restored: str = ""  # the replaced version that could not be put back ("" if none)
    clashes: tuple[Clash, ...] = ()  # why not

    @property
    def sentence(self) -> str:
        if not self.rows:
            return f"{self.department} had nothing committed to the campus."
        if self.restored:
            return (f"{self.department}'s commitment is withdrawn and the one it replaced is back: “{self.restored}” "
                    f"is committed again ({self.restored_rows} room and faculty bookings).")
        if self.not_restored:
            n = len(self.clashes)
            shown = "; ".join(str(c) for c in self.clashes[:5]) + (f"; and {n - 5} more" if n > 5 else "")
            return (f"{self.department}'s commitment is withdrawn, but “{self.not_restored}”, which it replaced, was "
                    f"not put back: {shown}. Nothing is committed for {self.department} now.")
        return (f"{self.department}'s commitment is withdrawn: its {self.rows} room and faculty bookings are free "
                "for other departments again.")



def withdraw(db: Database, department_code: str) -> Withdrawn:
    """Remove ``department_code``'s commitment (the undo of :func:`commit`) and put back the version it
    replaced, if any (one transaction). If that version now clashes with another department's commitment,
    nothing stays committed for the department and :attr:`Withdrawn.not_restored` lists the clashes."""
    with db.session() as s:
        dept = _department(s, department_code)
        ids = set(s.scalars(select(CommittedOccupancy.timetable_id).where(CommittedOccupancy.department_id == dept.id)))
        n = s.execute(delete(CommittedOccupancy).where(CommittedOccupancy.department_id == dept.id)).rowcount
        earlier = None
        for tt in s.scalars(select(m.Timetable).where(m.Timetable.id.in_(ids or [-1]))):
            tt.committed_at = None
            if tt.replaced_id is not None and earlier is None:
                earlier = s.get(m.Timetable, tt.replaced_id)
            tt.replaced_id = None
        restored, refused, name = 0, (), ""
        if earlier is not None and owner_id(s, earlier) == dept.id:
            name = earlier.name
            rows = occupancy(s, earlier)
            refused = tuple(clashes(s, rows, dept.id))
            if not refused:
                try:
                    with s.begin_nested():  # another department may win the race for the same rooms
                        now = m.utcnow()
                        _write_rows(s, earlier, dept, rows, now)
                        earlier.committed_at = now
                        s.flush()
                    restored = len(rows)
                except IntegrityError as exc:
                    if not _is_exclusion_violation(exc):
                        raise
                    refused = tuple(clashes(s, rows, dept.id)) or (
                        Clash("its rooms or faculty", "another department", "", "", "at that moment"),)
        if getattr(db, "is_campus", False):
            from ato_desktop.storage.campus import notify

            payload = {"event": "withdraw", "department": dept.code}
            if restored:
                payload["restored"] = name
            notify(s, payload)
        return Withdrawn(dept.code, int(n or 0), name if restored else "", restored, name if refused else "", refused)
