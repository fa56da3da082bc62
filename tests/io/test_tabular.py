"""Reading CSV/XLSX tables: encodings, delimiters, row numbers, limits, mapping; formula-safe export."""

from __future__ import annotations

import codecs
import zipfile

import openpyxl
import pytest

from ato_desktop.io import tabular as tab
from ato_desktop.io.export import ExportError, export_rows
from ato_desktop.io.safe_cells import safe_cell
from ato_desktop.services.resources import spec

FACULTY_CSV = "Code,Name,E-mail\nSRA,Sunita Rao,sra@x.edu\nMKV,Mahesh Kumar Verma,mkv@x.edu\n"


def _write(tmp_path, name, data: bytes):
    p = tmp_path / name
    p.write_bytes(data)
    return p


@pytest.mark.parametrize("encoding, prefix", [
    ("utf-8", b""),
    ("utf-8", codecs.BOM_UTF8),
    ("utf-16-le", codecs.BOM_UTF16_LE),
    ("utf-16-be", codecs.BOM_UTF16_BE),
    ("utf-16-le", b""),
    ("cp1252", b""),
])
def test_csv_encodings(tmp_path, encoding, prefix):
    text = FACULTY_CSV.replace("Sunita Rao", "Sunita Rào €")
    p = _write(tmp_path, "f.csv", prefix + text.encode(encoding))
    t = tab.read_table(p)
    assert t.kind == "csv"
    assert t.headers == ["Code", "Name", "E-mail"]
    assert [r.number for r in t.rows] == [2, 3]
    assert t.rows[0].cells == ("SRA", "Sunita Rào €", "sra@x.edu")


@pytest.mark.parametrize("delim", [",", ";", "\t", "|"])
def test_csv_delimiters_and_quoted_multiline(tmp_path, delim):
    text = f'Code{delim}Name\r\n\r\nA1{delim}"two\nlines"\r\nA2{delim}"x{delim}y"\r\n'
    t = tab.read_table(_write(tmp_path, "d.csv", text.encode()))
    assert t.delimiter == delim
    # blank record 2 is skipped but numbering follows the file's records
    assert [(r.number, r.cells) for r in t.rows] == [(3, ("A1", "two\nlines")), (4, ("A2", f"x{delim}y"))]


def test_csv_errors_say_where(tmp_path):
    with pytest.raises(tab.TabularError) as e:
        tab.read_table(_write(tmp_path, "e.csv", b""))
    assert "empty" in str(e.value) and e.value.row is None
    with pytest.raises(tab.TabularError) as e:
        tab.read_table(_write(tmp_path, "n.csv", b"Code,Name\nA,B\nC,\x00D\n"))
    assert e.value.row == 3 and "NUL" in str(e.value)
    with pytest.raises(tab.TabularError) as e:  # 0x81 is undefined in cp1252 and invalid UTF-8
        tab.read_table(_write(tmp_path, "b.csv", b"Code,Name\nA,B\nC,\x81\n"))
    assert e.value.row == 3 and "UTF-8" in str(e.value)
    with pytest.raises(tab.TabularError) as e:
        tab.read_table(tmp_path / "missing.csv")
    assert "cannot be read" in str(e.value)
    with pytest.raises(tab.TabularError) as e:
        tab.read_table(_write(tmp_path, "old.xls", bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 100))
    assert ".xls" in str(e.value)


def test_limits(tmp_path, monkeypatch):
    monkeypatch.setattr(tab, "MAX_ROWS", 3)
    data = "Code\n" + "".join(f"C{i}\n" for i in range(4))
    with pytest.raises(tab.TabularError) as e:
        tab.read_table(_write(tmp_path, "many.csv", data.encode()))
    assert e.value.row == 5
    monkeypatch.setattr(tab, "MAX_CELL_CHARS", 10)
    with pytest.raises(tab.TabularError) as e:
        tab.read_table(_write(tmp_path, "long.csv", b"Code,Name\nA," + b"x" * 11 + b"\n"))
    assert e.value.row == 2 and e.value.column == "B (Name)"
    monkeypatch.setattr(tab, "MAX_FILE_BYTES", 100)
    with pytest.raises(tab.TabularError, match="too large"):
        tab.read_table(_write(tmp_path, "big.csv", b"x" * 101))


def test_xlsx_rows_keep_spreadsheet_numbers(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["B1"], ws["C1"] = "Code", "Capacity", "Shared"
    ws["A2"], ws["B2"], ws["C2"] = "R101", 60, True
    ws["A5"], ws["B5"], ws["C5"] = "R102", 45.0, False  # rows 3-4 empty
    p = tmp_path / "rooms.xlsx"
    wb.save(p)
    t = tab.read_table(p)
    assert t.kind == "xlsx" and t.headers == ["Code", "Capacity", "Shared"]
    assert [(r.number, r.cells) for r in t.rows] == [(2, ("R101", "60", "true")), (5, ("R102", "45", "false"))]


def test_bad_and_bomb_xlsx(tmp_path, monkeypatch):
    with pytest.raises(tab.TabularError, match="not a valid .xlsx"):
        tab.read_table(_write(tmp_path, "x.xlsx", b"PK\x03\x04garbage"))
    p = tmp_path / "fake.xlsx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.txt", b"\0" * 2_000_000)
    monkeypatch.setattr(tab, "MAX_XLSX_UNCOMPRESSED", 1_000_000)
    with pytest.raises(tab.TabularError, match="expands to"):
        tab.read_table(p)
    monkeypatch.setattr(tab, "MAX_XLSX_UNCOMPRESSED", 10_000_000)
    with pytest.raises(tab.TabularError, match="not a readable .xlsx"):
        tab.read_table(p)  # a zip that is no workbook


def test_auto_mapping_and_overrides():
    fields = spec("faculty").fields
    headers = ["Faculty Code", "Full Name", "Email ID", "Dept", "Max periods / week", "Remarks"]
    assert tab.auto_mapping(headers, fields) == ["code", "name", "email", "department", "max_weekly_periods", None]
    headers = ["Code", "Name", "E-mail"]
    assert tab.auto_mapping(headers, fields) == ["code", "name", "email"]
    m = tab.mapping_from_pairs(["Initials", "Name", "Remarks"], {"Initials": "code", "Name": "-"}, fields)
    assert m == ["code", None, None]
    with pytest.raises(tab.TabularError, match="no column named"):
        tab.mapping_from_pairs(["A"], {"B": "code"}, fields)
    with pytest.raises(tab.TabularError, match="not a field"):
        tab.mapping_from_pairs(["A"], {"A": "salary"}, fields)
    course = tab.auto_mapping(["Course Code", "Course Name", "L", "T", "P"], spec("course").fields)
    assert course == ["code", "title", "lecture_hours", "tutorial_hours", "practical_hours"]


def test_table_to_rows_reports_extra_cells_and_duplicate_mapping():
    t = tab.Table("f.csv", "csv", ["Code", "Name"], [tab.TableRow(2, ("A", " Ann ")), tab.TableRow(3, ("B", "", "x"))])
    rows, errors = tab.table_to_rows(t, ["code", "name"])
    assert rows == [(2, {"code": "A", "name": "Ann"})]
    assert len(errors) == 1 and errors[0].row == 3 and "extra value 'x'" in errors[0].message
    with pytest.raises(tab.TabularError, match="both"):
        tab.table_to_rows(t, ["code", "code"])


@pytest.mark.parametrize("text", ["=1+1", "+91 98", "-2", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://e","c")'])
def test_safe_cell_neutralises_formulas(text):
    assert safe_cell(text) == "'" + text
    assert safe_cell("Dr. A") == "Dr. A" and safe_cell(-5) == -5 and safe_cell("") == ""


def test_export_csv_and_xlsx_are_formula_safe(tmp_path):
    headers = ["Code", "Name", "Load", "Features"]
    rows = [["A1", "=cmd|' /C calc'!A0", -3, ["gpu", "projector"]], ["B2", "@SUM(1)", 4, []]]
    csv_path = export_rows(tmp_path / "out.csv", headers, rows)
    t = tab.read_table(csv_path)
    assert t.rows[0].cells == ("A1", "'=cmd|' /C calc'!A0", "-3", "gpu, projector")
    assert t.rows[1].cells[1] == "'@SUM(1)"
    xlsx_path = export_rows(tmp_path / "out.xlsx", headers, rows)
    wb = openpyxl.load_workbook(xlsx_path)
    cells = [c for row in wb.active.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    assert wb.active["B2"].value == "'=cmd|' /C calc'!A0" and wb.active["C2"].value == -3
    with pytest.raises(ExportError):
        export_rows(tmp_path / "out.txt", headers, rows)
    with pytest.raises(ExportError):
        export_rows(tmp_path / "nope" / "out.csv", headers, rows)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "out.xlsx"]
