"""The Dashboard page: one version's figures as charts (``services.dashboard``, computed off the UI thread).

Five charts: faculty load against their maximum and the UGC norm (bars), room utilization by day and
period (a heat map), soft cost by rule (bars), student-group compactness (gaps and isolated sessions
per group, stacked bars) and the hard and soft score across versions (lines). Each chart is saved as a
PNG by its "PNG…" button or its right-click menu. The page also offers the review package and the
optimizer's candidates (``ui.review_package``, ``ui.candidates_dialog``).

Long calls go through the one task runner (``ui.tasks``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QLineSeries,
    QScatterSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ato_desktop.ui.current_version import current_version_of


def in_background(fn: Callable[[], Any], on_done: Callable[[Any, BaseException | None], None]):
    """Run ``fn`` in a worker (``ui.tasks``); ``on_done(result, error)`` on the UI thread. (The dashboard's
    and the review package's way to the task runner.)"""
    from ato_desktop.ui import tasks

    return tasks.run(fn, on_done)


# ---------------------------------------------------------------------------- charts
class HeatMap(QWidget):
    """Room utilization by day (rows) and teaching period (columns): white (empty) to dark blue (full)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("dashboardHeatMap")
        self.days: tuple[str, ...] = ()
        self.periods: tuple[str, ...] = ()
        self.values: tuple[tuple[float, ...], ...] = ()
        self.setMinimumSize(200, 140)

    def set_data(self, days, periods, values) -> None:
        self.days, self.periods, self.values = tuple(days), tuple(periods), tuple(values)
        self.update()

    @staticmethod
    def colour(u: float) -> QColor:
        u = min(1.0, max(0.0, u))
        return QColor(int(255 - 215 * u), int(255 - 165 * u), int(255 - 75 * u))

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), Qt.GlobalColor.white)
        if not self.days or not self.periods:
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No days or periods")
            return
        fm = p.fontMetrics()
        left = max(fm.horizontalAdvance(d) for d in self.days) + 8
        top = fm.height() + 4
        w = (self.width() - left - 4) / len(self.periods)
        h = (self.height() - top - 4) / len(self.days)
        for c, label in enumerate(self.periods):
            p.drawText(QRectF(left + c * w, 0, w, top), Qt.AlignmentFlag.AlignCenter, label)
        small = QFont(p.font())
        small.setPointSizeF(max(6.0, small.pointSizeF() * 0.85))
        for r, day in enumerate(self.days):
            p.setFont(self.font())
            p.drawText(QRectF(0, top + r * h, left - 4, h), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                       day)
            p.setFont(small)
            for c in range(len(self.periods)):
                u = self.values[r][c] if r < len(self.values) and c < len(self.values[r]) else 0.0
                cell = QRectF(left + c * w, top + r * h, w, h)
                p.fillRect(cell, self.colour(u))
                p.setPen(QColor("#c8ccd4"))
                p.drawRect(cell)
                p.setPen(Qt.GlobalColor.white if u > 0.55 else Qt.GlobalColor.black)
                p.drawText(cell, Qt.AlignmentFlag.AlignCenter, f"{u:.0%}")
            p.setPen(Qt.GlobalColor.black)
        p.end()


def _chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    chart.setMargins(QMargins(2, 2, 2, 2))
    chart.setBackgroundRoundness(0)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    return chart


def _small_labels(axis, n: int) -> None:
    f = axis.labelsFont()
    f.setPointSizeF(6.5 if n > 30 else 8.0)
    axis.setLabelsFont(f)
    if n > 12:
        axis.setLabelsAngle(-90)


def faculty_chart(data) -> QChart:
    """Periods taught a week (bars) against each teacher's maximum and UGC norm (markers)."""
    chart = _chart("Faculty load (periods a week)")
    series = QBarSeries()
    taught = QBarSet("Taught")
    taught.append([float(f.taught) for f in data.faculty])
    series.append(taught)
    series.setBarWidth(0.8)
    chart.addSeries(series)
    x = QBarCategoryAxis()
    x.append([f.code for f in data.faculty])
    _small_labels(x, len(data.faculty))
    y = QValueAxis()
    y.setRange(0, max([1] + [max(f.taught, f.maximum, f.norm) for f in data.faculty]) * 1.1)
    y.setLabelFormat("%d")
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(x)
    series.attachAxis(y)
    for name, attr, colour, shape in (("Maximum", "maximum", "#2ca02c", QScatterSeries.MarkerShape.MarkerShapeRectangle),
                                      ("UGC norm", "norm", "#f0a030", QScatterSeries.MarkerShape.MarkerShapeCircle)):
        s = QScatterSeries()
        s.setName(name)
        s.setMarkerShape(shape)
        s.setMarkerSize(7.0 if len(data.faculty) < 40 else 5.0)
        s.setColor(QColor(colour))
        s.setBorderColor(QColor(colour))
        for i, f in enumerate(data.faculty):
            if getattr(f, attr):
                s.append(float(i), float(getattr(f, attr)))
        chart.addSeries(s)
        s.attachAxis(x)
        s.attachAxis(y)
    return chart


def soft_rules_chart(data) -> QChart:
    chart = _chart(f"Soft cost by rule (total {data.soft})")
    series = QHorizontalBarSeries()
    s = QBarSet("Cost")
    rules = list(reversed(data.soft_rules))  # the first rule on top
    s.append([float(c) for _, _, c in rules])
    series.append(s)
    series.setLabelsVisible(True)
    chart.addSeries(series)
    y = QBarCategoryAxis()
    y.append([label for _, label, _ in rules])
    f = y.labelsFont()
    f.setPointSizeF(7.5)
    y.setLabelsFont(f)
    x = QValueAxis()
    x.setRange(0, max([1] + [c for _, _, c in rules]) * 1.15)
    x.setLabelFormat("%d")
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(x)
    series.attachAxis(y)
    chart.legend().hide()
    return chart


def groups_chart(data) -> QChart:
    chart = _chart("Student-group compactness")
    series = QStackedBarSeries()
    series.setBarWidth(0.9)
    for name, values in (("Gaps (idle periods)", [g.gaps for g in data.groups]),
                         ("Isolated sessions", [g.isolated for g in data.groups])):
        s = QBarSet(name)
        s.append([float(v) for v in values])
        series.append(s)
    chart.addSeries(series)
    x = QBarCategoryAxis()
    x.append([g.code for g in data.groups])
    _small_labels(x, len(data.groups))
    y = QValueAxis()
    y.setRange(0, max([1] + [g.gaps + g.isolated for g in data.groups]) * 1.1)
    y.setLabelFormat("%d")
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(x)
    series.attachAxis(y)
    return chart


def trend_chart(data) -> QChart:
    chart = _chart("Hard and soft across versions")
    points = [t for t in data.trend if t.soft is not None]
    x = QBarCategoryAxis()
    x.append([t.name for t in points] or ["-"])
    _small_labels(x, len(points) * 2)
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    for name, attr, side in (("Soft", "soft", Qt.AlignmentFlag.AlignLeft), ("Hard", "hard", Qt.AlignmentFlag.AlignRight)):
        s = QLineSeries()
        s.setName(name)
        s.setPointsVisible(True)
        values = [getattr(t, attr) or 0 for t in points]
        for i, v in enumerate(values):
            s.append(float(i), float(v))
        chart.addSeries(s)
        y = QValueAxis()
        y.setRange(0, max([4] + values) * 1.1)
        y.setLabelFormat("%d")
        y.setTitleText(name)
        chart.addAxis(y, side)
        s.attachAxis(x)
        s.attachAxis(y)
    return chart


class ChartBox(QFrame):
    """One chart with its "PNG…" button and right-click "Save as PNG…"."""

    saved = Signal(str)

    def __init__(self, key: str, title: str, content: QWidget, parent: QWidget | None = None):
        super().__init__(parent)
        self.key, self.title, self.content = key, title, content
        self.setObjectName(f"chart_{key}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.setSpacing(0)
        head = QHBoxLayout()
        label = QLabel(f"<b>{title}</b>", self)
        head.addWidget(label, 1)
        self.png = QToolButton(self)
        self.png.setText("PNG…")
        self.png.setObjectName(f"png_{key}")
        self.png.setToolTip("Save this chart as a PNG picture")
        self.png.clicked.connect(self.ask_save)
        head.addWidget(self.png)
        lay.addLayout(head)
        content.setParent(self)
        content.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        content.setMinimumSize(120, 100)
        lay.addWidget(content, 1)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)
        content.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        content.customContextMenuRequested.connect(self._menu)

    def _menu(self, pos) -> None:
        menu = QMenu(self)
        menu.addAction("Save as PNG…", self.ask_save)
        menu.exec(self.sender().mapToGlobal(pos))

    def ask_save(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, f"Save {self.title}", f"{self.key}.png", "PNG picture (*.png)")
        if path:
            self.save_png(path)

    def save_png(self, path: str) -> bool:
        ok = self.content.grab().save(str(path), "PNG")
        if ok:
            self.saved.emit(str(path))
        return ok


def _chart_view(chart: QChart) -> QChartView:
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    return view


# ---------------------------------------------------------------------------- the page
class DashboardPage(QWidget):
    status = Signal(str)
    loaded = Signal(object)  # the DashboardData shown

    def __init__(self, undo_stack, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("page_dashboard")
        self.undo_stack = undo_stack
        self.db = None
        self.readonly = False
        self.data = None
        self.boxes: dict[str, ChartBox] = {}
        self._dirty = True
        self._gen = 0
        self._job = None
        self.current = current_version_of(undo_stack)
        self._key: int | None = None  # the version shown (None: the current one, else the latest)
        self.current.changed.connect(self._current_changed)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        top = QHBoxLayout()
        top.addWidget(QLabel("Version:", self))
        self.version = QComboBox(self)
        self.version.setObjectName("dashboardVersion")
        self.version.setMinimumContentsLength(18)
        self.version.activated.connect(lambda _i: self.load(self.version.currentData()))  # the user's choice
        top.addWidget(self.version)
        self.summary = QLabel("", self)
        self.summary.setObjectName("dashboardSummary")
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # never widens the window
        top.addWidget(self.summary, 1)
        self.refresh = QPushButton("Refresh", self)
        self.refresh.setObjectName("dashboardRefresh")
        self.refresh.clicked.connect(lambda: self.load(self._key))
        top.addWidget(self.refresh)
        self.review = QPushButton("Review package…", self)
        self.review.setObjectName("dashboardReview")
        self.review.setToolTip("Build the review package PDF of this version (in the background) and save it")
        self.review.clicked.connect(self.review_package)
        top.addWidget(self.review)
        self.candidates = QPushButton("Candidates…", self)
        self.candidates.setObjectName("dashboardCandidates")
        self.candidates.setToolTip("Optimize K candidate timetables (different seeds and weightings) and compare them")
        self.candidates.clicked.connect(self.make_candidates)
        top.addWidget(self.candidates)
        lay.addLayout(top)
        self.grid = QGridLayout()
        self.grid.setSpacing(4)
        lay.addLayout(self.grid, 1)
        self.heat = HeatMap()
        self.review_controller = None
        self.candidates_dialog = None

    # -- the window's page protocol ------------------------------------------------
    def set_database(self, db, readonly: bool = False) -> None:
        self.db, self.readonly = db, readonly
        self._gen += 1
        self._job = None
        self.data = None
        self._key = None
        self._mark_dirty()

    def on_operation(self, change) -> None:
        """After every operation (the window's one signal): the charts read the timetable, the faculty
        loads and limits, the rooms and the scores, so any change but mail and substitutions counts."""
        touched = change.touched()
        if touched and not touched <= {"notifications", "substitutions"}:
            self._mark_dirty()

    def _current_changed(self, tid) -> None:
        """The window's current version changed (opened on the Timetables page): show that one."""
        self._key = tid
        self._mark_dirty()

    def _mark_dirty(self) -> None:
        self._dirty = True
        if self.isVisible():
            self.load(self._key)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty:
            self.load(self._key)

    # -- loading -----------------------------------------------------------------
    def load(self, key: int | None = None, *, latest: bool = False) -> bool:
        """Compute the dashboard of version ``key`` (default: the current version, else the latest; with
        ``latest``: the most recently changed one) in a worker; :meth:`show_data` shows it."""
        if self.db is None:
            return False
        from ato_desktop.services import dashboard

        if key is None and not latest:
            key = self.current.id()
        self._key = key
        self._dirty = False
        self._gen += 1
        gen, db = self._gen, self.db
        self.summary.setText("Computing…")
        self._job = in_background(lambda: dashboard.dashboard_data(db, key),
                                  lambda r, e: self._computed(gen, r, e))
        return True

    def busy(self) -> bool:
        return self._job is not None

    def _computed(self, gen: int, data, error) -> None:
        if not shiboken6.isValid(self) or gen != self._gen:
            return
        self._job = None
        if error is not None and self._key is not None:
            from ato_desktop.services.errors import NotFoundError

            if isinstance(error, NotFoundError):  # the version shown was deleted (or its creation undone)
                self.load(latest=True)
                return
        if error is not None:
            self.summary.setText(f"The dashboard could not be computed: {error}")
            self.status.emit(f"The dashboard could not be computed: {error}")
            return
        self.show_data(data)

    def show_data(self, data) -> None:
        """Show ``data`` (``services.dashboard.DashboardData``): the charts are rebuilt."""
        self.data = data
        self.version.blockSignals(True)
        self.version.clear()
        for t in data.trend:
            self.version.addItem(t.name, t.id)
        self.version.setCurrentIndex(max(0, self.version.findData(data.version_id)))
        self.version.blockSignals(False)
        self.summary.setText(f"{data.version} ({data.status}): hard {data.hard}, soft {data.soft}, "
                             f"room utilization {data.overall_utilization:.0%}")
        for box in self.boxes.values():
            self.grid.removeWidget(box)
            box.deleteLater()
        self.boxes.clear()
        self.heat = HeatMap()
        self.heat.set_data(data.days, data.periods, data.utilization)
        specs = (("faculty", "Faculty load", _chart_view(faculty_chart(data)), 0, 0, 1, 2),
                 ("rooms", "Room utilization", self.heat, 0, 2, 1, 1),
                 ("soft", "Soft cost by rule", _chart_view(soft_rules_chart(data)), 1, 0, 1, 1),
                 ("groups", "Student groups", _chart_view(groups_chart(data)), 1, 1, 1, 1),
                 ("trend", "Across versions", _chart_view(trend_chart(data)), 1, 2, 1, 1))
        for key, title, content, r, c, rs, cs in specs:
            box = ChartBox(key, title, content, self)
            box.saved.connect(lambda path: self.status.emit(f"Chart saved to {path}."))
            self.grid.addWidget(box, r, c, rs, cs)
            self.boxes[key] = box
        for c in range(3):
            self.grid.setColumnStretch(c, 1)
        self.loaded.emit(data)

    # -- actions -----------------------------------------------------------------
    def review_package(self, path: str | None = None) -> bool:
        """Build the review package of the shown version in the background and save it (asks where)."""
        if self.db is None:
            return False
        from ato_desktop.ui.review_package import ReviewPackageController

        key = self.data.version_id if self.data is not None else self.current.id()
        self.review_controller = ReviewPackageController(self.db, key, self)
        self.review_controller.message.connect(self.status.emit)
        return self.review_controller.start(path)

    def make_candidates(self) -> bool:
        if self.db is None or self.readonly:
            return False
        from ato_desktop.ui.candidates_dialog import CandidatesDialog

        dlg = CandidatesDialog(self.db, self, undo_stack=self.undo_stack)
        dlg.finished_candidates.connect(lambda _r: self._mark_dirty())
        self.candidates_dialog = dlg
        dlg.open()
        return True
