"""Timetable grids: one page per student group, faculty member or room; master pages per day.

A grid has one row per day (or, on the master, per student group) and one
column per period, breaks included (shaded, narrower). Sessions that overlap
in a row are drawn as ONE merged cell spanning from the first period to the
last (a 2- or 3-period lab is one cell; two lab batches side by side share a
cell that lists both).
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
from ato_desktop.services.timetables import SessionView

KIND_WORDS = {"L": "lecture", "T": "tutorial", "P": "practical (lab)"}
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


def grid(data: ReportData, styles: Styles, rows: list[tuple[str, list[SessionView]]], width: float, height: float,
         *, view: str, context_of_row: Callable[[int], str | None],
         unavailable: Callable[[int, int], bool] | None = None, label_width: float | None = None) -> Table:
    """A rows x periods table of exactly ``width`` x ``height`` points; ``rows`` = [(plain label, sessions)]."""
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
    row_h = min((height - head_h) / max(1, len(rows)), 95 * k)

    def periods_label(lo: int, hi: int) -> str:
        return periods[lo].label if hi - lo <= 1 else f"{periods[lo].label}–{periods[hi - 1].label}"

    header = [styles.fit("", label_w - 2 * pad, head_h - 2 * pad)]
    for i, p in enumerate(periods):
        mark = f"<b>{esc(p.label)}</b><br/>{esc(p.start_time)}–{esc(p.end_time)}"
        if p.is_break:
            mark = f"<b>{esc(p.label)}</b>"
        header.append(styles.fit(f'<font color="#FFFFFF">{mark}</font>', col_w[i + 1] - 2 * pad,
                                 head_h - 2 * pad, base=7.5, minimum=4.5))
    table: list[list] = [header]
    cmds: list[tuple] = [
        ("FONT", (0, 0), (-1, -1), "ATOSans", 7 * k),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_COLOR),
        ("BACKGROUND", (0, 1), (0, -1), colors.HexColor("#EEF1F4")),
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("BOX", (0, 0), (-1, -1), 1.0, HEAD_COLOR),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), pad), ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (-1, -1), pad), ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
    ]
    break_cols_used: set[int] = set()
    for r, (label, sessions) in enumerate(rows, start=1):
        cells: list = [styles.fit(f"<b>{esc(label)}</b>", label_w - 2 * pad, row_h - 2 * pad, base=8.5, minimum=5)]
        cells += [""] * P
        context = context_of_row(r - 1)
        for b in blocks_of(sessions, P):
            w = sum(col_w[1 + c] for c in range(b.lo, b.hi)) - 2 * pad
            markup = "<br/>".join(session_markup(s, view, context, data, b, periods_label) for s in
                                  sorted(b.sessions, key=lambda s: (s.period, s.course_code, s.groups)))
            baskets = {s.basket for s in b.sessions}
            if view in ("group", "master") and len(baskets) == 1 and all(is_cohort_view(s, context) for s in b.sessions):
                markup = f"<i>Elective {esc(baskets.pop())}</i><br/>" + markup
            clash = block_clashes(data, b, view, context)
            if clash:
                markup = f'<font color="#A61B1B"><b>CLASH</b></font><br/>' + markup
            cells[1 + b.lo] = styles.fit(markup, w, row_h - 2 * pad, base=8.0, minimum=4.0)
            if b.hi - b.lo > 1:
                cmds.append(("SPAN", (1 + b.lo, r), (b.hi, r)))
            cmds.append(("BACKGROUND", (1 + b.lo, r), (b.hi, r), WARN_COLOR if clash else _block_color(b)))
            if clash:
                cmds.append(("BOX", (1 + b.lo, r), (b.hi, r), 1.2, WARN_INK))
            for c in range(b.lo, b.hi):
                if periods[c].is_break:
                    break_cols_used.add(c)
        if unavailable is not None:
            busy = {c for b in blocks_of(sessions, P) for c in range(b.lo, b.hi)}
            for c, p in enumerate(periods):
                if not p.is_break and c not in busy and unavailable(r - 1, c):
                    cells[1 + c] = Paragraph('<font color="#5F6B7A">not available</font>',
                                               styles.cell(round(5.5 * k, 2)))
                    cmds.append(("BACKGROUND", (1 + c, r), (1 + c, r), UNAVAILABLE_COLOR))
        table.append(cells)
    n = len(rows)
    for c, p in enumerate(periods):
        if not p.is_break:
            continue
        col = 1 + c
        if c in break_cols_used or n == 0:
            for r in range(1, n + 1):
                if table[r][col] == "":
                    cmds.append(("BACKGROUND", (col, r), (col, r), BREAK_COLOR))
            continue
        letters = "<br/>".join(esc(ch) for ch in p.label.upper().replace(" ", "")[:12])
        table[1][col] = styles.fit(f"<b>{letters}</b>", col_w[col] - 2 * pad, n * row_h - 2 * pad, base=8,
                                   minimum=4)
        cmds.append(("SPAN", (col, 1), (col, n)))
        cmds.append(("BACKGROUND", (col, 1), (col, n), BREAK_COLOR))
    t = Table(table, colWidths=col_w, rowHeights=[head_h] + [row_h] * n, style=TableStyle(cmds))
    return t


def legend(styles: Styles, sections: list[tuple[str, list[tuple[str, str]]]], width: float,
           max_cols: int = 4) -> Table | None:
    """A compact legend: ``[(heading, [(code, text), ...]), ...]`` in columns."""
    entries: list[tuple[str, str, str]] = []
    for heading, items in sections:
        if items:
            entries.append(("head", heading, ""))
            entries += [("item", c, t) for c, t in items]
    if not entries:
        return None
    k = styles.k
    ncols = max(2, min(max_cols, int(width // (150 * k))))
    per_col = -(-len(entries) // ncols)
    cols = [entries[i * per_col:(i + 1) * per_col] for i in range(ncols)]
    st = styles.cell(round(6.8 * k, 2), "left")
    stb = styles.cell(round(6.8 * k, 2), "left", bold=True)
    from reportlab.pdfbase.pdfmetrics import stringWidth

    widest = max((stringWidth(a, "ATOSans-Bold", st.fontSize) for kind, a, _ in entries if kind == "item"), default=0)
    code_w = min(max(28 * k, widest + 4 * k), 80 * k)
    text_w = width / ncols - code_w
    data, cmds = [], [("VALIGN", (0, 0), (-1, -1), "TOP"),
                      ("FONT", (0, 0), (-1, -1), "ATOSans", st.fontSize, st.leading),
                      ("TOPPADDING", (0, 0), (-1, -1), 0.6 * k), ("BOTTOMPADDING", (0, 0), (-1, -1), 0.6 * k),
                      ("LEFTPADDING", (0, 0), (-1, -1), 1.5 * k), ("RIGHTPADDING", (0, 0), (-1, -1), 1.5 * k)]
    for r in range(per_col):
        row = []
        for ci, col in enumerate(cols):
            if r < len(col):
                kind, a, b = col[r]
                if kind == "head":
                    row += [a, ""]  # a plain string: drawn on one line across the empty text cell
                    cmds.append(("FONT", (2 * ci, r), (2 * ci, r), "ATOSans-Bold", stb.fontSize, stb.leading))
                    cmds.append(("TEXTCOLOR", (2 * ci, r), (2 * ci, r), MUTED))
                else:
                    row += [Paragraph(f"<b>{esc(a)}</b>", st), Paragraph(esc(b), st)]
            else:
                row += ["", ""]
        data.append(row)
    return Table(data, colWidths=[code_w, text_w] * ncols, style=TableStyle(cmds), hAlign="LEFT")


def legend_items(data: ReportData, sessions: list[SessionView], view: str) -> list[tuple[str, list[tuple[str, str]]]]:
    courses = sorted({s.course_code for s in sessions})
    course_items = [(c, data.courses.get(c, {}).get("title", "")) for c in courses]
    kinds = sorted({s.kind for s in sessions}, key="LTP".find)
    kind_items = [(k, KIND_WORDS.get(k, k)) for k in kinds]
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


def timetable_page(data: ReportData, styles: Styles, setup: PageSetup, view: str, code: str) -> list:
    """The flowables of one timetable page (exactly one page)."""
    sessions = {"group": data.group_sessions, "faculty": data.faculty_sessions, "room": data.room_sessions}[view](code)
    _, _, fw, fh = setup.frame()
    k = styles.k
    if view == "faculty":
        name = data.faculty.get(code, {}).get("name", code)
        title = f"Timetable — {esc(name)} ({esc(code)})"
    else:
        title = f"Timetable — {VIEW_TITLES[view]} {esc(code)}"
    head = [Paragraph(title, styles.title), Paragraph(_subtitle(data, view, code, sessions), styles.subtitle),
            Spacer(1, 4 * k)]
    leg = legend(styles, legend_items(data, sessions, view), fw)
    used = sum(f.wrap(fw, fh)[1] for f in head) + 6 * k
    if leg is not None:
        used += leg.wrap(fw, fh)[1] + 5 * k
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
    tbl = grid(data, styles, rows, fw, max(60 * k, fh - used - 2), view=view,
               context_of_row=lambda r: code if view == "group" else None,
               unavailable=(lambda r, c: (days[r].position, c) in blocked) if blocked else None)
    out = head + [tbl]
    if leg is not None:
        out += [Spacer(1, 5 * k), leg]
    return out


def master_pages(data: ReportData, styles: Styles, setup: PageSetup, *, min_row: float = 26.0) -> list[tuple[str, list]]:
    """The department master timetable: per day, one row per student group (split over pages if needed).

    Returns ``[(day name, flowables of that day's page(s)), ...]``; pages after the first of a day
    start with a page break inside the flowables.
    """
    from reportlab.platypus import PageBreak

    _, _, fw, fh = setup.frame()
    k = styles.k
    groups = data.top_groups()
    group_sessions = {g: [s for s in data.group_sessions(g) if s.scheduled] for g in groups}
    all_sessions = [s for ss in group_sessions.values() for s in ss]
    leg = legend(styles, legend_items(data, all_sessions, "master"), fw, max_cols=6)
    leg_h = (leg.wrap(fw, fh)[1] + 5 * k) if leg is not None else 0
    out = []
    for d in data.calendar.days:
        title = Paragraph(f"Master timetable — {esc(d.name)}", styles.title)
        sub = Paragraph(esc(f"{len(groups)} student groups · {data.department}"), styles.subtitle)
        head_h = title.wrap(fw, fh)[1] + sub.wrap(fw, fh)[1] + 10 * k
        avail = fh - head_h - leg_h - 2
        per_page = max(1, int((avail - 22 * k) // (min_row * k)))
        chunks = [groups[i:i + per_page] for i in range(0, len(groups), per_page)] or [[]]
        flow: list = []
        for ci, chunk in enumerate(chunks):
            if ci:
                flow.append(PageBreak())
            rows = [(g, [s for s in group_sessions[g] if s.day == d.position]) for g in chunk]
            t = grid(data, styles, rows, fw, avail, view="master", context_of_row=lambda r, c=chunk: c[r],
                     label_width=max(40 * k, fw * 0.08))
            part = f" (part {ci + 1} of {len(chunks)})" if len(chunks) > 1 else ""
            flow += [Paragraph(f"Master timetable — {esc(d.name)}{esc(part)}", styles.title), sub,
                     Spacer(1, 4 * k), t]
            if leg is not None:
                flow += [Spacer(1, 5 * k), leg]
        out.append((d.name, flow))
    return out
