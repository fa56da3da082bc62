"""Export a department database as a FET ``.fet`` file (``ato-desktop export-fet``).

The department's hard rules are written as FET's own 100 % constraints, so ``fet-cl`` checks them:

* calendar: days, periods (period labels as hour names), break periods as ``ConstraintBreakTimes``;
* sections -> years, their lab batches -> groups (a section's lecture occupies all its batches in FET too);
  faculty -> teachers; courses -> subjects; activity kinds -> activity tags; rooms (building, capacity);
* each session -> one FET activity (the sessions of one activity form one split activity), with its
  number of students (FET checks room capacity with it);
* unavailability of faculty, groups and rooms; an activity's forbidden periods
  (``ConstraintActivityPreferredTimeSlots``); faculty maximum periods per day; elective baskets
  (``ConstraintActivitiesSameStartingTime``); the rooms a session may use
  (``ConstraintActivityPreferredRooms``: kind, features and capacity) — sessions that need no room get none;
* soft: the spread of an activity over different days (``ConstraintMinDaysBetweenActivities``), the
  relations between activities (not overlapping, consecutive, grouped, ends the students' day, min gaps,
  same starting day, same room if consecutive) with the weight percentage mapped back from the engine weight,
  and the day profile's limits (teachers' and students' max gaps, min/max hours, early beginnings, min days:
  ``services.fet_profile``), the limits on the periods of a set of activities as activity-tag max hours
  daily / continuously of the teacher or students set the set shares (a tag of its own: ``services.fet_tags``);
* with a timetable: every placed session as ``ConstraintActivityPreferredStartingTime`` 100 % and its room
  as ``ConstraintActivityPreferredRoom`` 100 %, both permanently locked, so FET regenerates exactly that
  timetable and reports whether it breaks any 100 % constraint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ato_desktop.io import fet as fio
from ato_desktop.io.fet import E, Element
from ato_desktop.services.errors import ServiceError
from ato_desktop.services.fet_profile import BUILDING_RULES, export_elements
from ato_desktop.services.fet_tags import export_tag_limits
from ato_desktop.storage import models as m
from ato_desktop.storage.compile import compile_session
from ato_desktop.storage.database import Database

__all__ = ["FetExportError", "FetExportReport", "export_fet", "percent_of_weight"]


class FetExportError(ServiceError):
    pass


@dataclass
class FetExportReport:
    out: Path
    activities: int = 0
    locked: int = 0
    unplaced: int = 0
    constraints: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"Wrote {self.out}: {self.activities} FET activities, "
               f"{sum(self.constraints.values())} constraints."]
        if self.locked or self.unplaced:
            out.append(f"Timetable: {self.locked} sessions locked in time (and room)"
                       + (f"; {self.unplaced} unplaced sessions left for FET to place." if self.unplaced else "."))
        out += [f"note: {n}" for n in self.notes]
        return out


def percent_of_weight(weight: int) -> float:
    """Inverse of ``services.fet_import.soft_weight``: engine soft weight -> FET percentage (< 100)."""
    return round(min(99.9, max(0.0, 100.0 - 100.0 / max(1, weight))), 1)


# relation rules FET accepts only at 100 % (fet-cl refuses the file otherwise): left out below weight 1000
FET_ONLY_HARD = frozenset({"activity_ends_day"})


def _relation_elements(p, fet_id: dict[int, int], weights) -> list[tuple[bool, Element]]:
    """FET's own constraints for the problem's relations between activities (issue 17), as (space?, element),
    with the weight percentage mapped back from the rule's engine weight."""
    out: list[tuple[bool, Element]] = []
    tail = (E("Active", "true"), E("Comments"))
    for x in p.relations:
        w = int(weights.get(x.rule, 0))
        must = x.rule in p.must or w >= 1000
        if w <= 0 or (x.rule in FET_ONLY_HARD and not must):
            continue
        # a must, or weight 1000 (what a 100 % FET relation imports as, docs/constraints.md): written as 100 %
        pct = E("Weight_Percentage", 100 if must else percent_of_weight(w))
        ids = [fet_id[int(v)] for v in x.sessions]
        listed = (E("Number_of_Activities", len(ids)), *[E("Activity_Id", i) for i in ids])
        ordinal = ("First_Activity_Id", "Second_Activity_Id", "Third_Activity_Id")
        if x.rule == "activities_not_overlapping":
            out.append((False, E("ConstraintActivitiesNotOverlapping", "", pct, *listed, *tail)))
        elif x.rule in ("activities_consecutive", "activities_grouped"):
            tag = {("activities_consecutive", 2): "ConstraintTwoActivitiesConsecutive",
                   ("activities_grouped", 2): "ConstraintTwoActivitiesGrouped",
                   ("activities_grouped", 3): "ConstraintThreeActivitiesGrouped"}[(x.rule, len(ids))]
            out.append((False, E(tag, "", pct, *[E(o, i) for o, i in zip(ordinal, ids)], *tail)))
        elif x.rule == "activity_ends_day":
            out += [(False, E("ConstraintActivityEndsStudentsDay", "", pct, E("Activity_Id", i), *tail)) for i in ids]
        elif x.rule == "activities_min_gaps":
            out.append((False, E("ConstraintMinGapsBetweenActivities", "", pct, *listed, E("MinGaps", x.param),
                                 *tail)))
        elif x.rule == "activities_same_day":
            out.append((False, E("ConstraintActivitiesSameStartingDay", "", pct, *listed, *tail)))
        elif x.rule == "activities_same_room":
            out.append((True, E("ConstraintActivitiesSameRoomIfConsecutive", "", pct, *listed, *tail)))
    return out


def _unique(names: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for n in names:
        x, k = n, 2
        while x in seen:
            x = f"{n} ({k})"
            k += 1
        seen.add(x)
        out.append(x)
    return out


def export_fet(db: Database, out: str | Path, timetable: int | str | None = None) -> FetExportReport:
    """Write the department (and, with ``timetable``, its placed sessions locked) to ``out``."""
    from ato_desktop.services import calendar as cal
    from ato_desktop.services import timetables as tts

    out = Path(out).expanduser()
    if out.suffix.lower() != ".fet":
        raise FetExportError(f"{out.name}: a FET file's name ends in .fet.")
    tt_id, rows = None, {}
    if timetable is not None:
        try:
            info = tts.get_timetable(db, timetable)
        except ServiceError as exc:
            raise FetExportError(str(exc)) from None
        tt_id = info.id
        rows = {(v.activity_id, v.occurrence): (v.day, v.period, v.room) for v in tts.list_sessions(db, tt_id)}
    institution = cal.get_setting(db, "institution_name") or cal.get_setting(db, "department_name")
    rep = FetExportReport(out)
    with db.read_session() as s:
        comp = compile_session(s, None)
        p = comp.problem
        days = list(s.scalars(select(m.Day).order_by(m.Day.position)))
        periods = list(s.scalars(select(m.Period).order_by(m.Period.position)))
        groups = list(s.scalars(select(m.StudentGroup).options(selectinload(m.StudentGroup.batches),
                                                               selectinload(m.StudentGroup.availability))
                                .order_by(m.StudentGroup.code)))
        faculty = list(s.scalars(select(m.Faculty).options(selectinload(m.Faculty.availability))
                                 .order_by(m.Faculty.code)))
        rooms = list(s.scalars(select(m.Room).order_by(m.Room.code)))
        courses = list(s.scalars(select(m.Course).order_by(m.Course.code)))
        acts = {a.id: a for a in s.scalars(select(m.Activity).options(
            selectinload(m.Activity.groups), selectinload(m.Activity.faculty), selectinload(m.Activity.course),
            selectinload(m.Activity.basket).selectinload(m.ElectiveBasket.cohorts)).order_by(m.Activity.id))}
        weights = dict(p.weights)

        P = p.periods_per_day
        day_names = _unique([d.name for d in days])
        hour_names = _unique([pr.label for pr in periods])
        f = fio.FetFile(institution=institution, comments="Exported by ATO Desktop", days=day_names,
                        hours=hour_names)
        f.subjects = [c.code for c in courses]
        used_kinds = sorted({a.kind for a in acts.values()})
        kind_tag = {k: m.ACTIVITY_KIND_NAMES[k] for k in used_kinds}
        f.tags = [kind_tag[k] for k in used_kinds]
        f.teachers = [x.code for x in faculty]
        for g in groups:
            if g.parent_id is None:
                f.years.append(fio.FetYear(g.code, g.strength, [fio.FetGroup(b.code, b.strength)
                                                                 for b in sorted(g.batches, key=lambda b: b.code)]))
        f.buildings = sorted({r.building for r in rooms if r.building})
        f.rooms = [fio.FetRoom(r.code, r.building, r.capacity) for r in rooms]

        # activities: one FET activity per session; sessions of one activity are one split activity
        fet_id: dict[int, int] = {}
        anchors: set[int] = set()
        seen_baskets: set[int] = set()
        for a in acts.values():
            if a.basket_id is not None and a.basket_id not in seen_baskets:
                seen_baskets.add(a.basket_id)
                anchors.add(a.id)
        for si, (aid, _occ) in enumerate(comp.keys):
            a = acts[aid]
            fid = si + 1
            fet_id[si] = fid
            first = fet_id.get(comp.index_of[(aid, 0)], fid)
            students = [g.code for g in a.groups]
            if aid in anchors and a.basket is not None:
                students += [g.code for g in a.basket.cohorts if g.code not in students]
            f.activities.append(fio.FetActivity(
                fid, first if a.sessions_per_week > 1 else 0, [x.code for x in a.faculty], a.course.code,
                [kind_tag[a.kind]], students, a.duration, a.duration * a.sessions_per_week, True,
                int(p.session_size[si])))
        rep.activities = len(f.activities)

        tc: list[Element] = []
        sc: list[Element] = []

        def count(tag: str) -> None:
            rep.constraints[tag] = rep.constraints.get(tag, 0) + 1

        def add(lst: list[Element], el: Element) -> None:
            lst.append(el)
            count(el.tag)

        def times(mask: np.ndarray, item: str, day_tag: str, hour_tag: str) -> list[Element]:
            return [E(item, "", E(day_tag, day_names[t // P]), E(hour_tag, hour_names[t % P]))
                    for t in np.flatnonzero(mask)]

        add(tc, E("ConstraintBasicCompulsoryTime", "", E("Weight_Percentage", 100), E("Active", "true"),
                  E("Comments")))
        brk = ~np.asarray(p.slot_usable, bool)
        if brk.any():
            add(tc, E("ConstraintBreakTimes", "", E("Weight_Percentage", 100),
                      E("Number_of_Break_Times", int(brk.sum())), *times(brk, "Break_Time", "Day", "Hour"),
                      E("Active", "true"), E("Comments")))

        def not_available(tag: str, who_tag: str, who: str, mask: np.ndarray) -> None:
            mask = mask & ~brk
            if mask.any():
                add(tc, E(tag, "", E("Weight_Percentage", 100), E(who_tag, who),
                          E("Number_of_Not_Available_Times", int(mask.sum())),
                          *times(mask, "Not_Available_Time", "Day", "Hour"), E("Active", "true"), E("Comments")))

        day_pos = {d.id: d.position for d in days}
        period_pos = {pr.id: pr.position for pr in periods}

        def marks(avail) -> np.ndarray:
            mask = np.zeros(p.n_slots, bool)
            for mk in avail:
                if mk.state == "unavailable":
                    mask[day_pos[mk.day_id] * P + period_pos[mk.period_id]] = True
            return mask

        if weights.get("resource_unavailable", 1) > 0:
            for x in faculty:
                not_available("ConstraintTeacherNotAvailableTimes", "Teacher", x.code, marks(x.availability))
            for g in groups:
                not_available("ConstraintStudentsSetNotAvailableTimes", "Students", g.code, marks(g.availability))
        if weights.get("daily_load", 1) > 0:
            for x in faculty:
                if x.max_daily_periods > 0:
                    add(tc, E("ConstraintTeacherMaxHoursDaily", "", E("Weight_Percentage", 100),
                              E("Teacher_Name", x.code), E("Maximum_Hours_Daily", x.max_daily_periods),
                              E("Active", "true"), E("Comments")))
        if weights.get("session_unavailable", 1) > 0:
            for si in range(p.n_sessions):
                ok = np.asarray(p.session_available[si], bool) & ~brk
                if not ok.all() and not np.asarray(p.session_available[si], bool).all():
                    if not ok.any():
                        rep.notes.append(f"{p.session_labels[si]} may be held in no period; left for FET to report.")
                    add(tc, E("ConstraintActivityPreferredTimeSlots", "", E("Weight_Percentage", 100),
                              E("Activity_Id", fet_id[si]), E("Number_of_Preferred_Time_Slots", int(ok.sum())),
                              *times(ok, "Preferred_Time_Slot", "Preferred_Day", "Preferred_Hour"),
                              E("Active", "true"), E("Comments")))
        if weights.get("sync_mismatch", 1) > 0:
            for sync in p.sync_sets:
                add(tc, E("ConstraintActivitiesSameStartingTime", "", E("Weight_Percentage", 100),
                          E("Number_of_Activities", len(sync)), *[E("Activity_Id", fet_id[int(x)]) for x in sync],
                          E("Active", "true"), E("Comments")))
        if tt_id is not None and weights.get("min_days", 0) > 0:
            rep.notes.append("soft rules are left out when a timetable is locked: FET then checks the hard ones "
                             "(a locked session that breaks a soft FET constraint can stall FET's search).")
        elif weights.get("min_days", 0) > 0:
            pct = 100 if "min_days" in p.must else percent_of_weight(weights["min_days"])  # a must: 100 %
            for aid, a in acts.items():
                n = a.sessions_per_week
                si0 = comp.index_of[(aid, 0)]
                if n > 1 and int(p.course_min_days[p.session_course[si0]]) >= n:
                    add(tc, E("ConstraintMinDaysBetweenActivities", "", E("Weight_Percentage", pct),
                              E("Consecutive_If_Same_Day", "true"), E("Number_of_Activities", n),
                              *[E("Activity_Id", fet_id[comp.index_of[(aid, k)]]) for k in range(n)],
                              E("MinDays", 1), E("Active", "true"), E("Comments")))

        buildings: list[Element] = []  # building changes: FET space constraints, after the basic one
        if tt_id is None:  # the day profile's limits (teachers' and students' gaps, hours, days)
            rows = list(s.scalars(select(m.ConstraintInstance)))
            soft_bld = [c.type for c in rows if c.type in BUILDING_RULES and c.enabled and 0 < c.weight < 1000
                        and (c.params or {}).keys() & {"faculty_limit", "group_limit", "overrides"}]
            if soft_bld:
                rep.notes.append(f"building changes ({', '.join(x.replace('_', ' ') for x in soft_bld)}) left out: "
                                 f"FET accepts them only at 100 % (an engine weight of 1000).")
            for el in export_elements(rows, {x.code for x in faculty},
                                      {g.code for g in groups}, percent_of_weight, hour_names):
                if "Building" in el.tag:
                    buildings.append(el)
                else:
                    add(tc, el)

        add(sc, E("ConstraintBasicCompulsorySpace", "", E("Weight_Percentage", 100), E("Active", "true"),
                  E("Comments")))
        for el in buildings:
            add(sc, el)
        if weights.get("room_unavailable", 1) > 0:
            for ri, r in enumerate(rooms):
                mask = ~np.asarray(p.room_available[ri], bool) & ~brk
                if mask.any():
                    add(sc, E("ConstraintRoomNotAvailableTimes", "", E("Weight_Percentage", 100), E("Room", r.code),
                              E("Number_of_Not_Available_Times", int(mask.sum())),
                              *times(mask, "Not_Available_Time", "Day", "Hour"), E("Active", "true"),
                              E("Comments")))
        no_room = 0
        for si in range(p.n_sessions):
            if not p.session_needs_room[si]:
                continue
            ok = np.flatnonzero(p.session_allowed_rooms[si]) if weights.get("room_unsuitable", 1) > 0 \
                else np.arange(len(rooms))
            if ok.size == 0:
                no_room += 1
                continue
            add(sc, E("ConstraintActivityPreferredRooms", "", E("Weight_Percentage", 100),
                      E("Activity_Id", fet_id[si]), E("Number_of_Preferred_Rooms", int(ok.size)),
                      *[E("Preferred_Room", rooms[int(r)].code) for r in ok], E("Active", "true"), E("Comments")))
        if no_room:
            rep.notes.append(f"{no_room} sessions have no suitable room; FET is free to leave them without one.")
        if tt_id is None:  # relations between activities: soft rules (left out with a locked timetable, as above)
            for space, el in _relation_elements(p, fet_id, weights):
                add(sc if space else tc, el)
            def pct_of(rule: str):
                w = int(weights.get(rule, 0))
                return None if w <= 0 else 100 if w >= 1000 else percent_of_weight(w)

            by_fid = {a.id: a for a in f.activities}
            n_fac = len(comp.faculty_codes)
            els, no_owner = export_tag_limits(
                p.relations, fet_id, by_fid, f.tags, p.resources_of,
                lambda q: ("teacher", comp.faculty_codes[q]) if q < n_fac else ("students", comp.group_codes[q - n_fac]),
                pct_of)
            for el in els:
                add(tc, el)
            if no_owner:
                rep.notes.append(f"{no_owner} limit(s) on the periods of a set of activities left out: its activities "
                                 f"share no teacher or class, which FET's activity-tag limits need.")
            ordered = sum(1 for x in p.relations if x.rule == "activities_ordered_min_gaps")
            if ordered and pct_of("activities_ordered_min_gaps") is not None:
                rep.notes.append(f"{ordered} minimum gap(s) after an activity of an ordered pair left out: FET has "
                                 f"them only between activity tags.")
            left = sum(len(x.sessions) for x in p.relations if x.rule in FET_ONLY_HARD
                       and 0 < int(weights.get(x.rule, 0)) < 1000)
            if left:
                rep.notes.append(f"{left} 'activity ends the students' day' relation(s) left out: FET accepts them "
                                 f"only at 100 % (an engine weight of 1000).")

        # the timetable, locked
        if tt_id is not None:
            for si, key in enumerate(comp.keys):
                day, period, room = rows.get(key, (None, None, None))
                if day is None:
                    rep.unplaced += 1
                    continue
                add(tc, E("ConstraintActivityPreferredStartingTime", "", E("Weight_Percentage", 100),
                          E("Activity_Id", fet_id[si]), E("Preferred_Day", day_names[day]),
                          E("Preferred_Hour", hour_names[period]), E("Permanently_Locked", "true"),
                          E("Active", "true"), E("Comments")))
                rep.locked += 1
                if room is not None and p.session_needs_room[si]:
                    add(sc, E("ConstraintActivityPreferredRoom", "", E("Weight_Percentage", 100),
                              E("Activity_Id", fet_id[si]), E("Room", room), E("Permanently_Locked", "true"),
                              E("Active", "true"), E("Comments")))
        f.time_constraints, f.space_constraints = tc, sc
    try:
        fio.write_fet(f, out)
    except fio.FetError as exc:
        raise FetExportError(str(exc)) from None
    return rep
