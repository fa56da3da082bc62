"""The large demo department: a realistic Computer Science & Engineering department at the upper end.

``ato-desktop demo create PATH --size large``. Odd semester of an Indian engineering college:
B.Tech semesters 1, 3, 5 and 7 with six sections each (24 sections, two or three lab batches per
section), 54 CSE faculty with UGC designations and loads (Professor and Associate Professor 14,
Assistant Professor 16 periods of direct teaching a week, with daily limits), colleagues of the
Mathematics, Physics, Humanities, EEE, ECE and Mechanical departments who teach the first year and
the shared electives, 24 home classrooms, lecture galleries, tutorial rooms, 12 CSE laboratories of
different kinds plus the Physics, Language and Drawing laboratories of other departments, a seminar
hall shared with ECE, 2- and 3-period labs, tutorials per batch, two elective baskets shared with
other departments (an open elective in semester 5, a professional elective in semester 7), faculty
unavailability and preferences, long titles and names as real institutions have them, and a few
names in Indian scripts.

Feasibility is *planted*: the generator first builds a timetable (every session gets a day, a period,
a room and a teacher who is free then and within his or her weekly and daily limits), then writes the
data that timetable satisfies, and stores the timetable as "Reference timetable". Faculty
unavailability is drawn only from periods the timetable leaves free. Deterministic for a seed; the
database is written through the services' bulk paths (a few seconds).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from ato_desktop.demo import DAYS, PERIODS, REFERENCE_NAME, DemoResult, make_room_for
from ato_desktop.demo_large_data import (BASKETS, BATCHES, COURSES, CSE_FACULTY, LAB_ROOMS, LOADS, OTHER_DEPARTMENTS,
                                        OTHER_FACULTY, SECTIONS, SHARED_ROOMS, STRENGTH, Course)
from ato_desktop.engine.problem import DEFAULT_WEIGHTS, HARD_CONSTRAINTS
from ato_desktop.rule_names import rule_name
from ato_desktop.services import calendar as cal
from ato_desktop.services import resources as res
from ato_desktop.services import timetables as tts
from ato_desktop.storage.database import Database, open_database

LARGE_SEED = 2026
N_DAYS = len(DAYS)
N_PERIODS = len(PERIODS)
TEACHING = [i for i, p in enumerate(PERIODS) if not p[3]]
# half-days: runs of consecutive teaching periods (a lab never spans the lunch break)
HALVES: list[list[int]] = []
for _i in TEACHING:
    if HALVES and HALVES[-1][-1] == _i - 1:
        HALVES[-1].append(_i)
    else:
        HALVES.append([_i])
# ---------------------------------------------------------------------------------------------
# the plan: activities, then a constructed timetable
# ---------------------------------------------------------------------------------------------
@dataclass
class Act:
    course: str
    kind: str
    groups: list[str]
    leaves: list[str]  # student resources it occupies (batches, or the section's batches)
    sessions: int
    duration: int
    room_kind: str
    features: tuple[str, ...]
    size: int
    dept: str  # department whose faculty teach it
    basket: str | None = None
    prefer: str | None = None  # the teacher to try first (a tutorial: the course's lecturer)
    teacher: str | None = None
    placed: list[tuple[int, int, str]] = field(default_factory=list)  # (day, period, room)


@dataclass
class Plan:
    faculty: dict[str, dict]
    rooms: list[dict]
    groups: list[dict]
    courses: list[dict]
    baskets: list[dict]
    acts: list[Act]


def _rooms() -> list[dict]:
    rooms = []
    for y, sem in enumerate((1, 3, 5, 7)):
        for i, sec in enumerate(SECTIONS):
            rooms.append(dict(code=f"CR-{y + 1}{i + 1:02d}", name=f"Classroom {y + 1}{i + 1:02d} (home of CSE-{sem}{sec})",
                              building="Block A" if y < 2 else "Block C", capacity=72, kind="classroom",
                              features=["projector"] + (["smart board"] if i % 2 else []), department="CSE",
                              shared=False))
    for g in range(1, 5):
        rooms.append(dict(code=f"GH-{g}", name=f"Lecture Gallery {g}", building="Main Building", capacity=120,
                          kind="classroom", features=["projector", "audio"], department="CSE", shared=g > 2))
    for t in range(1, 5):
        rooms.append(dict(code=f"TR-{t}", name=f"Tutorial Room {t}", building="Block A", capacity=36,
                          kind="tutorial_room", features=[], department="CSE", shared=False))
    for code, name, building, cap, feats in LAB_ROOMS:
        rooms.append(dict(code=code, name=name, building=building, capacity=cap, kind="lab", features=feats,
                          department="CSE", shared=False))
    for code, name, building, cap, kind, feats, dept, shared in SHARED_ROOMS:
        rooms.append(dict(code=code, name=name, building=building, capacity=cap, kind=kind, features=feats,
                          department=dept, shared=shared))
    return rooms


_ACCEPTS = {"classroom": {"classroom", "seminar_hall", "auditorium"}, "tutorial_room": {"tutorial_room", "classroom"},
            "lab": {"lab"}, "seminar_hall": {"seminar_hall", "auditorium"}}


def _plan_data() -> Plan:
    faculty = {}
    for code, name, desig in CSE_FACULTY:
        week, day = LOADS[desig]
        faculty[code] = dict(code=code, name=name, designation=desig, department="CSE", max_weekly_periods=week,
                             max_daily_periods=day, max_consecutive=4, email=f"{code.lower()}.cse@demo-institute.edu.in")
    for code, name, desig, dept in OTHER_FACULTY:
        week, day = LOADS[desig]
        faculty[code] = dict(code=code, name=name, designation=desig, department=dept, max_weekly_periods=week,
                             max_daily_periods=day, max_consecutive=4,
                             email=f"{code.lower()}.{dept.lower()}@demo-institute.edu.in")
    groups: list[dict] = []
    courses: list[dict] = []
    acts: list[Act] = []
    seen_courses: set[str] = set()

    def add_course(c: Course) -> None:
        if c.code not in seen_courses:
            seen_courses.add(c.code)
            courses.append(dict(code=c.code, title=c.title, credits=c.credits, lecture_hours=c.L, tutorial_hours=c.T,
                                practical_hours=c.P, category=c.category, department=c.dept))

    for sem, rows in COURSES.items():
        year = (sem + 1) // 2
        for i, sec in enumerate(SECTIONS):
            code = f"CSE-{sem}{sec}"
            nb = BATCHES[sem][i]
            strength = STRENGTH[sem]
            groups.append(dict(code=code, name=f"B.Tech Computer Science and Engineering, Semester {sem}, Section {sec}",
                               department="CSE", programme="B.Tech", semester=sem, section=sec, strength=strength))
            batches = []
            for b in range(1, nb + 1):
                batches.append(f"{code}-B{b}")
                groups.append(dict(code=f"{code}-B{b}", name=f"{code} lab batch {b} (year {year})", department="CSE",
                                   programme="B.Tech", semester=sem, section=sec, strength=-(-strength // nb),
                                   parent=code))
            for c in rows:
                add_course(c)
                if c.L:
                    acts.append(Act(c.code, "L", [code], batches, c.L, 1, c.room_kind, (), strength, c.dept))
                for bt in batches if c.T else ():
                    acts.append(Act(c.code, "T", [bt], [bt], c.T, 1, "tutorial_room", (), -(-strength // nb),
                                    c.dept, prefer="lecturer"))
                if c.P and c.lab_per_section:
                    acts.append(Act(c.code, "P", [code], batches, c.P // c.lab_dur, c.lab_dur, "lab", c.lab_features,
                                    strength, c.lab_dept or c.dept))
                for bt in batches if c.P and not c.lab_per_section else ():
                    acts.append(Act(c.code, "P", [bt], [bt], c.P // c.lab_dur, c.lab_dur, "lab", c.lab_features,
                                    -(-strength // nb), c.lab_dept or c.dept))
    baskets = []
    for bcode, bname, sem, others, items in BASKETS:
        cohorts = [f"CSE-{sem}{s}" for s in SECTIONS]
        leaves = [g["code"] for g in groups if g.get("parent") in cohorts]
        for dept, sec in others:
            gcode = f"{dept}-{sem}{sec}"
            groups.append(dict(code=gcode, name=f"B.Tech {dept} Semester {sem} Section {sec}", department=dept,
                               programme="B.Tech", semester=sem, section=sec, strength=60))
            cohorts.append(gcode)
            leaves.append(gcode)
        baskets.append(dict(code=bcode, name=bname, cohorts=cohorts))
        for j, (ccode, title, dept, strength) in enumerate(items):
            gcode = f"{bcode}-{ccode}"
            groups.append(dict(code=gcode, name=f"{bname}: {title}", department="CSE" if dept == "CSE" else dept,
                               programme="B.Tech", semester=sem, strength=strength))
            courses.append(dict(code=ccode, title=title, credits=3, lecture_hours=3, tutorial_hours=0,
                                practical_hours=0, category="multidisciplinary" if bcode.startswith("OE") else "elective",
                                department=dept))
            # the cohorts' batches are busy while the basket runs (on the first activity, as compile does)
            acts.append(Act(ccode, "L", [gcode], [gcode] + (leaves if j == 0 else []), 3, 1, "classroom", (),
                            strength, dept, basket=bcode))
    return Plan(faculty, _rooms(), groups, courses, baskets, acts)


class _Builder:
    """Greedy construction of a conflict-free timetable; teachers are chosen as sessions are placed."""

    def __init__(self, plan: Plan, rng: random.Random):
        self.plan, self.rng = plan, rng
        self.busy: dict[str, set[tuple[int, int]]] = {}  # resource (faculty or leaf group) -> (day, period)
        self.room_busy: dict[str, set[tuple[int, int]]] = {r["code"]: set() for r in plan.rooms}
        self.load = {f: 0 for f in plan.faculty}
        self.daily = {f: [0] * N_DAYS for f in plan.faculty}
        self.lecturer: dict[tuple[str, str], str] = {}  # (course, section) -> teacher
        self.home = {f"CSE-{sem}{s}": f"CR-{y + 1}{i + 1:02d}" for y, sem in enumerate((1, 3, 5, 7))
                     for i, s in enumerate(SECTIONS)}
        self.starts = {d: [(day, h[k]) for day in range(N_DAYS) for h in HALVES for k in range(len(h) - d + 1)]
                       for d in (1, 2, 3, 4)}
        self.rooms_for: dict[tuple, list[dict]] = {}
        # how much of the week each room is wanted by the activities it suits: a session takes the
        # least wanted free room, keeping specialised labs for the courses that need them
        self.pressure = {r["code"]: 0.0 for r in plan.rooms}
        for a in plan.acts:
            allowed = self._allowed_rooms(a)
            for r in allowed:
                self.pressure[r["code"]] += a.sessions * a.duration / len(allowed)

    def _allowed_rooms(self, a: Act) -> list[dict]:
        key = (a.room_kind, a.features, a.size)
        hit = self.rooms_for.get(key)
        if hit is None:
            acc = _ACCEPTS[a.room_kind]
            hit = self.rooms_for[key] = sorted(
                (r for r in self.plan.rooms if r["kind"] in acc and set(a.features) <= set(r["features"])
                 and r["capacity"] >= a.size), key=lambda r: (r["capacity"], len(r["features"]), r["code"]))
        return hit

    def _free(self, who: str, cells: list[tuple[int, int]]) -> bool:
        b = self.busy.get(who)
        return not b or not any(c in b for c in cells)

    def _teacher_ok(self, f: str, cells, day: int, periods: int) -> bool:
        fac = self.plan.faculty[f]
        return (self._free(f, cells) and self.daily[f][day] + len(cells) <= fac["max_daily_periods"]
                and self.load[f] + periods <= fac["max_weekly_periods"])

    def _room(self, a: Act, cells, section: str | None, taken: set[str]) -> str | None:
        rooms = [r["code"] for r in self._allowed_rooms(a) if r["code"] not in taken
                 and not any(c in self.room_busy[r["code"]] for c in cells)]
        if not rooms:
            return None
        home = self.home.get(section or "")
        return home if home in rooms else min(rooms, key=lambda r: self.pressure[r])

    def _take(self, who: str, cells) -> None:
        self.busy.setdefault(who, set()).update(cells)

    def _candidates(self, acts: list[Act], used_days: set[int]) -> list[tuple[int, int]]:
        d = acts[0].duration
        cands = list(self.starts[d])
        self.rng.shuffle(cands)
        leaves = [q for a in acts for q in a.leaves]

        def key(st):
            day, p = st
            busy_today = sum(1 for q in leaves[:3] for (dd, _) in self.busy.get(q, ()) if dd == day)
            return (day in used_days, busy_today)

        cands.sort(key=key)
        return cands

    def place(self, acts: list[Act]) -> bool:
        """Place every session of ``acts`` (one activity, or the activities of one basket, in sync)."""
        n = acts[0].sessions
        d = acts[0].duration
        used_days: set[int] = set()
        section = acts[0].groups[0].rsplit("-B", 1)[0] if acts[0].kind == "L" else None
        for k in range(n):
            for day, p in self._candidates(acts, used_days):
                cells = [(day, p + i) for i in range(d)]
                if not all(self._free(q, cells) for a in acts for q in a.leaves):
                    continue
                choice = []
                taken_rooms: set[str] = set()
                teachers_now: set[str] = set()
                for a in acts:
                    t = a.teacher or self._pick_teacher(a, cells, day, teachers_now)
                    if t is None or t in teachers_now or not self._free(t, cells) or \
                            self.daily[t][day] + d > self.plan.faculty[t]["max_daily_periods"]:
                        break
                    room = self._room(a, cells, section, taken_rooms)
                    if room is None:
                        break
                    choice.append((a, t, room))
                    taken_rooms.add(room)
                    teachers_now.add(t)
                else:
                    for a, t, room in choice:
                        if a.teacher is None:
                            a.teacher = t
                            self.load[t] += a.sessions * a.duration
                        self._take(t, cells)
                        self.daily[t][day] += d
                        for q in a.leaves:
                            self._take(q, cells)
                        self.room_busy[room].update(cells)
                        a.placed.append((day, p, room))
                    used_days.add(day)
                    break
            else:
                return False
        return True

    def _pick_teacher(self, a: Act, cells, day: int, exclude: set[str]) -> str | None:
        periods = a.sessions * a.duration
        pool = [f for f, item in self.plan.faculty.items() if item["department"] == a.dept and f not in exclude]
        ok = [f for f in pool if self._teacher_ok(f, cells, day, periods)]
        if not ok:
            return None
        if a.prefer == "lecturer":
            lect = self.lecturer.get((a.course, a.groups[0].rsplit("-B", 1)[0]))
            if lect in ok:
                return lect
        lab = a.kind == "P"

        def rank(f):
            item = self.plan.faculty[f]
            junior = item["designation"] == "Assistant Professor"
            return (self.load[f] / item["max_weekly_periods"] - (0.15 if lab and junior else 0), self.rng.random())

        best = min(ok, key=rank)
        if a.kind == "L" and a.basket is None:
            self.lecturer[(a.course, a.groups[0])] = best
        return best


def _construct(plan: Plan, seed: int) -> None:
    """Give every activity its teacher and every session its day, period and room (in place)."""
    for attempt in range(40):
        rng = random.Random(seed * 1000 + attempt)
        b = _Builder(plan, rng)
        for a in plan.acts:
            a.teacher, a.placed = None, []
        units: list[list[Act]] = []
        for bcode, *_ in BASKETS:
            units.append([a for a in plan.acts if a.basket == bcode])
        rest = [[a] for a in plan.acts if a.basket is None]
        rng.shuffle(rest)
        # most constrained first: long labs, other labs, lectures (which fix the tutorial teacher), tutorials
        rest.sort(key=lambda u: (-u[0].duration, {"P": 0, "L": 1, "T": 2}[u[0].kind], -u[0].sessions))
        units += rest
        if all(b.place(u) for u in units):
            return
    raise RuntimeError("could not construct the large demo timetable")


def _marks(plan: Plan, seed: int) -> dict[str, dict[tuple[int, int], str]]:
    """Unavailable periods only where the constructed timetable leaves a teacher free; some preferences."""
    rng = random.Random(seed + 1)
    busy: dict[str, set[tuple[int, int]]] = {}
    for a in plan.acts:
        for day, p, _ in a.placed:
            busy.setdefault(a.teacher, set()).update((day, p + i) for i in range(a.duration))
    out = {}
    codes = sorted(plan.faculty)
    for code in rng.sample(codes, 18):
        free = [(d, p) for d in range(N_DAYS) for p in TEACHING if (d, p) not in busy.get(code, set())]
        mine = busy.get(code, set())
        # a weekly department meeting, a doctoral committee, a half day for research, ...
        unavailable = rng.sample(free, min(len(free), rng.choice((2, 3, 4, 6))))
        rest = [c for c in free if c not in unavailable]
        undesired = [c for c in rest if c[1] in (TEACHING[0], TEACHING[-1])][:2]
        preferred = sorted(mine)[:2]
        out[code] = ({c: "unavailable" for c in unavailable} | {c: "undesired" for c in undesired}
                     | {c: "preferred" for c in preferred})
    return out


def populate_large(db: Database, seed: int = LARGE_SEED) -> tuple[Plan, dict]:
    """Fill an empty database with the large demo department; returns the plan and the reference rows."""
    from ato_desktop.services.availability import set_marks

    plan = _plan_data()
    _construct(plan, seed)
    cal.set_calendar(db, DAYS, PERIODS)
    cal.set_settings(db, institution_name="Demo Institute of Engineering and Technology (Autonomous)",
                     department_name="Department of Computer Science and Engineering",
                     term="Odd Semester 2026–27 (July–December), Regulation R2024")
    res.bulk_create(db, "department", [{"code": "CSE", "name": "Computer Science and Engineering", "is_home": True}]
                    + [{"code": c, "name": n} for c, n in OTHER_DEPARTMENTS])
    res.bulk_create(db, "faculty", list(plan.faculty.values()))
    res.bulk_create(db, "room", plan.rooms)
    res.bulk_create(db, "group", [g for g in plan.groups if not g.get("parent")])
    res.bulk_create(db, "group", [g for g in plan.groups if g.get("parent")])
    res.bulk_create(db, "course", plan.courses)
    res.bulk_create(db, "basket", plan.baskets)
    created = res.bulk_create(db, "activity", [
        {"course": a.course, "kind": a.kind, "groups": a.groups, "faculty": [a.teacher], "sessions_per_week": a.sessions,
         "duration": a.duration, "room_kind": a.room_kind, "required_features": list(a.features),
         "basket": a.basket} for a in plan.acts])
    rows = {}
    for a, item in zip(plan.acts, created):
        for k, (day, p, room) in enumerate(a.placed):
            rows[(item["id"], k)] = (day, p, room)
    hard = set(HARD_CONSTRAINTS)
    res.bulk_create(db, "constraint", [{"type": name, "label": rule_name(name),
                                        "is_hard": name in hard, "weight": weight, "enabled": True}
                                       for name, weight in DEFAULT_WEIGHTS.items()])
    for code, marks in _marks(plan, seed).items():
        set_marks(db, "faculty", code, marks)
    return plan, rows


def create_large_demo_database(path: str | Path, seed: int = LARGE_SEED, overwrite: bool = False) -> DemoResult:
    """Write the large demo department to ``path`` (a new file) with its planted reference timetable."""
    from ato_desktop.services.compile import compile_database

    path = Path(path)
    make_room_for(path, overwrite)
    db = open_database(path)
    try:
        _, rows = populate_large(db, seed)
        tts.create_timetable(db, REFERENCE_NAME, notes="Planted by the demo generator: zero hard conflicts.")
        tts.save_rows(db, REFERENCE_NAME, rows)
        comp, assignment, _ = compile_database(db, REFERENCE_NAME)
        return DemoResult(path, assignment, comp.problem, comp.problem.n_sessions)
    finally:
        db.close()
