"""Create, read, update, delete and search every resource, with validation.

Each entity is described once by an :class:`EntitySpec` (its fields, their
types and rules). The same description drives validation here, the UI's
table columns and edit forms, and the CSV/XLSX importers.

Items cross the service boundary as plain dicts (``{"id": 3, "code": ...}``);
references to other items are given by *code* (e.g. ``"department": "CSE"``)
so that the CLI, importers and forms speak the user's language.
"""

from __future__ import annotations

from typing import Any, Callable

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from ato_desktop.storage import models as m
from ato_desktop.services import constraint_rows as cr
from ato_desktop.storage.database import Database, one_line
from ato_desktop.services.errors import DependentsError, NotFoundError, ValidationError
from ato_desktop.services.resource_specs import (  # noqa: F401  (the specs are part of this module's API)
    CODE_RE,
    CONSTRAINT_DATA,
    CONSTRAINT_PARAMS,
    PARAM_NOTES,
    EMAIL_RE,
    ENTITIES,
    EntitySpec,
    FieldSpec,
    _activity_display,
    MUST_PARAM,
    constraint_params,
    spec,
)
from ato_desktop.services.snapshot import RowSnapshot, restore_rows, snapshot_rows


def _check_constraint(sp: EntitySpec, obj: Any, row: int | None, s: Session | None = None) -> None:
    """A constraint row is one engine rule: a known type, hard exactly when the engine's rule is, and
    only the parameters the rule reads (typed)."""
    from ato_desktop.engine.problem import DEFAULT_WEIGHTS, HARD_CONSTRAINTS

    if obj.type not in DEFAULT_WEIGHTS:
        raise ValidationError(sp.label, "Type", f"{obj.type!r} is not a rule the engine knows; choose one of "
                              f"{', '.join(DEFAULT_WEIGHTS)}.", row)
    obj.is_hard = obj.type in HARD_CONSTRAINTS
    if not obj.label:
        from ato_desktop.rule_names import rule_name

        obj.label = rule_name(obj.type)  # the rule's plain words, as the list shows them and the search matches
    schema = {f.name: f for f in CONSTRAINT_PARAMS.get(obj.type, ())}
    params = dict(obj.params or {})
    _check_must(sp, obj, params, row)
    for name, value in params.items():
        if name in PARAM_NOTES:  # the FET import's note (the percentage it came from): kept as it is
            continue
        if name == MUST_PARAM:
            continue
        f = schema.get(name)
        if f is None:
            raise ValidationError(sp.label, "Parameters", f"{obj.type} has no parameter {name!r} (the engine "
                                  f"reads {', '.join(schema) or 'none'}).", row)
        params[name] = _clean(sp, f, value, s, row) if f.kind == "relations" else _clean(sp, f, value, None, row)
        if f.kind == "relations":
            _check_relation_sizes(sp, obj.type, params[name], row)
    obj.params = params


def _check_must(sp: EntitySpec, obj: Any, params: dict, row: int | None) -> None:
    """``params["must"]``: a soft rule that must hold here (counts in the hard total, ``Problem.must``);
    kept only when true, refused on a hard rule (it always holds)."""
    must = params.pop(MUST_PARAM, False)
    if not isinstance(must, bool):
        raise ValidationError(sp.label, "Must hold", f"must be yes or no, not {must!r}.", row)
    if must and obj.is_hard:
        raise ValidationError(sp.label, "Must hold", f"{obj.type} is a hard rule: it always holds, so it cannot be "
                              f"made a must (only a soft rule can).", row)
    if must:
        params[MUST_PARAM] = True


def _check_relation_sizes(sp: EntitySpec, rule: str, relations: list[dict], row: int | None) -> None:
    """How many activities a relation of ``rule`` takes (storage.relations), and its minimum gap."""
    from ato_desktop.engine.rules import RELATION_PARAM
    from ato_desktop.storage.relations import MAX_SIZE, MIN_SIZE

    lo, hi = MIN_SIZE.get(rule, 2), MAX_SIZE.get(rule)
    for i, rel in enumerate(relations, 1):
        n = len(rel["activities"])
        if "second" in rel and rule == "activities_ordered_min_gaps":  # two sets (storage.relations)
            n, lo, hi = (2, 2, 2) if n and rel["second"] else (0, 2, 2)
        if n < lo or (hi is not None and n > hi):
            want = f"{lo}" if lo == hi else f"{lo} to {hi}" if hi else f"at least {lo}"
            raise ValidationError(sp.label, "Relations", f"relation {i} names {n} activities; {rule.replace('_', ' ')} "
                                  f"takes {want}.", row)
        if rule in ("activities_min_gaps", "activities_ordered_min_gaps") and not rel.get("min_gap"):
            raise ValidationError(sp.label, "Relations", f"relation {i} needs a minimum gap of at least 1 period.", row)
        key = RELATION_PARAM.get(rule)
        if key == "max_periods" and "max_periods" not in rel:
            raise ValidationError(sp.label, "Relations", f"relation {i} needs its limit (the most periods).", row)
        extra = [k for k in rel if k not in ("activities", key)
                 and not (k == "second" and rule == "activities_ordered_min_gaps")]
        if extra:
            raise ValidationError(sp.label, "Relations", f"relation {i}: {rule.replace('_', ' ')} takes no "
                                  f"{extra[0].replace('_', ' ')}.", row)


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
        if f.kind in ("dict", "limits"):
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
    if f.kind == "limits":  # {"CODE": int >= -1}, or the text "CODE=2, CODE=3"
        if isinstance(value, str):
            pairs = {}
            for part in (x.strip() for x in value.split(",")):
                if not part:
                    continue
                code, sep, number = part.replace(":", "=").rpartition("=")
                if not sep or not code.strip():
                    raise bad(f"{part!r} is not CODE=limit (e.g. T1=2).")
                pairs[code.strip()] = number.strip()
            value = pairs
        if not isinstance(value, dict):
            raise bad("must be CODE=limit pairs (e.g. T1=2, CSE-3A=0).")
        out = {}
        for code, number in value.items():
            try:
                n = int(str(number).strip())
            except ValueError:
                raise bad(f"{code}: {number!r} is not a whole number.") from None
            if n < -1:
                raise bad(f"{code}: the limit must be at least -1 (no limit), got {n}.")
            out[str(code).strip()] = n
        return dict(sorted(out.items()))
    if f.kind == "dict":
        if not isinstance(value, dict):
            raise bad("must be a set of named parameters.")
        return value
    if f.kind == "relations":
        return _clean_relations(value, find, bad)
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


def _clean_relations(value: Any, find, bad) -> list[dict]:
    """Relations between activities (storage.relations): a list of {"activities": [id or [id, occurrence]],
    "min_gap": N or "max_periods": N} (an ordered pair's second set under "second"); every activity must
    exist, every occurrence be one of its sessions."""
    from ato_desktop.storage.relations import member

    if not isinstance(value, list):
        raise bad("must be a list of relations between activities.")
    out = []
    for i, rel in enumerate(value, 1):
        if not isinstance(rel, dict) or not isinstance(rel.get("activities"), list) \
                or set(rel) - {"activities", "second", "min_gap", "max_periods"} \
                or not isinstance(rel.get("second", []), list):
            raise bad(f"relation {i} must list its activities (and, for a minimum gap, min_gap; for a limit, "
                      f"max_periods).")
        entry: dict = {}
        for part in ("activities", "second"):
            if part not in rel:
                continue
            members = []
            for item in rel[part]:
                mb = member(item)
                act = find("activity", mb[0]) if mb is not None else None
                if act is None:
                    raise bad(f"relation {i} names the activity {item!r}, which does not exist.")
                if mb[1] is not None and not 0 <= mb[1] < act.sessions_per_week:
                    raise bad(f"relation {i}: activity {mb[0]} has no session {mb[1] + 1} "
                              f"(it has {act.sessions_per_week} a week).")
                key = mb[0] if mb[1] is None else [mb[0], mb[1]]
                if key in members:
                    raise bad(f"relation {i} names the activity {item!r} twice.")
                members.append(key)
            entry[part] = members
        if "min_gap" in rel:
            gap = rel["min_gap"]
            if isinstance(gap, bool) or not isinstance(gap, int) or not 1 <= gap <= 20:
                raise bad(f"relation {i}: the minimum gap must be a whole number of periods from 1 to 20.")
            entry["min_gap"] = gap
        if "max_periods" in rel:
            most = rel["max_periods"]
            if isinstance(most, bool) or not isinstance(most, int) or not 0 <= most <= 50:
                raise bad(f"relation {i}: the limit must be a whole number of periods from 0 to 50.")
            entry["max_periods"] = most
        out.append(entry)
    return out


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
        _check_constraint(sp, obj, row, s)
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
        if not obj.student_count:  # 0: the groups' strengths (stored as NULL, as before migration 0009)
            obj.student_count = None
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
        # a constraint row's label is shown as its rule's plain words, whatever it was stored with (older FET
        # imports stored the engine name): the search matches the words shown, below, not the stored label
        if text and entity != "constraint":
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
        items = [to_dict(entity, o) for o in s.scalars(q.order_by(order))]
    if entity == "constraint" and text:
        items = [d for d in items if text in d["type"].lower() or text in d["label"].lower()]
    if entity == "constraint" and not filters:  # every engine rule, stored or not (services.constraint_rows)
        from ato_desktop.services.constraint_rows import with_missing_rules

        items = with_missing_rules(items, search)
    return items


def get_item(db: Database, entity: str, key: Any) -> dict:
    with db.read_session() as s:
        obj = _find_by_key(s, entity, key)
        if obj is None:
            if entity == "constraint" and cr.is_rule(key):  # a rule this database has no row for yet
                return cr.virtual_item(key.strip())
            raise NotFoundError(spec(entity).label, key)
        return to_dict(entity, obj)


def _commit(s: Session, sp: EntitySpec, row: int | None) -> None:
    try:
        s.flush()
    except IntegrityError as exc:
        raise ValidationError(sp.label, "item", f"conflicts with the database rules ({one_line(str(exc.orig))}).", row) from None


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
        if obj is None and entity == "constraint" and cr.is_rule(key):  # its first edit creates the row
            return _create_in(s, sp, entity, {**cr.default_values(key.strip()), **values}, None)
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
        from ato_desktop.storage.relations import without_activities

        for ci in s.scalars(select(m.ConstraintInstance)):
            if without_activities(ci.type, ci.params, {obj.id}) is not None:
                cleared.append(f"{_activity_display(obj)} leaves the relations of '{ci.label or ci.type}'")
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
        _drop_from_relations(s, snap)
        s.delete(obj)
        s.flush()
        return snap


def _drop_from_relations(s: Session, snap: RowSnapshot) -> None:
    """Deleted activities leave the relations between activities that name them (constraint params,
    storage.relations); the snapshot puts the old params back on undo."""
    from ato_desktop.storage.relations import without_activities

    ids = {r["id"] for name, rows in snap.rows if name == m.Activity.__tablename__ for r in rows}
    if not ids:
        return
    for ci in s.scalars(select(m.ConstraintInstance)):
        new = without_activities(ci.type, ci.params, ids)
        if new is not None:
            snap.nulled.append((m.ConstraintInstance.__tablename__, {"id": ci.id}, "params", ci.params))
            ci.params = new


def restore(db: Database, snap: RowSnapshot) -> None:
    """Put back what :func:`delete_item` removed (undo), in one transaction."""
    with db.session() as s:
        restore_rows(s.connection(), snap)


def count_items(db: Database, entity: str) -> int:
    sp = spec(entity)
    with db.read_session() as s:
        return int(s.scalar(select(func.count()).select_from(sp.model)) or 0)


def __getattr__(name: str):
    """Bulk creation lives in ``services.resource_bulk`` (``res.bulk_create`` etc. still work)."""
    if name in ("bulk_create", "BulkCreator", "BulkValidationError"):
        from ato_desktop.services import resource_bulk

        return getattr(resource_bulk, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
