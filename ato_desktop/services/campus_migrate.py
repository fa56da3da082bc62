"""Bringing a department's ``.atodb`` file into the campus database (``campus migrate-from``).

One transaction on the campus database: the file's home department (under the code given), its rooms,
faculty, student groups, courses, elective baskets, activities, availability, constraint settings and
timetable versions (with their assignments, frozen published snapshots and history). Rooms and faculty
whose code the campus already has are the same room or person (a shared hall, a teacher of two
departments): the file's rows are mapped onto them, not copied. Student groups, courses, baskets and
version names must be new to the campus: a clash refuses the whole move in one sentence and nothing is
written. The file's week (days and periods) must be the campus's (a campus with none takes the file's).
The file itself is only read. Mail templates, the outbox and the file's settings stay in the file.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from ato_desktop.services.errors import ServiceError
from ato_desktop.services.frozen import frozen_times_key
from ato_desktop.storage import models as m
from ato_desktop.storage.database import Database


@dataclass(frozen=True)
class Migrated:
    department: str
    counts: dict[str, int]
    reused: dict[str, int]  # rooms / faculty the campus already had (shared)

    @property
    def sentence(self) -> str:
        parts = ", ".join(f"{n} {what}" for what, n in self.counts.items() if n)
        shared = ", ".join(f"{n} {what}" for what, n in self.reused.items() if n)
        return (f"Department {self.department} moved into the campus database: {parts or 'nothing'}"
                + (f" (already there and shared: {shared})" if shared else "") + ".")


def _columns(obj, **override) -> dict:
    cols = {c.key: getattr(obj, c.key) for c in inspect(type(obj)).column_attrs if c.key != "id"}
    cols.update(override)
    return cols


def _clone(obj, **override):
    return type(obj)(**_columns(obj, **override))


def _refuse(what: str) -> ServiceError:
    return ServiceError(f"The file cannot be moved into the campus database: {what}. Nothing was changed.")


def migrate_department(source: Database, target: Database, code: str) -> Migrated:
    code = (code or "").strip()
    if not code:
        raise ServiceError("Give the department's code in the campus (e.g. ECE).")
    with source.read_session() as src, target.session() as dst:
        return _migrate(src, dst, code)


def _migrate(src: Session, dst: Session, code: str) -> Migrated:
    counts: dict[str, int] = {}
    reused = {"rooms": 0, "faculty": 0}

    # -- the week ----------------------------------------------------------------------------------
    day_map, period_map = _week(src, dst, counts)

    # -- departments ----------------------------------------------------------------------------------
    dept_map: dict[int, int] = {}
    homes = list(src.scalars(select(m.Department).where(m.Department.is_home.is_(True)).order_by(m.Department.id)))
    home = homes[0] if homes else src.scalar(select(m.Department).order_by(m.Department.id))
    if home is None:
        raise _refuse("it has no department")
    for d in src.scalars(select(m.Department).order_by(m.Department.id)):
        dcode = code if d.id == home.id else d.code
        t = dst.scalar(select(m.Department).where(m.Department.code == dcode))
        if t is None:
            t = m.Department(code=dcode, name=d.name, is_home=False)
            dst.add(t)
            dst.flush()
            counts["departments"] = counts.get("departments", 0) + 1
        elif d.id == home.id:
            used = dst.scalar(select(func.count()).select_from(m.Timetable).where(m.Timetable.department_id == t.id))
            if used:
                raise _refuse(f"the campus's department {dcode} has timetable versions already")
        dept_map[d.id] = t.id

    # -- rooms and faculty: the same code is the same room or person ---------------------------------------
    room_map = _shared(src, dst, m.Room, dept_map, reused, "rooms", counts, m.RoomAvailability, "room_id",
                       day_map, period_map)
    fac_map = _shared(src, dst, m.Faculty, dept_map, reused, "faculty", counts, m.FacultyAvailability,
                      "faculty_id", day_map, period_map)

    # -- groups, courses, baskets: new to the campus ----------------------------------------------------
    group_map: dict[int, int] = {}
    groups = list(src.scalars(select(m.StudentGroup).order_by(m.StudentGroup.parent_id.is_not(None), m.StudentGroup.id)))
    _all_new(dst, m.StudentGroup, [g.code for g in groups], "student group")
    for g in groups:
        t = _clone(g, department_id=dept_map[g.department_id],
                   parent_id=group_map.get(g.parent_id) if g.parent_id else None)
        dst.add(t)
        dst.flush()
        group_map[g.id] = t.id
    counts["student groups"] = len(groups)
    _availability(src, dst, m.GroupAvailability, "group_id", group_map, day_map, period_map, only=None)

    courses = list(src.scalars(select(m.Course).order_by(m.Course.id)))
    _all_new(dst, m.Course, [c.code for c in courses], "course")
    course_map = {}
    for c in courses:
        t = _clone(c, department_id=dept_map[c.department_id])
        dst.add(t)
        dst.flush()
        course_map[c.id] = t.id
    counts["courses"] = len(courses)

    baskets = list(src.scalars(select(m.ElectiveBasket).order_by(m.ElectiveBasket.id)))
    _all_new(dst, m.ElectiveBasket, [b.code for b in baskets], "elective basket")
    basket_map = {}
    for b in baskets:
        t = m.ElectiveBasket(code=b.code, name=b.name)
        dst.add(t)
        dst.flush()
        basket_map[b.id] = t.id
        for g in b.cohorts:
            dst.execute(m.basket_cohort.insert().values(basket_id=t.id, group_id=group_map[g.id]))

    # -- activities -----------------------------------------------------------------------------------
    act_map = {}
    activities = list(src.scalars(select(m.Activity).order_by(m.Activity.id)))
    for a in activities:
        t = _clone(a, course_id=course_map[a.course_id],
                   preferred_room_id=room_map.get(a.preferred_room_id) if a.preferred_room_id else None,
                   basket_id=basket_map.get(a.basket_id) if a.basket_id else None)
        dst.add(t)
        dst.flush()
        act_map[a.id] = t.id
        for g in a.groups:
            dst.execute(m.activity_group.insert().values(activity_id=t.id, group_id=group_map[g.id]))
        for f in a.faculty:
            dst.execute(m.activity_faculty.insert().values(activity_id=t.id, faculty_id=fac_map[f.id]))
    counts["activities"] = len(activities)
    _availability(src, dst, m.ActivityTimePreference, "activity_id", act_map, day_map, period_map, only=None)

    # -- constraint settings: the campus keeps its own; types it lacks come from the file --------------------
    have = set(dst.scalars(select(m.ConstraintInstance.type)))
    for ci in src.scalars(select(m.ConstraintInstance)):
        if ci.type not in have:
            dst.add(_clone(ci))

    # -- timetable versions -------------------------------------------------------------------------------
    versions = list(src.scalars(select(m.Timetable).order_by(m.Timetable.id)))
    _all_new(dst, m.Timetable, [v.name for v in versions], "timetable version", field="name")
    tt_map: dict[int, int] = {}
    for v in versions:
        owner = dept_map[v.department_id] if v.department_id else dept_map[home.id]
        t = _clone(v, department_id=owner, parent_id=tt_map.get(v.parent_id) if v.parent_id else None,
                   committed_at=None)
        dst.add(t)
        dst.flush()
        tt_map[v.id] = t.id
        rows = []
        for sa in src.scalars(select(m.SessionAssignment).where(m.SessionAssignment.timetable_id == v.id)):
            rows.append(_clone(sa, timetable_id=t.id, activity_id=act_map[sa.activity_id],
                               day_id=day_map.get(sa.day_id) if sa.day_id else None,
                               period_id=period_map.get(sa.period_id) if sa.period_id else None,
                               room_id=room_map.get(sa.room_id) if sa.room_id else None))
        for ps in src.scalars(select(m.PublishedSession).where(m.PublishedSession.timetable_id == v.id)):
            rows.append(_clone(ps, timetable_id=t.id))
        kept = src.get(m.Setting, frozen_times_key(v.id))  # the period times it was frozen with
        if kept is not None:
            dst.merge(m.Setting(key=frozen_times_key(t.id), value=kept.value))
        for ev in src.scalars(select(m.TimetableEvent).where(m.TimetableEvent.timetable_id == v.id)):
            rows.append(_clone(ev, timetable_id=t.id))
        dst.add_all(rows)
    counts["timetable versions"] = len(versions)
    dst.flush()
    return Migrated(code, counts, reused)


def _week(src: Session, dst: Session, counts: dict) -> tuple[dict[int, int], dict[int, int]]:
    days = list(src.scalars(select(m.Day).order_by(m.Day.position)))
    periods = list(src.scalars(select(m.Period).order_by(m.Period.position)))
    have_days = list(dst.scalars(select(m.Day).order_by(m.Day.position)))
    have_periods = list(dst.scalars(select(m.Period).order_by(m.Period.position)))
    if not have_days and not have_periods:
        for d in days:
            dst.add(_clone(d))
        for p in periods:
            dst.add(_clone(p))
        dst.flush()
        have_days = list(dst.scalars(select(m.Day).order_by(m.Day.position)))
        have_periods = list(dst.scalars(select(m.Period).order_by(m.Period.position)))
        counts["days"], counts["periods"] = len(days), len(periods)
    if [(d.position, d.name) for d in days] != [(d.position, d.name) for d in have_days]:
        raise _refuse("its days (" + ", ".join(d.name for d in days) + ") are not the campus's ("
                      + ", ".join(d.name for d in have_days) + ")")
    key = lambda p: (p.position, p.start_time, p.end_time, bool(p.is_break))  # noqa: E731
    if [key(p) for p in periods] != [key(p) for p in have_periods]:
        raise _refuse("its periods (" + ", ".join(f"{p.label} {p.start_time}–{p.end_time}" for p in periods)
                      + ") are not the campus's bell schedule")
    return ({a.id: b.id for a, b in zip(days, have_days)}, {a.id: b.id for a, b in zip(periods, have_periods)})


def _shared(src, dst, model, dept_map, reused, what, counts, avail_model, avail_key, day_map, period_map):
    mapping: dict[int, int] = {}
    new: dict[int, int] = {}
    existing = {o.code: o.id for o in dst.scalars(select(model))}
    for o in src.scalars(select(model).order_by(model.id)):
        if o.code in existing:
            mapping[o.id] = existing[o.code]
            reused[what] += 1
            continue
        dept = dept_map.get(o.department_id) if o.department_id else None
        t = _clone(o, department_id=dept)
        dst.add(t)
        dst.flush()
        mapping[o.id] = new[o.id] = t.id
    counts[what] = len(new)
    _availability(src, dst, avail_model, avail_key, mapping, day_map, period_map, only=set(new))
    return mapping


def _availability(src, dst, model, key, mapping, day_map, period_map, only) -> None:
    for a in src.scalars(select(model)):
        owner = getattr(a, key)
        if only is not None and owner not in only:
            continue
        dst.add(_clone(a, **{key: mapping[owner]}, day_id=day_map[a.day_id], period_id=period_map[a.period_id]))


def _all_new(dst: Session, model, codes: list[str], what: str, field: str = "code") -> None:
    if not codes:
        return
    column = getattr(model, field)
    taken = sorted(set(dst.scalars(select(column).where(column.in_(codes)))))
    if taken:
        shown = ", ".join(taken[:5]) + (" …" if len(taken) > 5 else "")
        raise _refuse(f"the campus has the {what}{'s' if len(taken) > 1 else ''} {shown} already "
                      "(another department's, or this file was moved in before)")
