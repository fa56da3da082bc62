"""A timetable version as an Excel workbook: a sheet per student group, faculty member or room.

Each sheet is the week grid (days down, periods across, breaks shaded), a multi-period lab one merged
cell; every text cell goes through :func:`~ato_desktop.io.safe_cells.safe_cell`, so a name typed as
``=HYPERLINK(…)`` stays text. Reads a :class:`~ato_desktop.io.timetable_view.TimetableView` only.
"""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ato_desktop.io.safe_cells import safe_cell
from ato_desktop.io.timetable_view import ENTITY_LABELS, TimetableView, ViewEntity, day_blocks, detail_parts

FILLS = {"L": "E8F1FB", "T": "EAF7EA", "P": "FDF1E2"}
BREAK_FILL = "E6E6E6"
HEADER_FILL = "EEEEFF"
FIRST_ROW = 4  # the header row of the grid


def sheet_title(code: str, used: set[str]) -> str:
    """A valid, unique sheet name (31 characters, none of ``[]:*?/\\``) for ``code``."""
    base = re.sub(r"[\[\]:*?/\\]", "_", code).strip("'") or "Sheet"
    base = base[:31]
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name = base[:31 - len(suffix)] + suffix
        n += 1
    used.add(name.lower())
    return name


def _cell_text(view: TimetableView, kind: str, e: ViewEntity, sessions, whole: bool) -> str:
    parts = []
    context = e.code if kind == "group" else None
    for s in sessions:
        head = f"{s.course_code} {s.kind_name}"
        if not whole:
            start, end = view.times(s)
            head += f" ({view.period_span(s)}, {start}–{end})"
        detail = " · ".join(x for x in detail_parts(view, kind, s, context) if x)
        parts.append(f"{head}\n{detail}" if detail else head)
    return "\n\n".join(parts)


def _write_sheet(ws, view: TimetableView, kind: str, e: ViewEntity) -> None:
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    periods = sorted(view.periods, key=lambda p: p.position)
    n = len(periods)
    ws.cell(1, 1, safe_cell(f"{ENTITY_LABELS[kind]} timetable — {e.title}")).font = Font(bold=True, size=13)
    meta = " · ".join(x for x in (view.institution, view.department, view.term_label,
                                  f"version “{view.version}” ({view.status})") if x)
    ws.cell(2, 1, safe_cell(meta)).font = Font(color="555555")
    head = ws.cell(FIRST_ROW, 1, "Day")
    head.font = Font(bold=True)
    head.fill = PatternFill("solid", fgColor=HEADER_FILL)
    head.border = border
    for i, p in enumerate(periods):
        c = ws.cell(FIRST_ROW, 2 + i, safe_cell(p.label if p.is_break else f"{p.label}\n{p.start}–{p.end}"))
        c.font = Font(bold=True)
        c.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        c.fill = PatternFill("solid", fgColor=BREAK_FILL if p.is_break else HEADER_FILL)
        c.border = border
        ws.column_dimensions[get_column_letter(2 + i)].width = 8 if p.is_break else 24
    ws.column_dimensions["A"].width = 13
    ws.row_dimensions[FIRST_ROW].height = 30
    for r, d in enumerate(view.days, start=FIRST_ROW + 1):
        c = ws.cell(r, 1, safe_cell(d.name))
        c.font = Font(bold=True)
        c.alignment = wrap
        c.border = border
        blocks = {lo: (min(hi, n), ss) for lo, hi, ss in day_blocks([s for s in e.sessions if s.day == d.position])}
        pos, lines = 0, 1
        while pos < n:
            col = 2 + pos
            if pos in blocks:
                hi, ss = blocks[pos]
                whole = all(s.period == pos and s.period + s.duration == hi for s in ss)
                text = _cell_text(view, kind, e, ss, whole)
                cell = ws.cell(r, col, safe_cell(text))
                cell.alignment = wrap
                kinds = {s.kind for s in ss}
                if len(kinds) == 1 and next(iter(kinds)) in FILLS:
                    cell.fill = PatternFill("solid", fgColor=FILLS[next(iter(kinds))])
                for k in range(col, 2 + hi):
                    ws.cell(r, k).border = border
                if hi - pos > 1:
                    ws.merge_cells(start_row=r, start_column=col, end_row=r, end_column=1 + hi)
                width = 24 * (hi - pos)
                lines = max(lines, sum(max(1, -(-len(line) // max(10, width - 2))) for line in text.split("\n")))
                pos = hi
            else:
                cell = ws.cell(r, col)
                cell.border = border
                if periods[pos].is_break:
                    cell.fill = PatternFill("solid", fgColor=BREAK_FILL)
                pos += 1
        ws.row_dimensions[r].height = max(30, 15 * lines)
    unscheduled = [s for s in e.sessions if not s.scheduled]
    if unscheduled:
        r = FIRST_ROW + len(view.days) + 2
        ws.cell(r, 1, safe_cell("Not scheduled: " + ", ".join(f"{s.course_code} {s.kind_name}"
                                                                for s in unscheduled)))
    ws.freeze_panes = ws.cell(FIRST_ROW + 1, 2)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def write_timetable_xlsx(view: TimetableView, by: str, path: str | Path) -> int:
    """Write the workbook (one sheet per group, faculty member or room with sessions); returns the sheet count."""
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for e in view.entities(by):
        ws = wb.create_sheet(sheet_title(e.code, used))
        _write_sheet(ws, view, by, e)
    wb.save(str(path))
    return len(wb.worksheets)
