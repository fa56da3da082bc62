"""Reading CSV and XLSX tables for the importers, and mapping their columns to fields.

Pure Python (no Qt, no database): the services (``services.imports``) validate
the mapped rows through ``services.resources`` and write them in one
transaction.

Reading
    :func:`read_table` reads a ``.csv`` (any delimiter of ``, ; TAB |``) or
    ``.xlsx`` file (first worksheet) into a :class:`Table`: the header names
    and the non-blank data rows, each with its row number *as in the file*
    (the header is normally row 1, as a spreadsheet numbers it; for CSV one
    row is one record, so a quoted cell spanning lines is still one row).

    CSV encodings: a UTF-8 BOM (Excel's "CSV UTF-8"), a UTF-16 BOM (Excel's
    "Unicode text"), UTF-8, UTF-16 without BOM (detected by its NUL bytes),
    and Windows-1252 (Excel's plain "CSV" on Windows) as the fallback.

    XLSX files are read with openpyxl in read-only mode; openpyxl parses XML
    through defusedxml (no entity expansion, no external entities). The zip's
    declared uncompressed size is checked before anything is parsed.

Limits
    :data:`MAX_FILE_BYTES`, :data:`MAX_ROWS`, :data:`MAX_COLUMNS`,
    :data:`MAX_CELL_CHARS` and :data:`MAX_XLSX_UNCOMPRESSED` keep a hostile or
    mistaken file from exhausting memory.

Errors
    Every problem with a file's *content or form* raises :class:`TabularError`
    (a ``ValueError``) whose ``file``, ``row`` and ``column`` say where (``row``
    and ``column`` are ``None`` when the problem concerns the whole file). A
    file that cannot be opened is also reported as a :class:`TabularError`.
    Validation problems of individual rows are collected as :class:`RowError`
    values and raised together as :class:`ImportRowsError` (a
    ``TabularError``) by the importer: nothing is imported then.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from ato_desktop.io.safe_cells import unprotect
from ato_desktop.progress import Progress

__all__ = [
    "TabularError", "ImportRowsError", "ImportCancelled", "RowError", "Table", "TableRow",
    "read_table", "read_csv_bytes", "read_xlsx_bytes", "decode_text",
    "auto_mapping", "mapping_from_pairs", "table_to_rows", "column_letter",
    "MAX_FILE_BYTES", "MAX_ROWS", "MAX_COLUMNS", "MAX_CELL_CHARS", "MAX_XLSX_UNCOMPRESSED",
]

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 200
MAX_CELL_CHARS = 10_000
MAX_XLSX_UNCOMPRESSED = 200 * 1024 * 1024
# The longest single XML token (a tag, a comment, a CDATA section, a processing instruction or a run of
# text) an .xlsx part may hold. openpyxl streams worksheets through ElementTree.iterparse, which feeds
# expat 16 KB at a time, and expat (before 2.6) re-scans an unfinished token from its start at every
# feed: parsing one token of n bytes costs about n^2 / 32 KB. A 194 KB workbook whose sheet held a
# 190 MB whitespace comment kept an import busy for hours. No real workbook comes near this limit
# (a cell holds at most MAX_CELL_CHARS characters).
MAX_XML_TOKEN = 256 * 1024
DELIMITERS = (",", ";", "\t", "|")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old binary .xls


class TabularError(ValueError):
    """A table file cannot be imported; says what and where (file, row, column)."""

    def __init__(self, file: str | Path | None, message: str, *, row: int | None = None, column: str | None = None):
        self.file = str(file) if file is not None else ""
        self.row = row
        self.column = column
        self.problem = message
        where = []
        if self.file:
            where.append(Path(self.file).name)
        if row is not None:
            where.append(f"row {row}")
        if column:
            where.append(f"column {column}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


@dataclass(frozen=True)
class RowError:
    """One bad row: ``row`` as numbered in the file, the ``column`` (header) and ``field`` concerned."""

    row: int | None
    column: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row is not None else "file"
        col = f", column {self.column!r}" if self.column else ""
        if self.message.startswith("no ") and self.field:  # an unknown reference: "no faculty member 'XYZ'."
            # not "Faculty no faculty member 'XYZ'": the field only where the column is named otherwise
            same = self.column.strip().lower() == self.field.strip().lower()
            return f"{where}{col}{'' if same or not self.column else f' ({self.field})'}: {self.message}".rstrip()
        return f"{where}{col}: {self.field + ' ' if self.field else ''}{self.message}".rstrip()


class ImportRowsError(TabularError):
    """Some rows are invalid: ``errors`` lists each one; nothing was imported."""

    def __init__(self, file: str | Path | None, errors: Sequence[RowError], what: str = "rows"):
        self.errors = list(errors)
        shown = "; ".join(str(e) for e in self.errors[:5]) + (" …" if len(self.errors) > 5 else "")
        super().__init__(file, f"{len(self.errors)} row(s) of {what} have errors; nothing was imported. {shown}")


class ImportCancelled(TabularError):
    def __init__(self, file: str | Path | None = None):
        super().__init__(file, "cancelled; nothing was imported.")


@dataclass(frozen=True)
class TableRow:
    number: int  # as in the file (the header is usually row 1)
    cells: tuple[str, ...]


@dataclass
class Table:
    path: str
    kind: str  # "csv" | "xlsx"
    headers: list[str]
    rows: list[TableRow] = field(default_factory=list)
    header_row: int = 1
    encoding: str = ""
    delimiter: str = ""

    def preview(self, n: int = 20) -> list[TableRow]:
        return self.rows[:n]


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (spreadsheet column names)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------
OnProgress = Callable[[Progress], None]  # Progress(rows read so far)
ShouldStop = Callable[[], bool]


def read_table(path: str | Path, *, on_progress: OnProgress | None = None,
               should_stop: ShouldStop | None = None) -> Table:
    """Read a CSV or XLSX file (chosen by content, not by name). Raises :class:`TabularError`."""
    from ato_desktop.io.files import InputFileError, read_regular_file

    path = Path(path)
    try:
        data = read_regular_file(path, MAX_FILE_BYTES)  # no FIFO, device or folder; the size capped
    except InputFileError as exc:
        hint = " Split it into smaller files." if "too large" in str(exc) else ""
        raise TabularError(path, f"{exc}.{hint}") from None
    except OSError as exc:
        raise TabularError(path, f"cannot be read ({exc.strerror or exc}).") from None
    if data.startswith(ZIP_MAGIC):
        return read_xlsx_bytes(data, path, on_progress=on_progress, should_stop=should_stop)
    if data.startswith(OLE_MAGIC):
        raise TabularError(path, "is an old Excel .xls file; save it as .xlsx (Excel Workbook) or CSV and import that.")
    if path.suffix.lower() in (".xlsx", ".xlsm") and data:
        raise TabularError(path, "is not a valid .xlsx workbook (it is not a zip archive).")
    return read_csv_bytes(data, path, on_progress=on_progress, should_stop=should_stop)


def decode_text(data: bytes, file: str | Path | None = None) -> tuple[str, str]:
    """Decode CSV bytes; returns ``(text, encoding)``. Raises :class:`TabularError`."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8"]
        sample = data[:4096]
        if len(sample) >= 4 and sample.count(0) >= len(sample) // 4:
            # ASCII-range UTF-16 without BOM: every other byte is NUL
            candidates = ["utf-16-le" if sample[1::2].count(0) > sample[0::2].count(0) else "utf-16-be", "utf-8"]
        candidates.append("cp1252")
    last: UnicodeDecodeError | None = None
    for enc in candidates:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError as exc:
            last = exc
            continue
        nul = text.find("\x00")
        if nul >= 0:
            raise TabularError(file, "contains a NUL character; it is not a text (CSV) file.",
                               row=text.count("\n", 0, nul) + 1)
        return text, enc
    assert last is not None
    row = data[: last.start].count(b"\n") + 1
    raise TabularError(file, "is not text in UTF-8, UTF-16 or Windows-1252; save it from the spreadsheet as "
                             "'CSV UTF-8' and try again.", row=row)


def _guess_delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _check_cells(file, row: int, cells: Sequence[str], headers: Sequence[str] | None) -> None:
    if len(cells) > MAX_COLUMNS:
        raise TabularError(file, f"has {len(cells)} columns; at most {MAX_COLUMNS} can be imported.", row=row)
    for i, c in enumerate(cells):
        if len(c) > MAX_CELL_CHARS:
            raise TabularError(file, f"a cell holds {len(c)} characters; at most {MAX_CELL_CHARS}.",
                               row=row, column=_col_name(i, headers))


def _col_name(i: int, headers: Sequence[str] | None) -> str:
    if headers and i < len(headers):
        return f"{column_letter(i)} ({headers[i]})"
    return column_letter(i)


def _headers(file, row: int, cells: Sequence[str]) -> list[str]:
    # drop trailing empty header cells
    cells = list(cells)
    while cells and not cells[-1].strip():
        cells.pop()
    out = []
    for i, c in enumerate(cells):
        name = " ".join(c.split())
        out.append(name or f"Column {column_letter(i)}")
    return out


def _build(file, kind: str, records: Iterable[tuple[int, list[str]]], on_progress, should_stop, **extra) -> Table:
    headers: list[str] | None = None
    table: Table | None = None
    for number, cells in records:
        if should_stop is not None and number % 256 == 0 and should_stop():
            raise ImportCancelled(file)
        _check_cells(file, number, cells, headers)
        if not any(c.strip() for c in cells):
            continue
        if headers is None:
            headers = _headers(file, number, cells)
            table = Table(str(file), kind, headers, header_row=number, **extra)
            continue
        assert table is not None
        if len(table.rows) >= MAX_ROWS:
            raise TabularError(file, f"has more than {MAX_ROWS} data rows; split it into smaller files.", row=number)
        table.rows.append(TableRow(number, tuple(cells)))
        if on_progress is not None and len(table.rows) % 500 == 0:
            on_progress(Progress(len(table.rows), 0, "reading"))
    if table is None:
        raise TabularError(file, "is empty: expected a header row naming the columns, then one row per item.")
    if on_progress is not None:
        on_progress(Progress(len(table.rows), 0, "reading"))
    return table


def read_csv_bytes(data: bytes, file: str | Path | None = None, *, on_progress: OnProgress | None = None,
                   should_stop: ShouldStop | None = None) -> Table:
    if len(data) > MAX_FILE_BYTES:
        raise TabularError(file, f"is too large (at most {MAX_FILE_BYTES // 2**20} MB).")
    text, encoding = decode_text(data, file)
    delimiter = _guess_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def records():
        number = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise TabularError(file, f"is not well-formed CSV ({exc}).", row=number + 1) from None
            number += 1
            yield number, cells

    return _build(file, "csv", records(), on_progress, should_stop, encoding=encoding, delimiter=delimiter)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


def read_xlsx_bytes(data: bytes, file: str | Path | None = None, *, on_progress: OnProgress | None = None,
                    should_stop: ShouldStop | None = None) -> Table:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            total = sum(max(0, i.file_size) for i in zf.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise TabularError(file, f"is not a valid .xlsx workbook ({exc}).") from None
    if total > MAX_XLSX_UNCOMPRESSED:
        raise TabularError(file, f"expands to {total / 1e6:.0f} MB; at most {MAX_XLSX_UNCOMPRESSED // 2**20} MB "
                                 "can be imported.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for info in zf.infolist():
                if info.filename.lower().endswith((".xml", ".rels", ".vml")):
                    with zf.open(info) as part:
                        longest = _longest_xml_token(part, MAX_XML_TOKEN)
                    if longest > MAX_XML_TOKEN:
                        raise TabularError(file, f"holds a single XML element, comment or text of more "
                                                 f"than {MAX_XML_TOKEN // 1024} KB in {info.filename} (at most "
                                                 f"{MAX_XML_TOKEN // 1024} KB); open it in the spreadsheet "
                                                 "program and save it again.")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        if isinstance(exc, TabularError):
            raise
        raise TabularError(file, f"is not a valid .xlsx workbook ({exc}).") from None
    wb = None
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheets = wb.worksheets
        if not sheets:
            raise TabularError(file, "has no worksheet.")
        ws = sheets[0]

        def records():
            number = 0
            for values in ws.iter_rows(values_only=True):
                number += 1
                if number > MAX_ROWS + 1_000:
                    raise TabularError(file, f"has more than {MAX_ROWS} rows; split it into smaller files.",
                                       row=number)
                if values is None:
                    values = ()
                if len(values) > MAX_COLUMNS:
                    # trailing empty cells do not count
                    values = list(values)
                    while len(values) > MAX_COLUMNS and values[-1] in (None, ""):
                        values.pop()
                yield number, [_cell_text(v) for v in values]

        return _build(file, "xlsx", records(), on_progress, should_stop)
    except TabularError:
        raise
    except Exception as exc:  # openpyxl raises many kinds of errors on malformed workbooks
        if _defused(exc):
            raise TabularError(file, "contains XML entity or DTD declarations, which are refused for safety; "
                                     "open it in the spreadsheet program and save it again.") from None
        raise TabularError(file, f"is not a readable .xlsx workbook ({type(exc).__name__}: {str(exc)[:200]}).") from None
    finally:
        if wb is not None:
            try:
                wb.close()
            except Exception:
                pass


_XML_SPANS = ((b"<!--", b"-->"), (b"<![CDATA[", b"]]>"), (b"<?", b"?>"))
_XML_CHUNK = 1 << 20


def _tokens(buf: bytes, final: bool) -> tuple[int, int | None]:
    """(longest complete token, start of the unfinished token at the end or None) of an XML fragment.

    A tag cannot contain ``<`` (not even in an attribute value), so between two spans the runs between
    two ``<`` (split in C) bound every tag and text run; comments, CDATA sections and processing
    instructions may contain ``<`` and are measured from their opening to their closing mark."""
    longest, i, n = 0, 0, len(buf)
    while i < n:
        nxt = [(buf.find(a, i), a, b) for a, b in _XML_SPANS]
        nxt = [x for x in nxt if x[0] >= 0]
        s, opener, closer = min(nxt) if nxt else (n, b"", b"")
        pieces = buf[i:s].split(b"<")
        if s == n and not final:  # the last run may go on in the next chunk
            longest = max(longest, max(map(len, pieces[:-1]), default=0))
            return longest, (n - len(pieces[-1]) - 1) if len(pieces) > 1 else i
        longest = max(longest, max(map(len, pieces), default=0))
        if s == n:
            break
        j = buf.find(closer, s + len(opener))
        if j < 0:
            if final:
                return max(longest, n - s), None
            return longest, s
        longest = max(longest, j + len(closer) - s)
        i = j + len(closer)
    return longest, None


def _longest_xml_token(stream, limit: int) -> int:
    """The length of the longest token of the XML read from ``stream``, in linear time and memory
    bounded by ``limit`` (it stops as soon as a token is longer): see :data:`MAX_XML_TOKEN`."""
    carry, longest = b"", 0
    while True:
        chunk = stream.read(_XML_CHUNK)
        buf = carry + chunk
        seen, open_at = _tokens(buf, final=not chunk)
        longest = max(longest, seen)
        carry = b"" if open_at is None else buf[open_at:]
        if longest > limit or len(carry) > limit or not chunk:
            return max(longest, len(carry))


def _defused(exc: BaseException) -> bool:
    """Did defusedxml refuse something (entity expansion, external entity, DTD) anywhere in the chain?"""
    from defusedxml import DefusedXmlException

    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DefusedXmlException):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


# ---------------------------------------------------------------------------
# Column mapping
# ---------------------------------------------------------------------------
def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


# Other headers people use for a field (normalised). Only used when the entity has the field.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "code": ("shortcode", "initials", "abbreviation", "abbr", "roomno", "roomnumber", "coursecode", "groupcode",
             "facultycode", "id"),
    "name": ("fullname", "facultyname", "roomname", "groupname"),
    "title": ("coursetitle", "coursename", "name"),
    "email": ("mail", "emailid", "emailaddress", "mailid"),
    "department": ("dept", "deptcode", "departmentcode"),
    "capacity": ("seats", "size"),
    "strength": ("students", "studentcount", "noofstudents", "numberofstudents"),
    "semester": ("sem",),
    "programme": ("program", "course_programme"),
    "lecture_hours": ("l", "lecture", "lectures"),
    "tutorial_hours": ("t", "tutorial", "tutorials"),
    "practical_hours": ("p", "practical", "practicals", "lab"),
    "category": ("nepcategory", "type"),
    "room_kind": ("roomtype", "roomkind", "venuetype"),  # before "kind": an activity has both
    "kind": ("roomtype", "type", "ltp", "component", "lecturetutorialpractical"),
    "course": ("coursecode", "subject", "subjectcode", "paper", "papercode"),
    "groups": ("group", "groupcode", "groups", "section", "sections", "batch", "batches", "class", "classes",
               "studentgroup", "groupsorbatches"),
    "faculty": ("teacher", "teachers", "facultycode", "facultycodes", "faculties", "staff", "teachercode"),
    "sessions_per_week": ("sessions", "sessionsweek", "perweek", "noofsessions", "classesperweek"),
    "duration": ("periods", "length", "consecutiveperiods", "durationperiods"),
    "preferred_room": ("room", "rooms", "roomcode", "venue", "labroom"),
    "max_weekly_periods": ("maxload", "weeklyload", "load"),
    "parent": ("section", "parentsection"),
    "student_count": ("numberofstudents", "noofstudents", "studentcount", "roomsize"),
}


def auto_mapping(headers: Sequence[str], fields: Sequence[Any]) -> list[str | None]:
    """Guess which field each column holds from its header (field name, label, then common synonyms).

    ``fields`` are objects with ``name`` and ``label`` (``services.resources.FieldSpec``).
    Each field is given to at most one column (the first that matches best).
    """
    by_name = {_norm(f.name): f.name for f in fields}
    by_label = {_norm(f.label): f.name for f in fields}
    names = {f.name for f in fields}
    result: list[str | None] = [None] * len(headers)
    taken: set[str] = set()
    for stage in ("name", "label", "synonym"):
        for i, header in enumerate(headers):
            if result[i] is not None:
                continue
            key = _norm(header)
            candidate = None
            if stage == "name":
                candidate = by_name.get(key)
            elif stage == "label":
                candidate = by_label.get(key)
            else:
                for fname, syns in SYNONYMS.items():
                    if fname in names and key in syns and fname not in taken:
                        candidate = fname
                        break
            if candidate and candidate not in taken:
                result[i] = candidate
                taken.add(candidate)
    return result


def mapping_from_pairs(headers: Sequence[str], pairs: dict[str, str], fields: Sequence[Any],
                       file: str | Path | None = None) -> list[str | None]:
    """Start from :func:`auto_mapping` and apply ``{"Header": "field"}`` overrides (``""``/``"-"``: ignore)."""
    mapping = auto_mapping(headers, fields)
    names = {f.name for f in fields}
    norm_headers = [_norm(h) for h in headers]
    for header, target in pairs.items():
        idx = [i for i, h in enumerate(headers) if h == header] or \
              [i for i, h in enumerate(norm_headers) if h == _norm(header)]
        if not idx:
            raise TabularError(file, f"no column named {header!r} (columns: {', '.join(headers)}).")
        target = (target or "").strip()
        if target in ("", "-"):
            mapping[idx[0]] = None
            continue
        if target not in names:
            raise TabularError(file, f"{target!r} is not a field here (fields: {', '.join(sorted(names))}).",
                               column=header)
        for j, current in enumerate(mapping):
            if current == target:
                mapping[j] = None
        mapping[idx[0]] = target
    return mapping


def table_to_rows(table: Table, mapping: Sequence[str | None]) -> tuple[list[tuple[int, dict]], list[RowError]]:
    """Turn rows into ``{field: text}`` dicts (empty cells left out so defaults apply).

    Cells are stripped, and the apostrophe that formula-safe exports put before
    ``= + - @`` is removed again (``safe_cells.unprotect``).

    Returns ``(rows, errors)``: rows as ``(row number, values)``; errors for rows
    with non-empty cells beyond the header's columns. Raises
    :class:`TabularError` if two columns are mapped to the same field.
    """
    if len(mapping) != len(table.headers):
        raise TabularError(table.path, f"the mapping has {len(mapping)} entries for {len(table.headers)} columns.")
    seen: dict[str, int] = {}
    for i, f in enumerate(mapping):
        if f is None:
            continue
        if f in seen:
            raise TabularError(table.path, f"columns {table.headers[seen[f]]!r} and {table.headers[i]!r} are both "
                                           f"mapped to {f!r}; map each field to one column.")
        seen[f] = i
    rows: list[tuple[int, dict]] = []
    errors: list[RowError] = []
    width = len(table.headers)
    for r in table.rows:
        extra = [c for c in r.cells[width:] if c.strip()]
        if extra:
            errors.append(RowError(r.number, column_letter(width), "",
                                   f"has {len(r.cells)} cells but the header names only {width} columns "
                                   f"(extra value {extra[0][:40]!r})."))
            continue
        values = {}
        for i, f in enumerate(mapping):
            if f is None or i >= len(r.cells):
                continue
            text = unprotect(r.cells[i].strip())
            if text:
                values[f] = text
        rows.append((r.number, values))
    return rows, errors
