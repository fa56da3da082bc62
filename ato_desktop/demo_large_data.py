"""The facts of the large demo department (:mod:`ato_desktop.demo_large`): its faculty and their
colleagues in other departments, rooms and laboratories, the courses of each semester, sections and
batches, and the elective baskets shared with other departments."""

from __future__ import annotations

from dataclasses import dataclass

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
