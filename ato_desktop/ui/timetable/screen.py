"""The timetable screen: version and view pickers, the grid, the tray, conflicts, the optimizer.

``TimetableScreen(db, undo_stack)`` plugs into the main window. Every change
goes through ``undo_stack`` as one named step.
"""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedLayout,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ato_desktop.services import Database
from ato_desktop.services import timetables as tts
from ato_desktop.services.errors import DatabaseError, ServiceError
from ato_desktop.ui import settings as app_settings
from ato_desktop.ui.timetable.conflicts import ConflictsPanel
from ato_desktop.ui.timetable.grid import TimetableGrid
from ato_desktop.ui.timetable.model import (
    VIEW_FACULTY,
    VIEW_GROUP,
    VIEW_MASTER,
    VIEW_ROOM,
    TimetableModel,
    engine_loaded,
    fetch,
)
from ato_desktop.ui.timetable.screen_edits import HardDropDialog, ScreenEdits  # noqa: F401 (HardDropDialog: imported from here too)
from ato_desktop.ui.timetable.screen_views import ScreenViews
from ato_desktop.ui.timetable.tray import UnscheduledTray

# sessions: a bigger version's engine state (and score) is built in a worker after the warm-up; issue 18: every
# version's (the demo's 155 sessions took 56 ms of the UI thread's CPU, 150-250 ms of stall on a loaded machine)
STATE_IN_WORKER_ABOVE = 0
ASYNC_ABOVE = 800  # sessions: larger versions are read and compiled in a worker thread
VIEW_NAMES = [(VIEW_GROUP, "By student group"), (VIEW_FACULTY, "By faculty"), (VIEW_ROOM, "By room"),
              (VIEW_MASTER, "Department master")]


class TimetableScreen(ScreenViews, ScreenEdits, QWidget):
    """Grid views of one timetable version with drag-and-drop, tray, conflicts, score and optimizer.

    ``TimetableScreen(db, undo_stack, parent=None)``; the main window calls
    :meth:`set_database` when another file is opened and :meth:`open_timetable`
    to show a version. With no database, or a database without any timetable
    version, the screen shows a short explanation (and a button that creates an
    empty version) instead of the grid.
    """

    statusMessage = Signal(str)
    status = Signal(str)  # the main window's name for the same thing
    timetableOpened = Signal(int)

    def __init__(self, db: Database | None, undo_stack, parent=None, *, timetable: int | str | None = None,
                 with_optimizer: bool = True):
        super().__init__(parent)
        self.setObjectName("timetableScreen")
        self.db = db
        self.undo_stack = undo_stack
        self.with_optimizer = with_optimizer
        self.model: TimetableModel | None = None
        self.optimizer = None
        self._pages = QStackedLayout(self)
        self._empty = QWidget()
        el = QVBoxLayout(self._empty)
        el.addStretch(1)
        self.empty_label = QLabel()
        self.empty_label.setObjectName("emptyLabel")
        self.empty_label.setAlignment(Qt.AlignCenter)
        self.empty_label.setWordWrap(True)
        el.addWidget(self.empty_label)
        self.create_button = QPushButton("Create an empty timetable version")
        self.create_button.setObjectName("createTimetableButton")
        self.create_button.clicked.connect(self.create_empty_version)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.create_button)
        row.addStretch(1)
        el.addLayout(row)
        el.addStretch(2)
        self._pages.addWidget(self._empty)
        self._content: QWidget | None = None
        self._load_request = 0
        self._load_job = None
        self._dirty = False
        self.statusMessage.connect(self.status)
        from ato_desktop.ui.current_version import current_version_of

        self.current = current_version_of(undo_stack)  # shared with the versions list, Publish, Export PDF
        self.current.changed.connect(self._current_changed)
        if undo_stack is not None:  # the window's writer (ato_desktop.ui.operations) announces each operation
            from ato_desktop.ui.operations import operations_of

            operations_of(undo_stack).operation_executed.connect(self.on_operation)
        from ato_desktop.ui.warmup import warmup_controller

        self._requesting_state = False
        wc = warmup_controller()
        wc.finished.connect(self._on_engine_ready)
        wc.kernelsLoaded.connect(self._on_kernels_loaded)
        self.set_database(db, timetable)

    # ---- database and version -------------------------------------------------------------
    def set_database(self, db: Database | None, timetable: int | str | None = None) -> bool:
        """Show ``db`` (its most recently changed version, or ``timetable``); ``None`` = no file open.

        Undo steps of the previous database are dropped: they refer to its sessions.
        Returns True when a timetable is shown.
        """
        self._load_request += 1  # a load still running for the previous database is dropped
        if db is not self.db and self.undo_stack is not None:
            self.undo_stack.clear()
        if self.optimizer is not None:
            self.optimizer.shutdown()
        self.db = db
        if db is None:
            return self._show_empty("No database is open.", can_create=False)
        if not tts.list_timetables(db):
            return self._show_empty("This database has no timetable version yet. Create an empty one and drag "
                                    "sessions into it, or run the optimizer from it.", can_create=True)
        return self.open_timetable(timetable)

    def open_timetable(self, tt_id: int | str | None, *, wait: bool | None = None) -> bool:
        """Show one timetable version (id or name; ``None`` = the most recently changed one).

        Versions of more than ``ASYNC_ABOVE`` sessions are read and compiled in a worker
        thread (a "Loading…" page shows meanwhile; ``timetableOpened`` follows); smaller ones
        at once. ``wait=True`` / ``False`` forces either way. Returns False when it cannot be shown.
        """
        if self.db is None:
            return False
        self._load_request += 1
        self._requested = tt_id
        if wait is None:
            try:
                wait = tts.get_timetable(self.db, tt_id).sessions <= ASYNC_ABOVE
            except ServiceError:
                wait = True  # the synchronous path reports the problem
        if not wait:
            return self._open_in_worker(tt_id)
        try:
            self._apply_loaded(fetch(self.db, tt_id, build_state=engine_loaded()))
        except (ValueError, ServiceError) as exc:
            return self._show_empty(f"The timetable cannot be shown: {exc}", can_create=False)
        return True

    def _open_in_worker(self, tt_id: int | str | None) -> bool:
        from ato_desktop.ui.tasks import Task

        request, db = self._load_request, self.db
        self._show_empty("Loading the timetable…", can_create=False)

        def done(data, error) -> None:
            if request != self._load_request or db is not self.db:
                return  # another version or database was asked for meanwhile
            if error is not None:
                self._show_empty(f"The timetable cannot be shown: {error}", can_create=False)
                return
            self._apply_loaded(data)

        self._load_job = Task(lambda _p, _s: fetch(db, tt_id), parent=self)
        self._load_job.finished.connect(done)
        self._load_job.start()
        return True

    def _apply_loaded(self, data) -> None:
        if self.model is None:
            self.model = TimetableModel(self.db, loaded=data)
            self._build_content()
        else:
            self.model.db = self.db
            self.model.apply(data)
            if self.optimizer is not None:
                self.optimizer.db = self.db
        self._pages.setCurrentWidget(self._content)
        self.timetableOpened.emit(self.model.timetable_id)
        self.current.set(self.model.timetable_id)

    def _current_changed(self, tid) -> None:
        """Another part of the window made ``tid`` current (the versions list, an accepted result): show it."""
        if tid is None or self.db is None:
            return
        if self.model is not None and self.model.timetable_id == tid:
            return
        if getattr(self, "_requested", None) == tid and not self.showing_timetable:
            return  # being loaded already (a worker)
        self.open_timetable(tid)

    def _request_state(self) -> None:
        """The version shown has no engine state (no colouring, no score yet): get one without
        blocking the UI thread - the first-run warm-up in another process if the kernels are not
        compiled, loading them into this process in a worker thread if they are, then the state."""
        if self._requesting_state or self.model is None or self.model.state is not None or self.db is None:
            return
        from ato_desktop.ui.warmup import warmup_controller

        self._requesting_state = True
        try:  # (a deferred call: RuntimeError when the screen was deleted meanwhile)
            wc = warmup_controller()
            if wc.running or not wc.is_warm():
                if wc.ensure_started():
                    self.statusMessage.emit("Preparing the conflict checker and the optimizer (first run only)…")
            elif wc.kernels_loaded():
                self._on_engine_ready(True, "")
            else:
                wc.load_kernels()  # kernelsLoaded -> _on_kernels_loaded
        except RuntimeError:
            pass
        finally:
            self._requesting_state = False

    def _on_kernels_loaded(self, ok: bool) -> None:
        self._on_engine_ready(ok, "")

    def _on_engine_ready(self, ok: bool, _message: str) -> None:
        """The first-run warm-up ended, or the kernels are loaded into this process: colour the
        grid and score it from now on.

        Nothing here loads kernels on the UI thread (that stalled the window for 350-500 ms):
        until they are loaded into this process (``WarmUpController.load_kernels``, a worker
        thread) this only asks for that load; ``kernelsLoaded`` calls back.  The engine state
        of a big version takes seconds to build (2.2 s at 10,080 sessions): above
        ``STATE_IN_WORKER_ABOVE`` sessions it is built in a worker thread and handed to the
        model when ready.
        """
        if not ok or self.db is None or self.model is None or self.model.state is not None:
            return
        from ato_desktop.ui.timetable.model import engine_ready
        from ato_desktop.ui.warmup import warmup_controller

        if not engine_ready():
            return
        wc = warmup_controller()
        if not wc.kernels_loaded():
            wc.load_kernels()
            return
        model = self.model
        if model.problem.n_sessions <= STATE_IN_WORKER_ABOVE:
            try:
                model.rebuild_state()
            except (ServiceError, DatabaseError) as exc:  # file closed or gone meanwhile
                self.statusMessage.emit(f"The timetable could not be refreshed: {exc}")
            return
        from ato_desktop.ui import tasks

        version, problem, assignment = model.version, model.problem, model.assignment.copy()

        def build():
            from ato_desktop.engine.state import State

            from ato_desktop.engine.evaluate import evaluate

            return State(problem, assignment), evaluate(problem, assignment)  # the conflicts list's score too

        def done(built, error) -> None:
            try:
                if error is not None or self.model is not model or model.state is not None:
                    return
                if model.version != version or model.problem is not problem:
                    self._on_engine_ready(True, "")  # moved or reloaded meanwhile: build for what is shown now
                    return
                model.set_state(built[0], score=built[1])
            except RuntimeError:  # the screen was deleted meanwhile
                pass

        self._state_job = tasks.run(build, done)

    def shutdown(self) -> None:
        """Stop a running optimizer and wait for it (call before closing the window or the database)."""
        from ato_desktop.ui.warmup import warmup_controller

        import warnings

        with warnings.catch_warnings():  # PySide warns (RuntimeWarning) when it was not connected
            warnings.simplefilter("ignore", RuntimeWarning)
            wc = warmup_controller()
            for signal, slot in ((wc.finished, self._on_engine_ready), (wc.kernelsLoaded, self._on_kernels_loaded)):
                try:
                    signal.disconnect(slot)
                except (RuntimeError, TypeError):  # not connected (any more)
                    pass
        if self.optimizer is not None:
            self.optimizer.shutdown()

    def on_operation(self, change) -> None:
        """An operation changed data: versions are re-listed; anything else reloads the grid."""
        if self.model is None or self.db is None or not change.touched():
            return
        if change.focus is not None and change.focus != self.model.timetable_id and self.showing_timetable:
            self.model.load(change.focus)  # e.g. an optimizer result undone: the version it came from
        elif self.model.timetable_id in change.versions and isinstance(change.result, list):
            self.model.show_views(change.result)  # the sessions an operation (or its undo) placed or locked
        if change.touched() <= {"timetable", "substitutions", "notifications"}:
            if "timetable" not in change.touched():
                return
            if not self.showing_timetable:
                return
            from ato_desktop.ui import read_once

            ids = {t.id for t in read_once.versions(self.db)}
            if self.model.timetable_id not in ids:  # the version shown was deleted elsewhere
                self.set_database(self.db)
            else:
                self._fill_versions()
                try:  # published or back to a draft meanwhile: the "frozen" mark follows
                    self.model.timetable = tts.get_timetable(self.db, self.model.timetable_id)
                except ServiceError:
                    return
                self._on_model("status")
            return
        self._dirty = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, ev) -> None:
        super().showEvent(ev)
        if self._dirty:
            self.refresh()
        QTimer.singleShot(0, self._fit_grid_height)

    def _fit_grid_height(self) -> None:
        """Once, when first shown: the grid as tall as the week needs, the panels below get the rest."""
        split = getattr(self, "v_splitter", None)
        if split is None or getattr(self, "_grid_height_fitted", True) or not self.isVisible():
            return
        total = sum(split.sizes())
        if total <= 0:
            return
        frame = 2 * self.scroll.frameWidth() + self.scroll.horizontalScrollBar().sizeHint().height()
        want = self.grid.sizeHint().height() + frame
        if want < total * 0.8:
            self._grid_height_fitted = True
            split.setSizes([want, total - want])

    def refresh(self) -> None:
        """Reload the current version (e.g. after activities were edited elsewhere)."""
        self._dirty = False
        if self.model is not None and self._pages.currentWidget() is self._content:
            self.open_timetable(self.model.timetable_id)

    def create_empty_version(self) -> bool:
        """A new empty version (one operation on the writer, one undo step), opened when it is made."""
        from ato_desktop.services import version_edits
        from ato_desktop.ui.operations import operations_of

        if self.db is None:
            return False
        name = tts.unique_version_name(self.db, "Draft timetable")
        return bool(operations_of(self.undo_stack).run(
            lambda db: version_edits.add_version(db, name=name), on_done=lambda change: self.open_timetable(change.result.id),
            on_error=lambda exc: QMessageBox.warning(self, "Could not create the timetable", str(exc)), db=self.db))

    def _show_empty(self, text: str, can_create: bool) -> bool:
        self.empty_label.setText(text)
        self.create_button.setVisible(can_create)
        self._pages.setCurrentWidget(self._empty)
        return False

    @property
    def showing_timetable(self) -> bool:
        return self._content is not None and self._pages.currentWidget() is self._content

    def _build_content(self) -> None:
        db = self.db
        undo_stack = self.undo_stack
        self._content = QWidget()
        lay = QVBoxLayout(self._content)
        lay.setContentsMargins(4, 4, 4, 4)

        bar = QHBoxLayout()
        self.version_box = QComboBox()
        self.version_box.setObjectName("versionBox")
        self.version_box.setToolTip("Timetable version")
        self.kind_box = QComboBox()
        self.kind_box.setObjectName("viewKindBox")
        for k, label in VIEW_NAMES:
            self.kind_box.addItem(label, k)
        self.entity_box = QComboBox()
        self.entity_box.setObjectName("entityBox")
        self.entity_box.setMinimumContentsLength(14)
        # the boxes do not grow to their longest entry: the bar must fit a 1366 px screen beside the versions
        self.entity_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.version_box.setMinimumContentsLength(14)
        self.version_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.score_label = QLabel()
        self.score_label.setObjectName("scoreLabel")
        self.score_label.setTextFormat(Qt.RichText)
        self.score_label.setToolTip("Weighted hard / soft cost of this version (hard must be 0)")
        # on two lines when the bar is short of room ("Hard 0 (3 unscheduled) · Soft 12345" beside the faculty
        # view's load meter, on a 1366 px screen at 125 %), rather than forcing the window wider
        self.score_label.setWordWrap(True)
        self.workload_label = QLabel()
        self.workload_bar = QProgressBar()
        self.workload_bar.setObjectName("workloadMeter")
        self.workload_bar.setMaximumWidth(130)
        self.workload_bar.setMinimumWidth(112)  # "18 / 18 periods" inside the bar
        self.workload_bar.setTextVisible(True)
        self.refuse_box = QCheckBox("Refuse hard-conflict drops")
        self.refuse_box.setObjectName("refuseHardDrops")
        self.refuse_box.setToolTip("When on, a drop that causes a hard conflict is refused instead of asked about")
        self.refuse_box.setChecked(app_settings.refuse_hard_drops())
        self.refuse_box.toggled.connect(app_settings.save_refuse_hard_drops)
        # "Week of": the real timetable of a chosen date's week (holidays, substitutions), read-only
        self.week_box = QCheckBox("Week of")
        self.week_box.setObjectName("weekOfBox")
        self.week_box.setToolTip("Show the real timetable of the week of a date: its dates, holidays, days that "
                                 "follow another weekday and the day's substitutions. Read-only: sessions are "
                                 "moved in the weekly pattern (untick to go back to it).")
        self.week_edit = QDateEdit()
        self.week_edit.setObjectName("weekOfEdit")
        self.week_edit.setCalendarPopup(True)
        self.week_edit.setDisplayFormat("d MMM yy")
        self.week_edit.setDate(QDate.currentDate())
        self.week_edit.setEnabled(False)
        self.week_edit.setToolTip(self.week_box.toolTip())
        self.week_loaded = None  # the week shown (services.substitutions.WeekDay list), None = the pattern
        self._week_request = 0
        self._week_job = None
        for w in (QLabel("Version:"), self.version_box, QLabel("View:"), self.kind_box, self.entity_box):
            bar.addWidget(w)
        bar.addSpacing(12)
        bar.addWidget(self.workload_label)
        bar.addWidget(self.workload_bar)
        bar.addStretch(1)
        bar.addWidget(self.score_label)
        lay.addLayout(bar)

        self.grid = TimetableGrid(self.model, VIEW_GROUP, None)
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.grid)
        self.scroll.setWidgetResizable(True)
        self.tray = UnscheduledTray(self.model)
        tray_box = QWidget()
        tl = QVBoxLayout(tray_box)
        tl.setContentsMargins(0, 0, 0, 0)
        self.tray_label = QLabel()
        tl.addWidget(self.tray_label)
        tl.addWidget(self.tray)
        top = QSplitter(Qt.Horizontal)
        top.addWidget(self.scroll)
        top.addWidget(tray_box)
        top.setStretchFactor(0, 5)
        top.setStretchFactor(1, 1)
        self.conflicts = ConflictsPanel(self.model)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.conflicts, "Conflicts")
        if self.with_optimizer:
            from ato_desktop.ui.timetable.optimizer_panel import OptimizerPanel

            self.optimizer = OptimizerPanel(db, undo_stack, self.model)
            self.optimizer.message.connect(self.statusMessage)
            self.tabs.addTab(self.optimizer, "Optimizer")
        # beside the Conflicts / Optimizer tabs, not in the top bar: the bar must fit 1,366 px at 125 %
        # so is "Week of" (the top bar has no 190 px left at 1093 px wide with the faculty view's load meter)
        corner = QWidget()
        cl = QHBoxLayout(corner)
        cl.setContentsMargins(0, 0, 0, 0)
        for w in (self.week_box, self.week_edit):
            cl.addWidget(w)
        cl.addSpacing(12)
        cl.addWidget(self.refuse_box)
        self.tabs.setCornerWidget(corner, Qt.TopRightCorner)
        split = QSplitter(Qt.Vertical)
        split.addWidget(top)
        split.addWidget(self.tabs)
        # the week's grid has a fixed height: a taller window gives the panels below more room, a shorter
        # one takes it from them first
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setCollapsible(0, False)
        top.setCollapsible(0, False)
        split.setSizes([700, 260])
        top.setSizes([1200, 200])
        self.v_splitter, self.h_splitter = split, top
        from ato_desktop.ui.sizing import remember_splitter

        # grid above / conflicts and optimizer below; unless the user chose, the grid gets the height it needs
        self._grid_height_fitted = remember_splitter(split, "timetable_grid_tabs")
        remember_splitter(top, "timetable_grid_tray")  # grid / unscheduled tray
        if self.optimizer is not None:  # "Preview — Accept or Discard" while the grid shows a run's result
            lay.addWidget(self.optimizer.preview_banner)
        lay.addWidget(split, 1)

        self.kind_box.currentIndexChanged.connect(self._kind_changed)
        self.entity_box.currentIndexChanged.connect(self._entity_changed)
        self.version_box.activated.connect(self._version_chosen)
        self.week_box.toggled.connect(self._week_changed)
        self.week_edit.dateChanged.connect(self._week_changed)
        self.grid.dropRequested.connect(self.handle_drop, Qt.QueuedConnection)
        self.grid.lockRequested.connect(self.lock_sessions)
        self.grid.unscheduleRequested.connect(self.unschedule)
        self.grid.unscheduleManyRequested.connect(self.unschedule_sessions)
        self.grid.message.connect(self.statusMessage)
        self.tray.unscheduleRequested.connect(self.unschedule, Qt.QueuedConnection)
        self.tray.dragStarted.connect(self.grid.begin_drag_preview)
        self.tray.dragFinished.connect(self.grid.end_drag_preview)
        self.conflicts.sessionsActivated.connect(self.select_sessions)
        self.model.subscribe(self._on_model)
        self._pages.addWidget(self._content)
        QTimer.singleShot(0, self._fit_grid_height)
        self._fill_versions()
        self._kind_changed()
        self._on_model("load")
