"""Activities from a course's L-T-P hours.

``plan_from_ltp`` says what a course needs for chosen sections: one lecture
activity per section (L sessions a week), and per lab batch of each section
(or the section itself when it has no batches) a tutorial activity (T
sessions) and a practical activity (P hours in sessions of ``lab_duration``
consecutive periods). ``generate_from_ltp`` creates them in ONE transaction,
skipping activities that already exist (same course, kind and groups).

The credit template (``services.templates``) is read: a course without L-T-P hours gets them from its
credits and its category's split (1 credit = 1 hour of lecture or tutorial, 2 of practical, by default),
and a course whose hours are worth other credits than it has gets a note in the plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from ato_desktop.services import resources as res
from ato_desktop.services import templates as tpl
from ato_desktop.services.errors import NotFoundError, ValidationError
from ato_desktop.storage import models as m
from ato_desktop.storage.database import Database

ROOM_KINDS = m.ROOM_KINDS  # the kinds of room a practical may ask for (the UI takes them from here)

WHAT = "Generate from L-T-P"


@dataclass
class LtpPlan:
    course: str
    to_create: list[dict] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)  # labels of activities already there (skipped)
    notes: list[str] = field(default_factory=list)  # what the credit template said about the hours


def default_lab_duration(practical_hours: int) -> int:
    """2- or 3-period labs: P=2 -> 2, P=3 -> 3, P=4 -> 2 x 2, P=6 -> 3 x 2."""
    if practical_hours <= 0:
        return 1
    if practical_hours <= 3:
        return practical_hours
    for d in (2, 3):
        if practical_hours % d == 0:
            return d
    return 1


def _hours(s, c: m.Course, category: str | None) -> tuple[tuple[int, int, int], list[str]]:
    """A course's weekly L, T, P hours under the credit template, and what the template says about them."""
    L, T, P = c.lecture_hours, c.tutorial_hours, c.practical_hours
    template = tpl._read(s)
    cat = tpl.category_for(template, c.category, category)
    rule = (f"1 credit = {template.lecture_hours} h lecture, {template.tutorial_hours} h tutorial or "
            f"{template.practical_hours} h practical a week")
    notes = []
    if L + T + P == 0 and c.credits:
        L, T, P = tpl.hours_from_credits(template, c.credits, cat)
        notes.append(f"{c.code} has no L-T-P hours: its {c.credits} credits"
                     + (f" as {cat.name} ({cat.split} credits)" if cat else "")
                     + f" give {L}-{T}-{P} hours a week ({rule}).")
    elif L + T + P:
        worth = tpl.credits_of_hours(template, L, T, P)
        if c.credits and abs(worth - c.credits) > 1e-9:
            notes.append(f"{c.code} has {c.credits} credits, but its {L}-{T}-{P} hours a week are worth "
                         f"{worth:g} under the credit template ({rule}).")
    return (L, T, P), notes


def course_hours(db: Database, course: str, category: str | None = None) -> tuple[int, int, int]:
    """The weekly L, T, P hours Generate from L-T-P uses for a course (from its credits when it has none)."""
    with db.read_session() as s:
        c = res._find_by_key(s, "course", course)
        if c is None:
            raise NotFoundError("Course", course)
        return _hours(s, c, category)[0]


def template_categories(db: Database) -> list[tuple[str, str]]:
    """(key, name) of the credit template's categories, for a choice in the dialog."""
    return [(c.key, c.name) for c in tpl.get_template(db).categories]


def plan_from_ltp(db: Database, course: str, groups: list[str], *, faculty: list[str],
                  lab_faculty: list[str] | None = None, lab_duration: int | None = None,
                  use_batches: bool = True, lab_room_kind: str | None = None, lab_room: str | None = None,
                  batch_teachers: dict[str, list[str]] | None = None, category: str | None = None) -> LtpPlan:
    """What ``generate_from_ltp`` would create (nothing is written).

    ``category`` (a key or name of the credit template's categories) chooses the credit split for a
    course without L-T-P hours; by default, the template's first category of the course's category.

    Practicals need a room of kind ``lab_room_kind`` (default "lab"), or the particular lab ``lab_room``
    (its kind, and that room preferred). ``batch_teachers`` names who takes the practicals of a lab batch
    (or of a section without batches): ``{"CSE-3A-B1": ["SRA"], …}``; the others get ``lab_faculty``."""
    with db.read_session() as s:
        c = res._find_by_key(s, "course", course)
        if c is None:
            raise NotFoundError("Course", course)
        if not groups:
            raise ValidationError(WHAT, "groups", "choose at least one student group (section).")
        if not faculty:
            raise ValidationError(WHAT, "faculty", "choose at least one faculty member to teach it.")
        sections = []
        for code in groups:
            g = res._find_by_key(s, "group", code)
            if g is None:
                raise ValidationError(WHAT, "groups", f"no student group {code!r}.")
            if g.parent is not None:
                raise ValidationError(WHAT, "groups",
                                      f"{g.code} is a lab batch; choose its section {g.parent.code} (its batches "
                                      "get the tutorials and practicals).")
            if g not in sections:
                sections.append(g)
        batch_teachers = {k: list(v) for k, v in (batch_teachers or {}).items() if v}
        for code in list(faculty) + list(lab_faculty or []) + [t for v in batch_teachers.values() for t in v]:
            if res._find_by_key(s, "faculty", code) is None:
                raise ValidationError(WHAT, "faculty", f"no faculty member {code!r}.")
        lab_kind, preferred = lab_room_kind or "lab", None
        if lab_room:
            room = res._find_by_key(s, "room", lab_room)
            if room is None:
                raise ValidationError(WHAT, "lab room", f"no room {lab_room!r}.")
            lab_kind, preferred = room.kind, room.code
        elif lab_kind not in m.ROOM_KINDS:
            raise ValidationError(WHAT, "lab room", f"{lab_kind!r} is not a kind of room "
                                                    f"({', '.join(m.ROOM_KINDS)}).")
        (L, T, P), notes = _hours(s, c, category)
        if L + T + P == 0:
            raise ValidationError(WHAT, "course", f"{c.code} has no L-T-P hours and no credits; set them on the "
                                                  "course first.")
        d = lab_duration or default_lab_duration(P)
        if P and (d < 1 or d > 6 or P % d):
            raise ValidationError(WHAT, "lab duration",
                                  f"{c.code} has {P} practical hours a week, which is not a whole number of "
                                  f"{d}-period labs; choose a duration that divides {P}.")
        existing = {
            (a.kind, tuple(sorted(g.code for g in a.groups)))
            for a in s.scalars(select(m.Activity).where(m.Activity.course_id == c.id))
        }
        plan = LtpPlan(c.code, notes=notes)
        lab_teachers = list(lab_faculty or faculty)

        def add(kind: str, group_codes: list[str], sessions: int, duration: int, room_kind: str, teachers,
                room: str | None = None) -> None:
            key = (kind, tuple(sorted(group_codes)))
            label = f"{c.code} {kind} ({', '.join(group_codes)})"
            if key in existing:
                plan.existing.append(label)
                return
            values = {
                "course": c.code, "kind": kind, "groups": list(group_codes), "faculty": list(teachers),
                "sessions_per_week": sessions, "duration": duration, "room_kind": room_kind,
                "_label": label,
            }
            if room:
                values["preferred_room"] = room
            plan.to_create.append(values)

        units_seen: set[str] = set()

        for g in sections:
            if L:
                add("L", [g.code], L, 1, "classroom", faculty)
            units = [b for b in sorted(g.batches, key=lambda b: b.code)] if use_batches and g.batches else [g]
            if T:
                for u in units:
                    add("T", [u.code], T, 1, "tutorial_room", faculty)
            units_seen.update(u.code.lower() for u in units)
            if P:
                for u in units:
                    teachers = next((v for k, v in batch_teachers.items() if k.lower() == u.code.lower()),
                                    lab_teachers)
                    add("P", [u.code], P // d, d, lab_kind, teachers, preferred)
        stray = [k for k in batch_teachers if k.lower() not in units_seen]
        if stray:
            raise ValidationError(WHAT, "batch teachers", f"{', '.join(stray)} is not a lab batch of the chosen "
                                                          "sections (nor a section without batches).")
        return plan


def generate_from_ltp(db: Database, course: str, groups: list[str], *, faculty: list[str],
                      lab_faculty: list[str] | None = None, lab_duration: int | None = None,
                      use_batches: bool = True, lab_room_kind: str | None = None, lab_room: str | None = None,
                      batch_teachers: dict[str, list[str]] | None = None,
                      category: str | None = None) -> tuple[list[dict], list[str]]:
    """Create the planned activities in one transaction; returns (created items, skipped labels)."""
    plan = plan_from_ltp(db, course, groups, faculty=faculty, lab_faculty=lab_faculty,
                         lab_duration=lab_duration, use_batches=use_batches, lab_room_kind=lab_room_kind,
                         lab_room=lab_room, batch_teachers=batch_teachers, category=category)
    created: list[dict] = []
    with db.session() as s:
        for values in plan.to_create:
            values = {k: v for k, v in values.items() if not k.startswith("_")}
            created.append(res.create_item(db, "activity", values, session=s))
    return created, plan.existing
