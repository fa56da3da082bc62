"""The Timetables page: the list of versions (open, new, copy, rename, delete, publish) beside the grid.

The grid is ``ato_desktop.ui.timetable.screen.TimetableScreen`` when that module
is part of the build; otherwise the page shows the versions only.
"""

from __future__ import annotations

import importlib

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGridLayout,
    QHeaderView,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ato_desktop.services import timetables as tts
from ato_desktop.services import versions
from ato_desktop.services.errors import ServiceError
from ato_desktop.storage.database import DatabaseError
from ato_desktop.ui.sizing import remember_splitter
from ato_desktop.ui.undo import CallCommand

COLUMNS = ("Name", "Status", "Scheduled", "Hard", "Soft", "Changed")


def timetable_screen_class():
    try:
        return importlib.import_module("ato_desktop.ui.timetable.screen").TimetableScreen
    except (ImportError, AttributeError):
        return None


class TimetablesPage(QWidget):
    status = Signal(str)

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

        split = QSplitter(Qt.Orientation.Horizontal, self)
        left = QWidget(split)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        bar = QGridLayout()  # two rows of three: the list stays narrow and the grid gets the width
        bar.setHorizontalSpacing(4)
        bar.setVerticalSpacing(4)
        self.buttons = {}
        for name, tip, slot in (
            ("Open", "Show this version in the grid", self.open_selected),
            ("New", "A new empty version", self.new_version),
            ("Copy", "Copy this version under a new name", self.copy_selected),
            ("Rename", "Rename this version", self.rename_selected),
            ("Delete", "Delete this version", self.delete_selected),
            ("Publish", "Mark this version as published", self.publish_selected),
        ):
            b = QToolButton(left)
            b.setText(name)
            b.setToolTip(tip)
            b.setObjectName(f"tt{name}")
            b.clicked.connect(lambda *_, s=slot: s())
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            bar.addWidget(b, len(self.buttons) // 3, len(self.buttons) % 3)
            self.buttons[name] = b
        ll.addLayout(bar)
        self.table = QTableWidget(0, len(COLUMNS), left)
        self.table.setObjectName("versions")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.doubleClicked.connect(lambda *_: self.open_selected())
        self.table.itemSelectionChanged.connect(self._update_buttons)
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
        self._dirty = True
        # the grid compiles the problem (and loads the engine): give it the database only when the page is shown
        self._screen_db_pending = True
        if self.isVisible():
            self.reload()
        self._update_buttons()

    def on_data_changed(self, entity: str) -> None:
        if entity in ("*", "timetable", "activity", "calendar", "room"):
            self._dirty = True
            # The screen hears the same signal (it listens to the undo stack's data_changed) and reloads
            # itself, at once or when shown; "timetable" is mostly its own announcement (a move, a load).
            # Marking it stale here too loaded a version twice on first show and on every edit.
            if getattr(self.undo_stack, "data_changed", None) is None and entity != "timetable":
                self._screen_stale = True
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
            if self._screen_cls is None:
                self.placeholder.setText("The timetable grid is not part of this build.")
        if self._screen_cls is None:
            return
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
            self._hand_database_to_screen(None)
        elif getattr(self, "_screen_stale", False) and self.screen is not None and hasattr(self.screen, "refresh"):
            self._screen_stale = False
            self.screen.refresh()  # activities, rooms or the calendar changed under the grid
        if self._dirty:
            self.reload()

    def reload(self) -> None:
        self._dirty = False
        keep = self.selected_id()
        self.infos = tts.list_timetables(self.db) if self.db is not None else []
        self.table.setRowCount(len(self.infos))
        for r, t in enumerate(self.infos):
            cells = (t.name + ("  ◀ open" if t.id == self.open_id else ""), t.status, f"{t.scheduled}/{t.sessions}",
                     "" if t.hard_cost is None else str(t.hard_cost), "" if t.soft_cost is None else str(t.soft_cost),
                     t.updated_at.strftime("%d %b %Y %H:%M"))
            for c, text in enumerate(cells):
                it = QTableWidgetItem(text)
                it.setData(Qt.ItemDataRole.UserRole, t.id)
                it.setToolTip(t.notes or t.name)
                self.table.setItem(r, c, it)
        if keep is None:
            keep = self.open_id if self.open_id is not None else (self.infos[-1].id if self.infos else None)
        if keep is not None:
            self.select_id(keep)
        self.table.resizeColumnsToContents()
        self._fit_versions()
        self._update_buttons()

    def selected_id(self) -> int | None:
        rows = {i.row() for i in self.table.selectedIndexes()}
        if len(rows) != 1:
            return None
        it = self.table.item(rows.pop(), 0)
        return it.data(Qt.ItemDataRole.UserRole) if it else None

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
        for n in ("Copy", "Rename", "Delete", "Publish"):
            self.buttons[n].setEnabled(has and edit)

    # -- actions ---------------------------------------------------------------
    def _ask_name(self, title: str, default: str) -> str | None:
        name, ok = QInputDialog.getText(self, title, "Name:", text=default)
        return name.strip() if ok and name.strip() else None

    def _fail(self, exc: Exception) -> None:
        QMessageBox.warning(self, "Timetables", str(exc))
        self.status.emit(str(exc))

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
        self.reload()
        info = next((t for t in self.infos if t.id == tid), None)
        if info:
            self.status.emit(f"Opened {info.name}.")

    def new_version(self, name: str | None = None) -> bool:
        if self.db is None or self.readonly:
            return False
        name = name or self._ask_name("New version", tts.unique_version_name(self.db, "Draft"))
        if not name:
            return False
        try:
            info = tts.create_timetable(self.db, name)
        except (ServiceError, DatabaseError) as exc:
            self._fail(exc)
            return False
        self._push_created(info, f"New version {info.name}")
        return True

    def copy_selected(self, name: str | None = None) -> bool:
        src = self.selected_info()
        if src is None or self.readonly:
            return False
        name = name or self._ask_name("Copy version", tts.unique_version_name(self.db, f"{src.name} copy"))
        if not name:
            return False
        try:
            info = tts.copy_timetable(self.db, src.id, name)
        except (ServiceError, DatabaseError) as exc:
            self._fail(exc)
            return False
        self._push_created(info, f"Copy {src.name} to {info.name}")
        return True

    def _push_created(self, info: tts.TimetableInfo, text: str) -> None:
        holder: dict = {}

        def undo(db):
            holder["snap"] = versions.delete_version(db, info.id)

        def redo(db):
            versions.restore_version(db, holder["snap"])

        self.undo_stack.push(CallCommand(self.undo_stack, text, redo, undo, entity="timetable"))
        self.select_id(info.id)
        self.status.emit(f"{text}.")

    def rename_selected(self, name: str | None = None) -> bool:
        info = self.selected_info()
        if info is None or self.readonly:
            return False
        name = name or self._ask_name("Rename version", info.name)
        if not name or name == info.name:
            return False
        old = info.name
        try:
            tts.rename_timetable(self.db, info.id, name)
        except (ServiceError, DatabaseError) as exc:
            self._fail(exc)
            return False
        self.undo_stack.push(CallCommand(
            self.undo_stack, f"Rename version {old} to {name}",
            lambda db: tts.rename_timetable(db, info.id, name), lambda db: tts.rename_timetable(db, info.id, old),
            entity="timetable"))
        return True

    def delete_selected(self, confirm: bool = True) -> bool:
        info = self.selected_info()
        if info is None or self.readonly:
            return False
        if confirm:
            ans = QMessageBox.question(
                self, "Delete version?",
                f"Delete the version {info.name} ({info.status}, {info.scheduled} of {info.sessions} sessions "
                "placed)? You can undo this with Edit ▸ Undo.")
            if ans != QMessageBox.StandardButton.Yes:
                return False
        try:
            snap = versions.delete_version(self.db, info.id)
        except (ServiceError, DatabaseError) as exc:
            self._fail(exc)
            return False
        holder = {"snap": snap}
        if self.open_id == info.id:
            self.open_id = None

        def undo(db):
            versions.restore_version(db, holder["snap"])

        def redo(db):
            holder["snap"] = versions.delete_version(db, info.id)

        self.undo_stack.push(CallCommand(self.undo_stack, f"Delete version {info.name}", redo, undo,
                                         entity="timetable"))
        return True

    def publish_selected(self) -> bool:
        info = self.selected_info()
        if info is None or self.readonly:
            return False
        new = "draft" if info.status == "published" else "published"
        before = versions.status_of(self.db, info.id)

        def apply(db) -> None:
            if new == "published":
                self._publish_and_notify(db, info)
            else:
                tts.set_status(db, info.id, new)

        try:
            apply(self.db)
        except (ServiceError, DatabaseError) as exc:
            self._fail(exc)
            return False
        self.undo_stack.push(CallCommand(
            self.undo_stack, f"{'Publish' if new == 'published' else 'Unpublish'} {info.name}",
            apply, lambda db: versions.set_status_exact(db, info.id, before),
            entity="timetable"))
        return True

    def _publish_and_notify(self, db, info) -> None:
        """Publish; queue (in the same transaction) an e-mail to each faculty member whose classes
        changed, with their own timetable PDF, and ask the file's scheduler to send them now.
        Publishing again (redo) queues nothing twice; undo does not recall mail already queued."""
        from ato_desktop.services import notifications as notes

        result = notes.publish(db, info.id)
        queued = result.queue.queued if result is not None else 0
        if not queued:
            self.status.emit(f"Published {info.name}.")
            return
        from ato_desktop.notify.scheduler import active_scheduler

        scheduler = active_scheduler(db.path)
        if scheduler is not None:
            scheduler.trigger_delivery()
        msg = f"Published {info.name}: {queued} e-mail(s) to faculty queued"
        if not notes.get_mail_settings(db).configured:
            msg += " — they wait in Notifications until Tools ▸ Mail settings is set up"
        self.status.emit(msg + ".")
