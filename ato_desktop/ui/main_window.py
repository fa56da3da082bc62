"""The main window: navigation between the editors, menus, toolbar, status bar, one undo stack.

Public API (other parts plug in here)::

    window.database            # the open Database or None
    window.undo_stack          # the single UndoStack (Edit > Undo/Redo); survives switching pages
    window.add_page(key, title, widget)
    window.add_lazy_page(key, title, factory)  # the widget is made on first show or first pages[key]
    window.show_page(key)
    window.pages               # key -> page, in navigation order; pages[key] creates a lazy page
    window.pages.created()     # only the pages that exist already
    window.add_menu_action("File", action)    # menu by name; created if missing
    window.database_changed    # Signal(object): the new Database (or None)

Pages that define ``set_database(db, readonly)`` receive every new database;
pages that define ``on_operation(change)`` are told after every operation, undo
and redo (``undo_stack.operation_executed``). The standard pages are created lazily (on first show or first
``window.pages[key]``), so the window opens fast on a big department; a page
created late gets the open database when it is created, which is all a page
that did not exist yet could have missed.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QWidget,
)

from ato_desktop import APP_NAME, __version__
from ato_desktop.services import Database
from ato_desktop.ui import settings as st
from ato_desktop.ui.file_actions import FileActions
from ato_desktop.ui.undo import UndoStack

# (key, title, entity or None)
STANDARD_PAGES = (
    ("calendar", "Calendar", None),
    ("departments", "Departments", "department"),
    ("faculty", "Faculty", "faculty"),
    ("rooms", "Rooms", "room"),
    ("groups", "Student groups", "group"),
    ("courses", "Courses", "course"),
    ("activities", "Activities", "activity"),
    ("baskets", "Elective baskets", "basket"),
    ("constraints", "Constraints", "constraint"),
    ("timetables", "Timetables", None),
    ("dashboard", "Dashboard", None),
    ("substitutions", "Substitutions", None),
)

IMPORTABLE = (("department", "Departments…"), ("faculty", "Faculty…"), ("room", "Rooms…"),
              ("group", "Student groups…"), ("course", "Courses…"), ("basket", "Elective baskets…"),
              ("activity", "Activities (teaching assignments)…"))


def _unique_keys(keys: list[QKeySequence]) -> list[QKeySequence]:
    out: list[QKeySequence] = []
    for k in keys:
        if not k.isEmpty() and all(k != o for o in out):
            out.append(k)
    return out


class Pages(Mapping):
    """The window's pages by key, in navigation order. Reading ``pages[key]`` creates a lazy page."""

    def __init__(self, window: "MainWindow"):
        self._window = window
        self._order: list[str] = []
        self._widgets: dict[str, QWidget] = {}
        self._factories: dict[str, Callable[[], QWidget]] = {}

    def __getitem__(self, key: str) -> QWidget:
        widget = self._widgets.get(key)
        if widget is not None:
            return widget
        if key in self._factories:
            return self._window._create_page(key)
        raise KeyError(key)

    def __contains__(self, key) -> bool:
        return key in self._widgets or key in self._factories

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._order))

    def __len__(self) -> int:
        return len(self._order)

    def is_created(self, key: str) -> bool:
        return key in self._widgets

    def created(self) -> dict[str, QWidget]:
        """The pages that exist (in navigation order), without creating the others."""
        return {k: self._widgets[k] for k in self._order if k in self._widgets}


class MainWindow(FileActions, QMainWindow):
    database_changed = Signal(object)
    # emitted from whichever thread found that the open file was deleted or replaced under us
    database_detached = Signal(object)
    ATTACHED_CHECK_MS = 5000  # how often the open file's identity is checked (two os.stat calls)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.database: Database | None = None
        self.readonly = False
        self.undo_stack = UndoStack(self)
        self.pages = Pages(self)
        self._page_titles: dict[str, str] = {}
        self._menus: dict[str, QMenu] = {}
        self._busy = False
        self._nav_restored = False
        self.last_job = None

        self.nav = QListWidget(self)
        self.nav.setObjectName("navigation")
        self.nav.setIconSize(QSize(16, 16))
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.stack = QStackedWidget(self)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.setObjectName("mainSplitter")
        split.addWidget(self.nav)
        split.addWidget(self.stack)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setCollapsible(0, False)
        split.setCollapsible(1, False)
        self.splitter = split
        self.setCentralWidget(split)
        self.nav.currentRowChanged.connect(self._nav_changed)

        self.db_label = QLabel(self)
        self.db_label.setObjectName("dbLabel")
        self.statusBar().addPermanentWidget(self.db_label)

        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_pages()
        from ato_desktop.ui import campus

        campus.install(self)  # the campus actions (shown on a campus database) and its live view

        self.undo_stack.operation_executed.connect(self._operation_executed)
        self.undo_stack.failed.connect(lambda msg: self.show_status(msg, 15000))
        self.detached_box: QMessageBox | None = None
        self.database_detached.connect(self._on_database_detached, Qt.ConnectionType.QueuedConnection)
        self._attached_timer = QTimer(self)
        self._attached_timer.setInterval(self.ATTACHED_CHECK_MS)
        self._attached_timer.timeout.connect(self.check_database_attached)
        self.undo_stack.cleanChanged.connect(lambda _: None)
        self._update_title()
        self._update_actions()
        self.resize(1200, 760)
        self._restore_window()
        # what opening a database imports (Alembic, the ORM set-up) loads in a worker meanwhile;
        # run_gui opens the start-up file once it is done (preload_job.done), so the window stays live
        from ato_desktop.ui.preload import STARTUP, preload

        self.preload_job = preload(STARTUP)

    # ------------------------------------------------------------------ building
    def _action(self, text: str, slot, shortcut=None, tip: str = "", name: str = "") -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        if tip:
            act.setStatusTip(tip)
            act.setToolTip(f"{tip} ({act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
                           if shortcut is not None else tip)
        if name:
            act.setObjectName(name)
        act.triggered.connect(lambda *_: slot())
        return act

    def _build_actions(self) -> None:
        S = QKeySequence.StandardKey
        self.act_new = self._action("&New department…", self.new_department, S.New,
                                    "Create a new department database", "actionNew")
        self.act_open = self._action("&Open…", self.open_dialog, S.Open, "Open a department database", "actionOpen")
        self.act_save_copy = self._action("Save a &copy…", self.save_copy, "Ctrl+Shift+S",
                                          "Write a copy of the open database to another file", "actionSaveCopy")
        self.act_demo = self._action("Open &demo department", self.open_demo, None,
                                     "Open the demo department (Computer Science & Engineering)", "actionDemo")
        self.act_restore = self._action("&Restore from backup…", self.restore_from_backup, None,
                                        "Replace the data by an earlier backup", "actionRestore")
        self.act_quit = self._action("&Quit", self.close, S.Quit, "Quit ATO Desktop", "actionQuit")
        self.act_undo = self.undo_stack.createUndoAction(self, "&Undo")
        self.act_undo.setShortcuts(_unique_keys([QKeySequence("Ctrl+Z"), *QKeySequence.keyBindings(S.Undo)]))
        self.act_undo.setObjectName("actionUndo")
        self.act_redo = self.undo_stack.createRedoAction(self, "&Redo")
        self.act_redo.setShortcuts(_unique_keys([QKeySequence("Ctrl+Shift+Z"), *QKeySequence.keyBindings(S.Redo)]))
        self.act_redo.setObjectName("actionRedo")
        self.act_about = self._action("&About ATO Desktop", self.about, None, "", "actionAbout")
        self.act_guide = self._action("&Getting started", self.show_guide, S.HelpContents,
                                      "From an empty department to a published timetable", "actionGettingStarted")

    def _build_menus(self) -> None:
        mb = self.menuBar()
        f = self.menu("File")
        f.addAction(self.act_new)
        f.addAction(self.act_open)
        self.recent_menu = f.addMenu("Open &recent")
        self.recent_menu.setObjectName("recentMenu")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        f.addAction(self.act_demo)
        f.addSeparator()
        f.addAction(self.act_save_copy)
        self.import_menu = f.addMenu("&Import")
        self.import_actions: dict[str, QAction] = {}
        for entity, label in IMPORTABLE:
            act = self._action(label, lambda e=entity: self.import_items(e), None,
                               f"Import {label.rstrip('…').lower()} from CSV or XLSX", f"actionImport_{entity}")
            self.import_menu.addAction(act)
            self.import_actions[entity] = act
        from ato_desktop.ui import fet_import

        fet_import.install(self)  # File > Import > FET file... (makes a new database: no open one needed)
        f.addAction(self.act_restore)
        f.addSeparator()
        f.addAction(self.act_quit)
        e = self.menu("Edit")
        e.addAction(self.act_undo)
        e.addAction(self.act_redo)
        self.view_menu = self.menu("View")
        self.page_group = QActionGroup(self)
        self.page_group.setExclusive(True)
        h = self.menu("Help")
        h.addAction(self.act_guide)
        h.addAction(self.act_about)
        mb.setObjectName("menuBar")

    def _build_toolbar(self) -> None:
        tb = QToolBar("Main toolbar", self)
        tb.setObjectName("mainToolbar")
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        tb.addAction(self.act_new)
        tb.addAction(self.act_open)
        tb.addSeparator()
        tb.addAction(self.act_undo)
        tb.addAction(self.act_redo)
        self.addToolBar(tb)
        self.toolbar = tb
        self.view_menu.addAction(tb.toggleViewAction())
        self.view_menu.addSeparator()

    def _build_pages(self) -> None:
        from ato_desktop.ui.pages import build_standard_page

        for key, title, entity in STANDARD_PAGES:
            self.add_lazy_page(key, title, lambda key=key, entity=entity: build_standard_page(key, entity, self))

    # ------------------------------------------------------------------ public API
    def menu(self, name: str) -> QMenu:
        """The menu called ``name`` (without '&'), created before Help if missing."""
        clean = name.replace("&", "")
        if clean in self._menus:
            return self._menus[clean]
        m = QMenu(name if "&" in name else f"&{clean}", self)
        m.setObjectName(f"menu_{clean.lower().replace(' ', '_')}")
        help_menu = self._menus.get("Help")
        if help_menu is not None:
            self.menuBar().insertMenu(help_menu.menuAction(), m)
        else:
            self.menuBar().addMenu(m)
        self._menus[clean] = m
        return m

    def add_menu_action(self, menu_name: str, action: QAction) -> QAction:
        if action.parent() is None:
            action.setParent(self)
        self.menu(menu_name).addAction(action)
        return action

    def add_page(self, key: str, title: str, widget: QWidget) -> None:
        if key in self.pages:
            raise ValueError(f"a page {key!r} exists already")
        self.pages._order.append(key)
        self._install_page(key, widget)
        self._add_nav_entry(key, title)

    def add_lazy_page(self, key: str, title: str, factory: Callable[[], QWidget]) -> None:
        """Like :meth:`add_page`, but ``factory()`` makes the widget when the page is first shown or read."""
        if key in self.pages:
            raise ValueError(f"a page {key!r} exists already")
        self.pages._order.append(key)
        self.pages._factories[key] = factory
        self._add_nav_entry(key, title)

    def _create_page(self, key: str) -> QWidget:
        factory = self.pages._factories.pop(key)
        try:
            widget = factory()
        except BaseException:
            self.pages._factories[key] = factory
            raise
        if widget is None:
            raise RuntimeError(f"the page {key!r} could not be created")
        self._install_page(key, widget)
        return widget

    def _install_page(self, key: str, widget: QWidget) -> None:
        widget.setParent(self.stack)
        self.pages._widgets[key] = widget
        self.stack.addWidget(widget)
        if hasattr(widget, "status"):
            try:
                widget.status.connect(lambda msg: self.show_status(msg))
            except (AttributeError, TypeError, RuntimeError):
                pass
        if self.database is not None:
            self._give_database(widget)

    def _add_nav_entry(self, key: str, title: str) -> None:
        self._page_titles[key] = title
        item = QListWidgetItem(title)
        item.setData(Qt.ItemDataRole.UserRole, key)
        self.nav.addItem(item)
        self._fit_nav()
        n = self.nav.count()
        act = QAction(title, self)
        act.setCheckable(True)
        act.setObjectName(f"actionPage_{key}")
        if n <= 9:
            act.setShortcut(QKeySequence(f"Ctrl+{n}"))
        act.triggered.connect(lambda *_, k=key: self.show_page(k))
        self.page_group.addAction(act)
        self.view_menu.addAction(act)
        if self.nav.currentRow() < 0:
            self.nav.setCurrentRow(0)

    def nav_width(self) -> int:
        """The width that shows every page title in the navigation list whole."""
        fm = self.nav.fontMetrics()
        text = max((fm.horizontalAdvance(self.nav.item(i).text()) for i in range(self.nav.count())), default=80)
        # item padding and focus frame (styles differ), the list's frame, and room for a scroll bar
        return text + 24 + 2 * self.nav.frameWidth() + self.nav.verticalScrollBar().sizeHint().width()

    def _fit_nav(self) -> None:
        w = self.nav_width()
        self.nav.setMinimumWidth(w)  # never narrower than the titles (a restored state cannot cut them)
        self.nav.setMaximumWidth(max(w * 2, 240))
        if not self._nav_restored:
            sizes = self.splitter.sizes()
            total = sum(sizes) or max(self.width(), 1000)
            self.splitter.setSizes([w, max(total - w, 1)])

    def show_page(self, key: str) -> QWidget:
        widget = self.pages[key]
        for i in range(self.nav.count()):
            if self.nav.item(i).data(Qt.ItemDataRole.UserRole) == key:
                self.nav.setCurrentRow(i)
                break
        ensure = getattr(widget, "ensure_loaded", None)
        if ensure is not None:  # also when the window is not shown (tests, screenshots)
            ensure()
        return widget

    def current_page_key(self) -> str:
        item = self.nav.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else ""

    def show_status(self, message: str, timeout: int = 6000) -> None:
        self.statusBar().showMessage(message, timeout)

    # ------------------------------------------------------------------ navigation
    def _nav_changed(self, row: int) -> None:
        if row < 0:
            return
        key = self.nav.item(row).data(Qt.ItemDataRole.UserRole)
        self.stack.setCurrentWidget(self.pages[key])  # creates a lazy page on its first show
        for act in self.page_group.actions():
            if act.objectName() == f"actionPage_{key}":
                act.setChecked(True)

    def _operation_executed(self, change) -> None:
        for page in self.pages.created().values():  # a page made later reads the data then
            fn = getattr(page, "on_operation", None)
            if fn is not None:
                fn(change)

    # ------------------------------------------------------------------ database
    def _give_database(self, page: QWidget) -> None:
        fn = getattr(page, "set_database", None)
        if fn is None:
            return
        try:
            params = inspect.signature(fn).parameters
        except (TypeError, ValueError):
            params = {}
        if "readonly" in params:
            fn(self.database, readonly=self.readonly)
        else:
            fn(self.database)

    def set_database(self, db: Database | None) -> None:
        """Show ``db`` everywhere (closing the previous one); the undo history starts afresh."""
        old = self.database
        self.database = db
        self.readonly = bool(db is not None and db.readonly)
        self.undo_stack.blockSignals(False)  # blocked while the window was closed
        self.undo_stack.operations.blockSignals(False)
        self.undo_stack.set_database(db)
        for page in self.pages.created().values():  # lazy pages get it when they are created
            self._give_database(page)
        if old is not None and old is not db:
            old.close()
        if db is not None and not getattr(db, "is_campus", False):  # a campus is no file to reopen
            try:
                st.add_recent_file(db.path)
            except Exception:
                pass
        if db is not old:
            self.detached_box = None
        if db is not None and not db.readonly:
            db.on_detached(self._emit_detached)  # storage calls it from the thread that found out
            self._attached_timer.start()
        else:
            self._attached_timer.stop()
        self._update_title()
        self._update_actions()
        self.database_changed.emit(db)

    def close_database(self) -> None:
        self.set_database(None)

    def import_items(self, entity: str) -> None:
        if self.database is None or self.readonly:
            return
        from ato_desktop.ui.import_dialog import ImportDialog

        dlg = ImportDialog(self.database, entity, self.undo_stack, self)
        dlg.exec()

    def show_guide(self):
        """Help ▸ Getting started (F1): the short guide, beside the main window."""
        from ato_desktop.ui.help_guide import GettingStartedDialog

        dlg = getattr(self, "guide_dialog", None)
        if dlg is None:
            dlg = self.guide_dialog = GettingStartedDialog(self)
        dlg.show()
        dlg.raise_()
        return dlg

    def about(self) -> None:
        QMessageBox.about(self, f"About {APP_NAME}",
                          f"<b>{APP_NAME}</b> {__version__}<br>Build, optimize, print and publish a "
                          "department's weekly timetable.")

    # ------------------------------------------------------------------ state
    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.centralWidget().setEnabled(not busy)
        self._update_actions()

    def _update_actions(self) -> None:
        has = self.database is not None and not self._busy
        editable = has and not self.readonly
        self.act_save_copy.setEnabled(has)
        self.act_restore.setEnabled(editable)
        self.import_menu.setEnabled(not self._busy)
        for a in self.import_actions.values():
            a.setEnabled(editable)
        for a in (self.act_new, self.act_open, self.act_demo):
            a.setEnabled(not self._busy)
        if hasattr(self, "campus_live"):
            from ato_desktop.ui.campus import update_actions

            update_actions(self)  # the file-only actions are hidden on a campus database

    def _update_title(self) -> None:
        if self.database is None:
            self.setWindowTitle(APP_NAME)
            self.db_label.setText("No database open")
            return
        if getattr(self.database, "is_campus", False):
            from ato_desktop.ui.campus import title_of

            title, label = title_of(self)
            self.setWindowTitle(title)
            self.db_label.setText(label)
            return
        stopped = self.database.detached and not self.database.readonly
        ro = " (stopped writing: changed by another program)" if stopped else " (read-only)" if self.readonly else ""
        self.setWindowTitle(f"{APP_NAME} — {self.database.path.name}{ro}")
        self.db_label.setText(f"{self.database.path}{ro}")
        self.db_label.setToolTip(str(self.database.path))

    def _restore_window(self) -> None:
        geo = st.window_geometry()
        if geo is not None:
            self.restoreGeometry(geo)
        state = st.window_state()
        if state is not None:
            self.restoreState(state)
        from ato_desktop.ui.sizing import remember_splitter

        self._nav_restored = remember_splitter(self.splitter, "main")
        page = st.last_page()
        if page in self.pages:
            self.show_page(page)

    def save_window_state(self) -> None:
        st.save_window(self.saveGeometry(), self.saveState(), self.current_page_key())

    def confirm_unsaved(self) -> bool:
        """Before closing the database: offer to save forms with unsaved edits. False = the user cancelled."""
        for key, page in self.pages.created().items():  # a page not made yet has no edits
            if not getattr(page, "form_dirty", False):
                continue
            self.show_page(key)
            answer = page.ask_unsaved()
            if answer == "cancel" or (answer == "save" and not page.save()):
                return False
            page.form_dirty = False
        return True

    def closeEvent(self, event) -> None:
        if self.database is not None and not self.confirm_unsaved():
            event.ignore()
            return
        self.save_window_state()
        for page in self.pages.created().values():
            fn = getattr(page, "shutdown", None)
            if fn is not None:
                fn()
        self.undo_stack.operations.wait_idle()  # the writes queued run before the file is closed
        self.campus_live.stop()  # a campus database's live view (its listener thread)
        if self.database is not None:
            self.database.close()
            self.database = None
        # The file is closed: a late announcement (a page's queued "data changed", a worker's result)
        # must not make the pages read it again. set_database() turns the signals back on.
        self.undo_stack.blockSignals(True)
        self.undo_stack.operations.blockSignals(True)
        super().closeEvent(event)
