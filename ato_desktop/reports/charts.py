"""The Dashboard's charts drawn with ReportLab for the review package, from the same figures as the page
(``services.dashboard.DashboardData``, handed in: this module reads no database and imports no Qt).

:func:`dashboard_flowables` gives a heading and five drawings: faculty load against the maximum and the
UGC norm, room utilization by day and period (heat map), soft cost by rule, student-group compactness
and hard/soft across versions.
"""

from __future__ import annotations

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.platypus import CondPageBreak, Paragraph, Spacer

from ato_desktop.reports.fonts import FONT, FONT_BOLD
from ato_desktop.reports.layout import MIN_FONT, esc

BLUE = colors.HexColor("#1f77b4")
GREEN = colors.HexColor("#8cbf3f")
ORANGE = colors.HexColor("#f0a030")
RED = colors.HexColor("#d62728")
AXIS = colors.HexColor("#555555")
LABEL = MIN_FONT


def _style_axes(chart, n: int) -> None:
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName = FONT
        axis.labels.fontSize = LABEL
        axis.strokeColor = AXIS
    chart.valueAxis.valueMin = 0
    chart.valueAxis.forceZero = 1
    chart.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    chart.valueAxis.visibleGrid = 1


def _legend(d: Drawing, x: float, y: float, items) -> None:
    lg = Legend()
    lg.x, lg.y = x, y
    lg.fontName = FONT
    lg.fontSize = LABEL
    lg.alignment = "right"
    lg.columnMaximum = 1
    lg.dx = lg.dy = 6
    lg.deltax = 70
    lg.colorNamePairs = items
    d.add(lg)


def _title(d: Drawing, text: str, width: float, height: float) -> None:
    d.add(String(0, height - 10, text, fontName=FONT_BOLD, fontSize=9))


def faculty_drawing(data, width: float, height: float) -> Drawing:
    d = Drawing(width, height)
    _title(d, "Faculty load (periods a week): taught, maximum, UGC norm", width, height)
    c = VerticalBarChart()
    c.x, c.y, c.width, c.height = 30, 40, width - 40, height - 80
    c.data = [[f.taught for f in data.faculty] or [0], [f.maximum for f in data.faculty] or [0],
              [f.norm for f in data.faculty] or [0]]
    c.categoryAxis.categoryNames = [f.code for f in data.faculty] or ["-"]
    _style_axes(c, len(data.faculty))
    c.categoryAxis.labels.angle = 90 if len(data.faculty) > 12 else 0
    c.categoryAxis.labels.boxAnchor = "e" if len(data.faculty) > 12 else "n"
    c.barSpacing = 0
    c.groupSpacing = 1
    for i, col in enumerate((BLUE, GREEN, ORANGE)):
        c.bars[i].fillColor = col
        c.bars[i].strokeColor = None
    d.add(c)
    _legend(d, 40, height - 22, [(BLUE, "Taught"), (GREEN, "Maximum"), (ORANGE, "UGC norm")])
    return d


def heatmap_drawing(data, width: float, height: float) -> Drawing:
    d = Drawing(width, height)
    _title(d, f"Room utilization by day and period ({data.rooms} rooms, "
              f"{data.overall_utilization:.0%} overall)", width, height)
    if not data.days or not data.periods:
        return d
    left, top = 40, 30
    cw = (width - left) / len(data.periods)
    ch = (height - top - 4) / len(data.days)
    y0 = height - top
    for c, label in enumerate(data.periods):
        d.add(String(left + c * cw + cw / 2, y0 + 4, label, fontName=FONT, fontSize=LABEL, textAnchor="middle"))
    for r, day in enumerate(data.days):
        y = y0 - (r + 1) * ch
        d.add(String(left - 4, y + ch / 2 - 3, day, fontName=FONT, fontSize=LABEL, textAnchor="end"))
        for c in range(len(data.periods)):
            u = min(1.0, max(0.0, data.utilization[r][c]))
            fill = colors.Color(1 - 0.84 * u, 1 - 0.65 * u, 1 - 0.29 * u)
            d.add(Rect(left + c * cw, y, cw, ch, fillColor=fill, strokeColor=colors.HexColor("#c8ccd4"),
                       strokeWidth=0.5))
            d.add(String(left + c * cw + cw / 2, y + ch / 2 - 3, f"{u:.0%}", fontName=FONT, fontSize=LABEL,
                         textAnchor="middle", fillColor=colors.white if u > 0.55 else colors.black))
    return d


def soft_rules_drawing(data, width: float, height: float) -> Drawing:
    d = Drawing(width, height)
    _title(d, f"Soft cost by rule (total {data.soft})", width, height)
    rules = list(reversed(data.soft_rules)) or [("-", "-", 0)]
    c = HorizontalBarChart()
    c.x, c.y, c.width, c.height = 170, 15, width - 190, height - 35
    c.data = [[cost for _, _, cost in rules]]
    c.categoryAxis.categoryNames = [label for _, label, _ in rules]
    _style_axes(c, len(rules))
    c.bars[0].fillColor = BLUE
    c.bars[0].strokeColor = None
    c.barLabelFormat = "%d"
    c.barLabels.fontName = FONT
    c.barLabels.fontSize = LABEL
    c.barLabels.boxAnchor = "w"
    c.barLabels.dx = 3
    d.add(c)
    return d


def groups_drawing(data, width: float, height: float) -> Drawing:
    d = Drawing(width, height)
    _title(d, "Student-group compactness: idle periods (gaps) and isolated sessions", width, height)
    c = VerticalBarChart()
    c.x, c.y, c.width, c.height = 30, 50, width - 40, height - 90
    c.data = [[g.gaps for g in data.groups] or [0], [g.isolated for g in data.groups] or [0]]
    c.categoryAxis.categoryNames = [g.code for g in data.groups] or ["-"]
    c.categoryAxis.style = "stacked"
    _style_axes(c, len(data.groups))
    c.categoryAxis.labels.angle = 90 if len(data.groups) > 12 else 0
    c.categoryAxis.labels.boxAnchor = "e" if len(data.groups) > 12 else "n"
    c.barSpacing = 0
    for i, col in enumerate((BLUE, GREEN)):
        c.bars[i].fillColor = col
        c.bars[i].strokeColor = None
    d.add(c)
    _legend(d, 40, height - 22, [(BLUE, "Gaps"), (GREEN, "Isolated sessions")])
    return d


def trend_drawing(data, width: float, height: float) -> Drawing:
    d = Drawing(width, height)
    _title(d, "Hard and soft across versions", width, height)
    points = [t for t in data.trend if t.soft is not None]
    if not points:
        d.add(String(0, height / 2, "No version has a score yet.", fontName=FONT, fontSize=LABEL))
        return d
    c = HorizontalLineChart()
    c.x, c.y, c.width, c.height = 40, 50, width - 60, height - 90
    c.data = [[t.soft or 0 for t in points], [t.hard or 0 for t in points]]
    c.categoryAxis.categoryNames = [t.name[:24] for t in points]
    _style_axes(c, len(points))
    c.categoryAxis.labels.angle = 30 if len(points) > 3 else 0
    c.categoryAxis.labels.boxAnchor = "ne" if len(points) > 3 else "n"
    c.joinedLines = 1
    c.lines[0].strokeColor = BLUE
    c.lines[1].strokeColor = RED
    for i in (0, 1):
        c.lines[i].strokeWidth = 1.5
    d.add(c)
    _legend(d, 40, height - 22, [(BLUE, "Soft"), (RED, "Hard")])
    return d


def dashboard_flowables(data, styles, width: float) -> list:
    """A "Dashboard" heading and the five charts of ``data`` (a ``DashboardData``), ``width`` points wide."""
    half = (width - 20) / 2
    out = [CondPageBreak(260), Paragraph(esc(f"Dashboard: {data.version}"), styles.h2),
           faculty_drawing(data, width, 200), Spacer(1, 8)]
    row = Drawing(width, 200)
    for i, (make, w) in enumerate(((heatmap_drawing, half), (soft_rules_drawing, half))):
        part = make(data, w, 200)
        part.translate(i * (half + 20), 0)
        row.add(part)
    out += [row, Spacer(1, 8), groups_drawing(data, width, 200), Spacer(1, 8), trend_drawing(data, half, 200)]
    return out
