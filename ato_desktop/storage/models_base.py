"""The declarative base every table shares: its naming convention, ``utcnow`` and the checked
enumerations (kinds, statuses) the tables' CHECK constraints list.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    MetaData,
)
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# ---- enumerations kept as checked strings (portable, readable in the file) ----
ROOM_KINDS = ("classroom", "lab", "tutorial_room", "seminar_hall", "auditorium")
ACTIVITY_KINDS = ("L", "T", "P")
ACTIVITY_KIND_NAMES = {"L": "Lecture", "T": "Tutorial", "P": "Practical"}
NEP_CATEGORIES = (
    "major",  # Discipline-specific core (major)
    "minor",
    "multidisciplinary",
    "ability_enhancement",  # AEC
    "skill_enhancement",  # SEC
    "value_added",  # VAC
    "elective",  # discipline-specific elective
    "project",  # internship / project / dissertation
)
DESIGNATIONS = (
    "Professor",
    "Associate Professor",
    "Assistant Professor",
    "Lecturer",
    "Visiting Faculty",
    "Lab Instructor",
)
AVAILABILITY_STATES = ("unavailable", "undesired", "preferred")
# draft → submitted (for review) → approved or returned (with comments) → published → archived
# (docs/versions.md); every transition is a ``timetable_event`` row.
TIMETABLE_STATUSES = ("draft", "submitted", "returned", "approved", "published", "archived")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
