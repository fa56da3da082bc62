"""Create, read, update, delete and search every resource, with validation.

Each entity is described once by an :class:`EntitySpec` (its fields, their
types and rules). The same description drives validation here, the UI's
table columns and edit forms, and the CSV/XLSX importers.

Items cross the service boundary as plain dicts (``{"id": 3, "code": ...}``);
references to other items are given by *code* (e.g. ``"department": "CSE"``)
so that the CLI, importers and forms speak the user's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from ato_desktop.storage import models as m
from ato_desktop.storage.database import Database
from ato_desktop.services.errors import DependentsError, NotFoundError, ValidationError
from ato_desktop.services.snapshot import RowSnapshot, restore_rows, snapshot_rows

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/\-+ ]*$")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str = "str"  # str | int | bool | choice | ref | refs | list | email | time
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
    ),
    key="id",
    display=_activity_display,
    extra=lambda o: {"label": _activity_display(o), "course_title": o.course.title},
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
    display=lambda o: o.label or o.type,
))


# The parameters each constraint type's engine rule reads from ``ConstraintInstance.params`` (typed, for
# the Constraints page's form). None today: the engine reads only a constraint's weight and whether it
# is enabled; every limit a rule checks is a field of the data, named in CONSTRAINT_DATA.
CONSTRAINT_PARAMS: dict[str, tuple[FieldSpec, ...]] = {}

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
    uses = CONSTRAINT_DATA.get(ctype)
    note = "No parameters to set here: the engine reads only the weight and whether the rule is enabled."
    if uses:
        note += f" The rule uses {uses}."
    return fields, note


def _check_constraint(sp: EntitySpec, obj: Any, row: int | None) -> None:
    """A constraint row is one engine rule: a known type, hard exactly when the engine's rule is, and
    only the parameters the rule reads (typed)."""
    from ato_desktop.engine.problem import DEFAULT_WEIGHTS, HARD_CONSTRAINTS

    if obj.type not in DEFAULT_WEIGHTS:
        raise ValidationError(sp.label, "Type", f"{obj.type!r} is not a rule the engine knows; choose one of "
                              f"{', '.join(DEFAULT_WEIGHTS)}.", row)
    obj.is_hard = obj.type in HARD_CONSTRAINTS
    if not obj.label:
        obj.label = obj.type.replace("_", " ").capitalize()
    schema = {f.name: f for f in CONSTRAINT_PARAMS.get(obj.type, ())}
    params = dict(obj.params or {})
    for name, value in params.items():
        f = schema.get(name)
        if f is None:
            raise ValidationError(sp.label, "Parameters", f"{obj.type} has no parameter {name!r} (the engine "
                                  f"reads {', '.join(schema) or 'none'}).", row)
        params[name] = _clean(sp, f, value, None, row)
    obj.params = params


def spec(entity: str) -> EntitySpec:
    try:
        return ENTITIES[entity]
    except KeyError:
        raise NotFoundError("entity type", entity) from None


# ---------------------------------------------------------------------------
# Conversion between model objects and dicts
# ---------------------------------------------------------------------------
def _ref_key(entity: str, obj: Any) -> Any:
    if obj is None:
        return None
    return getattr(obj, spec(entity).key)


def to_dict(entity: str, obj: Any) -> dict:
    sp = spec(entity)
    out: dict[str, Any] = {"id": obj.id}
    for f in sp.fields:
        if f.kind == "ref":
            out[f.name] = _ref_key(f.ref, getattr(obj, f.name))
        elif f.kind == "refs":
            out[f.name] = [_ref_key(f.ref, o) for o in getattr(obj, f.name)]
        elif f.kind == "list":
            out[f.name] = list(getattr(obj, f.attr) or [])
        elif f.kind == "dict":
            out[f.name] = dict(getattr(obj, f.attr) or {})
        else:
            out[f.name] = getattr(obj, f.attr)
    if sp.extra:
        out.update(sp.extra(obj))
    out["_label"] = sp.describe(obj)
    return out


def _find_by_key(s: Session, entity: str, key: Any) -> Any:
    sp = spec(entity)
    if key is None or key == "":
        return None
    # A Python int is always a row id; text is the entity's natural key (its code).
    # (Matching ints against codes first made room id 2 find the room coded "2".)
    if sp.key == "id" or (isinstance(key, int) and not isinstance(key, bool)):
        return s.get(sp.model, int(key))
    return s.scalar(select(sp.model).where(func.lower(getattr(sp.model, sp.key)) == str(key).strip().lower()))


def _clean(sp: EntitySpec, f: FieldSpec, value: Any, s: Session, row: int | None,
           lookup: Callable[[str], "_Lookup"] | None = None) -> Any:
    """Validate and convert one field value; raise ValidationError with a plain message.

    ``lookup`` (bulk creates) finds references in maps loaded once instead of one query each.
    """
    find = (lambda entity, key: lookup(entity).find(key)) if lookup is not None else \
        (lambda entity, key: _find_by_key(s, entity, key))
    def bad(msg: str) -> ValidationError:
        return ValidationError(sp.label, f.label if f.label else f.name, msg, row)

    if isinstance(value, str):
        value = value.strip()
    empty = value is None or value == "" or (isinstance(value, (list, tuple)) and not value)
    if empty:
        if f.required:
            raise bad("is required.")
        if f.kind in ("ref",):
            return None
        if f.kind == "refs":
            return []
        if f.kind == "list":
            return []
        if f.kind == "dict":
            return {}
        default = f.default
        if f.kind == "int" and default is None:
            raise bad("is required.")
        return default if not isinstance(default, tuple) else list(default)
    if f.kind in ("str", "email"):
        if not isinstance(value, str):
            value = str(value)
        if "\n" in value or "\r" in value:
            raise bad("must be on one line.")
        if len(value) > f.max_len:
            raise bad(f"is too long ({len(value)} characters; at most {f.max_len}).")
        if f.code_like and not CODE_RE.match(value):
            raise bad(f"{value!r} may contain only letters, digits, spaces and . _ / - +, starting with a letter or digit.")
        if f.kind == "email" and not EMAIL_RE.match(value):
            raise bad(f"{value!r} is not an e-mail address (expected name@example.edu).")
        return value
    if f.kind == "int":
        if isinstance(value, bool):
            raise bad("must be a whole number.")
        try:
            if isinstance(value, float):
                if not value.is_integer():
                    raise ValueError
                value = int(value)
            number = int(str(value))
        except (TypeError, ValueError):
            raise bad(f"{value!r} is not a whole number.") from None
        if f.min is not None and number < f.min:
            raise bad(f"must be at least {f.min} (got {number}).")
        if f.max is not None and number > f.max:
            raise bad(f"must be at most {f.max} (got {number}).")
        return number
    if f.kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("1", "true", "yes", "y", "on"):
            return True
        if text in ("0", "false", "no", "n", "off"):
            return False
        raise bad(f"{value!r} is not yes/no.")
    if f.kind == "choice":
        text = str(value)
        for c in f.choices:
            if c.lower() == text.lower() or c.lower().replace("_", " ") == text.lower():
                return c
        raise bad(f"{value!r} is not one of: {', '.join(f.choices)}.")
    if f.kind == "list":
        if isinstance(value, str):
            value = [v for v in (x.strip() for x in value.split(",")) if v]
        return sorted({str(v).strip() for v in value if str(v).strip()})
    if f.kind == "dict":
        if not isinstance(value, dict):
            raise bad("must be a set of named parameters.")
        return value
    if f.kind == "ref":
        obj = find(f.ref, value)
        if obj is None:
            raise bad(f"no {spec(f.ref).label.lower()} {value!r}.")
        return obj
    if f.kind == "refs":
        if isinstance(value, str):
            value = [v for v in (x.strip() for x in value.split(",")) if v]
        objs = []
        for v in value:
            obj = find(f.ref, v)
            if obj is None:
                raise bad(f"no {spec(f.ref).label.lower()} {v!r}.")
            if obj not in objs:
                objs.append(obj)
        return objs
    raise AssertionError(f.kind)


def _check_unique(s: Session, sp: EntitySpec, f: FieldSpec, value: Any, exclude_id: int | None, row: int | None) -> None:
    col = getattr(sp.model, f.attr)
    q = select(sp.model).where(func.lower(col) == str(value).lower())
    if exclude_id is not None:
        q = q.where(sp.model.id != exclude_id)
    other = s.scalar(q)
    if other is not None:
        raise ValidationError(sp.label, f.label, f"{value!r} is already used by {sp.describe(other)}.", row)


def _check_entity_rules(s: Session, sp: EntitySpec, obj: Any, row: int | None) -> None:
    """Rules that involve several fields or other rows."""
    if sp.name == "constraint":
        _check_constraint(sp, obj, row)
    if sp.name == "group" and obj.parent is not None:
        if obj.parent.parent_id is not None:
            raise ValidationError(sp.label, "Section", "a lab batch must belong to a section, not to another batch.", row)
        if obj.parent is obj or (obj.id is not None and obj.parent.id == obj.id):
            raise ValidationError(sp.label, "Section", "a group cannot be its own section.", row)
        if obj.strength > obj.parent.strength:
            raise ValidationError(
                sp.label, "Strength",
                f"a batch of {obj.strength} students is larger than its section {obj.parent.code} ({obj.parent.strength}).",
                row,
            )
        if obj.batches:
            raise ValidationError(sp.label, "Section", "a section that has lab batches cannot itself be a batch.", row)
    if sp.name == "activity":
        if obj.basket is not None and obj.basket.activities:
            others = [a for a in obj.basket.activities if a is not obj]
            for a in others:
                if a.duration != obj.duration or a.sessions_per_week != obj.sessions_per_week:
                    raise ValidationError(
                        sp.label, "Elective basket",
                        f"activities of basket {obj.basket.code} run together, so they need the same sessions per week "
                        f"and duration ({_activity_display(a)} has {a.sessions_per_week} x {a.duration}).",
                        row,
                    )


def _apply(s: Session, sp: EntitySpec, obj: Any, values: dict, row: int | None, partial: bool) -> None:
    unknown = set(values) - {f.name for f in sp.fields} - {"id"}
    if unknown:
        raise ValidationError(sp.label, sorted(unknown)[0], "is not a field of this item.", row)
    for f in sp.fields:
        if partial and f.name not in values:
            continue
        value = _clean(sp, f, values.get(f.name), s, row)
        if f.unique and value not in (None, ""):
            _check_unique(s, sp, f, value, obj.id, row)
        if f.kind == "ref":
            setattr(obj, f.name, value)
        else:
            setattr(obj, f.attr if f.kind != "refs" else f.name, value)


# ---------------------------------------------------------------------------
# Public operations
# ---------------------------------------------------------------------------
def list_items(db: Database, entity: str, *, search: str = "", **filters: Any) -> list[dict]:
    sp = spec(entity)
    with db.read_session() as s:
        # load every reference in a few batched queries, not one query per row (3,000 activities: 4 s -> 0.1 s)
        q = select(sp.model).options(*[selectinload(getattr(sp.model, f.name))
                                       for f in sp.fields if f.kind in ("ref", "refs")])
        text = search.strip().lower()
        if text:
            cols = [getattr(sp.model, f.attr) for f in sp.fields if f.searchable and f.kind in ("str", "email")]
            if cols:
                q = q.where(or_(*[func.lower(c).contains(text) for c in cols]))
        for name, value in filters.items():
            f = sp.field(name)
            if f.kind == "ref":
                target = _find_by_key(s, f.ref, value)
                q = q.where(getattr(sp.model, f.attr) == (target.id if target else -1))
            else:
                q = q.where(getattr(sp.model, f.attr) == value)
        order = getattr(sp.model, sp.key) if sp.key != "id" else sp.model.id
        return [to_dict(entity, o) for o in s.scalars(q.order_by(order))]


def get_item(db: Database, entity: str, key: Any) -> dict:
    with db.read_session() as s:
        obj = _find_by_key(s, entity, key)
        if obj is None:
            raise NotFoundError(spec(entity).label, key)
        return to_dict(entity, obj)


def _commit(s: Session, sp: EntitySpec, row: int | None) -> None:
    try:
        s.flush()
    except IntegrityError as exc:
        raise ValidationError(sp.label, "item", f"conflicts with the database rules ({exc.orig}).", row) from None


def create_item(db: Database, entity: str, values: dict, *, row: int | None = None, session: Session | None = None) -> dict:
    """Create one item; returns it as a dict. ``session`` joins an outer transaction (imports)."""
    sp = spec(entity)
    if session is not None:
        return _create_in(session, sp, entity, values, row)
    with db.session() as s:
        return _create_in(s, sp, entity, values, row)


def _create_in(s: Session, sp: EntitySpec, entity: str, values: dict, row: int | None) -> dict:
    obj = sp.model()
    if "id" in values and values["id"] is not None:
        obj.id = int(values["id"])
    with s.no_autoflush:
        _apply(s, sp, obj, values, row, partial=False)
        _check_entity_rules(s, sp, obj, row)
    s.add(obj)
    _commit(s, sp, row)
    return to_dict(entity, obj)


def update_item(db: Database, entity: str, key: Any, values: dict) -> dict:
    sp = spec(entity)
    with db.session() as s:
        obj = _find_by_key(s, entity, key)
        if obj is None:
            raise NotFoundError(sp.label, key)
        with s.no_autoflush:
            _apply(s, sp, obj, values, None, partial=True)
            _check_entity_rules(s, sp, obj, None)
        _commit(s, sp, None)
        return to_dict(entity, obj)


def dependents(db: Database, entity: str, key: Any) -> dict[str, list[str]]:
    """What depends on an item: ``{"blocking": [...], "removed": [...], "cleared": [...]}``.

    ``blocking`` prevents the delete (RESTRICT); ``removed`` goes with it
    (CASCADE); ``cleared`` loses its reference (SET NULL).
    """
    sp = spec(entity)
    with db.read_session() as s:
        obj = _find_by_key(s, entity, key)
        if obj is None:
            raise NotFoundError(sp.label, key)
        return _dependents(s, entity, obj)


def _dependents(s: Session, entity: str, obj: Any) -> dict[str, list[str]]:
    blocking: list[str] = []
    removed: list[str] = []
    cleared: list[str] = []
    if entity == "department":
        for model, what in ((m.Faculty, "faculty"), (m.StudentGroup, "group"), (m.Course, "course")):
            for o in s.scalars(select(model).where(model.department_id == obj.id)):
                blocking.append(f"{spec(what).label} {spec(what).describe(o)}")
        for o in s.scalars(select(m.Room).where(m.Room.department_id == obj.id)):
            cleared.append(f"Room {o.code} (loses its owner department)")
    elif entity == "faculty":
        for a in s.scalars(select(m.Activity).join(m.activity_faculty).where(m.activity_faculty.c.faculty_id == obj.id)):
            removed.append(f"{obj.code} as teacher of {_activity_display(a)}")
    elif entity == "group":
        for b in obj.batches:
            removed.append(f"Lab batch {b.code}")
        for a in s.scalars(select(m.Activity).join(m.activity_group).where(m.activity_group.c.group_id == obj.id)):
            removed.append(f"{obj.code} from {_activity_display(a)}")
    elif entity == "course":
        for a in obj.activities:
            removed.append(f"Activity {_activity_display(a)} and its scheduled sessions")
    elif entity == "activity":
        n = s.scalar(select(func.count()).select_from(m.SessionAssignment).where(m.SessionAssignment.activity_id == obj.id))
        if n:
            removed.append(f"{n} scheduled session(s) in timetables")
    elif entity == "room":
        n = s.scalar(select(func.count()).select_from(m.SessionAssignment).where(m.SessionAssignment.room_id == obj.id))
        if n:
            cleared.append(f"{n} scheduled session(s) lose their room")
        for a in s.scalars(select(m.Activity).where(m.Activity.preferred_room_id == obj.id)):
            cleared.append(f"{_activity_display(a)} loses its preferred room")
    elif entity == "basket":
        for a in obj.activities:
            cleared.append(f"{_activity_display(a)} leaves the basket")
    return {"blocking": blocking, "removed": removed, "cleared": cleared}


def delete_item(db: Database, entity: str, key: Any) -> RowSnapshot:
    """Delete an item and everything that cascades; returns a snapshot that :func:`restore` undoes."""
    sp = spec(entity)
    with db.session() as s:
        obj = _find_by_key(s, entity, key)
        if obj is None:
            raise NotFoundError(sp.label, key)
        deps = _dependents(s, entity, obj)
        if deps["blocking"]:
            raise DependentsError(sp.label, sp.describe(obj), deps["blocking"])
        snap = snapshot_rows(s.connection(), sp.model.__table__, [obj.id])
        s.delete(obj)
        s.flush()
        return snap


def restore(db: Database, snap: RowSnapshot) -> None:
    """Put back what :func:`delete_item` removed (undo), in one transaction."""
    with db.session() as s:
        restore_rows(s.connection(), snap)


def count_items(db: Database, entity: str) -> int:
    sp = spec(entity)
    with db.read_session() as s:
        return int(s.scalar(select(func.count()).select_from(sp.model)) or 0)


def bulk_create(db: Database, entity: str, rows: Iterable[dict], *, first_row: int = 1) -> list[dict]:
    """Create many items in ONE transaction: all or nothing.

    Every row is validated; if any fails, a :class:`BulkValidationError` lists
    each bad row with its number and nothing is written.

    Linear in the number of rows: references and unique values are looked up in
    maps loaded once per call (:class:`BulkCreator`), and rows are written in
    batches; only a batch that the database refuses is replayed row by row, so each
    error names its own row exactly as a row-by-row create would.
    """
    sp = spec(entity)
    with db.session() as s:
        creator = BulkCreator(s, entity)
        for i, values in enumerate(rows, start=first_row):
            creator.add(values, i)
        creator.finish()
        if creator.errors:
            s.rollback()
            raise BulkValidationError(sp.plural, creator.errors)
        return [to_dict(entity, o) for o in creator.created]


def _sql_lower(text: str) -> str:
    """SQLite's ``lower()``: only ASCII letters change case."""
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class _Lookup:
    """Every item of one entity by id and by ``lower(<attr>)``, loaded once (see :class:`BulkCreator`).

    Matches exactly as the per-row queries do: ``lower(column) == value.lower()`` where
    the column side is SQLite's ASCII-only ``lower()``.
    """

    def __init__(self, s: Session, entity: str, on_miss: Callable[[], None]):
        self.s = s
        self.spec = spec(entity)
        self.on_miss = on_miss
        self.by_id: dict[int, Any] = {}
        self.attrs = [self.spec.key] if self.spec.key != "id" else []
        self.attrs += [f.attr for f in self.spec.fields if f.unique and f.attr not in self.attrs]
        self.by_attr: dict[str, dict[str, list[Any]]] = {a: {} for a in self.attrs}
        with s.no_autoflush:
            for obj in s.scalars(select(self.spec.model)):
                self.put(obj)

    def put(self, obj: Any) -> None:
        if obj.id is not None:
            self.by_id[obj.id] = obj
        for a, index in self.by_attr.items():
            value = getattr(obj, a)
            if value is not None:
                index.setdefault(_sql_lower(str(value)), []).append(obj)

    def drop(self, obj: Any) -> None:
        if obj.id is not None and self.by_id.get(obj.id) is obj:
            del self.by_id[obj.id]
        for index in self.by_attr.values():
            for bucket in index.values():
                if obj in bucket:
                    bucket.remove(obj)

    def find(self, key: Any) -> Any:
        """As :func:`_find_by_key` (an int is a row id; text the natural key), without a query per call."""
        if key is None or key == "":
            return None
        if self.spec.key == "id" or (isinstance(key, int) and not isinstance(key, bool)):
            obj = self.by_id.get(int(key))
            if obj is None:
                self.on_miss()  # rows queued in this call get their ids, as a row-by-row create would have
                obj = self.s.get(self.spec.model, int(key))
                if obj is not None:
                    self.by_id[obj.id] = obj
            return obj
        bucket = self.by_attr[self.spec.key].get(str(key).strip().lower())
        return bucket[0] if bucket else None

    def other_with(self, attr: str, value: Any, exclude_id: int | None) -> Any:
        """As :func:`_check_unique`'s query: another item whose ``attr`` equals ``value`` case-insensitively."""
        for obj in self.by_attr[attr].get(str(value).lower(), ()):
            if exclude_id is None or obj.id != exclude_id:
                return obj
        return None


class _Proxy:
    """The cleaned values of a row not yet made into a model object (for :func:`_check_entity_rules`)."""

    def __init__(self, values: dict):
        self.__dict__.update(values)


class BulkCreator:
    """Create many items of one entity in an open write session, as :func:`create_item` would one by one.

    ``add(values, row)`` validates a row (same checks, same messages) and queues it;
    rows are written in batches inside a savepoint, and a batch the database refuses
    is rolled back and replayed row by row so the error names its row. ``finish()``
    writes what is queued. Errors collect in ``errors`` (row order); created objects
    in ``created`` (input order). The caller commits or rolls back.
    """

    BATCH = 500

    def __init__(self, s: Session, entity: str):
        self.s = s
        self.entity = entity
        self.spec = spec(entity)
        self.errors: list[ValidationError] = []
        self.created: list[Any] = []
        self._lookups: dict[str, _Lookup] = {}
        self._batch: list[tuple[Any, dict, int | None]] = []
        self._nested = None
        # this entity's own items must be indexed before any row is queued (unique values, self-references)
        if any(f.unique for f in self.spec.fields) or any(f.ref == entity for f in self.spec.fields):
            self.lookup(entity)

    def lookup(self, entity: str) -> _Lookup:
        if entity not in self._lookups:
            self._lookups[entity] = _Lookup(self.s, entity, self._write_batch)
        return self._lookups[entity]

    # -- one row ------------------------------------------------------------
    def _clean_row(self, values: dict, row: int | None) -> dict:
        """Every field cleaned, exactly as :func:`_apply` + :func:`_check_entity_rules` check a new item."""
        sp = self.spec
        unknown = set(values) - {f.name for f in sp.fields} - {"id"}
        if unknown:
            raise ValidationError(sp.label, sorted(unknown)[0], "is not a field of this item.", row)
        own_id = int(values["id"]) if values.get("id") is not None else None
        cleaned: dict[str, Any] = {}
        for f in sp.fields:
            value = _clean(sp, f, values.get(f.name), self.s, row, lookup=self.lookup)
            if f.unique and value not in (None, ""):
                other = self.lookup(self.entity).other_with(f.attr, value, own_id)
                if other is not None:
                    raise ValidationError(sp.label, f.label, f"{value!r} is already used by {sp.describe(other)}.", row)
            cleaned[f.name] = value
        proxy = _Proxy({**cleaned, "id": own_id, "batches": []})
        with self.s.no_autoflush:
            _check_entity_rules(self.s, sp, proxy, row)
        if sp.name == "constraint":  # what the rules set (is_hard from the engine, the default label)
            cleaned.update(is_hard=proxy.is_hard, label=proxy.label, params=proxy.params)
        return cleaned

    def _make(self, values: dict, cleaned: dict) -> Any:
        obj = self.spec.model()
        if values.get("id") is not None:
            obj.id = int(values["id"])
        with self.s.no_autoflush:
            for f in self.spec.fields:
                setattr(obj, f.name if f.kind in ("ref", "refs") else f.attr, cleaned[f.name])
        self.s.add(obj)
        own = self._lookups.get(self.entity)
        if own is not None:
            own.put(obj)
        return obj

    def _forget(self, obj: Any) -> None:
        own = self._lookups.get(self.entity)
        if own is not None:
            own.drop(obj)

    def add(self, values: dict, row: int | None) -> bool:
        """Validate and queue one row; False (and the error in ``errors``) if it is invalid."""
        try:
            cleaned = self._clean_row(values, row)  # may write the batch (a reference by id to a queued row)
        except ValidationError as exc:
            exc.row = row
            self.errors.append(exc)
            return False
        if self._nested is None:
            self._nested = self.s.begin_nested()  # before the row joins the session: a failed batch rolls back alone
        self._batch.append((self._make(values, cleaned), values, row))
        if len(self._batch) >= self.BATCH:
            self._write_batch()
        return True

    def flush(self) -> None:
        """Write the queued rows now (their refusals join ``errors``)."""
        self._write_batch()

    def finish(self) -> None:
        self._write_batch()
        self.errors.sort(key=lambda e: (e.row is None, e.row or 0))

    # -- writing ------------------------------------------------------------
    def _write_batch(self) -> None:
        nested, batch = self._nested, self._batch
        self._nested, self._batch = None, []
        if nested is None:
            return
        if not batch:
            nested.commit()
            return
        try:
            self.s.flush()
            nested.commit()
            self.created.extend(obj for obj, _, _ in batch)
            return
        except IntegrityError:
            nested.rollback()
        for obj, _, _ in batch:
            self._forget(obj)
        for _, values, row in batch:  # replay one by one: each refusal names its own row
            one = self.s.begin_nested()
            try:
                obj = self._make(values, self._clean_row(values, row))
            except ValidationError as exc:
                one.rollback()
                exc.row = row
                self.errors.append(exc)
                continue
            try:
                self.s.flush()
            except IntegrityError as exc:
                one.rollback()
                self._forget(obj)
                self.errors.append(ValidationError(self.spec.label, "item",
                                                   f"conflicts with the database rules ({exc.orig}).", row))
                continue
            one.commit()
            self.created.append(obj)


class BulkValidationError(ValidationError):
    def __init__(self, what: str, errors: list[ValidationError]):
        self.errors = errors
        Exception.__init__(
            self,
            f"{len(errors)} row(s) of {what} have errors; nothing was imported. "
            + " ".join(str(e) for e in errors[:5]) + (" …" if len(errors) > 5 else ""),
        )
        self.entity, self.field, self.problem, self.row = what, "rows", str(self), None
