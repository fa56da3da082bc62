"""Timetable grids: one page per student group, faculty member or room; master pages per day.

A grid has one row per day (or, on the master, per student group) and one
column per period, breaks included (shaded, narrower). Sessions that overlap
in a row are drawn as ONE merged cell spanning from the first period to the
last (a 2- or 3-period lab is one cell; two lab batches side by side share a
cell that lists both). Sessions are the services' plain ``SessionView`` values (``ReportData.sessions``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from reportlab.lib import colors
from reportlab.platypus import Spacer, Table, TableStyle

from ato_desktop.reports.data import ReportData
from ato_desktop.reports.layout import (
    BREAK_COLOR,
    HEAD_COLOR,
    KIND_COLORS,
    MIXED_COLOR,
    MUTED,
    RULE,
    UNAVAILABLE_COLOR,
    WARN_COLOR,
    WARN_INK,
    PageSetup,
    Paragraph,
    Styles,
    esc,
)

KIND_WORDS = {"L": "lecture", "T": "tutorial", "P": "practical (lab)"}
SWATCHES = {**KIND_COLORS, "mixed": MIXED_COLOR, "clash": WARN_COLOR}
VIEW_TITLES = {"group": "Student group", "faculty": "Faculty", "room": "Room"}


@dataclass
class Block:
    lo: int  # first period position
    hi: int  # one past the last period position
    sessions: list[SessionView]


def blocks_of(sessions: Sequence[SessionView], n_periods: int) -> list[Block]:
    """Connected runs of overlapping sessions in one row."""
    items = sorted(((s.period, min(n_periods, s.period + max(1, s.duration)), s) for s in sessions
                    if s.period is not None), key=lambda x: (x[0], x[1], x[2].course_code, x[2].id))
    out: list[Block] = []
    for lo, hi, s in items:
        if out and lo < out[-1].hi:
            out[-1].hi = max(out[-1].hi, hi)
            out[-1].sessions.append(s)
        else:
            out.append(Block(lo, hi, [s]))
    return out


def short_group(code: str, context: str | None) -> str:
    """``CSE-3A-B1`` shown as ``B1`` on the page of CSE-3A."""
    if context and code.startswith(context + "-"):
        return code[len(context) + 1:]
    return code


def is_cohort_view(s: SessionView, context: str | None) -> bool:
    """A basket session shown on a cohort's page (not the page of the elective's own group)."""
    return bool(s.basket and context and not any(g == context or g.startswith(context + "-") for g in s.groups))


def session_markup(s: SessionView, view: str, context: str | None, data: ReportData, block: Block,
                   periods_label: Callable[[int, int], str]) -> str:
    head = f"<b>{esc(s.course_code)}</b> {esc(s.kind)}"
    groups = [short_group(g, context) for g in s.groups]
    if view in ("group", "master") and is_cohort_view(s, context):
        # an elective of the group's basket: one compact line per course
        return f"<b>{esc(s.course_code)}</b> " + esc(" · ".join(x for x in (s.room or "no room", " ".join(s.faculty)) if x))
    if view in ("group", "master"):
        own = context is not None and list(s.groups) == [context]
        if not own:
            head += f" · {esc(', '.join(groups))}"
        detail = [s.room or "no room", " ".join(s.faculty)]
    elif view == "faculty":
        detail = [", ".join(groups), s.room or "no room"]
    else:  # room
        detail = [", ".join(groups), " ".join(s.faculty)]
    when = ""
    if s.period != block.lo or s.period + s.duration != block.hi:
        when = f" ({periods_label(s.period, s.period + s.duration)})"
    return head + esc(when) + "<br/>" + esc(" · ".join(d for d in detail if d))


def _leaves(data: ReportData, code: str) -> set[str]:
    kids = data.children(code)
    return set().union(*(_leaves(data, c) for c in kids)) if kids else {code}


def block_clashes(data: ReportData, block: Block, view: str, context: str | None) -> bool:
    """Whether two sessions of a cell overlap in time for the same people or room (a hard conflict)."""
    ss = block.sessions
    if len(ss) < 2:
        return False
    for i, a in enumerate(ss):
        for b in ss[i + 1:]:
            if not (a.period < b.period + b.duration and b.period < a.period + a.duration):
                continue  # in the same cell but not at the same time
            if view in ("faculty", "room"):
                return True
            if a.basket and a.basket == b.basket:
                continue  # an elective basket runs its courses together on purpose
            la = set().union(*(_leaves(data, g) for g in a.groups))
            lb = set().union(*(_leaves(data, g) for g in b.groups))
            if is_cohort_view(a, context) or is_cohort_view(b, context):
                return True  # the cohort is busy with its elective
            if la & lb:
                return True
    return False


def _block_color(block: Block):
    kinds = {s.kind for s in block.sessions}
    return KIND_COLORS.get(kinds.pop(), MIXED_COLOR) if len(kinds) == 1 else MIXED_COLOR


@dataclass
class _Row:
    cells: list
    cmds: list  # table commands with row index 0 standing for this row
    height: float
    breaks_used: set
    fits: list = None  # (cell, markup, width, base size, alignment) of each fitted cell, to fit again


def grid(data: ReportData, styles: Styles, rows: list[tuple[str, list[SessionView]]], width: float,
         heights: tuple[float, float], *, view: str, context_of_row: Callable[[int], str | None],
         unavailable: Callable[[int, int], bool] | None = None, label_width: float | None = None,
         nominal: float | None = None, first_alone: float | None = None, day: int | None = None) -> list[Table]:
    """A rows x periods grid ``width`` points wide, as one table per page (``day``: every row is that day,
    whose own period times the header shows).

    ``heights``: the height available on the first page and on each further page. Rows share the
    first page's height (up to ``nominal`` or 95 pt each); a cell's text is set at the largest size
    from 8 pt down to 7 pt (never smaller) that fits, and a row whose text needs more height gets it
    (from the other rows' spare height where they have some): rows that do not fit go to the next
    table (page) instead of shrinking.
    """
    cal = data.calendar
    periods = cal.periods
    P = len(periods)
    k = styles.k
    from reportlab.pdfbase.pdfmetrics import stringWidth

    pad = 2.2 * k
    widest = max((stringWidth(label, "ATOSans-Bold", 8.5 * k) for label, _ in rows), default=0) + 2 * pad + 2
    label_w = max(label_width or max(17 * 2.835 * k, width * 0.085), min(widest, width * 0.2))
    n_breaks = sum(p.is_break for p in periods)
    n_teach = P - n_breaks
    unit = (width - label_w) / (n_teach + 0.45 * n_breaks) if P else 0
    col_w = [label_w] + [unit * (0.45 if p.is_break else 1.0) for p in periods]
    head_h = 22 * k
    first, rest = heights
    row_h = min((first - head_h) / max(1, len(rows)), nominal or 95 * k)

    def periods_label(lo: int, hi: int) -> str:
        return periods[lo].label if hi - lo <= 1 else f"{periods[lo].label}–{periods[hi - 1].label}"

    header = [""]
    for i, p in enumerate(periods):
        start, end = data.period_times(day, i)
        mark = f"<b>{esc(p.label)}</b><br/>{esc(start)}–{esc(end)}"
        if p.is_break:
            mark = f"<b>{esc(p.label)}</b>"
        header.append(styles.fit(f'<font color="#FFFFFF">{mark}</font>', col_w[i + 1] - 2 * pad,
                                 head_h - 2 * pad, base=7.5))
    base_cmds: list[tuple] = [
        ("FONT", (0, 0), (-1, -1), "ATOSans", 7 * k),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_COLOR),
        ("BACKGROUND", (0, 1), (0, -1), colors.HexColor("#EEF1F4")),
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("BOX", (0, 0), (-1, -1), 1.0, HEAD_COLOR),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), pad), ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (-1, -1), pad), ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
    ]
    made: list[_Row] = []
    for r, (label, sessions) in enumerate(rows):
        lab = styles.fit(f"<b>{esc(label)}</b>", label_w - 2 * pad, row_h - 2 * pad, base=8.5, align="center")
        cells: list = [lab] + [""] * P
        need = [lab.height]
        fits = [(0, f"<b>{esc(label)}</b>", label_w - 2 * pad, 8.5, "center")]
        cmds: list[tuple] = []
        used: set[int] = set()
        context = context_of_row(r)
        for b in blocks_of(sessions, P):
            w = sum(col_w[1 + c] for c in range(b.lo, b.hi)) - 2 * pad
            parts = [session_markup(s, view, context, data, b, periods_label) for s in
                     sorted(b.sessions, key=lambda s: (s.period, s.course_code, s.groups))]
            if b.hi - b.lo > 1 and len(parts) > 1:  # a wide cell: each session on one line where it fits
                parts = [m.replace("<br/>", "&nbsp;· ", 1) for m in parts]
            markup = "<br/>".join(parts)
            baskets = {s.basket for s in b.sessions}
            if view in ("group", "master") and len(baskets) == 1 and all(is_cohort_view(s, context) for s in b.sessions):
                markup = f"<i>Elective {esc(baskets.pop())}</i><br/>" + markup
            clash = block_clashes(data, b, view, context)
            if clash:
                markup = f'<font color="#A61B1B"><b>CLASH</b></font><br/>' + markup
            cell = styles.fit(markup, w, row_h - 2 * pad, base=8.0)
            fits.append((1 + b.lo, markup, w, 8.0, "center"))
            cells[1 + b.lo] = cell
            need.append(cell.height)
            if b.hi - b.lo > 1:
                cmds.append(("SPAN", (1 + b.lo, 0), (b.hi, 0)))
            cmds.append(("BACKGROUND", (1 + b.lo, 0), (b.hi, 0), WARN_COLOR if clash else _block_color(b)))
            if clash:
                cmds.append(("BOX", (1 + b.lo, 0), (b.hi, 0), 1.2, WARN_INK))
            used.update(c for c in range(b.lo, b.hi) if periods[c].is_break)
        if unavailable is not None:
            busy = {c for b in blocks_of(sessions, P) for c in range(b.lo, b.hi)}
            for c, p in enumerate(periods):
                if not p.is_break and c not in busy and unavailable(r, c):
                    cell = styles.fit('<font color="#5F6B7A">not available</font>', col_w[1 + c] - 2 * pad,
                                      row_h - 2 * pad, base=7)
                    cells[1 + c] = cell
                    fits.append((1 + c, '<font color="#5F6B7A">not available</font>', col_w[1 + c] - 2 * pad, 7,
                                 "center"))
                    need.append(cell.height)
                    cmds.append(("BACKGROUND", (1 + c, 0), (1 + c, 0), UNAVAILABLE_COLOR))
        made.append(_Row(cells, cmds, max(row_h, max(need) + 2 * pad + 0.5), used, fits))

    budget = first - head_h
    if made and sum(row.height for row in made) > budget + 0.5:
        # a tall row need not push the grid over the page: the other rows give up height, their text
        # set smaller (down to 7 pt), and all of it fitted again to the heights shared out
        least = [max(styles.fit(m, w, 0, base=b, align=a).height for _, m, w, b, a in row.fits) + 2 * pad + 0.5
                 for row in made]
        if sum(least) <= budget:
            lo, hi = 0.0, row_h
            for _ in range(40):
                level = (lo + hi) / 2
                lo, hi = (level, hi) if sum(max(x, level) for x in least) <= budget else (lo, level)
            for row, x in zip(made, least):
                target = max(x, lo)
                for i, m, w, b, a in row.fits:
                    row.cells[i] = styles.fit(m, w, target - 2 * pad - 0.5, base=b, align=a)
                row.height = max(target, max(row.cells[i].height for i, *_ in row.fits) + 2 * pad + 0.5)

    def paginate(first: float) -> list[list[_Row]]:
        """Rows to pages: as many as fit on each page, never fewer than one."""
        chunks: list[list[_Row]] = []
        room = first - head_h
        for row in made:
            if chunks and row.height <= room + 0.5:
                chunks[-1].append(row)
            else:
                if chunks:
                    room = rest - head_h
                chunks.append([row])
            room -= row.height
        return chunks

    chunks = paginate(first)
    if len(chunks) > 1 and first_alone:  # the whole first page rather than a second grid page
        chunks = paginate(first_alone)
    out = []
    letters_style = None
    for chunk in chunks or [[]]:
        table = [header]
        cmds = list(base_cmds)
        for i, row in enumerate(chunk, start=1):
            table.append(list(row.cells))
            for cmd in row.cmds:
                name, (c0, _), (c1, _), *args = cmd
                cmds.append((name, (c0, i), (c1, i), *args))
        n = len(chunk)
        total = sum(row.height for row in chunk)
        used = set().union(*(row.breaks_used for row in chunk)) if chunk else set()
        for c, p in enumerate(periods):
            if not p.is_break:
                continue
            col = 1 + c
            if c in used or n == 0:
                for r in range(1, n + 1):
                    if table[r][col] == "":
                        cmds.append(("BACKGROUND", (col, r), (col, r), BREAK_COLOR))
                continue
            letters = "<br/>".join(esc(ch) for ch in p.label.upper().replace(" ", "")[:12])
            cell = styles.fit(f"<b>{letters}</b>", col_w[col] - 2 * pad, total - 2 * pad, base=8)
            if cell.height <= total - 2 * pad:  # the break's name, written down the column, where it fits
                table[1][col] = cell
            cmds.append(("SPAN", (col, 1), (col, n)))
            cmds.append(("BACKGROUND", (col, 1), (col, n), BREAK_COLOR))
        t = Table(table, colWidths=col_w, rowHeights=[head_h] + [row.height for row in chunk], style=TableStyle(cmds))
        t.total_height = head_h + total
        out.append(t)
    return out


def legend(styles: Styles, sections: list[tuple[str, list[tuple[str, str]]]], width: float,
           max_cols: int = 4) -> Table | None:
    """A compact legend: ``[(heading, [(code, text), ...]), ...]`` in columns."""
    entries: list[tuple[str, str, str, str]] = []
    for heading, items in sections:
        if items:
            entries.append(("head", heading, "", heading))
            entries += [("item", c, t, heading) for c, t in items]
    if not entries:
        return None
    k = styles.k
    ncols = max(2, min(max_cols, int(width // (150 * k))))
    per_col = -(-len(entries) // ncols)
    cols = [entries[i * per_col:(i + 1) * per_col] for i in range(ncols)]
    st = styles.cell(round(max(7.0, 7.0 * k), 2), "left")
    stb = styles.cell(round(max(7.0, 7.0 * k), 2), "left", bold=True)
    from reportlab.pdfbase.pdfmetrics import stringWidth

    widest = max((stringWidth(a, "ATOSans-Bold", st.fontSize) for kind, a, _, _ in entries if kind == "item"),
                 default=0)
    code_w = min(max(28 * k, widest + 4 * k), max(80 * k, width / ncols * 0.45))  # a long code still fits
    text_w = width / ncols - code_w
    data, cmds = [], [("VALIGN", (0, 0), (-1, -1), "TOP"),
                      ("FONT", (0, 0), (-1, -1), "ATOSans", st.fontSize, st.leading),
                      ("TOPPADDING", (0, 0), (-1, -1), 0.6 * k), ("BOTTOMPADDING", (0, 0), (-1, -1), 0.6 * k),
                      ("LEFTPADDING", (0, 0), (-1, -1), 1.5 * k), ("RIGHTPADDING", (0, 0), (-1, -1), 1.5 * k)]
    for r in range(per_col):
        row = []
        for ci, col in enumerate(cols):
            if r < len(col):
                kind, a, b, heading = col[r]
                if kind == "head":
                    row += [a, ""]  # a plain string: drawn on one line across the empty text cell
                    cmds.append(("FONT", (2 * ci, r), (2 * ci, r), "ATOSans-Bold", stb.fontSize, stb.leading))
                    cmds.append(("TEXTCOLOR", (2 * ci, r), (2 * ci, r), MUTED))
                else:
                    row += [Paragraph(f"<b>{esc(a)}</b>", st), Paragraph(esc(b), st)]
                    if heading == "Kinds" and a in SWATCHES:  # the key to the cell fills
                        cmds.append(("BACKGROUND", (2 * ci, r), (2 * ci, r), SWATCHES[a]))
                        cmds.append(("BOX", (2 * ci, r), (2 * ci, r), 0.5, RULE))
            else:
                row += ["", ""]
        data.append(row)
    return Table(data, colWidths=[code_w, text_w] * ncols, style=TableStyle(cmds), hAlign="LEFT")


def compact_legend(styles: Styles, sections: list[tuple[str, list[tuple[str, str]]]], width: float) -> Table | None:
    """The legend run in: one paragraph per heading ("Courses: CS101 Programming … · CS102 …"), at
    7 pt, the kinds with their fill behind the code. Less than half the height of :func:`legend`'s
    columns, where long titles wrap in narrow cells; used when that would push the grid onto a
    second page."""
    k = styles.k
    st = styles.cell(round(max(7.0, 7.0 * k), 2), "left")
    rows = []
    for heading, items in sections:
        if not items:
            continue
        parts = []
        for code, text in items:
            mark = f"<b>{esc(code)}</b>"
            if heading == "Kinds" and code in SWATCHES:  # the key to the cell fills
                mark = f'<span backColor="{SWATCHES[code].hexval().replace("0x", "#")}">&nbsp;{mark}&nbsp;</span>'
            parts.append(f"{mark} {esc(text)}" if text and text != code else mark)
        rows.append([Paragraph(f'<font color="#5F6B7A"><b>{esc(heading)}:</b></font> ' + " · ".join(parts), st)])
    if not rows:
        return None
    return Table(rows, colWidths=[width], hAlign="LEFT", style=TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 0.6 * k), ("BOTTOMPADDING", (0, 0), (-1, -1), 0.6 * k),
        ("LEFTPADDING", (0, 0), (-1, -1), 1.5 * k), ("RIGHTPADDING", (0, 0), (-1, -1), 1.5 * k)]))


def legend_items(data: ReportData, sessions: list[SessionView], view: str) -> list[tuple[str, list[tuple[str, str]]]]:
    courses = sorted({s.course_code for s in sessions})
    course_items = [(c, data.courses.get(c, {}).get("title", "")) for c in courses]
    kinds = sorted({s.kind for s in sessions}, key="LTP".find)
    kind_items = [(k, KIND_WORDS.get(k, k)) for k in kinds] + [("mixed", "several kinds in one cell"),
                                                                ("clash", "a hard conflict (red frame)")]
    out = [("Courses", course_items)]
    if view != "faculty":
        fac = sorted({f for s in sessions for f in s.faculty})
        out.append(("Faculty", [(f, data.faculty.get(f, {}).get("name", f)) for f in fac]))
    if view in ("faculty", "room"):
        groups = sorted({g for s in sessions for g in s.groups})
        out.append(("Student groups", [(g, data.groups.get(g, {}).get("name", "") or g) for g in groups]))
    out.append(("Kinds", kind_items))
    return out


def _subtitle(data: ReportData, view: str, code: str, sessions: list[SessionView]) -> str:
    periods = sum(s.duration for s in sessions if s.scheduled)
    if view == "group":
        g = data.groups.get(code, {})
        bits = [g.get("name") or "", f"{g.get('strength')} students" if g.get("strength") else ""]
        batches = data.children(code)
        if batches:
            bits.append("lab batches " + ", ".join(short_group(b, code) for b in batches))
    elif view == "faculty":
        f = data.faculty.get(code, {})
        limit = f.get("max_weekly_periods")
        bits = [f.get("designation") or "", f.get("department_name") or "",
                f"{periods} periods a week" + (f" (limit {limit})" if limit else "")]
    else:
        r = data.rooms.get(code, {})
        bits = [r.get("name") or "", r.get("building") or "", f"capacity {r.get('capacity')}",
                (r.get("kind") or "").replace("_", " "), f"{periods} periods in use"]
    unsched = sum(1 for s in sessions if not s.scheduled)
    if unsched:
        bits.append(f"{unsched} session(s) not yet scheduled")
    return " · ".join(esc(b) for b in bits if b)


def own_times_note(data: ReportData) -> str:
    """Subtitle lines for the days whose periods have times of their own (the grid's header shows the
    calendar's), e.g. "Saturday: P1 08:00–08:45, P2 08:45–09:30"."""
    out = ""
    for d in data.calendar.days:
        own = data.day_times.get(d.position)
        if own:
            times = ", ".join(f"{data.calendar.periods[i].label} {a}–{b}" for i, (a, b) in sorted(own.items()))
            out += "<br/>" + esc(f"{d.name}: {times}")
    return out


def _title_block(styles: Styles, fw: float, fh: float, title: str, subtitle: str) -> tuple[list, float]:
    flow = [Paragraph(title, styles.title), Paragraph(subtitle, styles.subtitle), Spacer(1, 4 * styles.k)]
    return flow, sum(f.wrap(fw, fh)[1] for f in flow) + 6 * styles.k


def _pages(styles: Styles, fw: float, fh: float, title: str, subtitle: str, tables: list[Table],
           leg: Table | None, key_title: str) -> list:
    """Title, the grid's tables one per page (continued pages say so), and the legend below the grid
    where it fits, else on a page of its own."""
    from reportlab.platypus import PageBreak

    k = styles.k
    out: list = []
    left = fh
    for i, t in enumerate(tables):
        if i:
            out.append(PageBreak())
        part = f" (page {i + 1} of {len(tables)})" if len(tables) > 1 else ""
        block, h = _title_block(styles, fw, fh, title + esc(part), subtitle)
        out += block + [t]
        left = fh - h - t.total_height - 2
    if leg is not None:
        leg_h = leg.wrap(fw, fh)[1] + 5 * k
        if leg_h <= left + 0.5:
            out += [Spacer(1, 5 * k), leg]
        else:
            block, _ = _title_block(styles, fw, fh, key_title, subtitle)
            out += [PageBreak()] + block + [leg]
    return out


def timetable_page(data: ReportData, styles: Styles, setup: PageSetup, view: str, code: str) -> list:
    """The flowables of one timetable: one page, unless its text needs more room at 7 pt (then the grid
    continues on the next page, and the legend goes on a page of its own if it does not fit below)."""
    sessions = {"group": data.group_sessions, "faculty": data.faculty_sessions, "room": data.room_sessions}[view](code)
    _, _, fw, fh = setup.frame()
    k = styles.k
    if view == "faculty":
        name = data.faculty.get(code, {}).get("name", code)
        title = f"Timetable — {esc(name)} ({esc(code)})"
    else:
        title = f"Timetable — {VIEW_TITLES[view]} {esc(code)}"
    subtitle = _subtitle(data, view, code, sessions) + own_times_note(data)
    _, used = _title_block(styles, fw, fh, title, subtitle)
    items = legend_items(data, sessions, view)
    leg = legend(styles, items, fw)
    by_day: dict[int, list[SessionView]] = {}
    for s in sessions:
        if s.scheduled:
            by_day.setdefault(s.day, []).append(s)
    rows = [(d.name, by_day.get(d.position, [])) for d in data.calendar.days]
    blocked: set[tuple[int, int]] = set()
    if view == "faculty":
        blocked = data.faculty_unavailable.get(code, set())
    elif view == "room":
        blocked = data.room_unavailable.get(code, set())
    days = data.calendar.days
    avail = fh - used - 2

    def layout(leg: Table | None) -> tuple[list[Table], bool]:
        """The grid's tables under the legend ``leg``, and whether grid and legend share one page."""
        leg_h = (leg.wrap(fw, fh)[1] + 5 * k) if leg is not None else 0
        # the grid and its legend on one page; else the grid on its page and the legend on the next
        first = max(60 * k, avail - leg_h) if leg_h < avail * 0.6 else avail
        tables = grid(data, styles, rows, fw, (first, avail), view=view,
                      context_of_row=lambda r: code if view == "group" else None,
                      unavailable=(lambda r, c: (days[r].position, c) in blocked) if blocked else None,
                      first_alone=avail)
        return tables, len(tables) == 1 and tables[0].total_height + leg_h <= avail + 0.5

    tables, one_page = layout(leg)
    if not one_page and leg is not None:  # the legend run in, if that keeps the timetable on one page
        short = compact_legend(styles, items, fw)
        short_tables, one_page = layout(short)
        if one_page:
            tables, leg = short_tables, short
    return _pages(styles, fw, fh, title, subtitle, tables, leg, title + " — key")


def master_key(data: ReportData, styles: Styles, setup: PageSetup) -> list:
    """The master timetable's legend, once, on a page of its own (it may flow over several)."""
    _, _, fw, _ = setup.frame()
    groups = data.top_groups()
    sessions = [s for g in groups for s in data.group_sessions(g) if s.scheduled]
    out = [Paragraph("Master timetable — key", styles.title),
           Paragraph(esc(f"{len(groups)} student groups · {data.department}"), styles.subtitle),
           Spacer(1, 4 * styles.k)]
    leg = legend(styles, legend_items(data, sessions, "master"), fw, max_cols=4)
    return out + ([leg] if leg is not None else [Paragraph("No scheduled sessions.", styles.body)])


def master_day(data: ReportData, styles: Styles, setup: PageSetup, day, *, min_row: float = 26.0) -> list:
    """One day of the master timetable: a row per student group, over as many pages as the rows need."""
    _, _, fw, fh = setup.frame()
    k = styles.k
    groups = data.top_groups()
    rows = [(g, [s for s in data.group_sessions(g) if s.scheduled and s.day == day.position]) for g in groups]
    title = f"Master timetable — {esc(day.name)}"
    subtitle = esc(f"{len(groups)} student groups · {data.department} · key on the first page of the master")
    _, used = _title_block(styles, fw, fh, title, subtitle)
    avail = fh - used - 2
    tables = grid(data, styles, rows, fw, (avail, avail), view="master", context_of_row=lambda r: groups[r],
                  label_width=max(40 * k, fw * 0.08), nominal=max(min_row * k, avail / max(1, len(rows))),
                  day=day.position)
    return _pages(styles, fw, fh, title, subtitle, tables, None, "")
