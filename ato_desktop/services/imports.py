"""Import departments, faculty, rooms, student groups, courses, elective baskets and activities (teaching
assignments) from CSV / XLSX: all or nothing.

Steps (the import dialog and ``ato-desktop import`` do the same):

1. :func:`ato_desktop.io.tabular.read_table` reads the file;
2. :func:`mapping_for` guesses (or applies ``{"Header": "field"}``) the column mapping;
3. :func:`check_rows` validates every row through ``services.resources`` in a
   transaction that is rolled back (a dry run), returning each bad row as a
   :class:`~ato_desktop.io.tabular.RowError` with its row number in the file;
4. :func:`import_rows` takes a ``before-import`` backup, then creates all rows
   in ONE transaction (``resources.bulk_create``); on any error it raises
   :class:`~ato_desktop.io.tabular.ImportRowsError` and nothing is written;
5. undo: :func:`remove_imported` deletes exactly the imported rows (one
   transaction) and returns a snapshot; :func:`restore_imported` puts them back.

Every failure is a :class:`~ato_desktop.io.tabular.TabularError` (file/row
problems) or, from the database, a ``storage.database.DatabaseError``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from ato_desktop.io import tabular as tab
from ato_desktop.io.tabular import ImportCancelled, ImportRowsError, RowError, Table, TabularError
from ato_desktop.progress import OnProgress, Progress
from ato_desktop.services import backups
from ato_desktop.services import resources as res
from ato_desktop.services.errors import ValidationError
from ato_desktop.services.operations import Change, kinds_of_tables
from ato_desktop.services.snapshot import RowSnapshot, restore_rows, snapshot_rows
from ato_desktop.storage import models as m
from ato_desktop.storage.database import Database

__all__ = [
    "IMPORTABLE", "ImportResult", "import_fields", "mapping_for", "prepare", "check_rows", "import_rows",
    "import_file", "remove_imported", "restore_imported", "default_values",
]

# in the order a department is imported into a new database (each list refers to the ones before it):
# the departments and elective baskets too, so that every exported list can be imported back
IMPORTABLE = ("department", "faculty", "room", "group", "course", "basket", "activity")


@dataclass
class ImportResult:
    entity: str
    ids: list[int] = field(default_factory=list)
    backup: Path | None = None
    dry_run: bool = False
    # rows not imported because the database has them already, the same (a department): one line each
    skipped: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.ids)


def _spec(entity: str) -> res.EntitySpec:
    if entity not in IMPORTABLE:
        raise TabularError(None, f"{entity!r} cannot be imported; choose one of {', '.join(IMPORTABLE)}.")
    return res.spec(entity)


def import_fields(entity: str) -> tuple[res.FieldSpec, ...]:
    """The fields a column can be mapped to (name, label, help)."""
    return _spec(entity).fields


def mapping_for(entity: str, table: Table, pairs: dict[str, str] | None = None) -> list[str | None]:
    fields = import_fields(entity)
    if pairs:
        return tab.mapping_from_pairs(table.headers, pairs, fields, table.path)
    return tab.auto_mapping(table.headers, fields)


def default_values(db: Database, entity: str, mapped: set[str]) -> dict[str, str]:
    """Values for empty cells (or a missing column) of required fields: the department, when the
    database has a home department (or only one department). ``mapped`` is kept for callers' clarity."""
    sp = _spec(entity)
    out: dict[str, str] = {}
    for f in sp.fields:
        if f.name == "department" and f.required:
            with db.read_session() as s:
                depts = list(s.scalars(select(m.Department).order_by(m.Department.id)))
            home = [d for d in depts if d.is_home]
            if home:
                out["department"] = home[0].code
            elif len(depts) == 1:
                out["department"] = depts[0].code
    return out


def prepare(db: Database, entity: str, table: Table, mapping: Sequence[str | None]
            ) -> tuple[list[tuple[int, dict]], list[RowError]]:
    """Rows as ``(row number, values)`` with defaults filled in, and the rows that are malformed."""
    _spec(entity)
    rows, errors = tab.table_to_rows(table, mapping)
    defaults = default_values(db, entity, {f for f in mapping if f})
    if defaults:
        rows = [(n, {**defaults, **values}) for n, values in rows]
    if entity == "activity":
        rows = _activity_defaults(db, rows)
    if entity == "group":
        # Lab batches name their section; create the sections of the file first, whatever the file's order.
        codes = {str(v.get("code", "")).strip().lower() for _, v in rows}
        later = [r for r in rows if str(r[1].get("parent", "")).strip().lower() in codes]
        rows = [r for r in rows if r not in later] + later
    return rows, errors


def _same_as_there(db: Database, entity: str, rows: Sequence[tuple[int, dict]]
                   ) -> tuple[list[tuple[int, dict]], list[str]]:
    """(the rows to import, a line for each row left out): a department row whose code, name and home flag
    (when given) are those of a department the database has already (its home department, listed in a file
    of every department) is not imported again, and not an error; one that differs stays (its code is taken:
    the row's error says so)."""
    if entity != "department" or not rows:
        return list(rows), []
    sp = res.spec("department")
    with db.read_session() as s:
        there = {d.code.lower(): d for d in s.scalars(select(m.Department))}
        keep, skipped = [], []
        for n, values in rows:
            d = there.get(str(values.get("code") or "").strip().lower())
            try:
                name = res._clean(sp, sp.field("name"), values.get("name"), s, n)
                home = values.get("is_home")
                home = None if home is None or str(home).strip() == "" else res._clean(sp, sp.field("is_home"), home,
                                                                                       s, n)
            except ValidationError:
                d = None  # the row's own check says what is wrong
            if d is not None and name.lower() == d.name.strip().lower() and home in (None, d.is_home):
                skipped.append(f"row {n}: {d.code} ({d.name}) is already a department of this database, the same; "
                               f"not imported again.")
            else:
                keep.append((n, values))
    return keep, skipped


def _header(table: Table | None, mapping: Sequence[str | None] | None, fname: str) -> str:
    if table is not None and mapping is not None and fname in mapping:
        return table.headers[list(mapping).index(fname)]
    return ""


def _activity_defaults(db: Database, rows: list[tuple[int, dict]]) -> list[tuple[int, dict]]:
    """An activity row without a room kind takes its preferred room's kind, or "lab" for a practical (the
    field's default, a classroom, otherwise)."""
    with db.read_session() as s:
        kinds = {code.lower(): kind for code, kind in s.execute(select(m.Room.code, m.Room.kind))}
    out = []
    for n, values in rows:
        if not str(values.get("room_kind", "")).strip():
            room = str(values.get("preferred_room", "")).strip()
            kind = kinds.get(room.lower()) if room else None
            if kind is None and str(values.get("kind", "")).strip().upper() == "P":
                kind = "lab"
            if kind is not None:
                values = {**values, "room_kind": kind}
        out.append((n, values))
    return out


def _rooms_errors(rows: Sequence[tuple[int, dict]], table: Table | None, mapping: Sequence[str | None] | None
                  ) -> list[RowError]:
    """Rows naming several rooms: an activity has one preferred room (the others come from its room kind)."""
    out = []
    for n, values in rows:
        room = str(values.get("preferred_room", "")).strip()
        if "," in room:
            out.append(RowError(n, _header(table, mapping, "preferred_room"),
                                res.spec("activity").field("preferred_room").label,
                                f"names {len(room.split(','))} rooms ({room}); give one preferred room (the "
                                "optimizer picks the others by the room kind)."))
    return out


def _activity_key(values: dict) -> tuple:
    """What makes two activity rows the same: course, kind, student groups and faculty (case aside)."""
    def codes(v) -> tuple:
        items = v.split(",") if isinstance(v, str) else (v or [])
        return tuple(sorted({str(x).strip().lower() for x in items if str(x).strip()}))
    return (str(values.get("course", "")).strip().lower(), str(values.get("kind") or "L").strip().upper(),
            codes(values.get("groups")), codes(values.get("faculty")))


def _activity_duplicates(db: Database, rows: Sequence[tuple[int, dict]], table: Table | None,
                         mapping: Sequence[str | None] | None) -> list[RowError]:
    """Rows that repeat an activity of the database or an earlier row of the file (importing the same
    sheet twice would double every class)."""
    with db.read_session() as s:
        acts = s.scalars(select(m.Activity).options(selectinload(m.Activity.course),
                                                     selectinload(m.Activity.groups),
                                                     selectinload(m.Activity.faculty)))
        there = {_activity_key({"course": a.course.code, "kind": a.kind, "groups": [g.code for g in a.groups],
                                "faculty": [f.code for f in a.faculty]}) for a in acts}
    column = _header(table, mapping, "course")
    seen: dict[tuple, int] = {}
    errors = []
    for n, values in rows:
        key = _activity_key(values)
        if not key[0] or not key[2]:
            continue  # the row's own check says what is missing
        what = f"{str(values.get('course')).strip()} {key[1]} for {values.get('groups')}"
        if key in there:
            errors.append(RowError(n, column, "Course", f"{what} with the same faculty is already an activity "
                                                        "of the database; nothing to add."))
        elif key in seen:
            errors.append(RowError(n, column, "Course", f"{what} with the same faculty repeats row {seen[key]}."))
        else:
            seen[key] = n
    return errors


def _column_of(sp: res.EntitySpec, table: Table | None, mapping: Sequence[str | None] | None, label: str) -> tuple[str, str]:
    """(column header, field label) for a ValidationError's field (a label or a name)."""
    fname = None
    for f in sp.fields:
        if label in (f.label, f.name):
            fname = f.name
            label = f.label
            break
    column = ""
    if fname and table is not None and mapping is not None and fname in mapping:
        column = table.headers[list(mapping).index(fname)]
    return column, label


def _row_errors(sp, exc_list: Sequence[ValidationError], numbers: Sequence[int], table, mapping) -> list[RowError]:
    """RowErrors in file order (rows may have been reordered, e.g. sections before their batches)."""
    out = []
    for e in exc_list:
        row = numbers[e.row] if e.row is not None and 0 <= e.row < len(numbers) else e.row
        column, label = _column_of(sp, table, mapping, e.field)
        out.append(RowError(row, column, label, e.problem))
    order = {id(e): k for k, e in enumerate(out)}
    return sorted(out, key=lambda e: (e.row is None, e.row or 0, order[id(e)]))


class _DryRun(Exception):
    pass


def _field_errors(s, sp: res.EntitySpec, values: dict, i: int) -> list[ValidationError]:
    """Every field's own problem (value, reference, uniqueness) in one row, not just the first."""
    out: list[ValidationError] = []
    unknown = set(values) - {f.name for f in sp.fields}
    for name in sorted(unknown):
        out.append(ValidationError(sp.label, name, "is not a field of this item.", i))
    with s.no_autoflush:
        for f in sp.fields:
            try:
                value = res._clean(sp, f, values.get(f.name), s, i)
                if f.unique and value not in (None, ""):
                    res._check_unique(s, sp, f, value, None, i)
            except ValidationError as exc:
                exc.row = i
                out.append(exc)
    return out


def check_rows(db: Database, entity: str, rows: Sequence[tuple[int, dict]], *, table: Table | None = None,
               mapping: Sequence[str | None] | None = None,
               on_progress: OnProgress | None = None,
               should_stop: Callable[[], bool] | None = None) -> list[RowError]:
    """Validate every row exactly as the import would, then roll back. Returns the errors (empty: all good).

    Unlike the import itself (which stops at a row's first bad field), every
    bad field of a row is reported, so the coordinator can fix them all at once.
    """
    sp = _spec(entity)
    rows, _ = _same_as_there(db, entity, rows)
    numbers = [n for n, _ in rows]
    errors: list[ValidationError] = []
    total = len(rows)
    try:
        with db.session() as s:
            creator = res.BulkCreator(s, entity)  # exactly as the import runs it
            for i, (_n, values) in enumerate(rows):
                if should_stop is not None and i % 64 == 0 and should_stop():
                    raise ImportCancelled(table.path if table else None)
                if not creator.add(values, i):
                    # The create stops at the first bad field: collect every field's problem
                    # (against the rows before this one, written first).
                    exc = creator.errors.pop()
                    creator.flush()
                    errors.extend(_field_errors(s, sp, values, i) or [exc])
                if on_progress is not None and (i % 50 == 0 or i == total - 1):
                    on_progress(Progress(i + 1, total, "checking rows"))
            creator.finish()
            errors.extend(creator.errors)  # rows the database itself refused
            raise _DryRun
    except _DryRun:
        pass
    out = _row_errors(sp, errors, numbers, table, mapping)
    if entity == "activity":
        rooms = _rooms_errors(rows, table, mapping)
        several = {e.row for e in rooms}  # not also "no room 'A, B'"
        out = [e for e in out if not (e.row in several and e.field == rooms[0].field)]
        out = sorted(out + rooms + _activity_duplicates(db, rows, table, mapping),
                     key=lambda e: (e.row is None, e.row or 0))
    return out


def import_rows(db: Database, entity: str, rows: Sequence[tuple[int, dict]], *, table: Table | None = None,
                mapping: Sequence[str | None] | None = None, backup: bool = True) -> ImportResult:
    """Create every row in one transaction, after a ``before-import`` backup. All or nothing.

    Raises :class:`ImportRowsError` (listing every bad row with its number in
    the file) and writes nothing if any row is invalid.
    """
    sp = _spec(entity)
    if not rows:
        raise TabularError(table.path if table else None, "has no data rows to import.")
    rows, skipped = _same_as_there(db, entity, rows)
    if not rows:  # every row is there already: nothing to write, nothing wrong
        return ImportResult(entity, [], None, skipped=skipped)
    if entity == "activity":
        duplicates = sorted(_rooms_errors(rows, table, mapping) + _activity_duplicates(db, rows, table, mapping),
                            key=lambda e: e.row or 0)
        if duplicates:
            raise ImportRowsError(table.path if table else None, duplicates, sp.plural.lower())
    backup_path = backups.before_import(db) if backup and not getattr(db, "is_campus", False) else None  # a campus: campus backup
    numbers = [n for n, _ in rows]
    try:
        created = res.bulk_create(db, entity, [values for _, values in rows], first_row=0)
    except res.BulkValidationError as exc:
        raise ImportRowsError(table.path if table else None,
                              _row_errors(sp, exc.errors, numbers, table, mapping), sp.plural.lower()) from None
    return ImportResult(entity, [int(c["id"]) for c in created], backup_path, skipped=skipped)


def import_file(db: Database, entity: str, path: str | Path, *, pairs: dict[str, str] | None = None,
                dry_run: bool = False, backup: bool = True) -> ImportResult:
    """Read, map, validate and (unless ``dry_run``) import a CSV/XLSX file. All or nothing."""
    sp = _spec(entity)
    table = tab.read_table(path)
    mapping = mapping_for(entity, table, pairs)
    if not any(mapping):
        raise TabularError(path, f"no column matches a field of {sp.plural.lower()} "
                                 f"(columns: {', '.join(table.headers)}); map them with HEADER=field.")
    rows, errors = prepare(db, entity, table, mapping)
    if errors:
        raise ImportRowsError(path, errors, sp.plural.lower())
    if dry_run:
        errors = check_rows(db, entity, rows, table=table, mapping=mapping)
        if errors:
            raise ImportRowsError(path, errors, sp.plural.lower())
        return ImportResult(entity, [], None, dry_run=True, skipped=_same_as_there(db, entity, rows)[1])
    if not rows:
        raise TabularError(path, "has no data rows to import.")
    try:
        return import_rows(db, entity, rows, table=table, mapping=mapping, backup=backup)
    except ImportRowsError as first:
        # The import stops at each row's first bad field: list them all for the user.
        errors = check_rows(db, entity, rows, table=table, mapping=mapping)
        raise ImportRowsError(path, errors or first.errors, sp.plural.lower()) from None


def remove_imported(db: Database, entity: str, ids: Sequence[int]) -> RowSnapshot:
    """Undo an import: delete exactly these rows (and what cascades from them) in one transaction."""
    sp = _spec(entity)
    with db.session() as s:
        conn = s.connection()
        table = sp.model.__table__
        snap = snapshot_rows(conn, table, list(ids))
        # Core delete: the schema's ON DELETE rules remove what cascades (captured in the snapshot).
        conn.execute(delete(table).where(table.c.id.in_(list(ids))))
        return snap


def restore_imported(db: Database, snap: RowSnapshot) -> None:
    """Redo an import after :func:`remove_imported`: the same rows with the same ids."""
    with db.session() as s:
        restore_rows(s.connection(), snap)


def apply_import(db: Database, *, entity: str, rows: Sequence[tuple[int, dict]], table: Table | None = None,
                 mapping: Sequence[str | None] | None = None, summary: str = "", backup: bool = True) -> Change:
    """The import dialog's Import: :func:`import_rows` as an operation (``result``: the ImportResult).
    Undo removes exactly the imported rows; redo puts the same rows back (same ids)."""
    result = import_rows(db, entity, rows, table=table, mapping=mapping, backup=backup)
    summary = summary or f"Import {len(result.ids)} {_spec(entity).plural.lower()}"
    return _imported(summary, entity, result.ids, result)


def _imported(summary: str, entity: str, ids: Sequence[int], result=None) -> Change:
    def back(db: Database) -> Change:
        snap = remove_imported(db, entity, ids)

        def again(d: Database) -> Change:
            restore_imported(d, snap)
            return _imported(summary, entity, ids)

        return Change(summary, {entity} | kinds_of_tables(name for name, _ in snap.rows), reverse=again)

    return Change(summary, {entity}, result=result, reverse=back)
