"""The Timetables page: the list of versions (open, new, copy, rename, delete, publish) beside the grid.

The list, the grid, Publish, Export PDF and the mail preview share ONE current version
(:mod:`ato_desktop.ui.current_version`): choosing a row shows it in the grid, and Publish publishes
what the grid shows, after a confirmation (:mod:`ato_desktop.ui.publish_dialog`) checked in a worker.

The grid is ``ato_desktop.ui.timetable.screen.TimetableScreen``, imported when the page first shows
a version. What the buttons do to versions is in :mod:`ato_desktop.ui.version_actions`.
"""

from __future__ import annotations

import dataclasses

import shiboken6

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ato_desktop.services import timetables as tts
from ato_desktop.ui.campus import CampusVersionActions
from ato_desktop.ui.current_version import current_version_of
from ato_desktop.ui.sizing import remember_splitter
from ato_desktop.ui.version_actions import VersionActions

COLUMNS = ("Name", "Status", "Scheduled", "Hard", "Soft", "Changed")


def timetable_screen_class():
    """The grid screen's class, imported when the page first shows a version (it pulls in the engine)."""
    from ato_desktop.ui.timetable.screen import TimetableScreen

    return TimetableScreen


class TimetablesPage(CampusVersionActions, VersionActions, QWidget):
    status = Signal(str)
    scores_rechecking = Signal(object)  # ids of versions shown "out of date — rechecking…"
    scores_rechecked = Signal(object)  # timetable id -> services.scores.Score, as now shown

    def __init__(self, undo_stack, parent=None):
        super().__init__(parent)
        self.setObjectName("page_timetables")
        self.undo_stack = undo_stack
        self.db = None
        self.readonly = False
        self._dirty = True
        self.infos: list[tts.TimetableInfo] = []
        self.open_id: int | None = None
        self._screen_db_pending = False
        self._recheck_gen = 0  # a newer recheck makes the answers of older ones void
        self._scores_stale = True
        self._unscheduled: dict[int, int] = {}
        self._selecting = False
        self.publish_dialog = None
        self.compare_dialog = None
        self.step_dialog = None
        self.history_dialog = None
        self._compare_job = None
        self.offer_box = None
        self._publish_job = None
        self.current = current_version_of(undo_stack)
        self.current.changed.connect(self._current_changed)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        left = QWidget(split)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        bar = QGridLayout()  # two rows of three: the list stays narrow and the grid gets the width
        bar.setHorizontalSpacing(4)
        bar.setVerticalSpacing(4)
        self.buttons = {}

        def add_button(key: str, text: str, tip: str, slot) -> None:
            b = QToolButton(left)
            b.setText(text)
            b.setToolTip(tip)
            b.setObjectName(f"tt{key}")
            b.clicked.connect(lambda *_, s=slot: s())
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            bar.addWidget(b, len(self.buttons) // 3, len(self.buttons) % 3)
            self.buttons[key] = b

        for name, tip, slot in (
            ("Open", "Show this version in the grid", self.open_selected),
            ("New", "A new empty version", self.new_version),
            ("Copy", "Copy this version under a new name", self.copy_selected),
            ("Rename", "Rename this version", self.rename_selected),
            ("Delete", "Delete this version", self.delete_selected),
            ("Publish", "Publish this version (checked first; it is frozen once published)",
             self.publish_selected),
            ("Draft", "Copy this version to a new draft and show it (a published version is frozen)",
             self.copy_to_draft),
            ("Compare", "Compare the two selected versions side by side (Ctrl+click selects a second one)",
             self.compare_selected),
        ):
            add_button(name, name, tip, slot)
        for key, text, tip, slot in (  # the review (services.approval, docs/versions.md)
            ("Submit", "Submit", "Submit this version for review (it is frozen until returned)",
             lambda: self.review_step("submit")),
            ("Approve", "Approve…", "Approve this submitted version (your name and the time are recorded)",
             lambda: self.review_step("approve")),
            ("Return", "Return…", "Return this version for changes, with a comment",
             lambda: self.review_step("return")),
            ("Archive", "Archive", "Archive this published version", lambda: self.review_step("archive")),
            ("History", "History", "Who submitted, returned, approved and published this version, when, "
                                   "and their comments", self.show_history),
            ("ReviewPdf", "Review PDF…", "Build this version's review package (one PDF for the approver) and save it",
             lambda: self.review_package()),
            ("Candidates", "Candidates…", "Optimize K candidate versions (seeds and weightings) and compare them",
             lambda: self.make_candidates()),
            ("CommitCampus", "Commit…", ("Commit the version shown to the campus (a campus database only): its "
                                         "rooms and shared faculty become binding for every department"),
             lambda: self.commit_to_campus()),
            ("WithdrawCampus", "Withdraw", "Withdraw your department's commitment from the campus",
             lambda: self.withdraw_from_campus()),
        ):
            add_button(key, text, tip, slot)
        ll.addLayout(bar)
        self.table = QTableWidget(0, len(COLUMNS), left)
        self.table.setObjectName("versions")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)  # two: Compare
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.doubleClicked.connect(lambda *_: self.open_selected())
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        ll.addWidget(self.table)
        split.addWidget(left)

        # The grid (ato_desktop.ui.timetable.screen) is imported and built when the page is first shown:
        # it loads the engine, which would slow down the start of the app.
        self.screen = None
        self._screen_cls = None
        self._screen_tried = False
        self.placeholder = QLabel("Open a version to see it here.", split)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        split.addWidget(self.placeholder)
        split.setStretchFactor(1, 3)
        self.splitter = split
        self.versions_panel = left
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        # a narrow button at the left edge folds the versions list away and brings it back (on a laptop
        # screen it starts folded: the timetable's own Version box picks a version too)
        self.versions_toggle = QToolButton(self)
        self.versions_toggle.setObjectName("versionsToggle")
        self.versions_toggle.setArrowType(Qt.ArrowType.LeftArrow)
        self.versions_toggle.setAutoRaise(True)
        self.versions_toggle.setFixedWidth(14)
        self.versions_toggle.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        self.versions_toggle.setToolTip("Hide the versions list")
        self.versions_toggle.clicked.connect(lambda: self.show_versions(self.versions_collapsed))
        outer.addWidget(self.versions_toggle)
        outer.addWidget(split, 1)
        self._update_buttons()

    def _connect_screen(self) -> None:
        for sig, slot in (("timetableOpened", self._screen_opened), ("statusMessage", self.status.emit)):
            signal = getattr(self.screen, sig, None)
            if signal is not None:
                signal.connect(slot)
        signal = getattr(self.screen, "timetableOpened", None)
        if signal is not None:
            signal.connect(self._grid_loaded)

    def _grid_loaded(self, _tid=None) -> None:
        """A version's sessions are in the grid (read in a worker on a large department): its width is
        known only now. Fold the versions list away if the grid beside it would scroll sideways, before
        the layout runs, so that the window is never forced wider than a laptop screen (issue 16 §3)."""
        if self.screen is None or self.versions_collapsed or not self.isVisible():
            return
        total = sum(self.splitter.sizes())
        if total > 0 and self._room_for_versions(total) < min(self.splitter.sizes()[0], 180):
            self.collapse_versions()

    # -- data ----------------------------------------------------------------
    def set_database(self, db, readonly: bool = False) -> None:
        if db is not self.db:
            self.shutdown()
            if self.screen is not None and hasattr(self.screen, "set_database"):
                # let go of the previous file now, even hidden: a late load or announcement of the screen
                # would otherwise read a closed (perhaps deleted) database; the new one follows when shown
                self.screen.set_database(None)
        self.db, self.readonly = db, readonly
        self.open_id = None
        self.current.set(None)
        self._dirty = True
        # the grid compiles the problem (and loads the engine): give it the database only when the page is shown
        self._screen_db_pending = True
        if self.isVisible():
            self.reload()
        self._update_buttons()

    def on_operation(self, change) -> None:
        touched = change.touched()
        if not touched or touched <= {"notifications", "substitutions"}:
            return  # the outbox, a day's substitutions: no version and no score changes
        self._scores_stale = True  # any edit (availability, a constraint's weight, ...) may change a score
        # the list shows the scores: read it again (they are rechecked in a worker)
        self._dirty = True
        # The screen hears the same signal (operation_executed) and reloads itself, at once or when
        # shown; marking it stale here too loaded a version twice.
        if self.isVisible():
            self.ensure_loaded()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.ensure_loaded()

    def _make_screen(self) -> None:
        if self.screen is not None or self.db is None:
            return
        if not self._screen_tried:
            self._screen_tried = True
            self._screen_cls = timetable_screen_class()
        self.screen = self._screen_cls(None, self.undo_stack, self.splitter)
        self.placeholder.setParent(None)
        self.splitter.addWidget(self.screen)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(1, False)
        self._versions_fitted = remember_splitter(self.splitter, "timetables")
        if not self._versions_fitted:
            left = self.versions_width()
            self.splitter.setSizes([left, max(self.width() - left, 600)])
        self._connect_screen()
        self._screen_db_pending = True

    def versions_width(self, limit: int = 260) -> int:
        """The versions list's width: its buttons, or the names and statuses if wider (at most ``limit``)."""
        buttons = self.table.parentWidget().layout().itemAt(0).layout().sizeHint().width()
        names = self.table.columnWidth(0) + self.table.columnWidth(1) if self.table.rowCount() else 0
        return max(buttons, min(limit, names + 2 * self.table.frameWidth() + 4), 180)

    def _fit_versions(self) -> None:
        """Once, when the names are known and unless the user chose a width: the list as wide as the
        names and statuses need, as long as the grid beside it keeps its minimum width."""
        if getattr(self, "_versions_fitted", True) or self.screen is None or not self.isVisible():
            return
        self._versions_fitted = True
        total = sum(self.splitter.sizes())
        room = self._room_for_versions(total)
        if room < 180:  # a laptop screen (1,366 px at 125 %): the grid first, the list folds away
            self.collapse_versions()
            return
        left = self.versions_width(limit=max(180, min(320, room)))
        self.splitter.setSizes([left, max(total - left, 1)])

    def _room_for_versions(self, total: int) -> int:
        """How wide the versions list may be in ``total`` px without the grid scrolling sideways."""
        room = total - self.screen.minimumSizeHint().width() - self.splitter.handleWidth()
        grid, scroll = getattr(self.screen, "grid", None), getattr(self.screen, "scroll", None)
        if grid is not None and scroll is not None and hasattr(grid, "MAX_LABEL_W"):
            # what the grid needs in its widest view (the master view's "Mon  MTECH-CSE-1" labels)
            # beside the unscheduled tray, so that no view scrolls sideways
            tray = self.screen.h_splitter.sizes()[1] + self.screen.h_splitter.handleWidth()
            need = (grid.MAX_LABEL_W + grid.minimumWidth() - grid.LABEL_W + scroll.verticalScrollBar().sizeHint().width()
                    + 2 * scroll.frameWidth() + tray + 12)
            room = min(room, total - need - self.splitter.handleWidth())
        return room

    @property
    def versions_collapsed(self) -> bool:
        return self.versions_panel.isHidden()

    def collapse_versions(self) -> None:
        """Fold the versions list away (the grid's Version box still picks a version; the arrow
        button at the page's left edge brings the list back)."""
        self.versions_panel.hide()
        self.versions_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.versions_toggle.setToolTip("Show the versions list (open, copy, rename, publish versions)")

    def show_versions(self, shown: bool = True) -> None:
        if not shown:
            self.collapse_versions()
            return
        self.versions_panel.show()
        self.versions_toggle.setArrowType(Qt.ArrowType.LeftArrow)
        self.versions_toggle.setToolTip("Hide the versions list")
        total = sum(self.splitter.sizes())
        left = self.versions_width()
        self.splitter.setSizes([left, max(total - left, 1)])

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        # the window got narrower (a smaller screen, a larger font): the grid keeps its width
        if (self.screen is not None and event.oldSize().width() > event.size().width() > 0
                and not self.versions_collapsed and self.isVisible()):
            total = sum(self.splitter.sizes())
            if self._room_for_versions(total) < min(self.splitter.sizes()[0], 180):
                self.collapse_versions()

    def _hand_database_to_screen(self, tid) -> None:
        if self.screen is None or not hasattr(self.screen, "set_database"):
            return
        # The window's undo stack was already cleared when this database was opened; the screen clears
        # it again when its database changes, which here (late, on first show) would drop the user's
        # edits on other pages. Tell it the database is the current one.
        if getattr(self.screen, "db", None) is not self.db and self.db is not None:
            self.screen.db = self.db
        self.screen.set_database(self.db, tid)

    def shutdown(self) -> None:
        """Stop a running optimizer (before the window or the database closes)."""
        fn = getattr(self.screen, "shutdown", None)
        if fn is not None:
            fn()

    def _screen_opened(self, tid: int) -> None:
        if self.open_id != tid:
            self.open_id = tid
            self._dirty = True
            if self.isVisible():
                self.reload()

    def ensure_loaded(self) -> None:
        self._make_screen()
        if self._screen_db_pending:
            self._screen_db_pending = False
            self._hand_database_to_screen(self.current.id())
        elif getattr(self, "_screen_stale", False) and self.screen is not None and hasattr(self.screen, "refresh"):
            self._screen_stale = False
            self.screen.refresh()  # activities, rooms or the calendar changed under the grid
        if self._dirty:
            self.reload()
        elif self._scores_stale:
            self._recheck_scores()

    def reload(self) -> None:
        was, self._selecting = self._selecting, True  # rebuilding the rows changes the selection: not a choice
        try:
            self._reload()
        finally:
            self._selecting = was

    def _reload(self) -> None:
        self._dirty = False
        keep = self.selected_id()
        from ato_desktop.ui import read_once

        self.infos = read_once.versions(self.db) if self.db is not None else []
        self.table.setRowCount(len(self.infos))
        for r, t in enumerate(self.infos):
            cells = (t.name + ("  ◀ open" if t.id == self.open_id else ""), t.status, f"{t.scheduled}/{t.sessions}",
                     self._hard_text(t.id, t.hard_cost), "" if t.soft_cost is None else str(t.soft_cost),
                     t.updated_at.strftime("%d %b %Y %H:%M"))
            for c, text in enumerate(cells):
                it = QTableWidgetItem(text)
                it.setData(Qt.ItemDataRole.UserRole, t.id)
                it.setToolTip(t.notes or t.name)
                self.table.setItem(r, c, it)
        if self.current.id() is not None:
            keep = self.current.id()
        if keep is None:
            keep = self.open_id if self.open_id is not None else (self.infos[-1].id if self.infos else None)
        if keep is not None:
            self.select_id(keep)
        self.table.resizeColumnsToContents()
        self._fit_versions()
        self._update_buttons()
        self._recheck_scores()

    # -- scores that are true now (services.scores) -----------------------------------------
    HARD_COL, SOFT_COL = COLUMNS.index("Hard"), COLUMNS.index("Soft")

    def _hard_text(self, tid: int, hard: int | None) -> str:
        if hard is None:
            return ""
        n = self._unscheduled.get(tid, 0)
        return f"{hard} ({n} unscheduled)" if n else str(hard)

    def _row_of(self, tid: int) -> int | None:
        return next((r for r, t in enumerate(self.infos) if t.id == tid), None)

    def _recheck_scores(self) -> None:
        """In a worker: compile the data and find the versions whose stored score was computed on other
        data (or never); those show "out of date — rechecking…" until a second worker has scored (and
        stored) them."""
        self._scores_stale = False
        if self.db is None or not self.infos:
            return
        from ato_desktop.ui import read_once, tasks

        if not read_once.first(("score-recheck", id(self), id(self.db))):
            return  # one recheck per delivery of a change: the one started reads the same data
        self._recheck_gen += 1
        gen, db = self._recheck_gen, self.db

        def find():
            from ato_desktop.services import scores

            return scores.find_out_of_date(db)

        tasks.run(find, lambda r, e: self._found_out_of_date(gen, db, r, e), key=("score-recheck", id(self)))

    def _current(self, gen: int, db) -> bool:
        return gen == self._recheck_gen and db is self.db and shiboken6.isValid(self)

    def _found_out_of_date(self, gen: int, db, recheck, error) -> None:
        if not self._current(gen, db):
            return
        if error is not None:
            self.status.emit(f"The versions' scores could not be rechecked: {error}")
            return
        from ato_desktop.services import scores
        from ato_desktop.ui import tasks

        self._unscheduled = dict(recheck.unscheduled)
        for r, t in enumerate(self.infos):
            item = self.table.item(r, self.HARD_COL)
            if item is None:
                continue
            if t.id in recheck.stale:
                item.setText(scores.OUT_OF_DATE)
                item.setToolTip("The data changed since this score was computed: it is being computed again.")
                self.table.item(r, self.SOFT_COL).setText("")
            else:
                item.setText(self._hard_text(t.id, t.hard_cost))
        stale = recheck.stale_ids
        if not stale:
            return
        self.scores_rechecking.emit(stale)
        tasks.run(lambda: scores.rescore(db, recheck), lambda res, e: self._rescored(gen, db, res, e),
                  key=("score-recheck", id(self)))

    def _rescored(self, gen: int, db, new: dict, error) -> None:
        if not self._current(gen, db):
            return
        if error is not None:
            self.status.emit(f"The versions' scores could not be rechecked: {error}")
            return
        for tid, sc in new.items():
            r = self._row_of(tid)
            if r is None:
                continue
            self.infos[r] = dataclasses.replace(self.infos[r], hard_cost=sc.hard, soft_cost=sc.soft,
                                                score_fingerprint=sc.fingerprint)
            self._unscheduled[tid] = sc.unscheduled
            hard = self.table.item(r, self.HARD_COL)
            hard.setText(self._hard_text(tid, sc.hard))
            hard.setToolTip(self.infos[r].notes or self.infos[r].name)
            self.table.item(r, self.SOFT_COL).setText(str(sc.soft))
        self.table.resizeColumnsToContents()
        self.scores_rechecked.emit(dict(new))

    def selected_id(self) -> int | None:
        rows = {i.row() for i in self.table.selectedIndexes()}
        if len(rows) != 1:
            return None
        it = self.table.item(rows.pop(), 0)
        return it.data(Qt.ItemDataRole.UserRole) if it else None

    def selected_ids(self) -> list[int]:
        """The selected versions, in list order (two of them: Compare)."""
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        items = [self.table.item(r, 0) for r in rows]
        return [it.data(Qt.ItemDataRole.UserRole) for it in items if it is not None]

    def selected_info(self) -> tts.TimetableInfo | None:
        tid = self.selected_id()
        return next((t for t in self.infos if t.id == tid), None)

    def select_id(self, tid: int) -> None:
        for r, t in enumerate(self.infos):
            if t.id == tid:
                self.table.selectRow(r)
                return

    def _update_buttons(self) -> None:
        has = self.selected_id() is not None
        edit = self.db is not None and not self.readonly
        self.buttons["Open"].setEnabled(has)
        self.buttons["New"].setEnabled(edit)
        for n in ("Copy", "Rename", "Delete", "Publish", "Draft"):
            self.buttons[n].setEnabled(has and edit)
        info = self.selected_info()
        from ato_desktop.services.frozen import FROZEN_STATUSES

        status = info.status if info is not None else None
        frozen = status in FROZEN_STATUSES
        self.buttons["Rename"].setEnabled(has and edit and not frozen)
        self.buttons["Publish"].setEnabled(has and edit and status in ("draft", "returned", "approved")
                                           and self._publish_job is None)
        for key, allowed in (("Submit", ("draft", "returned")), ("Approve", ("submitted",)),
                             ("Return", ("submitted", "approved")), ("Archive", ("published",))):
            self.buttons[key].setEnabled(has and edit and status in allowed)
        self.buttons["History"].setEnabled(has)
        self.buttons["Compare"].setEnabled(self.db is not None and len(self.selected_ids()) == 2
                                           and self._compare_job is None)
        campus = bool(getattr(self.db, "is_campus", False))  # Commit/Withdraw: on a campus database only
        for key in ("CommitCampus", "WithdrawCampus"):
            self.buttons[key].setVisible(campus)
            self.buttons[key].setEnabled(campus and edit and self.current_id() is not None)

    def _selection_changed(self) -> None:
        """Choosing a row makes it the current version (the grid shows it; Publish publishes it)."""
        if self._selecting:
            return
        tid = self.selected_id()
        if tid is not None and tid != self.current.id():
            self.open_timetable(tid)

    def _current_changed(self, tid) -> None:
        """The current version changed (a row chosen, the grid's own version box, an optimizer result
        accepted): mark and select it here."""
        if tid is None or tid == self.open_id:
            return
        self.open_id = tid
        self._dirty = True
        if self.isVisible():
            self.reload()

    def current_id(self) -> int | None:
        """The version the grid shows (the one Publish publishes)."""
        return self.current.id() if self.current.id() is not None else self.selected_id()

    def open_selected(self) -> None:
        tid = self.selected_id()
        if tid is not None:
            self.open_timetable(tid)

    def open_timetable(self, tid: int) -> None:
        self.open_id = tid
        self._make_screen()
        if self.screen is not None:
            if self._screen_db_pending:
                self._screen_db_pending = False
                self._hand_database_to_screen(tid)
            else:
                self.screen.open_timetable(tid)
        self.current.set(tid)  # (the screen, asked already, does not load it again)
        self.reload()
        info = next((t for t in self.infos if t.id == tid), None)
        if info:
            self.status.emit(f"Opened {info.name}.")

    def review_package(self, path: str | None = None) -> bool:
        """The review package of the selected (or current) version, built in the background (ui.review_package)."""
        info = self._review_target()
        if info is None or self.db is None:
            return False
        from ato_desktop.ui.review_package import ReviewPackageController

        self.review_controller = ReviewPackageController(self.db, info.id, self)
        self.review_controller.message.connect(self.status.emit)
        return self.review_controller.start(path)

    def make_candidates(self) -> bool:
        """Candidates… (ui.candidates_dialog): K optimized draft versions, compared."""
        if self.db is None or self.readonly:
            return False
        from ato_desktop.ui.candidates_dialog import CandidatesDialog

        self.candidates_dialog = CandidatesDialog(self.db, self, undo_stack=self.undo_stack)
        self.candidates_dialog.finished_candidates.connect(lambda _r: self.reload())
        self.candidates_dialog.open()
        return True
