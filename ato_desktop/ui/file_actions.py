"""The main window's File menu: open (for editing, or read-only when another instance edits the file),
recent files, the demo, a new department, save a copy, restore a backup, and what happens when the
open file is changed by another program. The files themselves are ``services.database_files``.

:class:`FileActions` is a part of :class:`~ato_desktop.ui.main_window.MainWindow` (a mixin: it uses
the window's ``database``, ``show_status``, ``set_database``, ``confirm_unsaved`` …).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from ato_desktop.services import database_files as files
from ato_desktop.services.errors import ServiceError
from ato_desktop.ui import settings as st
from ato_desktop.ui import tasks

FILE_FILTER = f"ATO Desktop databases (*{files.DB_SUFFIX});;All files (*)"


class FileActions:
    """The window's file handling (mixed into ``MainWindow``)."""

    def open_database(self, path: str | Path, *, readonly: bool = False, ask: bool = True) -> bool:
        """Open ``path`` for editing (or read-only). If another instance edits it, offer read-only.
        A campus database's URL (``postgresql://…``) is opened by :func:`ato_desktop.ui.campus.open_campus`."""
        from ato_desktop.ui import campus

        if campus.is_url(path):
            return campus.open_campus(self, path, ask=ask) is not None
        path = Path(path).expanduser()
        if self.database is not None and self.database.path.resolve() == path.resolve() and not readonly:
            return True
        if self.database is not None and ask and not self.confirm_unsaved():
            return False
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        readonly_reason = ""
        try:
            try:
                opened = files.open_file(path, readonly=readonly)
                db, readonly_reason = opened.db, opened.readonly_reason
                if readonly_reason:  # a read-only folder or file: read it, and say so
                    self.show_status(f"Opened {path} read-only: {readonly_reason}.", 15000)
            except files.DatabaseInUseError as exc:
                QApplication.restoreOverrideCursor()
                if not ask or not self._offer_readonly(exc):
                    self.show_status(str(exc), 15000)
                    return False
                QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
                db = files.open_readonly(path)
        except files.DatabaseError as exc:
            QApplication.restoreOverrideCursor()
            if ask:
                QMessageBox.warning(self, f"Cannot open {path.name}", str(exc))
            self.show_status(str(exc), 15000)
            return False
        finally:
            if QApplication.overrideCursor() is not None:
                QApplication.restoreOverrideCursor()
        self.set_database(db)
        self.show_status(f"Opened {path}" + (f" read-only: {readonly_reason}" if readonly_reason else
                                             " read-only" if db.readonly else ""))
        if not db.readonly:
            self._daily_backup(db)
        return True

    def _offer_readonly(self, exc: files.DatabaseInUseError) -> bool:
        box = QMessageBox(self)
        box.setObjectName("inUseBox")
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle("Database in use")
        box.setText(str(exc))
        ro = box.addButton("Open read-only", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is ro

    def _daily_backup(self, db: files.Database) -> None:
        from ato_desktop.services import backups

        def done(result, error):
            if error is not None:
                self.show_status(f"The daily backup failed: {error}", 15000)
            elif result is not None:
                self.show_status(f"Daily backup saved in {Path(result).parent.name}.")

        self.last_job = tasks.run(lambda: backups.daily_backup(db.path), done, serial=True)

    # ------------------------------------------------------------------ the file changed under us
    def _emit_detached(self, db: files.Database) -> None:
        try:
            self.database_detached.emit(db)
        except RuntimeError:  # the window is gone
            pass

    def check_database_attached(self) -> None:
        """Is the open file (and its -wal) still the one we opened? Two ``os.stat``: cheap, on a timer."""
        db = self.database
        if db is not None and not db.readonly:
            db.still_attached()  # on a change: marks it detached, which emits database_detached

    def _on_database_detached(self, db: files.Database) -> None:
        """Writing stopped (storage refuses every write now): say so and offer to save what is open."""
        if db is not self.database or self.detached_box is not None:
            return
        self._attached_timer.stop()
        self.readonly = True
        self._update_title()
        self._update_actions()
        message = files.detached_message(db)
        self.show_status(message, 0)
        box = QMessageBox(self)
        box.setObjectName("detachedBox")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("ATO Desktop stopped writing")
        box.setText(message)
        save = box.addButton("Save a copy…", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Later", QMessageBox.ButtonRole.RejectRole)
        box.buttonClicked.connect(lambda button: self.save_copy() if button is save else None)
        self.detached_box = box
        box.open()  # window-modal, does not block: the worker that found out is not waiting for it

    # ------------------------------------------------------------------ file actions
    def open_dialog(self) -> None:
        start = str(self.database.path.parent) if self.database else ""
        path, _ = QFileDialog.getOpenFileName(self, "Open a department database", start, FILE_FILTER)
        if path:
            self.open_database(path)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = st.recent_files()
        for p in recent:
            act = self.recent_menu.addAction(p.name)
            act.setStatusTip(str(p))
            act.setToolTip(str(p))
            act.triggered.connect(lambda *_, path=p: self._open_recent(path))
        campuses = st.recent_campuses()  # campus databases (their URLs, never with a password)
        if recent and campuses:
            self.recent_menu.addSeparator()
        for url in campuses:
            act = self.recent_menu.addAction(f"Campus: {url}")
            act.setObjectName("recentCampus")
            act.setStatusTip(url)
            act.triggered.connect(lambda *_, u=url: self.open_database(u))
        if not recent and not campuses:
            none = self.recent_menu.addAction("(none)")
            none.setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear list", lambda: (st.clear_recent_files(), st.clear_recent_campuses()))

    def _open_recent(self, path: Path) -> None:
        if not path.exists():
            st.remove_recent_file(path)
            QMessageBox.information(self, "File not found", f"{path} no longer exists; it was removed from the list.")
            return
        self.open_database(path)

    def open_demo(self) -> None:
        """Open the per-user demo department (created in a worker on first use)."""
        from ato_desktop.demo import ensure_demo_database

        self.show_status("Preparing the demo department…", 0)
        self._set_busy(True)

        def done(path, error):
            self._set_busy(False)
            if error is not None:
                QMessageBox.warning(self, "Cannot open the demo", str(error))
                self.show_status(f"Cannot open the demo: {error}", 15000)
                return
            self.open_database(path)

        self.last_job = tasks.run(ensure_demo_database, done)

    def new_department(self) -> None:
        from ato_desktop.ui.new_department_wizard import NewDepartmentWizard

        wiz = NewDepartmentWizard(self)
        if wiz.exec() and getattr(wiz, "created_path", None):
            if self.open_database(wiz.created_path):
                self.show_page("departments")

    def save_copy(self) -> None:
        if self.database is None:
            return
        src = self.database.path
        suggestion = str(src.with_name(src.stem + " copy" + files.DB_SUFFIX))
        path, _ = QFileDialog.getSaveFileName(self, "Save a copy", suggestion, FILE_FILTER)
        if path:
            self.save_copy_to(Path(path))

    def save_copy_to(self, dest: Path):
        """Copy the open database to ``dest`` (consistent snapshot) in a worker; returns the job.

        The copy is made with SQLite's backup API from the connection the Database kept open, so it
        holds what this window shows even if another program deleted the file's -wal.
        """
        try:
            dest = files.copy_destination(self.database, dest)
        except ServiceError as exc:
            self.show_status(str(exc), 10000)
            return None
        db = self.database

        def done(result, error):
            if error is not None:
                QMessageBox.warning(self, "Copy not saved", str(error))
            else:
                self.show_status(f"Saved a copy to {result}.")

        self.last_job = tasks.run(lambda: db.save_copy(dest), done, serial=True)
        return self.last_job

    def restore_from_backup(self) -> None:
        if self.database is None or self.readonly:
            return
        from ato_desktop.ui.restore_dialog import RestoreDialog

        dlg = RestoreDialog.for_database(self.database.path, parent=self)
        if dlg.exec() != RestoreDialog.DialogCode.Accepted or dlg.selected_backup() is None:
            return
        self.restore_backup_file(dlg.selected_backup())

    def restore_backup_file(self, backup: Path):
        """Restore ``backup`` over the open database in a worker; the window shows the result."""
        from ato_desktop.services import backups

        db = self.database
        lock, db.lock = db.lock, None  # keep our instance lock across the close/reopen
        self._set_busy(True)
        self.show_status("Restoring the backup…", 0)

        def done(new_db, error):
            self._set_busy(False)
            if error is not None:
                db.lock = lock
                QMessageBox.warning(self, "Restore failed", f"{error}\n\nNothing was changed.")
                self.show_status(f"Restore failed: {error}", 15000)
                self._give_all()
                return
            new_db.lock = lock
            self.database = None  # the old one is closed already
            self.set_database(new_db)
            self.show_status(f"Restored {Path(backup).name}. The data before it was backed up first.", 15000)

        self.last_job = tasks.run(lambda: backups.restore(db, backup), done, serial=True)
        return self.last_job

    def _give_all(self) -> None:
        for page in self.pages.created().values():
            self._give_database(page)
