"""Offline and back (issue 19, item 7): check a department out of the campus into a ``.atodb`` file, work
there without the server, and check a version back in.

* **Check-out** writes a new file holding what the department's problem needs (its activities, the
  groups, faculty and rooms they use or it owns, the calendar, the constraint settings, its versions),
  with the campus's row ids kept (so that check-in can match every row), and the department as the
  file's home department. What other departments committed in those rooms and with those faculty is
  written as *unavailable* marks: the optimizer and the drag colouring honour them offline.
* **Check-in** is a commit: the file's version replaces the campus's version of that name (a new one
  if there is none; a frozen one is refused) and is committed, in one transaction. Someone committed
  the same rooms or faculty meanwhile: refused with the clash list, and nothing is written.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, insert, select

from ato_desktop.services import campus
from ato_desktop.services.errors import ServiceError
from ato_desktop.storage import models as m
from ato_desktop.storage.database import Database, open_database
from ato_desktop.storage.models_campus import CommittedOccupancy, scope_of_department

CHECKOUT_SETTING = "campus_checkout"


@dataclass(frozen=True)
class CheckedOut:
    department: str
    path: Path
    versions: int
    activities: int
    fixed: int  # unavailable marks written for other departments' commitments

    @property
    def sentence(self) -> str:
        return (f"{self.department} checked out to {self.path}: {self.activities} activities, {self.versions} "
                f"versions, {self.fixed} periods of shared rooms and faculty committed by other departments "
                "marked unavailable.")


def _rows(s, table, *where) -> list[dict]:
    q = select(table)
    for w in where:
        q = q.where(w)
    return [dict(r._mapping) for r in s.execute(q)]


def checkout(db: Database, department_code: str, dest: str | Path) -> CheckedOut:
    dest = Path(dest).expanduser()
    if dest.exists():
        raise ServiceError(f"{dest} exists already: choose a new file for the check-out.")
    part = dest.with_name(f".{dest.name}.checkout")
    for p in (part, part.with_name(part.name + "-wal"), part.with_name(part.name + "-shm")):
        p.unlink(missing_ok=True)
    try:
        out = open_database(part)
        try:
            with db.read_session() as src, out.session() as dst:
                result = _copy(src, dst, department_code, dest)
        finally:
            out.close()
        os.replace(part, dest)
    except BaseException:
        for p in (part, part.with_name(part.name + "-wal"), part.with_name(part.name + "-shm")):
            p.unlink(missing_ok=True)
        raise
    return result


def _copy(src, dst, department_code: str, dest: Path) -> CheckedOut:
    T = m.Base.metadata.tables
    dept = campus._department(src, department_code)
    scope = scope_of_department(src, dept.id)
    acts, fac, groups, rooms = scope["activities"], scope["faculty"], scope["groups"], scope["rooms"]
    courses = set(src.scalars(select(m.Activity.course_id).where(m.Activity.id.in_(acts or [-1]))))
    baskets = set(src.scalars(select(m.Activity.basket_id).where(m.Activity.id.in_(acts or [-1]),
                                                                m.Activity.basket_id.is_not(None))))
    versions = set(src.scalars(select(m.Timetable.id).where(m.Timetable.department_id == dept.id)))

    def put(name, rows):
        if rows:
            dst.execute(insert(T[name]), rows)

    put("day", _rows(src, T["day"]))
    put("period", _rows(src, T["period"]))
    put("department", [dict(r, is_home=(r["id"] == dept.id)) for r in _rows(src, T["department"])])
    put("room", _rows(src, T["room"], T["room"].c.id.in_(rooms or [-1])))
    put("faculty", _rows(src, T["faculty"], T["faculty"].c.id.in_(fac or [-1])))
    g = _rows(src, T["student_group"], T["student_group"].c.id.in_(groups or [-1]))
    put("student_group", sorted(g, key=lambda r: (r["parent_id"] is not None, r["id"])))
    put("course", _rows(src, T["course"], T["course"].c.id.in_(courses or [-1])))
    put("elective_basket", _rows(src, T["elective_basket"], T["elective_basket"].c.id.in_(baskets or [-1])))
    put("basket_cohort", _rows(src, T["basket_cohort"], T["basket_cohort"].c.basket_id.in_(baskets or [-1]),
                               T["basket_cohort"].c.group_id.in_(groups or [-1])))
    put("activity", [dict(r, preferred_room_id=r["preferred_room_id"] if r["preferred_room_id"] in rooms else None)
                     for r in _rows(src, T["activity"], T["activity"].c.id.in_(acts or [-1]))])
    for name in ("activity_group", "activity_faculty", "activity_time_pref"):
        put(name, _rows(src, T[name], T[name].c.activity_id.in_(acts or [-1])))
    for name, key, ids in (("room_availability", "room_id", rooms), ("faculty_availability", "faculty_id", fac),
                           ("group_availability", "group_id", groups)):
        put(name, _rows(src, T[name], T[name].c[key].in_(ids or [-1])))
    put("constraint_instance", _rows(src, T["constraint_instance"]))
    tts = sorted(_rows(src, T["timetable"], T["timetable"].c.id.in_(versions or [-1])), key=lambda r: r["id"])
    put("timetable", [dict(r, department_id=None, parent_id=r["parent_id"] if r["parent_id"] in versions else None)
                      for r in tts])
    put("session_assignment", [dict(r, room_id=r["room_id"] if r["room_id"] in rooms else None) for r in _rows(
        src, T["session_assignment"], T["session_assignment"].c.timetable_id.in_(versions or [-1]))])
    for name in ("published_session", "timetable_event"):
        put(name, _rows(src, T[name], T[name].c.timetable_id.in_(versions or [-1])))

    # other departments' commitments: unavailable marks in the file
    period_id = {p.position: p.id for p in src.scalars(select(m.Period))}
    marks: dict[tuple[str, int, int, int], None] = {}
    for o in src.scalars(select(CommittedOccupancy).where(CommittedOccupancy.department_id != dept.id)):
        kind, rid = ("room", o.room_id) if o.room_id is not None else ("faculty", o.faculty_id)
        if rid not in (rooms if kind == "room" else fac):
            continue
        for pos in range(o.period_from, o.period_to + 1):
            if pos in period_id:
                marks[(kind, rid, o.day_id, period_id[pos])] = None
    for (kind, rid, day_id, pid) in marks:
        model = m.RoomAvailability if kind == "room" else m.FacultyAvailability
        key = model.room_id if kind == "room" else model.faculty_id
        have = dst.scalar(select(model).where(key == rid, model.day_id == day_id, model.period_id == pid))
        if have is None:
            dst.add(model(**{key.key: rid}, day_id=day_id, period_id=pid, state="unavailable"))
        else:
            have.state = "unavailable"
    dst.add(m.Setting(key=CHECKOUT_SETTING, value=json.dumps(
        {"department": dept.code, "at": m.utcnow().isoformat(timespec="seconds")})))
    return CheckedOut(dept.code, dest, len(tts), len(acts), len(marks))


def checkin(db: Database, path: str | Path, timetable: str) -> campus.CommitResult:
    """Check the version ``timetable`` of the checked-out file ``path`` back in: write it into the campus
    and commit it, in one transaction (refused with the clash list: nothing written)."""
    path = Path(path).expanduser()
    from ato_desktop.services.frozen import FROZEN_STATUSES

    local = open_database(path, create=False)
    try:
        with local.read_session() as s:
            raw = s.scalar(select(m.Setting.value).where(m.Setting.key == CHECKOUT_SETTING))
            if not raw:
                raise ServiceError(f"{path} was not checked out of a campus database (campus checkout): "
                                   "bring a department's own file in with 'campus migrate-from'.")
            code = json.loads(raw)["department"]
            tt = s.scalar(select(m.Timetable).where(m.Timetable.name == (timetable or "").strip()))
            if tt is None:
                raise ServiceError(f"{path} has no timetable version {timetable!r}.")
            name, notes = tt.name, tt.notes
            rows = [dict(activity_id=a.activity_id, occurrence=a.occurrence, day_id=a.day_id,
                         period_id=a.period_id, room_id=a.room_id, locked=a.locked) for a in tt.assignments]
    finally:
        local.close()

    def prepare(s) -> None:
        dept = campus._department(s, code)
        acts = scope_of_department(s, dept.id)["activities"]
        unknown = sorted({r["activity_id"] for r in rows} - acts)
        if unknown:
            raise ServiceError(f"“{name}” holds activities the campus does not have for {code} (ids "
                               f"{', '.join(map(str, unknown[:5]))}): add them in the campus, then check in again.")
        target = s.scalar(select(m.Timetable).where(m.Timetable.name == name))
        if target is None:
            target = m.Timetable(name=name, department_id=dept.id, notes=notes or "Checked in from a file")
            s.add(target)
            s.flush()
        elif campus.owner_id(s, target) != dept.id:
            raise ServiceError(f"The campus's version “{name}” belongs to another department: rename it in the file.")
        elif target.status in FROZEN_STATUSES:
            raise ServiceError(f"The campus's version “{name}” is {target.status} and frozen: "
                               "check in under a new name.")
        s.execute(delete(m.SessionAssignment).where(m.SessionAssignment.timetable_id == target.id))
        s.add_all(m.SessionAssignment(timetable_id=target.id, **r) for r in rows)

    return campus.commit(db, code, name, prepare=prepare)
