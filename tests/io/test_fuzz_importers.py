"""Hypothesis fuzzing of every importer with a fixed budget.

* ``.ctt``: only :class:`CttFormatError` escapes parsing, mapping and solution reading.
* CSV and XLSX: only :class:`TabularError` escapes ``services.imports.import_file``;
  a failed import leaves the database byte-for-byte the same (checksum of
  every table), a successful one adds exactly the reported rows (and undoing
  it restores the checksum).

Budgets are fixed (``max_examples``, ``derandomize=True``) so the whole file
runs in well under a minute and the same cases run every time.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from ato_desktop.io.ctt import CttFormatError, ctt_to_problem, parse_ctt, read_solution
from ato_desktop.io.tabular import TabularError
from ato_desktop.services import imports
from ato_desktop.services import resources as res
from ato_desktop.storage.database import open_database
from tests.conftest import ITC_DIR

FUZZ = settings(max_examples=120, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])

TOY = (ITC_DIR / "toy.ctt").read_bytes() if (ITC_DIR / "toy.ctt").exists() else None
needs_toy = pytest.mark.skipif(TOY is None, reason="ITC-2007 toy.ctt not found")


# ---------------------------------------------------------------------------
# .ctt
# ---------------------------------------------------------------------------
@st.composite
def mutated(draw, base: bytes):
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "dup_line", "token"]))
        if not data:
            data.extend(draw(st.binary(min_size=1, max_size=20)))
            continue
        i = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[i] = draw(st.integers(0, 255))
        elif op == "insert":
            data[i:i] = draw(st.binary(max_size=12)) if draw(st.booleans()) else draw(st.sampled_from(
                [b"-1", b"999999999999", b"\n", b" ", b"END.", b"COURSES:", b"\x00", b"\xef\xbb\xbf", b"3.5", b"\r\n"]))
        elif op == "delete":
            del data[i:i + draw(st.integers(1, 40))]
        elif op == "dup_line":
            lines = bytes(data).split(b"\n")
            j = draw(st.integers(0, len(lines) - 1))
            lines.insert(draw(st.integers(0, len(lines))), lines[j])
            data = bytearray(b"\n".join(lines))
        else:
            lines = bytes(data).split(b"\n")
            j = draw(st.integers(0, len(lines) - 1))
            toks = lines[j].split()
            if toks:
                toks[draw(st.integers(0, len(toks) - 1))] = draw(st.sampled_from(
                    [b"0", b"-5", b"1000000001", b"x", b"", b"A", b"SceCosC", b"4294967296"]))
                lines[j] = b" ".join(toks)
            data = bytearray(b"\n".join(lines))
    return bytes(data)


@needs_toy
@FUZZ
@given(data=st.one_of(mutated(TOY or b""), st.binary(max_size=300)))
def test_ctt_parse_raises_only_ctt_format_error(data):
    try:
        inst = parse_ctt(data)
    except CttFormatError as exc:
        assert exc.line >= 0 and str(exc)
        return
    problem = ctt_to_problem(inst)  # whatever parses must map to a Problem
    assert problem.n_sessions >= 0


@needs_toy
@FUZZ
@given(lines=st.lists(st.tuples(
    st.sampled_from(["SceCosC", "ArcTec", "TecCos", "Geotec", "Nope", ""]),
    st.sampled_from(["A", "B", "C", ""]),
    st.sampled_from(["0", "4", "5", "-1", "x", "99999999999"]),
    st.sampled_from(["0", "3", "4", "-1", "1.5"]),
), max_size=20), junk=st.binary(max_size=30))
def test_ctt_solution_reading_raises_only_ctt_format_error(tmp_path_factory, lines, junk):
    problem = ctt_to_problem(parse_ctt(TOY))
    path = tmp_path_factory.mktemp("sol") / "s.sol"
    path.write_bytes("\n".join(" ".join(t) for t in lines).encode() + junk)
    try:
        read_solution(path, problem)
    except CttFormatError:
        pass


# ---------------------------------------------------------------------------
# CSV / XLSX into a real database
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fuzz_db(tmp_path_factory, _empty_template):
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.atodb"
    shutil.copyfile(_empty_template, path)
    db = open_database(path)
    res.create_item(db, "department", {"code": "CSE", "name": "Computer Science", "is_home": True})
    res.create_item(db, "department", {"code": "ECE", "name": "Electronics"})
    res.create_item(db, "faculty", {"code": "OLD", "name": "Existing", "department": "CSE"})
    res.create_item(db, "group", {"code": "CSE-3A", "department": "CSE", "strength": 60})
    res.create_item(db, "course", {"code": "CS101", "title": "Programming", "department": "CSE"})
    yield db
    db.close()


def checksum(db) -> str:
    h = hashlib.sha256()
    with db.engine.connect() as c:
        tables = [r[0] for r in c.execute(text(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"))]
        for t in tables:
            for row in c.execute(text(f'SELECT * FROM "{t}" ORDER BY rowid')):
                h.update(repr((t, tuple(row))).encode())
    return h.hexdigest()


def attempt(db, entity: str, path: Path) -> None:
    """Import; on failure the DB is unchanged, on success exactly the rows were added (then undone)."""
    before = checksum(db)
    n_before = res.count_items(db, entity)
    try:
        result = imports.import_file(db, entity, path, backup=False)
    except TabularError as exc:
        assert str(exc)
        assert checksum(db) == before, "a failed import changed the database"
        event(f"refused: {type(exc).__name__}")
        return
    event("imported")
    assert res.count_items(db, entity) == n_before + result.count
    imports.remove_imported(db, entity, result.ids)
    assert checksum(db) == before


HEADERS = {
    "faculty": ["Code", "Name", "E-mail", "Department", "Designation", "Max periods / week", "Notes", ""],
    "room": ["Code", "Capacity", "Kind", "Features", "Owner department", "Shared", "Building", "x"],
    "group": ["Code", "Strength", "Semester", "Department", "Section (for a lab batch)", "Section", "Programme"],
    "course": ["Code", "Title", "Credits", "L", "T", "P", "NEP category", "Department"],
    "activity": ["Course", "Kind", "Student groups", "Faculty", "Sessions / week", "Duration (periods)",
                 "Room kind", "Room", "Batch"],
}
CELL = st.one_of(
    st.sampled_from(["", "CSE", "ECE", "OLD", "CSE-3A", "A1", "a1", "Dr. X", "x@y.edu", "60", "0", "-3", "1e3",
                     "3.0", "yes", "no", "lab", "classroom", "Professor", "major", "=1+1", "@SUM(A1)", "+91",
                     "gpu, projector", " padded ", "NaN", "2026-01-01", "CS101", "L", "P", "OLD, OLD"]),
    st.text(max_size=25),
    st.integers(-10, 10_000).map(str),
)


@st.composite
def csv_files(draw):
    entity = draw(st.sampled_from(sorted(HEADERS)))
    headers = draw(st.lists(st.sampled_from(HEADERS[entity]), min_size=1, max_size=6))
    rows = draw(st.lists(st.lists(CELL, min_size=0, max_size=len(headers) + 1), max_size=6))
    delim = draw(st.sampled_from([",", ";", "\t"]))

    def quote(c: str) -> str:
        if any(ch in c for ch in (delim, '"', "\n", "\r")) or draw(st.booleans()):
            return '"' + c.replace('"', '""') + '"'
        return c

    body = "\r\n".join(delim.join(quote(c) for c in r) for r in [headers, *rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    data = body.encode(encoding, errors="replace")
    if draw(st.integers(0, 4)) == 0:  # sometimes corrupt the bytes too
        data = draw(mutated(data)) if data else data
    return entity, data


@st.composite
def mostly_good_csv(draw):
    """Faculty files that are often valid, so that the success path (and its undo) is fuzzed too."""
    codes = draw(st.lists(st.from_regex(r"[A-Z][A-Z0-9]{0,5}", fullmatch=True), min_size=1, max_size=5,
                          unique_by=str.lower))
    names = draw(st.lists(st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30),
                          min_size=len(codes), max_size=len(codes)))
    body = "Code,Name,Department\n" + "".join(
        f'{c},"{n.replace(chr(34), chr(34) * 2)}",{draw(st.sampled_from(["", "CSE", "ECE"]))}\n'
        for c, n in zip(codes, names))
    return "faculty", body.encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"])))


@FUZZ
@given(case=st.one_of(csv_files(), mostly_good_csv()))
def test_csv_import_fuzz_only_tabular_error_and_all_or_nothing(fuzz_db, tmp_path_factory, case):
    entity, data = case
    path = tmp_path_factory.mktemp("csv") / "in.csv"
    path.write_bytes(data)
    attempt(fuzz_db, entity, path)


FIXED_TIME = __import__("datetime").datetime(2026, 1, 1)
XCELL = st.one_of(CELL, st.integers(-(2**40), 2**40), st.floats(allow_nan=True, allow_infinity=True),
                  st.booleans(), st.none(), st.dates(), st.datetimes())


def _illegal_free(v):
    if isinstance(v, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return ILLEGAL_CHARACTERS_RE.sub("", v)
    return v


@st.composite
def xlsx_files(draw):
    entity = draw(st.sampled_from(sorted(HEADERS)))
    headers = draw(st.lists(st.sampled_from(HEADERS[entity]), min_size=1, max_size=6))
    rows = draw(st.lists(st.lists(XCELL, max_size=len(headers) + 1), max_size=5))
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in [headers, *rows]:
        ws.append([_illegal_free(v) for v in r])
    wb.properties.created = wb.properties.modified = FIXED_TIME  # same bytes for the same draw
    buf = io.BytesIO()
    wb.save(buf)
    how = draw(st.integers(0, 5))
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if how == 1 and info.filename.endswith("sheet1.xml"):
                content = draw(mutated(content))  # a valid zip whose sheet XML is mangled
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0)), content)
    data = out.getvalue()
    if how == 0:
        data = draw(mutated(data))  # a corrupted zip
    return entity, data


@FUZZ
@given(case=xlsx_files())
def test_xlsx_import_fuzz_only_tabular_error_and_all_or_nothing(fuzz_db, tmp_path_factory, case):
    entity, data = case
    path = tmp_path_factory.mktemp("xlsx") / "in.xlsx"
    path.write_bytes(data)
    attempt(fuzz_db, entity, path)


def test_xml_entity_expansion_is_refused(fuzz_db, tmp_path):
    """A 'billion laughs' sheet: defusedxml (through openpyxl) refuses it, as a TabularError."""
    wb = openpyxl.Workbook()
    wb.active.append(["Code", "Name"])
    wb.active.append(["A", "B"])
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    doctype = (b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a0 "aaaaaaaaaa">'
               + b"".join(f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">'.encode() for i in range(1, 9))
               + b"]>")
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename.endswith("sheet1.xml"):
                assert b"<t>B</t>" in content
                content = doctype + content.replace(b"<t>B</t>", b"<t>&a8;</t>")
            dst.writestr(info.filename, content)
    before = checksum(fuzz_db)
    with pytest.raises(TabularError, match="refused for safety"):
        imports.import_file(fuzz_db, "faculty", path, backup=False)
    assert checksum(fuzz_db) == before
