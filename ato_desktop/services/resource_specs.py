"""What each resource is: its fields, their types and rules (one :class:`EntitySpec` per entity).

The same description drives validation (``services.resources``), the UI's table columns and edit
forms, and the CSV/XLSX importers. Constraint types have typed parameters (``constraint_params``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from ato_desktop.services.errors import NotFoundError
from ato_desktop.storage import models as m

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/\-+ ]*$")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str = "str"  # str | int | bool | choice | ref | refs | list | email | time | limits (code -> int) | relations
    required: bool = False
    default: Any = None
    min: int | None = None
    max: int | None = None
    max_len: int = 200
    choices: tuple[str, ...] = ()
    ref: str | None = None  # entity name for ref / refs
    column: str | None = None  # model attribute (defaults to name; for ref: "<name>_id")
    unique: bool = False
    code_like: bool = False
    help: str = ""
    searchable: bool = False
    readonly: bool = False  # shown in forms but not editable there (the services or the engine set it)

    @property
    def attr(self) -> str:
        if self.column:
            return self.column
        return f"{self.name}_id" if self.kind == "ref" else self.name


@dataclass(frozen=True)
class EntitySpec:
    name: str  # "faculty"
    label: str  # "Faculty member"
    plural: str
    model: type
    fields: tuple[FieldSpec, ...]
    key: str = "code"  # the field users refer to it by
    display: Callable[[Any], str] | None = None
    extra: Callable[[Any], dict] | None = None  # derived read-only values for lists

    def field(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def describe(self, obj: Any) -> str:
        if self.display:
            return self.display(obj)
        return str(getattr(obj, self.key))


def _f(name, label, kind="str", **kw) -> FieldSpec:
    return FieldSpec(name, label, kind, **kw)


ENTITIES: dict[str, EntitySpec] = {}


def _register(spec: EntitySpec) -> EntitySpec:
    ENTITIES[spec.name] = spec
    return spec


_register(EntitySpec(
    "department", "Department", "Departments", m.Department,
    (
        _f("code", "Code", required=True, unique=True, code_like=True, max_len=20, searchable=True),
        _f("name", "Name", required=True, searchable=True),
        _f("is_home", "Home department", "bool", default=False),
    ),
    display=lambda o: f"{o.code} ({o.name})",
))

_register(EntitySpec(
    "faculty", "Faculty member", "Faculty", m.Faculty,
    (
        _f("code", "Code", required=True, unique=True, code_like=True, max_len=20, searchable=True,
           help="Short code or initials shown on timetables, e.g. SRA"),
        _f("name", "Name", required=True, searchable=True),
        _f("email", "E-mail", "email", default="", max_len=254, searchable=True),
        _f("designation", "Designation", "choice", choices=m.DESIGNATIONS, default="Assistant Professor"),
        _f("department", "Department", "ref", ref="department", required=True),
        _f("max_weekly_periods", "Max periods / week", "int", default=16, min=0, max=60),
        _f("max_daily_periods", "Max periods / day", "int", default=0, min=0, max=16, help="0 = no limit"),
        _f("max_consecutive", "Max consecutive periods", "int", default=0, min=0, max=16, help="0 = no limit"),
        _f("max_days", "Max days on campus", "int", default=0, min=0, max=7, help="0 = no limit"),
    ),
    display=lambda o: f"{o.name} ({o.code})",
    extra=lambda o: {"department_name": o.department.name if o.department else ""},
))

_register(EntitySpec(
    "room", "Room", "Rooms", m.Room,
    (
        _f("code", "Code", required=True, unique=True, code_like=True, max_len=20, searchable=True),
        _f("name", "Name", default="", searchable=True),
        _f("building", "Building", default="", searchable=True),
        _f("capacity", "Capacity", "int", required=True, min=1, max=5000),
        _f("kind", "Kind", "choice", choices=m.ROOM_KINDS, default="classroom"),
        _f("features", "Features", "list", default=(), searchable=True,
           help="Comma-separated, e.g. projector, GPU workstations"),
        _f("department", "Owner department", "ref", ref="department"),
        _f("shared", "Shared with other departments", "bool", default=False),
    ),
))

_register(EntitySpec(
    "group", "Student group", "Student groups", m.StudentGroup,
    (
        _f("code", "Code", required=True, unique=True, code_like=True, max_len=40, searchable=True,
           help="e.g. CSE-3A for a section, CSE-3A-B1 for a lab batch"),
        _f("name", "Name", default="", searchable=True),
        _f("department", "Department", "ref", ref="department", required=True),
        _f("programme", "Programme", default="B.Tech", max_len=100, searchable=True),
        _f("semester", "Semester", "int", default=1, min=1, max=12),
        _f("section", "Section", default="", max_len=10),
        _f("strength", "Strength", "int", required=True, min=1, max=5000),
        _f("parent", "Section (for a lab batch)", "ref", ref="group"),
        _f("email", "Class e-mail", "email", default="", max_len=254, searchable=True,
           help="The class representative's address or the class mailing list (told of substitutions)"),
    ),
))

_register(EntitySpec(
    "course", "Course", "Courses", m.Course,
    (
        _f("code", "Code", required=True, unique=True, code_like=True, max_len=20, searchable=True),
        _f("title", "Title", required=True, searchable=True),
        _f("credits", "Credits", "int", default=3, min=0, max=40),
        _f("lecture_hours", "L", "int", default=3, min=0, max=20),
        _f("tutorial_hours", "T", "int", default=0, min=0, max=20),
        _f("practical_hours", "P", "int", default=0, min=0, max=20),
        _f("category", "NEP category", "choice", choices=m.NEP_CATEGORIES, default="major"),
        _f("department", "Department", "ref", ref="department", required=True),
    ),
    display=lambda o: f"{o.code} {o.title}",
))

_register(EntitySpec(
    "basket", "Elective basket", "Elective baskets", m.ElectiveBasket,
    (
        _f("code", "Code", required=True, unique=True, code_like=True, max_len=20, searchable=True),
        _f("name", "Name", required=True, searchable=True),
        _f("cohorts", "Cohorts (groups choosing)", "refs", ref="group"),
    ),
))


def _activity_display(o: m.Activity) -> str:
    groups = ", ".join(g.code for g in o.groups) or "no group"
    return f"{o.course.code} {o.kind} ({groups})"


_register(EntitySpec(
    "activity", "Activity", "Activities", m.Activity,
    (
        _f("course", "Course", "ref", ref="course", required=True),
        _f("kind", "Kind", "choice", choices=m.ACTIVITY_KINDS, default="L"),
        _f("groups", "Student groups", "refs", ref="group", required=True),
        _f("faculty", "Faculty", "refs", ref="faculty", required=True),
        _f("sessions_per_week", "Sessions / week", "int", default=3, min=1, max=20),
        _f("duration", "Duration (periods)", "int", default=1, min=1, max=6),
        _f("room_kind", "Room kind", "choice", choices=m.ROOM_KINDS, default="classroom"),
        _f("required_features", "Required features", "list", default=()),
        _f("preferred_room", "Preferred room", "ref", ref="room"),
        _f("min_days", "Spread over at least (days)", "int", default=0, min=0, max=7,
           help="0 = as many days as sessions"),
        _f("basket", "Elective basket", "ref", ref="basket"),
        _f("note", "Note", default="", searchable=True),
        _f("student_count", "Students (room size)", "int", default=0, min=0, max=100_000,
           help="0 = the sum of its groups' strengths; else the students its room must seat (FET's number of "
                "students of an activity)"),
    ),
    key="id",
    display=_activity_display,
    # student_count: 0 where not stored (NULL: the groups' strengths), as the form and the files say it
    extra=lambda o: {"label": _activity_display(o), "course_title": o.course.title,
                     "student_count": o.student_count or 0},
))

_register(EntitySpec(
    "constraint", "Constraint", "Constraints", m.ConstraintInstance,
    (
        _f("type", "Type", required=True, unique=True, max_len=40, searchable=True,
           help="The engine rule this row sets the weight of"),
        _f("label", "Label", default="", searchable=True, readonly=True, help="The rule's name"),
        _f("is_hard", "Hard", "bool", default=False, readonly=True,
           help="Set by the engine: hard rules must hold, soft ones are costs"),
        _f("weight", "Weight", "int", default=1, min=0, max=1_000_000,
           help="Cost of each violation (hard rules: of each conflict)"),
        _f("enabled", "Enabled", "bool", default=True, help="Off = weight 0: the rule is ignored"),
        _f("params", "Parameters", "dict", default=None),
    ),
    key="type",
    # the rule in the coordinator's words (issue 16 §4), whatever label the row was stored with (the large
    # demo and the FET import stored the engine's name, "Activities consecutive")
    display=lambda o: _rule_words(o.type, o.label),
    extra=lambda o: {"label": _rule_words(o.type, o.label)},
))


def _rule_words(rule: str, stored: str | None) -> str:
    from ato_desktop.rule_names import RULE_NAMES

    return RULE_NAMES.get(rule) or stored or rule


# The parameters each constraint type's engine rule reads from ``ConstraintInstance.params`` (typed, for
# the Constraints page's form). Most rules read only their weight and whether they are enabled (every
# limit they check is a field of the data, named in CONSTRAINT_DATA); the day profile's rules (issue 17)
# keep their per-resource limits here (``storage.compile_profile``).
def _profile_params(kinds: tuple[str, ...], what: str, *, empty_days: bool = False) -> tuple[FieldSpec, ...]:
    out = []
    if "faculty" in kinds:
        out.append(_f("faculty_limit", "Every faculty member", "int", default=-1, min=-1, max=100,
                      help=f"{what} for every faculty member; -1 = no limit"))
    if "group" in kinds:
        out.append(_f("group_limit", "Every student group", "int", default=-1, min=-1, max=100,
                      help=f"{what} for every student group (a section's lab batches each); -1 = no limit"))
    out.append(_f("overrides", "Per faculty member or group", "limits",
                  help="CODE=limit, separated by commas (e.g. T1=2, CSE-3A=0); a section's limit applies to its "
                       "lab batches; -1 = no limit for that one"))
    if empty_days:
        out.append(_f("allow_empty_days", "Days without classes are fine", "bool", default=True,
                      help="Off: every day needs the minimum"))
        out.append(_f("no_empty_days", "Every day needs the minimum for", "list",
                      help="codes of faculty members or groups, separated by commas"))
    return tuple(out)


def _day_profile_params() -> dict[str, tuple[FieldSpec, ...]]:
    from ato_desktop.storage.compile_profile import PROFILE_RULES

    what = {"max_gaps_week": "Most idle periods a week", "max_gaps_day": "Most idle periods a day",
            "min_hours_daily": "Fewest periods on a day", "early_start": "Most days starting at the second period",
            "group_max_daily": "Most periods a day", "group_max_consecutive": "Most periods in a row",
            "min_days_week": "Fewest days with classes",
            "interval_max_days": "Most days with a class in the part of the day below",
            "max_building_changes_day": "Most changes of building a day",
            "max_building_changes_week": "Most changes of building a week",
            "min_gaps_building_changes": "Fewest free periods between classes in two buildings"}
    out = {rule: _profile_params(kinds, what[rule], empty_days=rule == "min_hours_daily")
           for rule, (_, _, kinds) in PROFILE_RULES.items()}
    out["interval_max_days"] += tuple(
        _f(f"{kind}_{end}", f"{who}: {word} period", "int", default=1, min=1, max=30,
           help=f"the part of the day the limit is about, for {who.lower()}: its {word} period (1 = the day's first)")
        for kind, who in (("faculty", "Faculty"), ("group", "Groups")) for end, word in (("from", "first"),
                                                                                         ("to", "last")))
    return out


CONSTRAINT_PARAMS: dict[str, tuple[FieldSpec, ...]] = _day_profile_params()
# Kept in a constraint's parameters by the FET import as a note (not read by the engine, not edited).
PARAM_NOTES = ("fet_weight_percentage",)
# A soft rule that must hold here (``params["must"] is True``): it counts in the hard total (``Problem.must``;
# a FET constraint at 100 %, docs/constraints.md "FET weights"). Set in the form's "Must hold" box.
MUST_PARAM = "must"
PROFILE_NOTES = {
    "max_gaps_week": "Idle periods (free periods between a day's classes; breaks and unavailable periods "
                     "are not idle) in the week above the limit count.",
    "max_gaps_day": "Idle periods in a day above the limit count, per day.",
    "min_hours_daily": "On each day with classes, the periods missing to the minimum count.",
    "early_start": "A group's day starts at its first period: a later start counts, and starts at the second "
                   "period count beyond the limit (the number of days that may start then).",
    "group_max_daily": "A student group's periods in a day above the limit count (faculty: Max periods / day).",
    "group_max_consecutive": "A student group's periods in a row above the limit count (faculty: Max "
                             "consecutive periods).",
    "min_days_week": "The days a faculty member comes, below the minimum, count.",
    "interval_max_days": "The days with a class in a part of the day (from its first to its last period, "
                         "e.g. the first period only), above the limit, count.",
    "max_building_changes_day": "Two classes one after the other on a day in rooms of different buildings (the "
                                "rooms' Building field) are a change; the changes of a day above the limit count.",
    "max_building_changes_week": "The changes of building in the week above the limit count.",
    "min_gaps_building_changes": "Per change of building, the free periods missing to the minimum count "
                                 "(a break between counts as a free period, as in FET).",
}
# The relations between activities (issue 17) read their relations, each a set of activities
# (storage.relations).

_RELATION_HELP = {
    "activities_not_overlapping": "Each relation: activities never held at the same time",
    "activities_consecutive": "Each relation: two activities, the second right after the first, the same day",
    "activities_grouped": "Each relation: two or three activities back to back on one day, in any order",
    "activity_ends_day": "Each relation: activities after which their students have no class that day",
    "activities_min_gaps": "Each relation: activities at least the minimum gap apart on the same day",
    "activities_same_day": "Each relation: activities starting on the same day",
    "activities_same_room": "Each relation: activities that keep one room when held back to back",
    "activities_max_daily": "Each relation: a teacher's or class's activities of one kind (e.g. labs) and the most "
                            "periods they may take in a day",
    "activities_max_consecutive": "Each relation: a teacher's or class's activities of one kind and the most "
                                  "periods of them in a row",
    "activities_ordered_min_gaps": "Each relation: two activities, the second at least the minimum gap after the "
                                   "first when it follows it on the same day",
}
for _rule, _help in _RELATION_HELP.items():
    CONSTRAINT_PARAMS[_rule] = (_f("relations", "Relations", "relations", ref="activity", default=(), help=_help),)

CONSTRAINT_DATA: dict[str, str] = {
    "unscheduled": "every session of every activity",
    "resource_unavailable": "the availability marks of faculty and student groups",
    "room_unavailable": "the rooms' availability marks",
    "session_unavailable": "each activity's time marks",
    "break_overlap": "the calendar's breaks",
    "day_overflow": "the activities' durations and the calendar",
    "room_unsuitable": "each activity's room kind, features and students, and the rooms' kind, features and capacity",
    "sync_mismatch": "the elective baskets",
    "locked_moved": "the locked sessions of the timetable",
    "daily_load": "each faculty member's Max periods / day",
    "min_days": "each activity's Spread over at least (days)",
    "room_capacity": "the rooms' capacities and the groups' strengths",
    "resource_undesired": "the undesired periods of faculty and student groups",
    "resource_not_preferred": "the preferred periods of faculty and student groups",
    "max_consecutive": "each faculty member's Max consecutive periods",
    "session_not_preferred": "each activity's preferred times",
    "max_days": "each faculty member's Max days on campus",
}


def constraint_params(ctype: str) -> tuple[tuple[FieldSpec, ...], str]:
    """(typed parameters, a sentence on what the rule reads) of a constraint type, for its form."""
    fields = CONSTRAINT_PARAMS.get(ctype, ())
    if ctype in PROFILE_NOTES:
        return fields, PROFILE_NOTES[ctype] + " A limit of -1 means no limit."
    if ctype in _RELATION_HELP:
        return fields, f"{_RELATION_HELP[ctype]} (pick them with Add…). The weight applies to every relation."
    uses = CONSTRAINT_DATA.get(ctype)
    note = "No parameters to set here: the engine reads only the weight and whether the rule is enabled."
    if uses:
        note += f" The rule uses {uses}."
    return fields, note


def spec(entity: str) -> EntitySpec:
    try:
        return ENTITIES[entity]
    except KeyError:
        raise NotFoundError("entity type", entity) from None


# ---------------------------------------------------------------------------
# Conversion between model objects and dicts
# ---------------------------------------------------------------------------
