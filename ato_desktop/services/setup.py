"""Create a new department database: calendar, settings, home department and default constraints.

Everything is validated before the file is created; if anything fails after
that, the new file (and its ``-wal``/``-shm``) is removed again, so a failed
"New department" never leaves a half-made database behind. An existing file
is never overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ato_desktop.engine.problem import DEFAULT_WEIGHTS, HARD_CONSTRAINTS
from ato_desktop.rule_names import rule_name
from ato_desktop.services import calendar as cal
from ato_desktop.services import resources as res
from ato_desktop.services.errors import ServiceError, ValidationError
from ato_desktop.storage.database import DB_SUFFIX, DatabaseError, open_database

__all__ = ["NewDepartment", "SetupError", "DEFAULT_DAYS", "DEFAULT_PERIODS", "validate_new_department",
           "create_department_database", "suggest_path"]

DEFAULT_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
# (label, start, end, is_break): a typical Indian engineering college day
DEFAULT_PERIODS = [
    ("P1", "09:00", "09:50", False),
    ("P2", "09:50", "10:40", False),
    ("Tea", "10:40", "10:55", True),
    ("P3", "10:55", "11:45", False),
    ("P4", "11:45", "12:35", False),
    ("Lunch", "12:35", "13:25", True),
    ("P5", "13:25", "14:15", False),
    ("P6", "14:15", "15:05", False),
    ("P7", "15:05", "15:55", False),
]


class SetupError(ServiceError):
    """The new database could not be created; nothing was left behind."""


@dataclass
class NewDepartment:
    path: Path
    institution: str
    department_code: str
    department_name: str
    days: list[str] = field(default_factory=lambda: list(DEFAULT_DAYS))
    periods: list[tuple[str, str, str, bool]] = field(default_factory=lambda: list(DEFAULT_PERIODS))
    term: str = ""


def suggest_path(folder: Path, name: str) -> Path:
    """A file name in ``folder`` from ``name`` that does not exist yet (``CSE.atodb``, ``CSE 2.atodb``...)."""
    stem = "".join(c if c.isalnum() or c in " -_." else "_" for c in name).strip(" .") or "Department"
    candidate = Path(folder) / f"{stem}{DB_SUFFIX}"
    n = 2
    while candidate.exists():
        candidate = Path(folder) / f"{stem} {n}{DB_SUFFIX}"
        n += 1
    return candidate


def validate_new_department(spec: NewDepartment) -> None:
    """Raise :class:`ValidationError` (field named) for any unacceptable value; touches no file."""
    if not str(spec.path).strip():
        raise ValidationError("New department", "file", "choose where to save the database.")
    path = Path(spec.path)
    if path.suffix.lower() != DB_SUFFIX:
        raise ValidationError("New department", "file", f"the file name must end in {DB_SUFFIX}.")
    if path.exists():
        raise ValidationError("New department", "file", f"{path} already exists; choose another name.")
    if "\n" in spec.institution or "\r" in spec.institution or len(spec.institution) > 200:
        raise ValidationError("New department", "institution", "must be one line of at most 200 characters.")
    dept = res.spec("department")
    code_field, name_field = dept.field("code"), dept.field("name")
    for f, value in ((code_field, spec.department_code), (name_field, spec.department_name)):
        value = (value or "").strip()
        if not value:
            raise ValidationError("Department", f.label, "is required.")
        if len(value) > f.max_len:
            raise ValidationError("Department", f.label, f"is too long (at most {f.max_len} characters).")
        if "\n" in value or "\r" in value:
            raise ValidationError("Department", f.label, "must be on one line.")
        if f.code_like and not res.CODE_RE.match(value):
            raise ValidationError("Department", f.label,
                                  f"{value!r} may contain only letters, digits, spaces and . _ / - +.")
    cal.validate_calendar(list(spec.days), [tuple(p) for p in spec.periods])


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", ".lock"):
        try:
            Path(str(path) + suffix).unlink(missing_ok=True)
        except OSError:
            pass


def create_department_database(spec: NewDepartment) -> Path:
    """Create the database file described by ``spec``; returns its path.

    Raises :class:`ValidationError` for bad input (no file created) and
    :class:`SetupError` if the file cannot be written (nothing left behind).
    """
    validate_new_department(spec)
    path = Path(spec.path).expanduser()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SetupError(f"Cannot create the folder {path.parent}: {exc.strerror or exc}.") from None
    created = False
    try:
        db = open_database(path)
        created = True
        try:
            cal.set_calendar(db, list(spec.days), [tuple(p) for p in spec.periods])
            cal.set_settings(db, institution_name=spec.institution.strip(),
                             department_name=spec.department_name.strip(), term=spec.term.strip())
            res.create_item(db, "department", {"code": spec.department_code.strip(),
                                               "name": spec.department_name.strip(), "is_home": True})
            hard = set(HARD_CONSTRAINTS)
            for name, weight in DEFAULT_WEIGHTS.items():
                res.create_item(db, "constraint", {"type": name, "label": rule_name(name),
                                                   "is_hard": name in hard, "weight": weight, "enabled": True})
        finally:
            db.close()
    except (DatabaseError, ServiceError, OSError) as exc:
        if created or path.exists():
            _remove(path)
        if isinstance(exc, ValidationError):
            raise
        raise SetupError(f"Cannot create {path}: {exc}") from exc
    return path
