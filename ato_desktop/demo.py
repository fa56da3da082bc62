"""The demo department: Computer Science & Engineering, odd semester.

A realistic department of an Indian engineering college under NEP 2020 /
CBCS: B.Tech semesters 3, 5 and 7 with two sections each and two lab batches
per section, an M.Tech semester 1, 18 faculty with UGC-style weekly loads,
classrooms, a tutorial room, three labs, a seminar hall shared with the ECE
department, Monday to Saturday with a lunch break, courses with L-T-P hours and
NEP categories, 2- and 3-period labs, a multidisciplinary elective basket
shared with ECE, and some faculty unavailability.

The generator also *plants* a timetable (a constructive search over the
compiled engine problem, deterministic for a seed) and stores it as the version
"Reference timetable": proof that the demo admits a timetable with zero hard
conflicts. Faculty unavailability is drawn only from periods the planted
timetable leaves free, so the proof survives it.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ato_desktop.engine.problem import DEFAULT_WEIGHTS, HARD_CONSTRAINTS, Assignment, Problem
from ato_desktop.rule_names import rule_name
from ato_desktop.services import calendar as cal
from ato_desktop.services import resources as res
from ato_desktop.services import timetables as tts
from ato_desktop.storage import models as m
from ato_desktop.storage.database import DB_SUFFIX, Database, default_data_dir, open_database

DEMO_SEED = 2026
REFERENCE_NAME = "Reference timetable"

DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
PERIODS = [
    ("P1", "09:00", "09:50", False),
    ("P2", "09:50", "10:40", False),
    ("P3", "10:40", "11:30", False),
    ("P4", "11:30", "12:20", False),
    ("Lunch", "12:20", "13:10", True),
    ("P5", "13:10", "14:00", False),
    ("P6", "14:00", "14:50", False),
    ("P7", "14:50", "15:40", False),
]

# code, name, designation, weekly load (UGC: Professor 14, Associate 16, Assistant 18 incl. labs)
FACULTY = [
    ("SRA", "Dr. Srinivasa Rao", "Professor", 14),
    ("AIY", "Dr. Ananya Iyer", "Professor", 14),
    ("RKM", "Dr. Rajesh Kumar", "Associate Professor", 16),
    ("MSU", "Dr. Meenakshi Sundaram", "Associate Professor", 16),
    ("PNA", "Dr. Priya Nair", "Associate Professor", 16),
    ("VKR", "Dr. Vikram Reddy", "Associate Professor", 16),
    ("SFE", "Dr. Sébastien Fernandes", "Assistant Professor", 18),
    ("ZDS", "Ms. Zoë D'Souza", "Assistant Professor", 18),
    ("AGH", "Mr. Arjun Ghosh", "Assistant Professor", 18),
    ("KPA", "Ms. Kavya Patil", "Assistant Professor", 18),
    ("NMU", "Mr. Naveen Murthy", "Assistant Professor", 18),
    ("DSH", "Ms. Divya Sharma", "Assistant Professor", 18),
    ("HBH", "Mr. Harish Bhat", "Assistant Professor", 18),
    ("SJO", "Ms. Sneha Joshi", "Assistant Professor", 18),
    ("RMI", "Mr. Rohan Mishra", "Assistant Professor", 18),
    ("LPI", "Ms. Lakshmi Pillai", "Assistant Professor", 18),
    ("TKA", "Mr. Tanmay Kulkarni", "Assistant Professor", 18),
    ("FKH", "Ms. Fatima Khan", "Assistant Professor", 18),
]
ECE_FACULTY = [("ECB", "Dr. Élise Banerjee", "Associate Professor", 16)]

ROOMS = [
    # code, name, building, capacity, kind, features, owner dept, shared
    ("CR-101", "Classroom 101", "Block A", 72, "classroom", ["projector"], "CSE", False),
    ("CR-102", "Classroom 102", "Block A", 72, "classroom", ["projector"], "CSE", False),
    ("CR-103", "Classroom 103", "Block A", 70, "classroom", ["projector"], "CSE", False),
    ("CR-104", "Classroom 104", "Block A", 66, "classroom", ["projector", "smart board"], "CSE", False),
    ("CR-105", "Classroom 105", "Block A", 66, "classroom", [], "CSE", False),
    ("TR-106", "Tutorial Room 106", "Block A", 40, "tutorial_room", [], "CSE", False),
    ("LAB-1", "Programming Lab", "Block B", 36, "lab", ["computers"], "CSE", False),
    ("LAB-2", "Networks Lab", "Block B", 36, "lab", ["computers", "networking"], "CSE", False),
    ("LAB-3", "Data Science Lab", "Block B", 36, "lab", ["computers", "gpu"], "CSE", False),
    ("SH-1", "Seminar Hall (ECE)", "Block C", 150, "seminar_hall", ["projector", "audio"], "ECE", True),
]

# code, title, credits, L, T, P, category, lab duration, lab room features
COURSES = {
    3: [
        ("CS201", "Data Structures", 4, 3, 0, 2, "major", 2, ["computers"]),
        ("CS203", "Discrete Mathematics", 4, 3, 1, 0, "major", 0, []),
        ("CS205", "Digital Logic Design", 4, 3, 0, 2, "major", 2, ["computers"]),
        ("MA201", "Probability and Statistics", 4, 3, 1, 0, "minor", 0, []),
        ("CS207", "Object-Oriented Programming with Java", 3, 2, 0, 2, "skill_enhancement", 2, ["computers"]),
        ("HS201", "Universal Human Values", 2, 2, 0, 0, "value_added", 0, []),
    ],
    5: [
        ("CS301", "Operating Systems", 4, 3, 0, 2, "major", 2, ["computers"]),
        ("CS303", "Database Management Systems", 4, 3, 0, 3, "major", 3, ["computers"]),
        ("CS305", "Computer Networks", 4, 3, 0, 2, "major", 2, ["computers", "networking"]),
        ("CS307", "Theory of Computation", 4, 3, 1, 0, "major", 0, []),
    ],
    7: [
        ("CS401", "Machine Learning", 4, 3, 0, 2, "major", 2, ["computers", "gpu"]),
        ("CS403", "Compiler Design", 4, 3, 1, 0, "major", 0, []),
        ("CS405", "Cloud Computing", 3, 3, 0, 0, "elective", 0, []),
        ("CS407", "Cryptography and Network Security", 3, 3, 0, 0, "elective", 0, []),
        ("CS491", "Project Phase I", 2, 0, 0, 4, "project", 2, ["computers"]),
        ("HS401", "Entrepreneurship and Innovation", 2, 2, 0, 0, "ability_enhancement", 0, []),
    ],
}
MTECH_COURSES = [
    ("CS501", "Advanced Algorithms", 4, 3, 1, 0, "major", 0, []),
    ("CS503", "Advanced Computer Architecture", 3, 3, 0, 0, "major", 0, []),
    ("CS505", "Research Methodology and IPR", 2, 2, 0, 0, "ability_enhancement", 0, []),
    ("CS507", "Deep Learning", 4, 3, 0, 2, "major", 2, ["computers", "gpu"]),
]
ELECTIVES = [
    # basket MDE-5: multidisciplinary elective for semester 5, shared with ECE
    ("MD311", "Introduction to Data Science", "CSE", "multidisciplinary", "MDE-5-DS", "AIY"),
    ("EC311", "Internet of Things", "ECE", "multidisciplinary", "MDE-5-IOT", "ECB"),
]


@dataclass
class DemoResult:
    path: Path
    planted: Assignment
    problem: Problem
    sessions: int


def _email(code: str, dept: str) -> str:
    return f"{code.lower()}.{dept.lower()}@demo-institute.edu.in"


def populate(db: Database, seed: int = DEMO_SEED, *, today: dt.date | None = None) -> None:
    """Fill an empty database with the demo department (through the services).

    ``today`` (default: today in India): the term's dates are set around it, so absences and
    substitutions can be tried at once."""
    from ato_desktop.services import term as terms

    rnd = random.Random(seed)
    cal.set_calendar(db, DAYS, PERIODS)
    cal.set_settings(db, institution_name="Demo Institute of Technology",
                     department_name="Department of Computer Science & Engineering",
                     term="Odd Semester 2026–27 (July–December)")
    terms.set_demo_term(db, today or terms.today())
    res.create_item(db, "department", {"code": "CSE", "name": "Computer Science & Engineering", "is_home": True})
    res.create_item(db, "department", {"code": "ECE", "name": "Electronics & Communication Engineering"})
    for code, name, desig, load in FACULTY:
        res.create_item(db, "faculty", {"code": code, "name": name, "designation": desig, "department": "CSE",
                                        "email": _email(code, "cse"), "max_weekly_periods": load,
                                        "max_daily_periods": 6, "max_consecutive": 4})
    for code, name, desig, load in ECE_FACULTY:
        res.create_item(db, "faculty", {"code": code, "name": name, "designation": desig, "department": "ECE",
                                        "email": _email(code, "ece"), "max_weekly_periods": load,
                                        "max_daily_periods": 6})
    for code, name, building, cap, kind, feats, dept, shared in ROOMS:
        res.create_item(db, "room", {"code": code, "name": name, "building": building, "capacity": cap,
                                     "kind": kind, "features": feats, "department": dept, "shared": shared})
    sections: dict[int, list[str]] = {}
    for sem in (3, 5, 7):
        for sec in ("A", "B"):
            code = f"CSE-{sem}{sec}"
            res.create_item(db, "group", {"code": code, "name": f"B.Tech CSE Semester {sem} Section {sec}",
                                          "department": "CSE", "programme": "B.Tech", "semester": sem,
                                          "section": sec, "strength": 64})
            for b in (1, 2):
                res.create_item(db, "group", {"code": f"{code}-B{b}", "name": f"{code} lab batch {b}",
                                              "department": "CSE", "programme": "B.Tech", "semester": sem,
                                              "section": sec, "strength": 32, "parent": code})
            sections.setdefault(sem, []).append(code)
    res.create_item(db, "group", {"code": "MTECH-CSE-1", "name": "M.Tech CSE Semester 1", "department": "CSE",
                                  "programme": "M.Tech", "semester": 1, "strength": 24})
    res.create_item(db, "group", {"code": "ECE-5A", "name": "B.Tech ECE Semester 5 Section A",
                                  "department": "ECE", "programme": "B.Tech", "semester": 5, "section": "A",
                                  "strength": 60})
    res.create_item(db, "group", {"code": "MDE-5-DS", "name": "Semester 5 elective: Data Science (CSE + ECE)",
                                  "department": "CSE", "programme": "B.Tech", "semester": 5, "strength": 66})
    res.create_item(db, "group", {"code": "MDE-5-IOT", "name": "Semester 5 elective: IoT (CSE + ECE)",
                                  "department": "ECE", "programme": "B.Tech", "semester": 5, "strength": 62})

    # Teaching assignments: balance load, deterministic for the seed.
    load = {code: 0 for code, *_ in FACULTY}
    cap = {code: lim for code, _, _, lim in FACULTY}
    faculty_codes = [f[0] for f in FACULTY]

    def pick(periods: int, prefer_senior: bool = False) -> str:
        pool = faculty_codes[:6] if prefer_senior else faculty_codes
        ok = [c for c in pool if load[c] + periods <= cap[c] - 2] or [c for c in faculty_codes if load[c] + periods <= cap[c]]
        best = min(ok, key=lambda c: (load[c] / cap[c], rnd.random()))
        load[best] += periods
        return best

    def add_course(row, groups: list[str], batched: bool) -> None:
        code, title, credits, L, T, Pr, cat, lab_dur, feats = row
        if res.list_items(db, "course", search=code) == []:
            res.create_item(db, "course", {"code": code, "title": title, "credits": credits, "lecture_hours": L,
                                           "tutorial_hours": T, "practical_hours": Pr, "category": cat,
                                           "department": "CSE"})
        for g in groups:
            teacher = pick(L + T * (2 if batched else 1), prefer_senior=L >= 3 and rnd.random() < 0.3) if L or T else None
            if L:
                res.create_item(db, "activity", {"course": code, "kind": "L", "groups": [g], "faculty": [teacher],
                                                 "sessions_per_week": L, "duration": 1, "room_kind": "classroom"})
            batches = [f"{g}-B1", f"{g}-B2"] if batched else [g]
            if T:
                for b in batches:
                    res.create_item(db, "activity", {"course": code, "kind": "T", "groups": [b], "faculty": [teacher],
                                                     "sessions_per_week": T, "duration": 1,
                                                     "room_kind": "tutorial_room"})
            if Pr:
                for b in batches:
                    instructor = pick(Pr)
                    res.create_item(db, "activity", {"course": code, "kind": "P", "groups": [b],
                                                     "faculty": [instructor], "sessions_per_week": Pr // lab_dur,
                                                     "duration": lab_dur, "room_kind": "lab",
                                                     "required_features": feats})

    for sem in (3, 5, 7):
        for row in COURSES[sem]:
            add_course(row, sections[sem], batched=True)
    for row in MTECH_COURSES:
        add_course(row, ["MTECH-CSE-1"], batched=False)

    res.create_item(db, "basket", {"code": "MDE-5", "name": "Semester 5 multidisciplinary elective (CSE + ECE)",
                                   "cohorts": sections[5] + ["ECE-5A"]})
    for code, title, dept, cat, group, teacher in ELECTIVES:
        res.create_item(db, "course", {"code": code, "title": title, "credits": 3, "lecture_hours": 3,
                                       "tutorial_hours": 0, "practical_hours": 0, "category": cat,
                                       "department": dept})
        if teacher in load:
            load[teacher] += 3
        res.create_item(db, "activity", {"course": code, "kind": "L", "groups": [group], "faculty": [teacher],
                                         "sessions_per_week": 3, "duration": 1, "room_kind": "classroom",
                                         "basket": "MDE-5"})

    # Constraint instances: one per engine rule, with the engine's default weights.
    hard = set(HARD_CONSTRAINTS)
    for name, weight in DEFAULT_WEIGHTS.items():
        res.create_item(db, "constraint", {"type": name, "label": rule_name(name),
                                           "is_hard": name in hard, "weight": weight, "enabled": True})


# ---------------------------------------------------------------------------
# Planting: a constructive search over the compiled problem
# ---------------------------------------------------------------------------
def plant(problem: Problem, seed: int = DEMO_SEED, attempts: int = 200) -> Assignment:
    """Find an assignment with no hard conflict by randomized most-constrained-first construction."""
    rng = random.Random(seed)
    P, T, R = problem.periods_per_day, problem.n_slots, problem.n_rooms
    S = problem.n_sessions
    sync_of = {}
    for k, members in enumerate(problem.sync_sets):
        for s in members:
            sync_of[int(s)] = k
    units: list[list[int]] = [list(map(int, ss)) for ss in problem.sync_sets]
    units += [[s] for s in range(S) if s not in sync_of]

    def starts(s: int) -> list[int]:
        d = int(problem.session_duration[s])
        out = []
        for t in range(T):
            if t % P + d > P:
                continue
            occ = range(t, t + d)
            if all(problem.slot_usable[u] and problem.session_available[s, u] for u in occ) and all(
                    problem.resource_available[q, u] for q in problem.resources_of(s) for u in occ):
                out.append(t)
        return out

    options = {s: starts(s) for s in range(S)}

    def difficulty(unit: list[int]) -> tuple:
        s = unit[0]
        return (-len(unit), -int(problem.session_duration[s]),
                min(len(options[x]) for x in unit) * int(problem.session_allowed_rooms[s].sum()))

    for attempt in range(attempts):
        res_busy = np.zeros((problem.n_resources, T), bool)
        room_busy = np.zeros((R, T), bool)
        daily = np.zeros((problem.n_resources, problem.n_days), np.int32)
        start = np.full(S, -1, np.int32)
        room = np.full(S, -1, np.int32)
        order = sorted(units, key=lambda u: (difficulty(u), rng.random()))
        ok = True
        for unit in order:
            cands = list(set.intersection(*(set(options[s]) for s in unit)))
            rng.shuffle(cands)
            placed = False
            for t in cands:
                chosen: list[tuple[int, int]] = []
                taken_rooms: set[int] = set()
                for s in unit:
                    d = int(problem.session_duration[s])
                    occ = list(range(t, t + d))
                    qs = problem.resources_of(s)
                    if res_busy[np.ix_(qs, occ)].any():
                        break
                    day = t // P
                    lim = problem.resource_max_daily[qs]
                    if ((lim > 0) & (daily[qs, day] + d > lim)).any():
                        break
                    rooms = [r for r in np.flatnonzero(problem.session_allowed_rooms[s])
                             if r not in taken_rooms and not room_busy[r, occ].any()
                             and problem.room_available[r, occ].all()]
                    if not rooms:
                        break
                    r = min(rooms, key=lambda r: (problem.room_capacity[r], rng.random()))  # best fit
                    chosen.append((s, int(r)))
                    taken_rooms.add(int(r))
                else:
                    for s, r in chosen:
                        d = int(problem.session_duration[s])
                        occ = list(range(t, t + d))
                        qs = problem.resources_of(s)
                        res_busy[np.ix_(qs, occ)] = True
                        daily[qs, t // P] += d
                        room_busy[r, occ] = True
                        start[s], room[s] = t, r
                    placed = True
                    break
            if not placed:
                ok = False
                break
        if ok:
            return Assignment(start, room)
    raise RuntimeError("could not plant a conflict-free timetable for the demo department")


def _add_unavailability(db: Database, comp, planted: Assignment, seed: int) -> None:
    """Mark some faculty periods unavailable, only where the planted timetable leaves them free."""
    from ato_desktop.services.availability import set_marks

    rng = random.Random(seed + 1)
    p = comp.problem
    P = p.periods_per_day
    busy = np.zeros((p.n_resources, p.n_slots), bool)
    for s in range(p.n_sessions):
        t = planted.start[s]
        if t >= 0:
            for q in p.resources_of(s):
                busy[q, t:t + p.session_duration[s]] = True
    for i, code in enumerate(comp.faculty_codes):
        if code not in ("SRA", "AIY", "MSU", "SFE", "KPA", "RMI"):
            continue
        free = [t for t in range(p.n_slots) if p.slot_usable[t] and not busy[i, t]]
        # e.g. a weekly department meeting, a PhD viva committee, a half day for research
        marks = rng.sample(free, min(4, len(free)))
        undesired = [t for t in free if t not in marks and t % P == 0][:2]
        set_marks(db, "faculty", code, {(t // P, t % P): "unavailable" for t in marks}
                  | {(t // P, t % P): "undesired" for t in undesired})


def make_room_for(path: Path, overwrite: bool) -> None:
    """The one rule of both demo generators: refuse an existing ``path`` unless ``overwrite`` (even an empty
    file: a file the user has is never replaced without --force); then remove it with its -wal and -shm files."""
    if not path.exists():
        return
    if not overwrite:
        raise FileExistsError(f"{path} already exists; choose another file name.")
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def create_demo_database(path: str | Path, seed: int = DEMO_SEED, overwrite: bool = False, *,
                         today: dt.date | None = None) -> DemoResult:
    """Write the demo department to ``path`` (a new file) with its planted reference timetable."""
    from ato_desktop.services.compile import compile_database

    path = Path(path)
    make_room_for(path, overwrite)
    db = open_database(path)
    try:
        populate(db, seed, today=today)
        comp, _, _ = compile_database(db)
        planted = plant(comp.problem, seed)
        _add_unavailability(db, comp, planted, seed)
        tts.create_timetable(db, REFERENCE_NAME, notes="Planted by the demo generator: zero hard conflicts.")
        tts.save_rows(db, REFERENCE_NAME, comp.rows_from_assignment(planted))
        comp, assignment, _ = compile_database(db, REFERENCE_NAME)
        return DemoResult(path, assignment, comp.problem, comp.problem.n_sessions)
    finally:
        db.close()


def demo_database_path() -> Path:
    return default_data_dir() / f"demo{DB_SUFFIX}"


def ensure_demo_database(path: Path | None = None) -> Path:
    """The per-user demo database, created on first use (the 'embedded' demo)."""
    path = Path(path) if path else demo_database_path()
    if not path.exists() or path.stat().st_size == 0:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.stem + ".creating" + DB_SUFFIX)
        for suffix in ("", "-wal", "-shm"):
            Path(str(tmp) + suffix).unlink(missing_ok=True)
        create_demo_database(tmp)
        tmp.replace(path)
        for suffix in ("-wal", "-shm"):
            Path(str(tmp) + suffix).unlink(missing_ok=True)
    return path
