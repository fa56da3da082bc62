"""Printouts of daily arrangements: the staff-room sheet of a date, a slip per substitute, and the
term's register of substitutions (PDF with the reports' styles and fonts, or XLSX). The services read the
day's plan and the register (``services.substitutions``'s plain ``DayPlan``/``Register``) and write the
files (``services.reports``); this module lays them out."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path

from reportlab.platypus import CondPageBreak, KeepTogether, PageBreak, Spacer, Table, TableStyle

from ato_desktop.reports.data import ReportError
from ato_desktop.reports.layout import (
    HEAD_COLOR, MUTED, RULE, WARN_COLOR, DocInfo, PageSetup, Paragraph, ReportDoc, Styles, esc,
)

KIND_TEXT = {"substitute": "substitute", "self_study": "self-study", "swap": "swap", "merge": "merged"}


def _doc_info(settings: dict, title: str, version: str, now: dt.datetime | None) -> DocInfo:
    now = now or dt.datetime.now().astimezone()
    return DocInfo(institution=settings.get("institution_name", ""), department=settings.get("department_name", ""),
                   term=settings.get("term", ""), version=version, generated=now.strftime("%d %b %Y, %H:%M"),
                   report_title=title)


def _table_style(n_rows: int, k: float) -> list:
    cmds = [
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_COLOR),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.4, RULE),
        ("FONTSIZE", (0, 0), (-1, -1), 7.5 * k),
        ("TOPPADDING", (0, 0), (-1, -1), 2 * k),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2 * k),
    ]
    return cmds


def _head(styles: Styles, names: list[str]) -> list:
    return [Paragraph(esc(n), styles.head_left) for n in names]


def _span_times(calendar_periods):
    """(first period, duration) -> "13:10–14:50"."""
    periods = {p.position: p for p in calendar_periods}

    def span(first: int, duration: int) -> str:
        a, b = periods.get(first), periods.get(first + duration - 1)
        return f"{a.start_time}–{b.end_time}" if a and b else ""

    return span


def _arrangement_text(x) -> str:
    a = x.arrangement
    if a is None or x.problem:
        return "NOT COVERED" + (f" ({x.problem})" if x.problem else "")
    if a.kind == "substitute":
        return f"{a.substitute_name} ({a.substitute})"
    if a.kind == "self_study":
        return f"self-study{' in ' + a.room if a.room else ''}"
    if a.kind == "swap":
        return f"swap: {a.substitute_name} ({a.substitute}) now; {x.faculty} teaches {a.other or ''} on {a.other_date}"
    return f"merged with {a.other or ''}, {a.substitute_name} ({a.substitute})"


def arrangement_sheet_pdf(plan, periods, settings: dict, *, slips: dict[str, list] | None = None,
                          now: dt.datetime | None = None) -> bytes:
    """The day ``plan``'s arrangement for the staff room (A4 portrait), then a slip per substitute (``slips``:
    substitute code -> the lessons they take). ``periods``: the calendar's periods; ``settings``: its settings."""
    times = _span_times(periods)
    labels = {p.position: p.label for p in periods}
    setup = PageSetup("A4", landscape=False)
    styles = Styles(setup)
    k = styles.k
    _, _, fw, _ = setup.frame()
    when = f"{plan.date.strftime('%A %d %B %Y')}"
    story: list = [Paragraph(esc(f"Daily arrangement — {when}"), styles.title),
                   Paragraph(esc(f"Timetable of {plan.day_name}"
                                 + (f" ({plan.why})" if plan.why else "")
                                 + f", version “{plan.timetable}”. "
                                 + f"{sum(x.covered for x in plan.lessons)} of {len(plan.lessons)} lesson(s) arranged."),
                             styles.subtitle), Spacer(1, 6 * k)]
    if plan.absences:
        story.append(Paragraph("Absent today", styles.h2))
        rows = [_head(styles, ["Faculty", "Periods", "Reason", "Note"])]
        for a in plan.absences:
            rows.append([Paragraph(esc(f"{a.faculty_name} ({a.faculty})"), styles.small), a.when, a.reason,
                         Paragraph(esc(a.note), styles.small)])
        story.append(Table(rows, colWidths=[fw * 0.4, fw * 0.2, fw * 0.12, fw * 0.28],
                           style=TableStyle(_table_style(len(rows), k)), repeatRows=1))
    story.append(Paragraph("Lessons and who takes them", styles.h2))
    if not plan.lessons:
        story.append(Paragraph("No lessons to cover.", styles.body))
    else:
        rows = [_head(styles, ["Period", "Class", "Course", "Absent", "Arrangement", "Room"])]
        cmds = _table_style(len(plan.lessons) + 1, k)
        for i, x in enumerate(plan.lessons, start=1):
            end = x.period + x.duration - 1
            label = x.period_label if x.duration == 1 else f"{x.period_label}–{labels.get(end, '')}"
            rows.append([Paragraph(f"{esc(label)}<br/>{esc(times(x.period, x.duration))}", styles.small),
                         Paragraph(esc(", ".join(x.groups)), styles.small),
                         Paragraph(esc(f"{x.course} {x.kind} — {x.course_title}"), styles.small),
                         Paragraph(esc(f"{x.faculty_name} ({x.faculty})"), styles.small),
                         Paragraph(esc(_arrangement_text(x)), styles.small),
                         (x.arrangement.room if x.arrangement and x.arrangement.room else x.room) or ""])
            if not x.covered:
                cmds.append(("BACKGROUND", (4, i), (4, i), WARN_COLOR))
        story.append(Table(rows, colWidths=[fw * w for w in (0.12, 0.14, 0.24, 0.18, 0.22, 0.10)],
                           style=TableStyle(cmds), repeatRows=1))
    if slips:
        by_sub = slips
        if by_sub:
            story.append(PageBreak())
            story.append(Paragraph("Substitution slips", styles.title))
            story.append(Paragraph("Cut along the lines and hand each slip to the colleague named on it.",
                                   styles.subtitle))
            for code in sorted(by_sub):
                story.append(CondPageBreak(60 * k))
                story.append(KeepTogether(_slip(plan, by_sub[code], times, styles, fw)))
    buf = io.BytesIO()
    doc = ReportDoc(buf, setup, _doc_info(settings, f"Daily arrangement {plan.date.isoformat()}", plan.timetable, now),
                    styles)
    doc.build(story)
    return buf.getvalue()


def _slip(plan, lessons: list, times, styles: Styles, fw: float) -> list:
    a = lessons[0].arrangement
    k = styles.k
    lines = [f"<b>{esc(a.substitute_name)} ({esc(a.substitute)})</b>: on {esc(plan.date.strftime('%A %d %B %Y'))} "
             "please take:"]
    for x in lessons:
        room = (x.arrangement.room or x.room or "")
        what = {"substitute": "", "swap": " (swap)", "merge": f" (merged with {x.arrangement.other})"}.get(
            x.arrangement.kind, "")
        lines.append(esc(f"• {x.period_label} ({times(x.period, x.duration)}): {x.course} {x.kind} — {x.course_title}, "
                         f"{', '.join(x.groups)}{' in ' + room if room else ''}, for {x.faculty_name}{what}"))
    body = Paragraph("<br/>".join(lines), styles.body)
    t = Table([[body]], colWidths=[fw], style=TableStyle([
        ("BOX", (0, 0), (-1, -1), 0.6, MUTED), ("LINEBELOW", (0, 0), (-1, -1), 0.8, MUTED, 1, (3, 3)),
        ("TOPPADDING", (0, 0), (-1, -1), 6 * k), ("BOTTOMPADDING", (0, 0), (-1, -1), 6 * k)]))
    return [Spacer(1, 8 * k), t]


def register_pdf(reg, settings: dict, *, now: dt.datetime | None = None) -> bytes:
    """The term's register ``reg`` (``services.substitutions.Register``) as a PDF."""
    setup = PageSetup("A4", landscape=True)
    styles = Styles(setup)
    k = styles.k
    _, _, fw, _ = setup.frame()
    span = f"{reg.start.isoformat()} – {reg.end.isoformat()}" if reg.start and reg.end else "the whole record"
    story: list = [Paragraph("Register of substitutions", styles.title),
                   Paragraph(esc(f"Term {span}: {len(reg.rows)} arrangement(s). “Taken”: lessons taken for "
                                 "colleagues; “given”: own lessons covered by colleagues or left to self-study."),
                             styles.subtitle), Spacer(1, 6 * k), Paragraph("Per faculty member", styles.h2)]
    rows = [_head(styles, ["Code", "Name", "Department", "Taken", "Given"])]
    for t in reg.totals:
        rows.append([t.code, Paragraph(esc(t.name), styles.small), t.department, str(t.taken), str(t.given)])
    story.append(Table(rows, colWidths=[fw * w for w in (0.1, 0.4, 0.2, 0.15, 0.15)],
                       style=TableStyle(_table_style(len(rows), k)), repeatRows=1))
    story.append(Paragraph("Every arrangement", styles.h2))
    rows = [_head(styles, ["Date", "Period", "Course", "Groups", "Absent", "Reason", "Arrangement", "Substitute",
                           "Room", "Note"])]
    for r in reg.rows:
        rows.append([r.date.isoformat(), r.period, f"{r.course} {r.kind}", Paragraph(esc(r.groups), styles.small),
                     r.absent, r.reason, r.arrangement, r.substitute or "", r.room or "",
                     Paragraph(esc(r.note), styles.small)])
    story.append(Table(rows, colWidths=[fw * w for w in (0.09, 0.06, 0.09, 0.14, 0.07, 0.07, 0.1, 0.09, 0.08, 0.21)],
                       style=TableStyle(_table_style(len(rows), k)), repeatRows=1))
    buf = io.BytesIO()
    doc = ReportDoc(buf, setup, _doc_info(settings, "Register of substitutions", "published timetable", now), styles)
    doc.build(story)
    return buf.getvalue()


def register_xlsx(reg, path: Path) -> None:
    """Two sheets: per faculty member (taken, given) and every arrangement; formula-safe text cells."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    from ato_desktop.io.safe_cells import safe_cell

    wb = Workbook(write_only=True)

    def sheet(title: str, headers: list[str], rows: list[list]) -> None:
        ws = wb.create_sheet(title)

        def cell(value, bold=False):
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", safe_cell(value))
            c = WriteOnlyCell(ws, value=value)
            if isinstance(value, str):
                c.data_type = "s"
            if bold:
                c.font = Font(bold=True)
            return c

        ws.append([cell(h, True) for h in headers])
        for row in rows:
            ws.append([cell(v) for v in row])

    sheet("Per faculty", ["Code", "Name", "Department", "Taken", "Given"],
          [[t.code, t.name, t.department, t.taken, t.given] for t in reg.totals])
    sheet("Substitutions", ["Date", "Period", "Course", "Kind", "Groups", "Absent", "Reason", "Arrangement",
                            "Substitute", "Room", "Note"],
          [[r.date, r.period, r.course, r.kind, r.groups, r.absent, r.reason, r.arrangement, r.substitute or "",
            r.room or "", r.note] for r in reg.rows])
    fd_path = path.with_name(f".{path.name}.part")
    try:
        wb.save(fd_path)
        os.replace(fd_path, path)
    finally:
        fd_path.unlink(missing_ok=True)


def check_out_path(out, suffixes: tuple[str, ...]) -> Path:
    """A file to write: the right suffix, in a folder that exists (ReportError otherwise)."""
    out = Path(out).expanduser()
    if out.suffix.lower() not in suffixes:
        raise ReportError(f"{out}: give a file name ending in {' or '.join(suffixes)}.")
    if out.is_dir():
        raise ReportError(f"{out} is a folder; give a file name ending in {' or '.join(suffixes)}.")
    if not out.parent.is_dir():
        raise ReportError(f"{out}: the folder {out.parent} does not exist.")
    return out
