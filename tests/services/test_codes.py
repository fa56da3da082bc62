"""Issue 16: codes for faculty, rooms and groups proposed from the name, unique in the database."""

from __future__ import annotations

from ato_desktop.services import codes
from ato_desktop.services import resources as res


def test_rules_from_names():
    assert codes.faculty_code("Dr. Meenakshi Sundaram") == "MS"
    assert codes.faculty_code("Prof. K. R. Rao") == "KRR"
    assert codes.faculty_code("Rao") == "RAO"
    assert codes.faculty_code("Smt. Élise D'Souza") == "EDS"
    assert codes.faculty_code("डॉ. मीनाक्षी") == ""  # no Latin letters: the service falls back to F1, F2…
    assert codes.room_code("Computer Lab 2") == "CL2"
    assert codes.room_code("Room 101") == "R101"
    assert codes.room_code("Seminar Hall") == "SH"
    assert codes.group_code("", department="CSE", semester=3, section="A") == "CSE-3A"
    assert codes.group_code("", parent="CSE-3A", taken={"CSE-3A-B1"}) == "CSE-3A-B2"
    assert codes.unique_code("MS", {"MS", "MS2"}) == "MS3"
    assert codes.unique_code("CL2", {"CL2"}) == "CL2-2"
    assert codes.unique_code("CSE-3A", {"CSE-3A"}) == "CSE-3A-2"


def test_proposals_are_free_codes_of_this_database(demo_db):
    db = demo_db
    assert codes.propose_code(db, "faculty", {"name": ""}) == ""
    first = codes.propose_code(db, "faculty", {"name": "Dr. Meenakshi Sundaram"})
    assert first.startswith("MS")
    res.create_item(db, "faculty", {"code": first, "name": "Dr. Meenakshi Sundaram", "department": "CSE"})
    second = codes.propose_code(db, "faculty", {"name": "Ms. Mala Subramanian"})
    assert second.startswith("MS") and second != first
    assert second.upper() not in {f["code"].upper() for f in res.list_items(db, "faculty")}
    assert codes.propose_code(db, "faculty", {"name": "डॉ. मीनाक्षी"}) == "F1"
    room = codes.propose_code(db, "room", {"name": "Seminar Hall"})
    assert room.upper() not in {r["code"].upper() for r in res.list_items(db, "room")}
    group_codes = {g["code"].upper() for g in res.list_items(db, "group")}
    assert "CSE-3A" in group_codes  # the demo's section: a new one with the same name gets a number
    assert codes.propose_code(db, "group", {"department": "CSE", "semester": 3, "section": "A"}) == "CSE-3A-2"
    batch = codes.propose_code(db, "group", {"parent": "CSE-3A", "name": ""})
    assert batch.startswith("CSE-3A-B") and batch.upper() not in group_codes
