"""``export-timetable``: a sheet per group / faculty member / room, parsed back with openpyxl: every
scheduled session in its day row and period column, labs as merged cells, formula-safe text."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from ato_desktop.cli import main
from ato_desktop.io.timetable_xlsx import FIRST_ROW, sheet_title
from ato_desktop.services import resources as res
from ato_desktop.services.publishing import PublishError, export_timetable_xlsx, timetable_view


@pytest.mark.parametrize("by", ["group", "faculty", "room"])
def test_sheets_cells_and_merged_labs(demo_db, tmp_path, by):
    view = timetable_view(demo_db)
    out = tmp_path / f"by-{by}.xlsx"
    result = export_timetable_xlsx(demo_db, out, by=by)
    wb = load_workbook(out)
    entities = view.entities(by)
    assert result.pages == len(wb.sheetnames) == len(entities)
    periods = sorted(view.periods, key=lambda p: p.position)
    col_of = {p.position: 2 + i for i, p in enumerate(periods)}
    row_of = {d.position: FIRST_ROW + 1 + i for i, d in enumerate(view.days)}
    labs = 0
    for name, e in zip(wb.sheetnames, entities):
        ws = wb[name]
        assert e.code in ws.cell(1, 1).value
        merged = {(r.min_row, r.min_col): (r.max_row, r.max_col) for r in ws.merged_cells.ranges}
        for s in e.sessions:
            if not s.scheduled:
                continue
            r, c = row_of[s.day], col_of[s.period]
            # the session's text is in the cell where its block starts (at or before its period)
            start = max(cc for (rr, cc) in [(r, col) for col in range(2, c + 1)]
                        if ws.cell(r, cc).value and (cc == c or (r, cc) in merged and merged[(r, cc)][1] >= c))
            assert s.course_code in ws.cell(r, start).value, (e.code, s.course_code)
            if s.duration > 1 and start == c:
                # one merged cell over the lab's periods (wider when a parallel batch's lab overlaps it)
                assert (r, c) in merged and merged[(r, c)][0] == r, (e.code, s.course_code)
                assert merged[(r, c)][1] >= c + s.duration - 1, (e.code, s.course_code)
                labs += 1
        assert ws.column_dimensions["B"].width >= 20
    assert labs > 0  # the demo's 2- and 3-period labs are merged cells in every view


def test_formula_safe_and_cli(demo_db_path, tmp_path, capsys):
    from ato_desktop.storage.database import open_database

    db = open_database(demo_db_path)
    try:
        code = timetable_view(db).faculty[0].code
        res.update_item(db, "faculty", code, {"name": '=HYPERLINK("http://x.example","y")'})
    finally:
        db.close()
    out = tmp_path / "faculty.xlsx"
    assert main(["export-timetable", "--db", str(demo_db_path), "--by", "faculty", "--out", str(out)]) == 0
    assert "sheet(s)" in capsys.readouterr().out
    wb = load_workbook(out)
    ws = wb[sheet_title(code, set())]
    title = ws.cell(1, 1).value
    assert "HYPERLINK" in title and not str(title).startswith("=")
    for row in wb[wb.sheetnames[0]].iter_rows():
        for c in row:
            assert c.data_type != "f"


def test_bad_output_is_refused_and_nothing_left(demo_db, tmp_path):
    with pytest.raises(PublishError, match=".xlsx"):
        export_timetable_xlsx(demo_db, tmp_path / "x.csv")
    with pytest.raises(PublishError, match="does not exist"):
        export_timetable_xlsx(demo_db, tmp_path / "nope" / "x.xlsx")
    with pytest.raises(PublishError, match="not by"):
        export_timetable_xlsx(demo_db, tmp_path / "x.xlsx", by="course")
    assert not [p.name for p in tmp_path.iterdir() if not p.name.startswith("demo.atodb")]
