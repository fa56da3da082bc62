"""The institution's credit template and UGC workload norms, stored as data in the database.

NEP 2020 / CBCS: a course's credits become weekly contact hours through the template (by default, as the
UGC framework says, 1 credit = 1 hour of lecture or tutorial, or 2 hours of practical per week); the
template lists the categories the institution uses (Major, Minor, MDC, AEC, SEC, VAC, elective, internship,
project, and its own), each with default credits split into lecture / tutorial / practical credits.
"Generate from L-T-P" (``services.activities``) reads it: a course without L-T-P hours gets them from its
credits and its category's split, and a course whose hours disagree with its credits gets a note.

UGC workload norms (UGC Regulations 2018): direct teaching per week by designation (Assistant Professor 16
hours, Associate Professor and Professor 14), 2 hours less for those with extension or administrative
duties. A faculty member whose assigned periods fall below the norm gets a warning (the workload report,
the timetable's faculty view); above the weekly maximum (``max_weekly_periods``) is the hard finding
``weekly_load`` as before. The norm is also the default maximum suggested for a new faculty member.

Stored as JSON in the key/value ``setting`` table under :data:`KEY` (no schema change); an absent key
is the default template. :func:`set_template` is one transaction and returns the template it replaced, so
that ``set_template(db, previous)`` undoes it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace

from sqlalchemy import select

from ato_desktop.services.errors import ValidationError
from ato_desktop.storage import models as m
from ato_desktop.storage.database import Database

__all__ = ["KEY", "Category", "Template", "DEFAULT", "get_template", "set_template", "category_for",
           "hours_from_credits", "credits_of_hours", "weekly_norm", "norms_by_faculty", "norm_of", "below_norm"]

KEY = "credit_template"
WHAT = "Credit template"
KIND_NAMES = {"L": "lecture", "T": "tutorial", "P": "practical"}


@dataclass(frozen=True)
class Category:
    key: str  # "major", "internship", or the institution's own ("open_elective")
    name: str  # "Major"
    stored_as: str  # the course category (one of m.NEP_CATEGORIES) its courses record
    credits: int  # default credits of a course of this category
    lecture: int  # ... of which lecture, tutorial and practical credits (sum = credits)
    tutorial: int
    practical: int

    @property
    def split(self) -> str:
        return f"{self.lecture}-{self.tutorial}-{self.practical}"


@dataclass(frozen=True)
class Template:
    lecture_hours: int = 1  # weekly hours (periods) per credit of lecture
    tutorial_hours: int = 1
    practical_hours: int = 2
    categories: tuple[Category, ...] = ()
    norms: tuple[tuple[str, int], ...] = ()  # (designation, direct teaching hours a week)
    relaxation: int = 2  # hours less for extension / administrative duties
    relaxed: tuple[str, ...] = ()  # faculty codes with such duties

    def category(self, key: str) -> Category | None:
        k = key.strip().lower()
        return next((c for c in self.categories if c.key.lower() == k or c.name.lower() == k), None)

    def norm(self, designation: str) -> int:
        """The designation's direct teaching norm (0: none)."""
        d = (designation or "").strip().lower()
        return next((h for name, h in self.norms if name.lower() == d), 0)

    def to_json(self) -> str:
        out = asdict(self)
        out["norms"] = {name: h for name, h in self.norms}
        return json.dumps(out, ensure_ascii=False, sort_keys=True)

    def describe(self) -> str:
        """The template in plain lines (``template show``)."""
        lines = [f"1 credit = {self.lecture_hours} h lecture, {self.tutorial_hours} h tutorial or "
                 f"{self.practical_hours} h practical per week",
                 "Categories (key, name, course category, default credits as L-T-P credits):"]
        lines += [f"  {c.key:<14} {c.name:<32} {c.stored_as:<20} {c.credits} ({c.split})" for c in self.categories]
        lines.append("UGC direct teaching norms (hours a week): "
                     + ", ".join(f"{name} {h}" for name, h in self.norms))
        lines.append(f"Relaxation for extension / administrative duties: {self.relaxation} h"
                     + (f" (for {', '.join(self.relaxed)})" if self.relaxed else " (nobody marked)"))
        return "\n".join(lines)


def _c(key, name, stored_as, credits, l, t, p) -> Category:  # noqa: E741
    return Category(key, name, stored_as, credits, l, t, p)


DEFAULT = Template(
    categories=(
        _c("major", "Major (discipline core)", "major", 4, 3, 0, 1),
        _c("minor", "Minor", "minor", 4, 3, 0, 1),
        _c("mdc", "Multidisciplinary (MDC)", "multidisciplinary", 3, 3, 0, 0),
        _c("aec", "Ability enhancement (AEC)", "ability_enhancement", 2, 2, 0, 0),
        _c("sec", "Skill enhancement (SEC)", "skill_enhancement", 3, 1, 0, 2),
        _c("vac", "Value-added (VAC)", "value_added", 2, 2, 0, 0),
        _c("elective", "Discipline elective", "elective", 3, 3, 0, 0),
        _c("project", "Project / dissertation", "project", 4, 0, 0, 4),
        _c("internship", "Internship", "project", 2, 0, 0, 2),
    ),
    norms=(("Professor", 14), ("Associate Professor", 14), ("Assistant Professor", 16)),  # as m.DESIGNATIONS
)


def _ordered(norms) -> tuple:
    """Norms in the order of the designations (a template compares equal however it was written)."""
    rank = {d: i for i, d in enumerate(m.DESIGNATIONS)}
    return tuple(sorted(norms, key=lambda n: (rank.get(n[0], len(rank)), n[0])))


def _bad(field_name: str, message: str) -> ValidationError:
    return ValidationError(WHAT, field_name, message)


def _int(value, name: str, lo: int, hi: int) -> int:
    if isinstance(value, bool):
        raise _bad(name, f"{value!r} is not a whole number.")
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise _bad(name, f"{value!r} is not a whole number.") from None
    if not lo <= number <= hi:
        raise _bad(name, f"must be between {lo} and {hi} (got {number}).")
    return number


def validate(t: Template) -> Template:
    """The template with whole numbers checked; raises ValidationError with one plain sentence."""
    out = replace(t, lecture_hours=_int(t.lecture_hours, "lecture hours per credit", 1, 6),
                  tutorial_hours=_int(t.tutorial_hours, "tutorial hours per credit", 1, 6),
                  practical_hours=_int(t.practical_hours, "practical hours per credit", 1, 6),
                  relaxation=_int(t.relaxation, "relaxation", 0, 10))
    cats, seen = [], set()
    for c in t.categories:
        key = str(c.key).strip()
        if not key or not key.replace("_", "").replace("-", "").isalnum():
            raise _bad("category", f"{key!r}: a category key is letters, digits, - and _ (e.g. open_elective).")
        if key.lower() in seen:
            raise _bad("category", f"{key!r} is listed twice.")
        seen.add(key.lower())
        name = str(c.name).strip() or key
        if len(name) > 60 or "\n" in name:
            raise _bad("category", f"{key}: the name must be one line of at most 60 characters.")
        if c.stored_as not in m.NEP_CATEGORIES:
            raise _bad("category", f"{key}: {c.stored_as!r} is not a course category; choose one of "
                                   f"{', '.join(m.NEP_CATEGORIES)}.")
        credits = _int(c.credits, f"{key} credits", 0, 40)
        l, tt, p = (_int(v, f"{key} {n} credits", 0, 40)  # noqa: E741
                    for v, n in ((c.lecture, "lecture"), (c.tutorial, "tutorial"), (c.practical, "practical")))
        if l + tt + p != credits:
            raise _bad("category", f"{key}: {l}-{tt}-{p} lecture-tutorial-practical credits add up to {l + tt + p}, "
                                   f"not its {credits} credits.")
        cats.append(Category(key, name, c.stored_as, credits, l, tt, p))
    norms, seen = [], set()
    for designation, hours in t.norms:
        if designation not in m.DESIGNATIONS:
            raise _bad("norm", f"{designation!r} is not a designation; choose one of {', '.join(m.DESIGNATIONS)}.")
        if designation in seen:
            raise _bad("norm", f"{designation} is listed twice.")
        seen.add(designation)
        norms.append((designation, _int(hours, f"{designation} norm", 0, 60)))
    relaxed = tuple(sorted({str(r).strip().upper() for r in t.relaxed if str(r).strip()}))
    return replace(out, categories=tuple(cats), norms=_ordered(norms), relaxed=relaxed)


def _from_json(text: str) -> Template:
    raw = json.loads(text)
    cats = tuple(Category(**c) for c in raw.get("categories", []))
    norms = _ordered((k, int(v)) for k, v in (raw.get("norms") or {}).items())
    return Template(int(raw.get("lecture_hours", 1)), int(raw.get("tutorial_hours", 1)),
                    int(raw.get("practical_hours", 2)), cats, norms, int(raw.get("relaxation", 2)),
                    tuple(raw.get("relaxed", ())))


def _read(s) -> Template:
    row = s.get(m.Setting, KEY)
    if row is None or not row.value.strip():
        return DEFAULT
    try:
        return _from_json(row.value)
    except (ValueError, TypeError, KeyError, AttributeError):
        return DEFAULT  # a damaged value reads as the default; saving the template writes it anew


def get_template(db: Database) -> Template:
    with db.read_session() as s:
        return _read(s)


def set_template(db: Database, template: Template) -> Template:
    """Store ``template`` (validated) in one transaction; returns the one it replaced (for undo)."""
    template = validate(template)
    with db.session() as s:
        codes = {c.upper() for c in s.scalars(select(m.Faculty.code))}
        unknown = [c for c in template.relaxed if c not in codes]
        if unknown:
            raise _bad("relaxed", f"no faculty member {unknown[0]!r} (the relaxation is for faculty codes).")
        before = _read(s)
        row = s.get(m.Setting, KEY)
        if row is None:
            s.add(m.Setting(key=KEY, value=template.to_json()))
        else:
            row.value = template.to_json()
    return before


# ---------------------------------------------------------------------------
# credits <-> hours
# ---------------------------------------------------------------------------
def category_for(t: Template, course_category: str, choice: str | None = None) -> Category | None:
    """The template category of a course: ``choice`` (a key or name) when given, else the first whose
    course category is the course's."""
    if choice:
        c = t.category(choice)
        if c is None:
            raise _bad("category", f"no category {choice!r} in the template "
                                   f"({', '.join(c.key for c in t.categories)}).")
        return c
    return next((c for c in t.categories if c.stored_as == course_category), None)


def hours_from_credits(t: Template, credits: int, cat: Category | None) -> tuple[int, int, int]:
    """Weekly L, T, P hours for a course of ``credits`` in ``cat``: its split of practical and tutorial
    credits (as far as the credits go), the rest as lecture; times the hours per credit."""
    p = min(cat.practical, credits) if cat else 0
    tt = min(cat.tutorial, credits - p) if cat else 0
    lc = credits - p - tt
    return lc * t.lecture_hours, tt * t.tutorial_hours, p * t.practical_hours


def credits_of_hours(t: Template, lecture: int, tutorial: int, practical: int) -> float:
    """The credits that weekly L-T-P hours are worth under the template."""
    return lecture / t.lecture_hours + tutorial / t.tutorial_hours + practical / t.practical_hours


# ---------------------------------------------------------------------------
# UGC workload norms
# ---------------------------------------------------------------------------
def weekly_norm(t: Template, designation: str, code: str) -> int:
    """Direct teaching hours a week expected of a faculty member (0: no norm for the designation)."""
    n = t.norm(designation)
    if n and code.upper() in t.relaxed:
        n = max(0, n - t.relaxation)
    return n


def norms_by_faculty(db: Database) -> dict[str, int]:
    """Faculty code -> weekly direct teaching norm (0 = none), from the template and designations.

    Colleagues of other departments (who teach a course or two here) have none: their norm is met, or
    not, in their own department. Without a home department, everybody's counts."""
    with db.read_session() as s:
        t = _read(s)
        home = set(s.scalars(select(m.Department.id).where(m.Department.is_home.is_(True))))
        rows = s.execute(select(m.Faculty.code, m.Faculty.designation, m.Faculty.department_id))
        return {code: weekly_norm(t, designation, code) if not home or dept in home else 0
                for code, designation, dept in rows}


def norm_of(db: Database, code: str) -> int:
    """One faculty member's norm, as :func:`norms_by_faculty` gives it (0: none or unknown)."""
    with db.read_session() as s:
        f = s.scalar(select(m.Faculty).where(m.Faculty.code == code))
        if f is None:
            return 0
        home = set(s.scalars(select(m.Department.id).where(m.Department.is_home.is_(True))))
        return weekly_norm(_read(s), f.designation, f.code) if not home or f.department_id in home else 0


def below_norm(taught: int, norm: int) -> str:
    """A warning when ``taught`` periods a week fall below the norm ("" when not)."""
    if norm and taught < norm:
        return f"{norm - taught} below the UGC norm of {norm}"
    return ""



def change_template(db: Database, *, template: Template):
    """The operation: the credit template and UGC norms replaced (one transaction, one undo step)."""
    from ato_desktop.services.operations import reverting

    before = set_template(db, template)
    saved = get_template(db)
    return reverting("Change the credit template", kinds=("*",),
                     redo=lambda d: change_template(d, template=saved),
                     undo=lambda d: change_template(d, template=before), result=saved)
