"""Report tables: faculty workload, room utilization, unscheduled sessions and remaining conflicts."""

from __future__ import annotations

from dataclasses import dataclass, field

from reportlab.lib import colors
from reportlab.platypus import Spacer, Table, TableStyle

from ato_desktop.reports.data import ReportData, ReportError
from ato_desktop.reports.layout import HEAD_COLOR, MUTED, RULE, WARN_COLOR, PageSetup, Paragraph, Styles, esc


# ---------------------------------------------------------------------------
# figures (plain data, tested directly)
# ---------------------------------------------------------------------------
@dataclass
class WorkloadRow:
    code: str
    name: str
    designation: str
    per_day: list[int]
    week: int
    assigned: int  # periods of all its sessions, scheduled or not
    weekly_limit: int
    daily_limit: int
    subs_taken: int = 0  # substitutions taken for colleagues this term
    subs_given: int = 0  # own lessons covered by colleagues this term
    norm: int = 0  # UGC direct teaching norm a week (services.templates; 0: none)

    @property
    def over_week(self) -> bool:
        return self.weekly_limit > 0 and self.week > self.weekly_limit

    @property
    def under_norm(self) -> bool:
        """Assigned fewer periods than the designation's UGC norm (a warning, not a conflict)."""
        return self.norm > 0 and self.assigned < self.norm

    def over_day(self, d: int) -> bool:
        return self.daily_limit > 0 and self.per_day[d] > self.daily_limit


def workload(data: ReportData) -> list[WorkloadRow]:
    D = data.calendar.n_days
    rows = []
    for code in sorted(data.faculty):
        f = data.faculty[code]
        per_day = [0] * D
        assigned = 0
        for s in data.faculty_sessions(code):
            assigned += s.duration
            if s.scheduled and 0 <= s.day < D:
                per_day[s.day] += s.duration
        taken, given = data.substitutions.get(code, (0, 0))
        rows.append(WorkloadRow(code, f.get("name", ""), f.get("designation", ""), per_day, sum(per_day), assigned,
                                int(f.get("max_weekly_periods") or 0), int(f.get("max_daily_periods") or 0),
                                taken, given, data.weekly_norms.get(code, 0)))
    return rows


@dataclass
class UtilizationRow:
    code: str
    name: str
    kind: str
    capacity: int
    used: list[int]  # periods in use per day
    available: list[int]  # usable teaching periods per day (room unavailability removed)
    seats: list[float] = field(default_factory=list)  # students / capacity per scheduled session

    @property
    def week_used(self) -> int:
        return sum(self.used)

    @property
    def week_available(self) -> int:
        return sum(self.available)

    @staticmethod
    def share(used: int, available: int) -> float:
        return used / available if available else 0.0

    @property
    def seat_fill(self) -> float | None:
        return sum(self.seats) / len(self.seats) if self.seats else None


def _strength(data: ReportData, s: SessionView) -> int:
    return sum(int(data.groups.get(g, {}).get("strength") or 0) for g in s.groups)


def utilization(data: ReportData) -> list[UtilizationRow]:
    D = data.calendar.n_days
    teach = data.teaching_periods()
    rows = []
    for code in data.active_rooms():
        r = data.rooms[code]
        blocked = data.room_unavailable.get(code, set())
        available = [sum(1 for p in teach if (d, p) not in blocked) for d in range(D)]
        used = [0] * D
        seats = []
        cap = int(r.get("capacity") or 0)
        for s in data.room_sessions(code):
            if s.scheduled and 0 <= s.day < D:
                used[s.day] += sum(1 for p in range(s.period, s.period + s.duration) if p in teach)
                if cap:
                    seats.append(_strength(data, s) / cap)
        rows.append(UtilizationRow(code, r.get("name", ""), (r.get("kind") or "").replace("_", " "), cap, used,
                                   available, seats))
    return rows


# ---------------------------------------------------------------------------
# flowables
# ---------------------------------------------------------------------------
PAD = 3.0  # cell padding left and right (points, times the paper's text scale)
def _style(n_rows: int, k: float) -> list[tuple]:
    return [
        ("FONT", (0, 0), (-1, -1), "ATOSans", 7.5 * k),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_COLOR),
        ("GRID", (0, 0), (-1, -1), 0.4, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#F5F7F9")]),
        ("TOPPADDING", (0, 0), (-1, -1), 2 * k), ("BOTTOMPADDING", (0, 0), (-1, -1), 2 * k),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD * k), ("RIGHTPADDING", (0, 0), (-1, -1), PAD * k),
    ]


def _widths(table: list[list], total: float, flex: dict[int, float], k: float,
            whole: frozenset[int] = frozenset()) -> list[float]:
    """Column widths: each column as wide as its longest word (lines break between words only; the
    columns in ``whole`` as wide as their longest text), the rest of ``total`` shared by the ``flex``
    columns {index: weight}."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    pad = 2 * PAD * k + 0.5
    mins = []
    for c in range(len(table[0])):
        w = 0.0
        for i, row in enumerate(table):
            cell = row[c]
            if isinstance(cell, Paragraph) and c in whole and i:
                w = max(w, stringWidth(cell.getPlainText(), cell.style.fontName, cell.style.fontSize))
            elif isinstance(cell, Paragraph):
                w = max(w, cell.minWidth())
            elif isinstance(cell, str) and cell:
                w = max(w, stringWidth(cell, "ATOSans", 7.5 * k))
        mins.append(w + pad)
    free = total - sum(mins)
    if free > 0:
        weight = sum(flex.values()) or 1
        mins = [w + free * flex.get(c, 0) / weight for c, w in enumerate(mins)]
    return mins


def _head(styles: Styles, labels: list[str]) -> list[Paragraph]:
    return [Paragraph(esc(x), styles.head) for x in labels]


def workload_flowables(data: ReportData, styles: Styles, setup: PageSetup) -> list:
    _, _, fw, _ = setup.frame()
    k = styles.k
    rows = workload(data)
    days = [d.short_name for d in data.calendar.days]
    out: list = [Paragraph("Faculty workload", styles.title),
                 Paragraph("Periods taught per day and per week, against each faculty member's limits. "
                           "Cells over a limit are highlighted; “assigned” counts every session of the "
                           "faculty member, scheduled or not; “subst.” counts the term's substitutions "
                           "taken for colleagues / own lessons covered by them; “below the UGC norm” compares "
                           "the assigned periods with the designation's direct teaching norm (the credit "
                           "template's workload norms).", styles.subtitle),
                 Spacer(1, 6 * k)]
    table = [_head(styles, ["Code", "Name", "Designation", *days, "Week", "Limit / week", "Max / day",
                            "Assigned", "Subst.", "Status"])]
    cmds = _style(len(rows), k)
    for i, r in enumerate(rows, start=1):
        status = []
        if r.over_week:
            status.append(f"{r.week - r.weekly_limit} over weekly limit")
            cmds.append(("BACKGROUND", (3 + len(days), i), (3 + len(days), i), WARN_COLOR))
        for d in range(len(days)):
            if r.over_day(d):
                cmds.append(("BACKGROUND", (3 + d, i), (3 + d, i), WARN_COLOR))
                status.append(f"{days[d]} over daily max")
        if r.assigned > r.week:
            status.append(f"{r.assigned - r.week} unscheduled")
        if r.under_norm:
            status.append(f"{r.norm - r.assigned} below the UGC norm of {r.norm}")
        if not status:
            status = ["OK" if r.week else "no teaching"]
        table.append([r.code, Paragraph(esc(r.name), styles.small), Paragraph(esc(r.designation), styles.small),
                      *[str(x) for x in r.per_day], str(r.week), str(r.weekly_limit or "—"),
                      str(r.daily_limit or "—"), str(r.assigned), f"{r.subs_taken} / {r.subs_given}",
                      Paragraph(esc("; ".join(status)), styles.small)])
    total = [sum(r.per_day[d] for r in rows) for d in range(len(days))]
    table.append(["", Paragraph("<b>All faculty</b>", styles.small), "", *[str(x) for x in total], str(sum(total)),
                  "", "", str(sum(r.assigned for r in rows)),
                  f"{sum(r.subs_taken for r in rows)} / {sum(r.subs_given for r in rows)}", ""])
    cmds += [("ALIGN", (3, 1), (-2, -1), "CENTER"), ("LINEABOVE", (0, -1), (-1, -1), 1.0, HEAD_COLOR)]
    flex = {1: 4, 2: 1, len(table[0]) - 1: 3}  # name, designation, status
    flex.update({3 + d: 0.3 for d in range(len(days))})
    out.append(Table(table, colWidths=_widths(table, fw, flex, k), style=TableStyle(cmds), repeatRows=1))
    return out


def utilization_flowables(data: ReportData, styles: Styles, setup: PageSetup) -> list:
    _, _, fw, _ = setup.frame()
    k = styles.k
    rows = utilization(data)
    days = [d.short_name for d in data.calendar.days]
    out: list = [Paragraph("Room utilization", styles.title),
                 Paragraph("Teaching periods in use per day out of the room's usable periods (breaks and the "
                           "room's unavailable periods excluded); “seats filled” is the average share of the "
                           "capacity taken by the students of each session.", styles.subtitle), Spacer(1, 6 * k)]
    table = [_head(styles, ["Room", "Name", "Kind", "Seats", *days, "Week", "Seats filled"])]
    cmds = _style(len(rows), k)

    def cell(u: int, a: int) -> Paragraph:
        pct = UtilizationRow.share(u, a)
        return Paragraph(f"{u}/{a}<br/><b>{pct:.0%}</b>", styles.small_center)

    for r in rows:
        fill = r.seat_fill
        table.append([r.code, Paragraph(esc(r.name), styles.small), r.kind, str(r.capacity),
                      *[cell(r.used[d], r.available[d]) for d in range(len(days))],
                      cell(r.week_used, r.week_available), "—" if fill is None else f"{fill:.0%}"])
    tot_u = [sum(r.used[d] for r in rows) for d in range(len(days))]
    tot_a = [sum(r.available[d] for r in rows) for d in range(len(days))]
    table.append(["", Paragraph("<b>All rooms</b>", styles.small), "", "",
                  *[cell(tot_u[d], tot_a[d]) for d in range(len(days))], cell(sum(tot_u), sum(tot_a)), ""])
    cmds += [("ALIGN", (3, 1), (-1, -1), "CENTER"), ("LINEABOVE", (0, -1), (-1, -1), 1.0, HEAD_COLOR)]
    flex = {1: 4, 2: 1}
    flex.update({4 + d: 0.5 for d in range(len(days) + 1)})
    out.append(Table(table, colWidths=_widths(table, fw, flex, k), style=TableStyle(cmds), repeatRows=1))
    return out


# ---------------------------------------------------------------------------
# unscheduled sessions and remaining conflicts
# ---------------------------------------------------------------------------
def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


@dataclass
class ConflictGroup:
    name: str
    hard: bool
    count: int
    cost: int
    messages: list[str]
    label: str = ""
    violations: int | None = None  # number of violations (None when the engine does not explain them)


@dataclass
class Problems:
    unscheduled: list[SessionView]
    requirement: dict[int, str]  # session id -> room requirement text
    conflicts: list[ConflictGroup]
    explained: bool  # False when the engine's evaluate() is not available (counts only)
    note: str = ""
    why: dict[int, str] = field(default_factory=dict)  # session id -> why it is unscheduled / where it fits


def problems(data: ReportData, *, max_messages: int = 100) -> Problems:
    """Unscheduled sessions, and the engine's remaining violations with their explanations (cached on ``data``)."""
    cached = data.__dict__.get("_problems")
    if cached is not None:
        return cached
    data.__dict__["_problems"] = out = _problems(data, max_messages)
    return out


def _problems(data: ReportData, max_messages: int) -> Problems:
    from ato_desktop.engine.problem import HARD_CONSTRAINTS

    if data.compiled is None:
        raise ReportError("the report's data has no compiled timetable: read it with services.reports.load_report_data.")
    comp, assignment = data.compiled()  # read by the services (services.reports.load_report_data)
    p = comp.problem
    req_texts = p.meta.get("session_room_requirement", ())
    index = {(s.activity_id, s.occurrence): s.id for s in data.sessions}
    requirement = {index[key]: req_texts[i] for i, key in enumerate(comp.keys) if key in index and i < len(req_texts)}
    hard = set(HARD_CONSTRAINTS)
    groups: list[ConflictGroup] = []
    explained, note = True, ""
    from ato_desktop.engine.evaluate import evaluate

    score = evaluate(p, assignment)
    for name, cr in score.by_constraint.items():
        count = int(cr.count or 0)
        if not count:
            continue
        violations = list(cr.violations or ())
        is_hard = bool(getattr(cr, "is_hard", name in hard))
        limit = max_messages if is_hard else max(1, max_messages // 4)  # every hard one; soft: examples
        msgs = [v.message or str(v) for v in violations[:limit]]
        if len(violations) > len(msgs):
            msgs.append(f"… and {len(violations) - len(msgs)} more.")
        groups.append(ConflictGroup(name, is_hard, count, int(cr.cost or 0),
                                    msgs, getattr(cr, "label", "") or _label(name), len(violations)))
    groups.sort(key=lambda g: (not g.hard, -g.cost, g.name))
    why = {}
    for sv in data.unscheduled():
        si = comp.index_of.get((sv.activity_id, sv.occurrence))
        if si is not None:
            why[sv.id] = _why_unscheduled(p, assignment, si)
    return Problems(data.unscheduled(), requirement, groups, explained, note, why)


def _why_unscheduled(p, a, s: int, examples: int = 3) -> str:
    """Where an unscheduled session could go now, or why it cannot go anywhere."""
    import numpy as np

    from ato_desktop.engine.checks import check_problem, feasible_starts

    starts = np.flatnonzero(feasible_starts(p, s))
    if not len(starts):
        found = [f.message for f in check_problem(p) if s in f.sessions and f.severity == "error"]
        return found[0] if found else "No period is possible for it (availability, breaks or day length)."
    T, d = p.n_slots, int(p.session_duration[s])
    res_busy = np.zeros((p.n_resources, T), bool)
    room_busy = np.zeros((p.n_rooms, T), bool)
    for o in range(p.n_sessions):
        t0 = int(a.start[o])
        if o == s or t0 < 0:
            continue
        occ = slice(t0, min(T, t0 + int(p.session_duration[o])))
        res_busy[p.resources_of(o), occ] = True
        if int(a.room[o]) >= 0:
            room_busy[int(a.room[o]), occ] = True
    qs = p.resources_of(s)
    places = []
    for t0 in starts:
        occ = slice(int(t0), int(t0) + d)
        if res_busy[qs, occ].any():
            continue
        if p.session_needs_room[s]:
            free = p.session_allowed_rooms[s] & p.room_available[:, occ].all(axis=1) & ~room_busy[:, occ].any(axis=1)
            rooms = np.flatnonzero(free)
            if not len(rooms):
                continue
            places.append(f"{p.slot_label(int(t0))} in {p.room_names[int(rooms[0])]}")
        else:
            places.append(p.slot_label(int(t0)))
    basket = any(s in set(map(int, ss)) for ss in p.sync_sets)
    tail = " (an elective: its basket moves together)" if basket else ""
    if not places:
        return (f"All {len(starts)} possible start(s) are taken by its faculty, its students or every suitable "
                f"room; free one or move another session{tail}.")
    more = f" and {len(places) - examples} more" if len(places) > examples else ""
    return f"Fits now at {', '.join(places[:examples])}{more}{tail}."


def problems_flowables(data: ReportData, styles: Styles, setup: PageSetup) -> list:
    _, _, fw, _ = setup.frame()
    k = styles.k
    pr = problems(data)
    out: list = [Paragraph("Unscheduled sessions and remaining conflicts", styles.title)]
    n_hard = sum(g.count for g in pr.conflicts if g.hard)
    n_soft = sum(g.count if g.violations is None else g.violations for g in pr.conflicts if not g.hard)
    out.append(Paragraph(esc(f"{len(pr.unscheduled)} unscheduled session(s) · {n_hard} hard conflict(s) · "
                             f"{n_soft} soft violation(s) in version “{data.timetable.name}”."), styles.subtitle))
    out.append(Paragraph("Unscheduled sessions", styles.h2))
    if pr.unscheduled:
        table = [_head(styles, ["Session", "Course", "Groups", "Faculty", "Periods", "Needs", "Why / where it fits"])]
        for s in pr.unscheduled:
            table.append([Paragraph(esc(f"{s.course_code} {s.kind} #{s.occurrence + 1}"), styles.small),
                          Paragraph(esc(s.course_title), styles.small), Paragraph(esc(", ".join(s.groups)), styles.small),
                          Paragraph(esc(", ".join(s.faculty)), styles.small), str(s.duration),
                          Paragraph(esc(pr.requirement.get(s.id, "")), styles.small),
                          Paragraph(esc(pr.why.get(s.id, "")), styles.small)])
        out.append(Table(table, colWidths=_widths(table, fw, {1: 3, 2: 1, 3: 1, 5: 2, 6: 4}, k, frozenset({0})),
                         style=TableStyle(_style(len(table), k)), repeatRows=1))
    else:
        out.append(Paragraph("Every session has a day, a period and a room.", styles.body))
    out.append(Paragraph("Remaining conflicts", styles.h2))
    if pr.note:
        out.append(Paragraph(esc(pr.note), styles.subtitle))
    if not pr.conflicts:
        out.append(Paragraph("No constraint is violated.", styles.body))
    else:
        # Count is the rule's unweighted count (docs/constraints.md); one violation may count several.
        table = [_head(styles, ["Constraint", "Kind", "Count", "Cost", "Violations"])]
        for g in pr.conflicts:
            table.append([Paragraph(esc(g.label or _label(g.name)), styles.small), "hard" if g.hard else "soft",
                          str(g.count), str(g.cost), "" if g.violations is None else str(g.violations)])
        cmds = _style(len(table), k) + [("ALIGN", (1, 1), (-1, -1), "CENTER")]
        for i, g in enumerate(pr.conflicts, start=1):
            if g.hard:
                cmds.append(("BACKGROUND", (0, i), (-1, i), WARN_COLOR))
        widths = _widths(table, min(fw, 370 * k), {0: 1}, k)
        out += [Table(table, colWidths=widths, style=TableStyle(cmds), hAlign="LEFT"),
                Spacer(1, 6 * k)]
    for g in pr.conflicts:
        if not g.messages:
            continue
        kind = "hard" if g.hard else "soft"
        label = g.label or _label(g.name)
        n = g.count if g.violations is None else g.violations
        out.append(Paragraph(esc(f"{label} ({kind}): {n} violation(s), count {g.count}, cost {g.cost}"),
                             styles.cell(round(8.5 * k, 2), "left", bold=True)))
        for msg in g.messages:
            out.append(Paragraph("• " + esc(msg), styles.body))
        out.append(Spacer(1, 3 * k))
    return out
