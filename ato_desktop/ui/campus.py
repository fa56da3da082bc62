"""The desktop app on a campus database (issue 19, docs/campus.md).

``ato-desktop --db postgresql://user@host/campus`` opens the main window on a campus database:

- :func:`open_campus` connects in a task (off the UI thread) and finds which department the window
  edits: the login's ``campus_member`` row, else the only department, else a chooser;
- the title names the department and the campus; the file-only actions (Save a copy, Restore from
  backup, the daily backup) are hidden, and File ▸ "Backing up the campus…" says that a campus
  database is backed up on the server with ``ato-desktop campus backup``;
- :class:`LiveView` listens for other clients' commits (PostgreSQL LISTEN/NOTIFY, in its own thread)
  and announces each through the window's one ``operation_executed`` signal, as a change of kinds
  ``"timetable"`` and ``"campus"`` without an undo step, so the grid and its conflicts refresh.

The "Commit to campus…" and "Withdraw from campus" actions of the Timetables page are
:class:`CampusVersionActions`.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QMessageBox

from ato_desktop import APP_NAME

BACKUP_SENTENCE = ("A campus database is backed up on its server, not as a file: run "
                   "'ato-desktop campus backup --db URL --out FILE.dump' (pg_dump) every night, and restore "
                   "with pg_restore (docs/campus.md, step 10).")


def is_url(value) -> bool:
    return isinstance(value, str) and value.strip().lower().startswith(
        ("postgresql://", "postgres://", "postgresql+psycopg://"))


def is_campus(db) -> bool:
    return bool(getattr(db, "is_campus", False))


# ---- opening -------------------------------------------------------------------------------------------
def open_campus(window, url: str, *, department: str | None = None, ask: bool = True,
                password: str | None = None, on_failed=None, on_opened=None):
    """Open the campus database at ``url`` in ``window`` (connecting in a task); returns the task.
    ``department``: the department to edit when the login coordinates none (the administrator).
    ``password`` (typed in File ▸ Open campus database…): used to connect, then kept in the OS keychain
    (never in the settings). ``on_failed(sentence)`` instead of the warning dialog; ``on_opened()``."""
    from ato_desktop.ui import tasks

    if window.database is not None and ask and not window.confirm_unsaved():
        return None
    window.show_status("Connecting to the campus database…", 0)

    def connect():
        from ato_desktop.services import campus
        from ato_desktop.services.campus_login import remember_password, with_password
        from ato_desktop.services.database_files import open_campus_database

        db = open_campus_database(with_password(url, password))
        try:
            login = campus.login_departments(db)
        except BaseException:
            db.close()
            raise
        kept = remember_password(url, password) if password else ""
        return db, login, kept

    def done(result, error) -> None:
        if not shiboken6.isValid(window):
            if result is not None:
                result[0].close()
            return
        if error is not None:
            window.show_status(str(error), 15000)
            if on_failed is not None:
                on_failed(str(error))
            elif ask:
                QMessageBox.warning(window, "Cannot open the campus database", str(error))
            return
        db, login, kept = result
        code = choose_department(window, login, department, ask=ask)
        window.campus_department = code
        window.set_database(db)
        from ato_desktop.ui import settings as st

        st.add_recent_campus(db.location)  # the URL without any password
        who = f"{login.login} edits {code}" if code else f"{login.login} edits no department (read the campus)"
        window.show_status(f"Opened the campus database {db.location}: {who}" + (f"; {kept}" if kept else "") + ".",
                           15000)
        if on_opened is not None:
            on_opened()

    window.last_job = tasks.run(connect, done)
    return window.last_job


def choose_department(window, login, wanted: str | None, *, ask: bool) -> str | None:
    """The department the window edits: the login's row, the one asked for, the only one, or a choice."""
    codes = [c for c, _ in login.departments]
    if login.member:
        return login.member
    if wanted and wanted in codes:
        return wanted
    if len(codes) == 1:
        return codes[0]
    if not codes or not ask:
        return None
    items = [f"{c} — {n}" for c, n in login.departments]
    item, ok = QInputDialog.getItem(window, "Which department?",
                                    f"The login {login.login} coordinates no department of this campus. "
                                    "Edit the timetables of:", items, 0, False)
    return codes[items.index(item)] if ok and item in items else None


def title_of(window) -> tuple[str, str]:
    """(window title, status-bar label) for a window showing a campus database."""
    db = window.database
    code = getattr(window, "campus_department", None)
    who = f"{code} on campus" if code else "campus"
    ro = " (read-only)" if window.readonly else ""
    return f"{APP_NAME} — {who} {db.location}{ro}", f"Campus {db.location} — department {code or '(none)'}{ro}"


# ---- the File menu on a campus database -----------------------------------------------------------------
def install(window) -> None:
    """File ▸ "Backing up the campus…" (shown only on a campus database) and the live view."""
    act = QAction("Backing up the &campus…", window)
    act.setObjectName("actionCampusBackup")
    act.setStatusTip("How a campus database is backed up (campus backup, on the server)")
    act.triggered.connect(lambda *_: show_backup_note(window))
    act.setVisible(False)
    window.menu("File").insertAction(window.act_restore, act)
    window.act_campus_backup = act
    from ato_desktop.ui.campus_open import open_campus_dialog

    opener = QAction("Open &campus database…", window)
    opener.setObjectName("actionOpenCampus")
    opener.setStatusTip("Open a campus database on a PostgreSQL server (host, database, login)")
    opener.triggered.connect(lambda *_: open_campus_dialog(window))
    window.menu("File").insertAction(window.recent_menu.menuAction(), opener)
    window.act_open_campus = opener
    menu = window.menu("Timetables")
    window.campus_actions = []
    for key, text, tip, method in (
        ("CommitCampus", "&Commit to campus…", ("Commit the version shown to the campus: its rooms and shared "
                                                "faculty become binding for every department"), "commit_to_campus"),
        ("WithdrawCampus", "&Withdraw from campus", "Withdraw your department's commitment from the campus",
         "withdraw_from_campus"),
    ):
        a = QAction(text, window)
        a.setObjectName(f"action{key}")
        a.setStatusTip(tip)
        a.triggered.connect(lambda *_, m=method: getattr(window.show_page("timetables"), m)())
        menu.addAction(a)
        window.campus_actions.append(a)
    menu.addSeparator()
    window.campus_setup_actions = []
    for key, text, tip, opener in (
        ("RoomSharing", "Room &sharing…", "Which department may use each room when (the campus administrator edits it)",
         "open_room_sharing"),
        ("CampusSlots", "Campus elective &slots…", "The MDC/AEC/SEC/VAC and open elective slots of the campus",
         "open_campus_slots"),
    ):
        a = QAction(text, window)
        a.setObjectName(f"action{key}")
        a.setStatusTip(tip)
        a.triggered.connect(lambda *_, o=opener: _open_setup(window, o))
        menu.addAction(a)
        window.campus_setup_actions.append(a)
    menu.menuAction().setVisible(False)
    window.campus_menu = menu
    window.campus_live = LiveView(window)
    window.database_changed.connect(lambda db: _database_changed(window, db))


def update_actions(window) -> None:
    """Hide what is about a file when the window shows a campus database (and bring it back after)."""
    campus = is_campus(window.database)
    window.act_save_copy.setVisible(not campus)
    window.act_restore.setVisible(not campus)
    act = getattr(window, "act_campus_backup", None)
    if act is not None:
        act.setVisible(campus)
    opener = getattr(window, "act_open_campus", None)
    if opener is not None:
        opener.setEnabled(not window._busy)
    menu = getattr(window, "campus_menu", None)
    if menu is not None:  # the Timetables menu holds only the campus actions (for now)
        menu.menuAction().setVisible(campus)
        for a in window.campus_actions:
            a.setEnabled(campus and not window.readonly and not window._busy)
        for a in getattr(window, "campus_setup_actions", ()):
            a.setEnabled(campus)


def _open_setup(window, opener: str):
    """The room sharing or elective slots dialog (ui/campus_setup.py) of the window's campus database."""
    if not is_campus(window.database):
        return None
    from ato_desktop.ui import campus_setup

    return getattr(campus_setup, opener)(window)


def show_backup_note(window) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Information, "Backing up the campus", BACKUP_SENTENCE,
                      QMessageBox.StandardButton.Ok, window)
    box.setObjectName("campusBackupNote")
    window.campus_backup_box = box
    box.open()
    return box


def _database_changed(window, db) -> None:
    update_actions(window)
    live = getattr(window, "campus_live", None)
    if live is not None:
        live.watch(db if is_campus(db) else None, getattr(window, "campus_department", None))


# ---- live view of other departments' commits ----------------------------------------------------------
class LiveView(QObject):
    """Listens (LISTEN/NOTIFY, in the listener's own thread) for commits and withdrawals on the window's
    campus database; each one by another department is announced on the UI thread through the one
    ``operation_executed(change)`` signal (kinds {"timetable", "campus"}, no undo step)."""

    heard = Signal(object)  # from the listener's thread; delivered on the UI thread (queued)
    lost = Signal(str)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.listener = None
        self.department: str | None = None
        self.announced: list = []  # the changes announced (for tests and the status bar)
        self.heard.connect(self._announce, Qt.ConnectionType.QueuedConnection)
        self.lost.connect(lambda msg: window.show_status(msg or "The live view of the campus is back.", 15000),
                          Qt.ConnectionType.QueuedConnection)

    def watch(self, db, department: str | None) -> None:
        self.stop()
        self.department = department
        if db is None:
            return
        from ato_desktop.services import campus

        self.listener = campus.listener(db.url, self._from_thread(self.heard), self._from_thread(self.lost)).start()

    def _from_thread(self, signal):
        def emit(value) -> None:  # from the listener's thread: the window may be gone meanwhile
            try:
                if shiboken6.isValid(self):
                    signal.emit(value)
            except RuntimeError:
                pass

        return emit

    def wait_listening(self, timeout: float) -> bool:
        return self.listener is not None and self.listener.wait_listening(timeout)

    def stop(self) -> None:
        if self.listener is not None:
            self.listener.stop()
            self.listener = None

    def _announce(self, payload) -> None:
        if not shiboken6.isValid(self.window) or self.listener is None:
            return
        dept = payload.get("department") if isinstance(payload, dict) else None
        if dept and dept == self.department:
            return  # our own commit: its operation announced it already
        from ato_desktop.services.operations import Change

        event = payload.get("event", "change") if isinstance(payload, dict) else "change"
        what = (f"{dept} committed “{payload.get('timetable')}”" if event == "commit" else
                f"{dept} withdrew its commitment" if event == "withdraw" else "the campus changed")
        # "timetable": the versions list and scores; "campus": not only versions changed, so the grid
        # reloads (its grey cards and conflicts), as after any other edit
        change = Change(f"{what} (campus)", frozenset({"timetable", "campus"}))
        self.announced.append(change)
        self.window.undo_stack.operation_executed.emit(change)
        self.window.show_status(f"Campus: {what}; the grid shows it.", 10000)


# ---- Commit to campus / Withdraw (mixed into the Timetables page) ------------------------------------------
class CampusVersionActions:
    """"Commit to campus…" and "Withdraw from campus" of the Timetables page (and the Timetables menu)."""

    commit_box = None

    def campus_department(self) -> str | None:
        win = self.window()
        return getattr(win, "campus_department", None)

    def commit_to_campus(self, confirm: bool = True) -> bool:
        """Commit the version shown (an operation on the writer); a refusal lists each clash."""
        tid = self.current_id()
        if tid is None or self.db is None or self.readonly or not is_campus(self.db):
            return False
        info = next((t for t in self.infos if t.id == tid), None)
        name = info.name if info is not None else "this version"
        if confirm:
            ans = QMessageBox.question(
                self, "Commit to campus?",
                f"Commit “{name}” to the campus? Its rooms and shared faculty become binding for every "
                "department; another version of your department committed before is replaced.")
            if ans != QMessageBox.StandardButton.Yes:
                return False
        from ato_desktop.services import campus

        dept = self.campus_department()
        return bool(self.undo_stack.run(lambda db: campus.commit_version(db, timetable=tid, department=dept),
                                        on_done=self._committed, on_error=self._commit_failed, db=self.db))

    def withdraw_from_campus(self, confirm: bool = True) -> bool:
        dept = self.campus_department()
        tid = self.current_id()
        if self.db is None or self.readonly or not is_campus(self.db):
            return False
        from ato_desktop.services import campus
        from ato_desktop.services.errors import DatabaseError, ServiceError

        if dept is None and tid is not None:
            try:
                dept = campus.version_department(self.db, tid)
            except (ServiceError, DatabaseError) as exc:  # one sentence
                self._fail(exc)
                return False
        if dept is None:
            return False
        if confirm:
            ans = QMessageBox.question(self, "Withdraw from campus?",
                                       f"Withdraw {dept}'s commitment? Its rooms and faculty become free for "
                                       "other departments to commit; the version it replaced, if any, is "
                                       "committed again.")
            if ans != QMessageBox.StandardButton.Yes:
                return False
        return bool(self.undo_stack.run(lambda db: campus.withdraw_department(db, department=dept),
                                        on_done=self._committed, on_error=self._commit_failed, db=self.db))

    def _committed(self, change) -> None:
        sentence = change.result.sentence
        self.status.emit(sentence)
        self._show_commit_box(QMessageBox.Icon.Information, "Campus", sentence)
        self.reload()

    def _commit_failed(self, exc: BaseException) -> None:
        from ato_desktop.services import campus

        if isinstance(exc, campus.CommitRefused):
            n = len(exc.clashes)
            head = (f"“{exc.timetable}” of {exc.department} was not committed: {n} clash{'es' if n != 1 else ''} "
                    "with the campus's committed timetables. Nothing was written.")
            body = "\n".join(f"• {c}" for c in exc.clashes)
            self.status.emit(str(exc))
            self._show_commit_box(QMessageBox.Icon.Warning, "Not committed", head, body)
            return
        self.status.emit(str(exc))
        self._show_commit_box(QMessageBox.Icon.Warning, "Campus", str(exc))

    def _show_commit_box(self, icon, title: str, text: str, details: str = "") -> QMessageBox:
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("campusCommitBox")
        if details:
            box.setInformativeText(details)
        self.commit_box = box
        box.open()
        return box
