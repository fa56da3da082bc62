"""The rows of a FET import: the plan turned into calendar, rooms, groups, activities and constraints
(:func:`_build`), written into the new database in one transaction (:func:`_write`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import insert

from ato_desktop.engine.problem import DEFAULT_WEIGHTS, HARD_CONSTRAINTS
from ato_desktop.io import fet as fio
from ato_desktop.rule_names import rule_name
from ato_desktop.services.fet_plan import (MAX_DURATION, MAX_SESSIONS, FetImportReport, _Codes, _cover, _kind,
                                           _period_times, _Planner, soft_weight)
from ato_desktop.storage import models as m
from ato_desktop.storage.compile import NO_ROOM_FEATURE


@dataclass
class _Spec:
    periods: list[tuple[str, str, str, bool]]
    extra_unavail: np.ndarray  # break slots not on every day -> that day's closed periods (services.bells)
    groups: list[tuple[list[int], int]]  # db activity -> (fet ids, duration)
    min_days: dict[int, int]
    baskets: list[list[int]]
    room_sets: dict[int, frozenset | None]  # db activity -> allowed rooms (None: no room)
    allowed: dict[int, np.ndarray]  # db activity -> bool[T] usable occupied slots
    pref: dict[int, np.ndarray | None]


# Soft rules whose FET 100 % constraints are kept soft at weight 1000, not musts, with the sentence the
# import's report says about them (the one place that knows). The building changes: as musts, St Joseph
# EMHSS 1 was left at hard 3 after the round-trip test's 60 s (load 10-15), though single runs reached hard 0 in
# 12-40 s (docs/constraints.md "FET weights").
# The activity-tag limits: as musts the optimizer's conflict-directed hard phase (engine.construct), which prices
# only the clashes, min days and ends-the-day, stands aside, and New Delhi (which has five of them) stayed at
# hard 10 after 40 s where with them soft it reaches hard 0 and round-trips (session 6).
_BUILDINGS = "building changes at 100 % are kept as soft rules with weight 1000."
_TAGS = "activity-tag max hours at 100 % are kept as soft rules with weight 1000."
SOFT_AT_100: dict[str, str] = {"max_building_changes_day": _BUILDINGS, "max_building_changes_week": _BUILDINGS,
                               "min_gaps_building_changes": _BUILDINGS,
                               "activities_max_daily": _TAGS, "activities_max_consecutive": _TAGS}

def _build(plan: _Planner, report: FetImportReport) -> _Spec:
    f, P, D, T = plan.f, plan.P, plan.D, plan.T
    # calendar
    times, from_names = _period_times(f.hours)
    if not from_names:
        report.notes.append("the hour names carry no clock times; periods were given made-up times from 07:00.")
    brk = plan.break_slots.reshape(D, P)
    break_period = brk.all(axis=0)
    if break_period.all():
        break_period[:] = False
    periods = [(h, a, b, bool(break_period[i])) for i, (h, (a, b)) in enumerate(zip(f.hours, times))]
    extra = (brk & ~break_period[None, :]).reshape(T)

    # activities: hard masks, rooms, grouping
    by_key: dict[tuple, list[int]] = {}
    order: list[tuple] = []
    too_long = 0
    approx_start = 0
    for aid, a in plan.acts.items():
        x = a.fet
        if x.duration > MAX_DURATION:
            too_long += 1
            continue
        cover = _cover(a.allowed_start, x.duration, P)
        if x.duration > 1:
            # the engine forbids occupied slots; starts whose whole span is covered would pass
            spans = np.array([t % P + x.duration <= P and cover[t:t + x.duration].all() for t in range(T)], bool)
            if (spans & ~a.allowed_start).any():
                approx_start += 1
        allowed = a.allowed_slot & cover
        if a.rooms_pref:
            rs = frozenset.intersection(*a.rooms_pref)
        elif a.rooms_home:
            rs = frozenset.intersection(*a.rooms_home)
        else:
            rs = None
        pref = a.pref_start
        key = (x.group_id or -x.id, x.duration, allowed.tobytes(), None if pref is None else pref.tobytes(), rs)
        if key not in by_key:
            by_key[key] = []
            order.append(key)
        by_key[key].append(aid)
    if too_long:
        report.notes.append(f"{too_long} activit{'y lasts' if too_long == 1 else 'ies last'} more than "
                            f"{MAX_DURATION} periods (the most a session may last here) and were not imported.")
    if approx_start:
        report.approx(f"{approx_start} multi-period activities with preferred starting times may start where "
                      f"their whole span lies within allowed periods (the engine forbids periods, not starts).")
    groups: list[tuple[list[int], int]] = []
    room_sets: dict[int, frozenset | None] = {}
    allowed_of: dict[int, np.ndarray] = {}
    pref_of: dict[int, np.ndarray | None] = {}
    split_parts: dict[int, int] = defaultdict(int)
    for key in order:
        ids = by_key[key]
        for i in range(0, len(ids), MAX_SESSIONS):
            k = len(groups)
            groups.append((ids[i:i + MAX_SESSIONS], key[1]))
            room_sets[k] = key[4]
            allowed_of[k] = np.frombuffer(key[2], dtype=bool).copy()
            pref_of[k] = None if key[3] is None else np.frombuffer(key[3], dtype=bool).copy()
            if key[0] > 0:
                split_parts[key[0]] += 1
    n_split = sum(1 for v in split_parts.values() if v > 1)
    if n_split:
        report.approx(f"{n_split} split activities became several activities, because their parts differ in "
                      f"duration or constraints.")
    empty_rooms = sum(1 for v in room_sets.values() if v is not None and not v)
    if empty_rooms:
        report.notes.append(f"{empty_rooms} activities have preferred-room constraints with no room in common; "
                            f"no room suits them (FET cannot place them either).")
    where: dict[int, tuple[int, int]] = {}
    for k, (ids, _) in enumerate(groups):
        for occ, aid in enumerate(ids):
            where[aid] = (k, occ)

    # min days between activities
    min_days: dict[int, int] = {}
    md_tag = "ConstraintMinDaysBetweenActivities"
    # one weight per rule: with a constraint at 100 % the rule is a must (hard), and those below 100 % are
    # left out rather than made hard (stricter than FET); docs/constraints.md "FET weights"
    md_must = any(pct >= 100 and len(ids) >= 2 and len({where[i][0] for i in ids if i in where}) == 1
                  for el, ids, mindays, pct in plan.min_days)
    for el, ids, mindays, pct in plan.min_days:
        ks = {where[i][0] for i in ids if i in where}
        if len(ks) != 1 or len(ids) < 2:
            if len(ids) >= 2 and ks:
                report.skip(md_tag, "between different activities (the engine spreads the sessions of one "
                                    "activity)")
            else:
                report.took(md_tag)  # nothing to spread (fewer than two active activities)
            continue
        if md_must and pct < 100:
            report.skip(md_tag, "below 100 % while others are at 100 % (the engine weighs the rule once, as hard "
                                "here; these would be stricter than in FET)")
            continue
        k = ks.pop()
        min_days[k] = max(min_days.get(k, 0), min(len(ids), D))
        if mindays > 1:
            report.approx("min days between activities of more than 1 day are kept as 'on different days'.")
        plan.soft("min_days", pct)
        report.took(md_tag)

    # same starting time -> elective baskets (sync sets)
    ss_tag = "ConstraintActivitiesSameStartingTime"
    parent = list(range(len(groups)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    usable = []
    for el, ids in plan.same_start:
        ks = [where[i][0] for i in ids if i in where]
        if len(ks) < 2:
            report.took(ss_tag)
            continue
        if len(set(ks)) != len(ks):
            report.skip(ss_tag, "between parts of one activity")
            continue
        usable.append((el, ids, ks))
    comps: dict[int, list] = defaultdict(list)
    for el, ids, ks in usable:
        for k in ks[1:]:
            parent[root(k)] = root(ks[0])
    for item in usable:
        comps[root(item[2][0])].append(item)
    baskets: list[list[int]] = []
    for items in comps.values():
        members = sorted({k for _, _, ks in items for k in ks})
        sizes = {len(groups[k][0]) for k in members}
        ok = sizes == {1}
        if not ok and len(sizes) == 1:
            n = sizes.pop()
            used = set()
            ok = len(items) == n and all(sorted(ks) == members for _, _, ks in items)
            for _, ids, _ in items:
                used.update(ids)
            ok = ok and len(used) == n * len(members)
        if ok:
            baskets.append(members)
            for _ in items:
                report.took(ss_tag)
        else:
            for _ in items:
                report.skip(ss_tag, "linking sessions that the engine cannot pair one to one")
    return _Spec(periods, extra, groups, min_days, baskets, room_sets, allowed_of, pref_of)


def _relation_params(plan: _Planner, spec: _Spec, act_id: dict[int, int]) -> dict[str, dict]:
    """Engine rule -> its params' ``relations`` (storage.relations): FET activity ids become
    [activity id, occurrence] (a FET activity is one session of an activity of this database)."""
    from ato_desktop.engine.rules import RELATION_PARAM
    from ato_desktop.storage.relations import MIN_SIZE

    where = {aid: (act_id[k], occ) for k, (ids, _) in enumerate(spec.groups) for occ, aid in enumerate(ids)}
    out: dict[str, dict] = {}
    for rule, ids, param, _ in plan.relations:
        if rule == "activities_ordered_min_gaps":  # two sets (services.fet_tags): the first, then "second"
            first, second = ([list(where[i]) for i in x if i in where] for x in ids)
            if first and second and (len(first) > 1 or first != second):
                out.setdefault(rule, {"relations": []})["relations"].append(
                    {"activities": first, "second": second, RELATION_PARAM[rule]: param})
            continue
        members = [list(where[i]) for i in ids if i in where]
        if len(members) < MIN_SIZE.get(rule, 2):  # e.g. a filter that matches no active activity: binds nothing
            continue
        entry: dict = {"activities": members}
        if rule in RELATION_PARAM:
            entry[RELATION_PARAM[rule]] = param
        out.setdefault(rule, {"relations": []})["relations"].append(entry)
    return out


def _write(s, spec: _Spec, plan: _Planner, report: FetImportReport, check_stop) -> None:
    f, P, D, T = plan.f, plan.P, plan.D, plan.T
    days, day_names = [], set()
    for i, name in enumerate(f.days):
        dn = name.strip()[:30] or f"Day {i + 1}"
        if dn in day_names:
            dn = f"{dn[:25]} ({i + 1})"
        day_names.add(dn)
        days.append(m.Day(position=i, name=dn, short_name=dn[:10]))
    periods = [m.Period(position=i, label=(lbl.strip() or f"P{i + 1}")[:30], start_time=a, end_time=b, is_break=br)
               for i, (lbl, a, b, br) in enumerate(spec.periods)]
    s.add_all(days + periods)
    inst = f.institution.strip() or Path(f.name).stem
    for k, v in (("institution_name", inst[:200]), ("department_name", inst[:200]), ("term", "")):
        s.merge(m.Setting(key=k, value=v))
    dept = m.Department(code="FET", name=(inst or "Imported from FET")[:200], is_home=True)
    s.add(dept)
    s.flush()

    marks: dict[type, list[dict]] = defaultdict(list)  # bulk-inserted at the end (the ORM is slow for 10^5 rows)

    def mark(cls, owner_field: str, owner, mask: np.ndarray, state: str):
        rows = marks[cls]
        for t in np.flatnonzero(mask):
            rows.append({owner_field: owner.id, "day_id": days[t // P].id, "period_id": periods[t % P].id,
                         "state": state})

    # rooms; room sets become features (an activity requires the feature of its set)
    room_codes = _Codes(20, "R")
    rooms: dict[str, m.Room] = {}
    virtual = 0
    for r in f.rooms:
        virtual += r.virtual
        rooms[r.name] = m.Room(code=room_codes.make(r.name), name=r.name[:200], building=r.building[:100],
                               capacity=max(1, r.capacity), kind="classroom", features=[])
    if virtual:
        report.approx(f"{virtual} virtual rooms were imported as ordinary rooms.")
    zero_cap = sum(1 for r in f.rooms if r.capacity == 0)
    if zero_cap:
        report.approx(f"{zero_cap} rooms of capacity 0 were given capacity 1.")
    set_feature: dict[frozenset, str] = {}
    for k, rs in spec.room_sets.items():
        if rs is not None and rs not in set_feature:
            feat = (f"room {rooms[next(iter(rs))].code}" if len(rs) == 1 else f"room set {len(set_feature) + 1}")
            set_feature[rs] = feat
            for rn in rs:
                rooms[rn].features = rooms[rn].features + [feat]
    s.add_all(rooms.values())

    # faculty
    fac_codes = _Codes(20, "T")
    load: dict[str, int] = defaultdict(int)
    for ids, dur in spec.groups:
        for aid in ids:
            for t in plan.acts[aid].fet.teachers:
                load[t] += dur
    faculty: dict[str, m.Faculty] = {}
    for t in f.teachers:
        faculty[t] = m.Faculty(code=fac_codes.make(t), name=(t.strip() or t)[:200] or "?", department=dept,
                               designation="Assistant Professor", max_weekly_periods=load.get(t, 0),
                               max_daily_periods=max(0, plan.max_daily.get(t, 0)),
                               max_consecutive=max(0, plan.max_consec.get(t, 0)),
                               max_days=max(0, plan.max_days.get(t, 0)))
    s.add_all(faculty.values())

    # students: years -> sections, atoms -> batches of the first year listing them
    grp_codes = _Codes(40, "G")
    numbers: dict[str, int] = {}
    for y in f.years:
        numbers.setdefault(y.name, y.students)
        for g in y.groups:
            numbers.setdefault(g.name, g.students)
            for sname, n in g.subgroups:
                numbers.setdefault(sname, n)
    owner: dict[str, str] = {}
    for y in f.years:
        for atom in plan.atoms[y.name]:
            owner.setdefault(atom, y.name)
    sections: dict[str, m.StudentGroup] = {}
    atom_groups: dict[str, m.StudentGroup] = {}
    for y in f.years:
        mine = [a for a in plan.atoms[y.name] if owner[a] == y.name]
        if not mine:
            continue
        sec = m.StudentGroup(code=grp_codes.make(y.name), name=y.name[:200], department=dept,
                             programme=y.name.strip()[:100], semester=1, section="",
                             strength=max(1, y.students or sum(numbers.get(a, 0) for a in mine)))
        sections[y.name] = sec
        s.add(sec)
        if mine == [y.name]:
            atom_groups[y.name] = sec
            continue
        share = max(1, (y.students or 0) // max(1, len(plan.atoms[y.name])))
        for a in mine:
            g = m.StudentGroup(code=grp_codes.make(a), name=a[:200], department=dept, programme=y.name.strip()[:100],
                               semester=1, section="", strength=max(1, numbers.get(a, 0) or share), parent=sec)
            atom_groups[a] = g
            s.add(g)
    if any(sum(1 for y in f.years if atom in plan.atoms[y.name]) > 1 for atom in atom_groups):
        report.approx("students sets listed under several years are lab batches of the first year only; "
                      "their activities name them directly, so clashes stay as in FET.")

    # courses
    course_codes = _Codes(20, "C")
    courses: dict[str, m.Course] = {}
    hours = defaultdict(lambda: {"L": 0, "T": 0, "P": 0})
    for ids, dur in spec.groups:
        x = plan.acts[ids[0]].fet
        hours[x.subject][_kind(x.tags)] += dur * len(ids)
    for subj in list(f.subjects) + ([""] if "" in hours else []):
        title = subj.strip() or "(no subject)"
        h = hours.get(subj, {"L": 0, "T": 0, "P": 0})
        courses[subj] = m.Course(code=course_codes.make(title), title=title[:200], credits=0, lecture_hours=h["L"],
                                 tutorial_hours=h["T"], practical_hours=h["P"], category="major", department=dept)
    s.add_all(courses.values())
    s.flush()
    check_stop()

    # break times on some days only: that day's own bell schedule (closed periods, as services.bells keeps
    # them), so the calendar shows them as FET does; unavailable for everyone only where that cannot say it
    everyone = _closed_periods(s, spec.extra_unavail, days, periods, report)
    for unavail, undesired, table, column, ids in (
            (plan.teacher_unavail, plan.teacher_undesired, m.FacultyAvailability, "faculty_id", faculty),
            (plan.atom_unavail, plan.atom_undesired, m.GroupAvailability, "group_id", atom_groups)):
        for key, row_id in ids.items():
            un = unavail.get(key, np.zeros(T, bool)) | everyone
            mark(table, column, row_id, un, "unavailable")
            und = undesired.get(key)
            if und is not None:
                mark(table, column, row_id, und & ~un, "undesired")
    for rn, mask in plan.room_unavail.items():
        mark(m.RoomAvailability, "room_id", rooms[rn], mask, "unavailable")
    check_stop()

    # activities
    def groups_of(x: fio.FetActivity) -> list[m.StudentGroup]:
        out: list[m.StudentGroup] = []
        for name in x.students:
            atoms = plan.atoms.get(name, [name])
            sec = sections.get(name)
            if sec is not None and sec.batches and sorted(b.name for b in sec.batches) == sorted(atoms):
                picks = [sec]
            else:
                picks = [atom_groups[a] for a in atoms if a in atom_groups]
            out += [p for p in picks if p not in out]
        covered = {id(b) for p in out if p.parent is None for b in p.batches}
        return [p for p in out if id(p) not in covered]

    basket_of: dict[int, m.ElectiveBasket] = {}
    for i, members in enumerate(spec.baskets):
        b = m.ElectiveBasket(code=f"SAME-{i + 1}", name=f"Same starting time {i + 1} (from FET)")
        s.add(b)
        for k in members:
            basket_of[k] = b
    n_sessions = 0
    size_differs = 0
    fet_ids = []
    links: list[tuple[m.Activity, list[m.Faculty], list[m.StudentGroup]]] = []
    with s.no_autoflush:
        for k, (ids, dur) in enumerate(spec.groups):
            x = plan.acts[ids[0]].fet
            rs = spec.room_sets[k]
            n = len(ids)
            md = spec.min_days.get(k, 1) if n > 1 else 0
            act = m.Activity(kind=_kind(x.tags), sessions_per_week=n, duration=dur, room_kind="classroom",
                             required_features=[NO_ROOM_FEATURE] if rs is None else [set_feature[rs]],
                             min_days=md,
                             note=(f"FET {'activities' if n > 1 else 'activity'} {', '.join(map(str, ids))}"
                                   + (f"; tags: {', '.join(t.strip() for t in x.tags)}" if x.tags else ""))[:200])
            s.add(act)
            act.course = courses[x.subject]
            act.basket = basket_of.get(k)
            # the link rows are inserted below in this order (the ORM's flush of a many-to-many collection
            # writes them in an order that changes from run to run)
            teachers = [faculty[t] for t in dict.fromkeys(x.teachers)]
            act_groups = groups_of(x)
            # FET's count: the stated number, else the named students sets' own numbers (not their subgroups');
            # kept as the activity's own number where it is not the sum of its groups here (the room's size)
            fet_size = x.n_students if x.n_students is not None else sum(numbers.get(nm, 0) for nm in x.students)
            if max(1, fet_size) != sum(g.strength for g in act_groups):
                act.student_count = max(1, fet_size)
                size_differs += 1
            n_sessions += n
            fet_ids.append((act, k))
            links.append((act, teachers, act_groups))
    if size_differs:
        report.notes.append(f"{size_differs} activit{'y keeps' if size_differs == 1 else 'ies keep'} FET's number of "
                            f"students (the stated number, or the named students sets' own numbers, as FET counts) "
                            f"for the room's size, not the sum of their student groups' strengths here.")
    s.flush()
    fac_rows = [{"activity_id": act.id, "faculty_id": f_.id} for act, fs, _ in links for f_ in fs]
    grp_rows = [{"activity_id": act.id, "group_id": g.id} for act, _, gs in links for g in gs]
    for table, rows in ((m.activity_faculty, fac_rows), (m.activity_group, grp_rows)):
        for i in range(0, len(rows), 5000):
            s.execute(insert(table), rows[i:i + 5000])
    relations = _relation_params(plan, spec, {k: act.id for act, k in fet_ids})
    for act, k in fet_ids:
        allowed, pref = spec.allowed[k], spec.pref[k]
        for t in range(T):
            state = None
            if not allowed[t]:
                state = "unavailable"
            elif pref is not None and pref[t]:
                state = "preferred"
            if state:
                marks[m.ActivityTimePreference].append({"activity_id": act.id, "day_id": days[t // P].id,
                                                        "period_id": periods[t % P].id, "state": state})
    for cls, rows in marks.items():
        for i in range(0, len(rows), 5000):
            s.execute(insert(cls), rows[i:i + 5000])
    check_stop()

    # constraint weights: hard rules as usual; soft rules only where the FET file asks for them
    hard = set(HARD_CONSTRAINTS)
    for name, weight in DEFAULT_WEIGHTS.items():
        if name in hard:
            s.add(m.ConstraintInstance(type=name, label=rule_name(name), is_hard=True,
                                       weight=weight, enabled=True))
        else:
            pct = plan.soft_pct.get(name, 0.0)
            used = name in plan.soft_pct
            # a FET constraint at 100 % on it: a must (counts in the hard total), unless SOFT_AT_100 keeps the
            # rule soft at weight 1000 (docs/constraints.md "FET weights"), which the report then says
            must = used and pct >= 100 and name not in SOFT_AT_100
            if used and pct >= 100 and name in SOFT_AT_100:
                report.approx(SOFT_AT_100[name])
            below = sum(1 for x in plan.pcts.get(name, ()) if x < 100) if must else 0
            if below:
                report.approx(f"{below} constraint(s) below 100 % on the rule '{name}' count as hard too: other "
                              f"constraints on it are at 100 %, and the engine weighs a rule once.")
            s.add(m.ConstraintInstance(type=name, label=rule_name(name), is_hard=False,
                                       weight=soft_weight(pct) if used else weight, enabled=used,
                                       params={"fet_weight_percentage": pct, **({"must": True} if must else {}),
                                               **plan.profile.params(name, faculty, atom_groups),
                                               **relations.get(name, {})} if used else {}))
    report.counts = {"days": D, "periods": P, "faculty": len(faculty), "groups": len(sections) + sum(
        1 for g in atom_groups.values() if g.parent is not None), "rooms": len(rooms), "courses": len(courses),
        "activities": len(spec.groups), "sessions": n_sessions}
    if fac_codes.changed or grp_codes.changed or room_codes.changed or course_codes.changed:
        report.notes.append("names that are not valid codes here (too long, or letters outside A–Z) were given "
                            "codes; the full names are kept as names.")


def _closed_periods(s, extra: np.ndarray, days: list[m.Day], periods: list[m.Period],
                    report: FetImportReport) -> np.ndarray:
    """Write the break slots of ``extra`` (not on every day) as closed periods per day; returns the slots
    left for "unavailable for everyone": all of them when period labels repeat (closed periods name
    periods by label), and a day's when every teaching period of it would be closed (a day without
    teaching is not a bell schedule)."""
    import json

    from ato_desktop.storage.compile import CLOSED_PERIODS_KEY

    P = len(periods)
    left = np.zeros_like(extra)
    if not extra.any():
        return left
    if len({p.label.lower() for p in periods}) != P:
        report.approx("break times on some days only became unavailable periods for every teacher and student "
                      "set (the hour names repeat, so a day's own periods cannot name them).")
        return extra.copy()
    teaching = [p for p in periods if not p.is_break]
    closed: dict[str, list[str]] = {}
    for d in days:
        row = extra[d.position * P:(d.position + 1) * P]
        labels = [p.label for p in teaching if row[p.position]]
        if not labels:
            continue
        if len(labels) == len(teaching):
            left[d.position * P:(d.position + 1) * P] = row
            report.approx(f"break times all day on {d.name} became unavailable periods for every teacher and "
                          f"student set.")
            continue
        closed[d.name] = labels
    if closed:
        s.merge(m.Setting(key=CLOSED_PERIODS_KEY, value=json.dumps(closed, ensure_ascii=False)))
    return left
