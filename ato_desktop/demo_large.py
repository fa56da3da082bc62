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

from ato_desktop.demo import DAYS, PERIODS, REFERENCE_NAME, DemoResult
from ato_desktop.engine.problem import DEFAULT_WEIGHTS, HARD_CONSTRAINTS
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
SECTIONS = "ABCDEF"

# UGC norms of direct teaching (periods a week) and the daily limits of this institute
LOADS = {"Professor": (14, 4), "Associate Professor": (14, 5), "Assistant Professor": (16, 5)}

# ---------------------------------------------------------------------------------------------
# people
# ---------------------------------------------------------------------------------------------
CSE_FACULTY = [
    # code, name, designation
    ("VSB", "Prof. Venkata Subrahmanya Lakshmi Narasimha Sastry Bhamidipati", "Professor"),
    ("AIY", "Dr. Ananya Iyer", "Professor"),
    ("RKM", "Dr. Rajesh Kumar Mukhopadhyay", "Professor"),
    ("MSU", "Dr. Meenakshi Sundaram", "Professor"),
    ("PSH", "डॉ. प्रिया शर्मा", "Professor"),
    ("HCH", "Dr. Harpreet Kaur Chahal", "Professor"),
    ("GVR", "Dr. Gopalakrishnan Venkataraman", "Professor"),
    ("SRA", "Dr. Srinivasa Rao Chowdary", "Professor"),
    ("ARS", "முனைவர் அருண்மொழி செல்வன்", "Professor"),
    ("PNA", "Dr. Priya Nair", "Associate Professor"),
    ("VKR", "Dr. Vikram Reddy", "Associate Professor"),
    ("SFE", "Dr. Sébastien Fernandes", "Associate Professor"),
    ("NBH", "Dr. Nandini Bhattacharjee", "Associate Professor"),
    ("VLK", "డా. వెంకట లక్ష్మి", "Associate Professor"),
    ("KMO", "Dr. Kiran Mohan Deshpande", "Associate Professor"),
    ("ARA", "Dr. Abdul Rahman Ansari", "Associate Professor"),
    ("SGO", "Dr. Shalini Gopinath", "Associate Professor"),
    ("TJA", "Dr. Thomas Jacob Abraham", "Associate Professor"),
    ("RSI", "Dr. Rupinder Singh", "Associate Professor"),
    ("MKA", "Dr. Madhavi Kamath", "Associate Professor"),
    ("SPA", "Dr. Subhashree Pattanaik", "Associate Professor"),
    ("YKU", "Dr. Yogesh Kulkarni", "Associate Professor"),
    ("RMU", "डॉ. राहुल मुखर्जी", "Associate Professor"),
    ("BSE", "Dr. Balasubramanian Sethuraman", "Associate Professor"),
    ("ZDS", "Ms. Zoë D'Souza", "Assistant Professor"),
    ("AGH", "Mr. Arjun Ghosh", "Assistant Professor"),
    ("KPA", "Ms. Kavya Patil", "Assistant Professor"),
    ("NMU", "Mr. Naveen Murthy", "Assistant Professor"),
    ("DSH", "Ms. Divya Sharma", "Assistant Professor"),
    ("HBH", "Mr. Harish Bhat", "Assistant Professor"),
    ("SJO", "Ms. Sneha Joshi", "Assistant Professor"),
    ("RMI", "Mr. Rohan Mishra", "Assistant Professor"),
    ("LPI", "Ms. Lakshmi Pillai", "Assistant Professor"),
    ("TKA", "Mr. Tanmay Kulkarni", "Assistant Professor"),
    ("FKH", "Ms. Fatima Khan", "Assistant Professor"),
    ("SVE", "Mr. Sai Venkatesh Yerramsetti", "Assistant Professor"),
    ("PCH", "Ms. Pooja Chaudhary", "Assistant Professor"),
    ("AKU", "Mr. Aditya Kumar Upadhyay", "Assistant Professor"),
    ("JTH", "Ms. Jennifer Thomas", "Assistant Professor"),
    ("MRA", "Mr. Mohammed Rafiq Attar", "Assistant Professor"),
    ("KSE", "கார்த்திக் செல்வராஜ்", "Assistant Professor"),
    ("NRE", "Ms. Nikhila Reddy Enugula", "Assistant Professor"),
    ("VPR", "Mr. Vishal Prakash", "Assistant Professor"),
    ("AMA", "Ms. Aishwarya Manjunath", "Assistant Professor"),
    ("SKA", "సాయి కిరణ్ అల్లూరి", "Assistant Professor"),
    ("DGU", "Mr. Deepak Gupta", "Assistant Professor"),
    ("RPA", "Ms. Ritu Pandey", "Assistant Professor"),
    ("GSI", "Mr. Gurpreet Singh Sidhu", "Assistant Professor"),
    ("SNA", "Ms. Swathi Narayanan", "Assistant Professor"),
    ("AVE", "Mr. Anil Verma", "Assistant Professor"),
    ("MJO", "Ms. Maria Joseph", "Assistant Professor"),
    ("KRA", "Mr. Karthikeyan Ramasamy", "Assistant Professor"),
    ("PBA", "Ms. Preethi Balakrishnan", "Assistant Professor"),
    ("ASA", "Mr. Amit Saxena", "Assistant Professor"),
]
OTHER_DEPARTMENTS = [
    ("MATH", "Mathematics"), ("PHY", "Physics"), ("HUM", "Humanities and Social Sciences"),
    ("EEE", "Electrical & Electronics Engineering"), ("ECE", "Electronics & Communication Engineering"),
    ("ME", "Mechanical Engineering"),
]
# colleagues who teach this department's students: code, name, designation, department
OTHER_FACULTY = [
    ("MAT1", "Dr. Ramanujam Krishnaswamy", "Professor", "MATH"),
    ("MAT2", "Dr. Sunita Agarwal", "Associate Professor", "MATH"),
    ("MAT3", "Mr. Prakash Hegde", "Assistant Professor", "MATH"),
    ("MAT4", "Ms. Farah Siddiqui", "Assistant Professor", "MATH"),
    ("MAT5", "Mr. Vinod Chandran", "Assistant Professor", "MATH"),
    ("MAT6", "Ms. Geetha Ramachandran", "Assistant Professor", "MATH"),
    ("MAT7", "Mr. Sandeep Yadav", "Assistant Professor", "MATH"),
    ("PHY1", "Dr. Arvind Chakraborty", "Professor", "PHY"),
    ("PHY2", "Dr. Meera Srinivasan", "Associate Professor", "PHY"),
    ("PHY3", "Mr. Rakesh Pandit", "Assistant Professor", "PHY"),
    ("PHY4", "Ms. Anjali Menon", "Assistant Professor", "PHY"),
    ("PHY5", "Mr. Imran Qureshi", "Assistant Professor", "PHY"),
    ("PHY6", "Ms. Bhavana Rao", "Assistant Professor", "PHY"),
    ("HUM1", "Dr. Catherine Fernandes", "Associate Professor", "HUM"),
    ("HUM2", "Ms. Nazia Parveen", "Assistant Professor", "HUM"),
    ("HUM3", "Mr. Siddharth Banerjee", "Assistant Professor", "HUM"),
    ("HUM4", "Ms. Radhika Iyengar", "Assistant Professor", "HUM"),
    ("HUM5", "Mr. Ashok Tripathi", "Assistant Professor", "HUM"),
    ("HUM6", "Ms. Shabnam Sheikh", "Assistant Professor", "HUM"),
    ("HUM7", "Mr. Joydeep Sengupta", "Assistant Professor", "HUM"),
    ("HUM8", "Ms. Vandana Kulshreshtha", "Assistant Professor", "HUM"),
    ("HUM9", "Mr. Collin D'Cruz", "Assistant Professor", "HUM"),
    ("HUM10", "Ms. Ishita Bose", "Assistant Professor", "HUM"),
    ("EEE1", "Dr. Sudarshan Natarajan", "Professor", "EEE"),
    ("EEE2", "Ms. Keerthana Murali", "Assistant Professor", "EEE"),
    ("EEE3", "Mr. Abhishek Tiwari", "Assistant Professor", "EEE"),
    ("EEE4", "Ms. Shreya Kapoor", "Assistant Professor", "EEE"),
    ("EEE5", "Mr. Manoj Pillai", "Assistant Professor", "EEE"),
    ("EEE6", "Ms. Lavanya Sekar", "Assistant Professor", "EEE"),
    ("ECE1", "Dr. Élise Banerjee", "Associate Professor", "ECE"),
    ("ECE2", "Mr. Praveen Kumar Gowda", "Assistant Professor", "ECE"),
    ("ECE3", "Ms. Sowmya Raghavan", "Assistant Professor", "ECE"),
    ("ECE4", "Mr. Nitin Saxena", "Assistant Professor", "ECE"),
    ("ECE5", "Ms. Harini Vasudevan", "Assistant Professor", "ECE"),
    ("ECE6", "Mr. Sanjay Dubey", "Assistant Professor", "ECE"),
    ("ME1", "Dr. Rajendra Prasad Kulkarni", "Professor", "ME"),
    ("ME2", "Mr. Joseph Mathew", "Assistant Professor", "ME"),
    ("ME3", "Ms. Pallavi Deshmukh", "Assistant Professor", "ME"),
    ("ME4", "Mr. Ganesh Iyer", "Assistant Professor", "ME"),
]

# ---------------------------------------------------------------------------------------------
# rooms: code, name, building, capacity, kind, features, owner department, shared
# ---------------------------------------------------------------------------------------------
LAB_ROOMS = [
    ("CSL-01", "Programming Laboratory I (C and Python)", "Block B", 36, ["computers", "programming"]),
    ("CSL-02", "Programming Laboratory II (C and Python)", "Block B", 36, ["computers", "programming"]),
    ("CSL-03", "Data Structures and Algorithms Laboratory", "Block B", 36, ["computers", "programming"]),
    ("CSL-04", "Object-Oriented Programming and Software Engineering Laboratory", "Block B", 36,
     ["computers", "programming"]),
    ("CSL-05", "Operating Systems and Linux Administration Laboratory", "Block B", 36, ["computers", "linux"]),
    ("CSL-06", "Database Systems and Web Technologies Laboratory", "Block B", 36, ["computers", "dbms"]),
    ("CSL-07", "Computer Networks and Cyber Security Laboratory", "Block B", 36, ["computers", "networking"]),
    ("CSL-08", "Artificial Intelligence and Machine Learning Laboratory", "Block D", 36, ["computers", "gpu"]),
    ("CSL-09", "Data Science and Big Data Analytics Laboratory", "Block D", 36,
     ["computers", "gpu", "linux", "dbms"]),
    ("CSL-10", "Cloud Computing and Internet of Things Laboratory", "Block D", 36,
     ["computers", "networking", "linux", "dbms"]),
    ("CSL-11", "Project and Innovation Laboratory", "Block D", 36, ["computers", "project"]),
    ("CSL-12", "Digital Electronics, Microprocessors and Embedded Systems Laboratory", "Block B", 36,
     ["electronics"]),
]
SHARED_ROOMS = [
    ("PHL-1", "Engineering Physics Laboratory I", "Science Block", 36, "lab", ["physics"], "PHY", True),
    ("PHL-2", "Engineering Physics Laboratory II", "Science Block", 36, "lab", ["physics"], "PHY", True),
    ("ELL-1", "English Language and Communication Skills Laboratory I", "Science Block", 36, "lab",
     ["language"], "HUM", True),
    ("ELL-2", "English Language and Communication Skills Laboratory II", "Science Block", 36, "lab",
     ["language"], "HUM", True),
    ("EDH-1", "Engineering Drawing Hall", "Workshop Block", 70, "lab", ["drawing"], "ME", True),
    ("BEL-1", "Basic Electrical and Electronics Engineering Laboratory I", "EEE Block", 36, "lab",
     ["electrical"], "EEE", True),
    ("BEL-2", "Basic Electrical and Electronics Engineering Laboratory II", "EEE Block", 36, "lab",
     ["electrical"], "EEE", True),
    ("ECL-1", "Digital Systems Laboratory (ECE)", "Block C", 36, "lab", ["electronics"], "ECE", True),
    ("SH-1", "Sir C. V. Raman Seminar Hall (ECE)", "Block C", 180, "seminar_hall", ["projector", "audio"],
     "ECE", True),
]

# ---------------------------------------------------------------------------------------------
# courses per semester: code, title, credits, L, T, P, category, lab duration, lab features,
# department that teaches it (lecture and tutorial; labs: the same unless lab_dept is given)
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Course:
    code: str
    title: str
    credits: int
    L: int
    T: int
    P: int
    category: str
    lab_dur: int = 0
    lab_features: tuple[str, ...] = ()
    dept: str = "CSE"
    lab_dept: str = ""
    room_kind: str = "classroom"  # of the lectures (the seminar is in the seminar hall)
    lab_per_section: bool = False  # the whole section in the lab (the drawing hall seats 70)


C = Course
COURSES = {
    1: [
        C("MA101", "Engineering Mathematics I: Calculus, Linear Algebra and Differential Equations", 4, 3, 1, 0,
          "minor", dept="MATH"),
        C("PH101", "Engineering Physics: Quantum Mechanics, Optics and Semiconductor Devices", 4, 3, 1, 2, "minor",
          2, ("physics",), dept="PHY"),
        C("CS101", "Programming for Problem Solving using C", 4, 3, 0, 3, "major", 3, ("computers",)),
        C("EE101", "Basic Electrical and Electronics Engineering", 4, 3, 0, 2, "minor", 2, ("electrical",),
          dept="EEE"),
        C("HS101", "Communicative English and Technical Writing", 3, 2, 0, 2, "ability_enhancement", 2,
          ("language",), dept="HUM"),
        C("ME101", "Engineering Graphics and Computer-Aided Drafting", 2, 1, 0, 2, "skill_enhancement", 2,
          ("drawing",), dept="ME", lab_per_section=True),
        C("HS103", "Environmental Science and Sustainable Development", 1, 2, 0, 0, "value_added", dept="HUM"),
        C("HS105", "Indian Knowledge Systems", 1, 1, 0, 0, "value_added", dept="HUM"),
    ],
    3: [
        C("CS201", "Data Structures and Algorithms", 3, 3, 0, 0, "major"),
        C("CS202", "Data Structures and Algorithms Laboratory", 2, 0, 0, 3, "major", 3, ("computers",)),
        C("CS203", "Discrete Mathematical Structures and Graph Theory", 4, 3, 1, 0, "major"),
        C("CS205", "Digital Logic Design and Computer Organization", 4, 3, 0, 2, "major", 2, ("electronics",),
          lab_dept="ECE"),
        C("CS207", "Object-Oriented Programming with Java and Design Patterns", 2, 2, 0, 0, "skill_enhancement"),
        C("CS208", "Object-Oriented Programming with Java and Design Patterns Laboratory", 1, 0, 0, 2,
          "skill_enhancement", 2, ("computers", "programming")),
        C("MA201", "Probability, Statistics and Queueing Theory", 4, 3, 1, 0, "minor", dept="MATH"),
        C("HS203", "Soft Skills and Personality Development", 1, 0, 1, 0, "ability_enhancement", dept="HUM"),
        C("HS201", "Universal Human Values: Understanding Harmony and Ethical Human Conduct", 2, 2, 0, 0,
          "value_added", dept="HUM"),
    ],
    5: [
        C("CS301", "Operating Systems: Principles and Linux Internals", 4, 3, 0, 2, "major", 2,
          ("computers", "linux")),
        C("CS303", "Database Management Systems", 4, 3, 1, 3, "major", 3, ("computers", "dbms")),
        C("CS305", "Computer Networks", 4, 3, 0, 2, "major", 2, ("computers", "networking")),
        C("CS307", "Formal Languages and Automata Theory", 4, 3, 1, 0, "major"),
        C("CS309", "Software Engineering and Agile Project Management", 3, 3, 0, 0, "major"),
        C("HS301", "Constitution of India and Professional Ethics", 1, 1, 0, 0, "value_added", dept="HUM"),
        C("HS305", "Quantitative Aptitude and Logical Reasoning", 1, 0, 1, 0, "skill_enhancement", dept="MATH"),
    ],
    7: [
        C("CS401", "Machine Learning and Pattern Recognition", 4, 3, 1, 2, "major", 2, ("computers", "gpu")),
        C("CS403", "Compiler Design and Program Analysis", 4, 3, 1, 0, "major"),
        C("CS405", "Cryptography and Network Security", 3, 3, 0, 0, "major"),
        C("CS407", "Big Data Analytics", 3, 3, 0, 0, "major"),
        C("CS491", "Project Work Phase I", 2, 0, 0, 2, "project", 2, ("computers",)),
        C("CS493", "Technical Seminar", 1, 2, 0, 0, "project", room_kind="seminar_hall"),
        C("HS401", "Entrepreneurship, Innovation and Intellectual Property Rights", 2, 2, 0, 0,
          "ability_enhancement", dept="HUM"),
        C("HS405", "Verbal Ability, Group Discussion and Interview Skills", 1, 0, 1, 0, "skill_enhancement",
          dept="HUM"),
    ],
}
BATCHES = {1: (3,) * 6, 3: (3,) * 6, 5: (3,) * 6, 7: (2,) * 6}
STRENGTH = {1: 66, 3: 66, 5: 64, 7: 62}

# elective baskets shared with other departments: code, name, semester, other departments' cohorts,
# courses (code, title, teaching department, elective group strength)
BASKETS = [
    ("OE-5", "Open Elective I (semester 5, CSE + ECE + ME)", 5, [("ECE", "A"), ("ECE", "B"), ("ME", "A")], [
        ("CS311", "Introduction to Data Science with Python", "CSE", 150),
        ("EC311", "Internet of Things: Sensors, Protocols and Applications", "ECE", 118),
        ("ME311", "Industrial Robotics and Automation", "ME", 110),
        ("MA311", "Optimization Techniques for Engineers", "MATH", 96),
        ("HS311", "Financial Management and Economics for Engineers", "HUM", 90),
    ]),
    ("PE-7", "Professional Elective III (semester 7, CSE + ECE)", 7, [("ECE", "A")], [
        ("CS411", "Cloud Computing and DevOps", "CSE", 112),
        ("CS413", "Natural Language Processing with Deep Learning", "CSE", 104),
        ("CS415", "Blockchain Technologies and Decentralised Applications", "CSE", 86),
        ("EC411", "VLSI Design and Verification", "ECE", 72),
        ("EE411", "Renewable Energy Systems and Smart Grids", "EEE", 60),
    ]),
]


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
    res.bulk_create(db, "constraint", [{"type": name, "label": name.replace("_", " ").capitalize(),
                                        "is_hard": name in hard, "weight": weight, "enabled": True}
                                       for name, weight in DEFAULT_WEIGHTS.items()])
    for code, marks in _marks(plan, seed).items():
        set_marks(db, "faculty", code, marks)
    return plan, rows


def create_large_demo_database(path: str | Path, seed: int = LARGE_SEED, overwrite: bool = False) -> DemoResult:
    """Write the large demo department to ``path`` (a new file) with its planted reference timetable."""
    from ato_desktop.services.compile import compile_database

    path = Path(path)
    if path.exists() and path.stat().st_size > 0:
        if not overwrite:
            raise FileExistsError(f"{path} already exists; choose another file name.")
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    db = open_database(path)
    try:
        _, rows = populate_large(db, seed)
        tts.create_timetable(db, REFERENCE_NAME, notes="Planted by the demo generator: zero hard conflicts.")
        tts.save_rows(db, REFERENCE_NAME, rows)
        comp, assignment, _ = compile_database(db, REFERENCE_NAME)
        return DemoResult(path, assignment, comp.problem, comp.problem.n_sessions)
    finally:
        db.close()
