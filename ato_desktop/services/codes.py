"""Codes proposed from names, so a coordinator need not invent 80 of them (issue 16).

``propose_code(db, entity, values)`` for ``faculty``, ``room`` and ``group`` (and any other entity with a
``code`` and a ``name``) returns a code the forms put in an empty, untouched Code field; the user may
change it. It is unique in the database (codes are unique across departments): a number is added when
the natural code is taken ("MS", then "MS2", "MS3"…; "CSE-3A-2").

* Faculty: initials of the name without honorifics — "Dr. Meenakshi Sundaram" → "MS",
  "Prof. K. R. Rao" → "KRR", a single name → its first three letters ("Rao" → "RAO").
* Rooms: initials of the words and the numbers as they are — "Computer Lab 2" → "CL2", "Room 101" → "R101",
  "Seminar Hall" → "SH".
* Student groups: the department's code, the semester and the section — "CSE-3A"; a lab batch
  (with a section as parent) the section's code and "-B1", "-B2"…; otherwise initials of the name.

Names in an Indian script (no Latin letters) get a neutral code: "F1", "R1", "G1"…
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select

from ato_desktop.services import resources as res
from ato_desktop.storage.database import Database

HONORIFICS = {"dr", "prof", "professor", "mr", "mrs", "ms", "miss", "shri", "sri", "smt", "kum", "er", "sir",
              "madam", "mx", "late", "capt", "col"}
FALLBACK_PREFIX = {"faculty": "F", "room": "R", "group": "G", "course": "C", "department": "D", "basket": "E"}


def _ascii(text: str) -> str:
    """Latin letters without their accents; other scripts drop out."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[^A-Za-z0-9]+", _ascii(name)) if w]


def faculty_code(name: str) -> str:
    words = [w for w in _words(name) if w.lower() not in HONORIFICS and not w.isdigit()]
    if not words:
        return ""
    if len(words) == 1:
        return words[0][:3].upper()
    return "".join(w[0] for w in words).upper()[:6]


def room_code(name: str) -> str:
    words = _words(name)
    out = "".join(w if w.isdigit() else w[0].upper() for w in words)
    return out[:12]


def group_code(name: str, *, department: str | None = None, semester: int | None = None,
               section: str | None = None, parent: str | None = None, taken: set[str] | None = None) -> str:
    if parent:
        taken = taken or set()
        n = 1
        while f"{parent}-B{n}".upper() in taken:
            n += 1
        return f"{parent}-B{n}"
    sec = _ascii(section or "").strip().replace(" ", "")
    if department and semester:
        return f"{department}-{semester}{sec.upper()}"
    return room_code(name)


def _taken_codes(db: Database, entity: str) -> set[str]:
    model = res.spec(entity).model
    with db.session() as s:
        return {str(c).upper() for c in s.scalars(select(model.code))}


def unique_code(base: str, taken: set[str]) -> str:
    """``base``, or ``base`` with the smallest number from 2 that makes it free (case-insensitively)."""
    if base.upper() not in taken:
        return base
    sep = "-" if base[-1:].isdigit() or "-" in base else ""  # "MS2", but "CL2-2" and "CSE-3A-2"
    n = 2
    while f"{base}{sep}{n}".upper() in taken:
        n += 1
    return f"{base}{sep}{n}"


def propose_code(db: Database, entity: str, values: dict) -> str:
    """A free code for a new ``entity`` from its form ``values`` (name, department, semester, section, parent).

    Returns "" when there is nothing to go on yet (no name, nor department and semester for a group)."""
    name = str(values.get("name") or values.get("title") or "").strip()
    taken = _taken_codes(db, entity)
    if entity == "faculty":
        base = faculty_code(name)
    elif entity == "room":
        base = room_code(name)
    elif entity == "group":
        semester = values.get("semester")
        base = group_code(name, department=values.get("department") or None,
                          semester=int(semester) if semester else None, section=values.get("section") or None,
                          parent=values.get("parent") or None, taken=taken)
        if values.get("parent"):
            return base
    else:
        base = room_code(name)
    if not base:
        if not name:
            return ""
        prefix = FALLBACK_PREFIX.get(entity, "X")
        n = 1
        while f"{prefix}{n}" in taken:
            n += 1
        return f"{prefix}{n}"
    return unique_code(base, taken)
