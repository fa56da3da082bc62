"""What the Timetables page's buttons do to versions: new, copy, rename and delete (each one undo step),
publish after a check in a worker, compare two versions, the review steps (submit, approve, return,
archive) with their history, and copy a frozen version to a new draft."""

from __future__ import annotations

import shiboken6

from PySide6.QtWidgets import QInputDialog, QMessageBox

from ato_desktop.services import timetables as tts
from ato_desktop.services import version_lifecycle as versions
from ato_desktop.services.errors import DatabaseError, ServiceError
from ato_desktop.ui.undo import CallCommand


class VersionActions:
    """The version actions of :class:`~ato_desktop.ui.timetables_page.TimetablesPage` (mixed into it; they use
    its database, selection, undo stack and current version)."""

    def _ask_name(self, title: str, default: str) -> str | None:
        name, ok = QInputDialog.getText(self, title, "Name:", text=default)
        return name.strip() if ok and name.strip() else None

    def _fail(self, exc: Exception) -> None:
        QMessageBox.warning(self, "Timetables", str(exc))
        self.status.emit(str(exc))

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
        if self.current.id() == info.id:
            self.current.set(None)  # the grid shows another version next (the screen picks it)

        def undo(db):
            versions.restore_version(db, holder["snap"])

        def redo(db):
            holder["snap"] = versions.delete_version(db, info.id)

        self.undo_stack.push(CallCommand(self.undo_stack, f"Delete version {info.name}", redo, undo,
                                         entity="timetable"))
        return True

    def publish_selected(self, confirm: bool = True, force: bool = False) -> bool:
        """Publish the current version (the one the grid shows). With ``confirm`` (the button), it is
        checked in a worker and a confirmation shows what will happen (:attr:`publish_dialog`); without,
        it is checked here and refused when it has hard conflicts or unscheduled sessions unless ``force``.
        A published version is not published again: "Copy to a new draft" makes an editable copy."""
        tid = self.current_id()
        if tid is None or self.readonly or self.db is None:
            return False
        try:
            info = tts.get_timetable(self.db, tid)
        except (ServiceError, DatabaseError) as exc:
            self._fail(exc)
            return False
        if info.status == "published":
            self.offer_copy(info.id, f"{info.name} is already published, and a published version is frozen.")
            return False
        if info.status == "submitted":
            self._fail(ServiceError(f"“{info.name}” is submitted for review: approve it or return it before "
                                    "publishing it."))
            return False
        if not confirm:
            try:
                check = versions.check_version(self.db, info.id)
            except (ServiceError, DatabaseError) as exc:
                self._fail(exc)
                return False
            return self._publish_checked(check, force)
        from ato_desktop.ui import tasks

        db = self.db
        self.status.emit(f"Checking {info.name} before publishing…")
        self._publish_job = tasks.run(lambda: versions.check_version(db, info.id), self._publish_checked_async)
        self._update_buttons()
        return True

    def _publish_checked_async(self, check, error) -> None:
        self._publish_job = None
        self._update_buttons()
        if error is not None:
            self._fail(error)
            return
        if self.db is None or check.timetable_id != self.current_id():
            return  # another file or version meanwhile
        from ato_desktop.ui.publish_dialog import PublishDialog

        dlg = PublishDialog(check, self)
        self.publish_dialog = dlg
        dlg.accepted.connect(lambda: self._publish_checked(check, dlg.force))
        dlg.open()

    def _publish_checked(self, check, force: bool) -> bool:
        """Publish after the check (refused by the service when blocked and not ``force``); one undo step."""
        tid, name = check.timetable_id, check.name
        try:
            before = versions.status_of(self.db, tid)
            outcome = versions.publish_version(self.db, tid, force=force, check=check)
        except (ServiceError, DatabaseError) as exc:
            self._fail(exc)
            return False
        override = outcome.override
        self.undo_stack.push(CallCommand(
            self.undo_stack, f"Publish {name}", lambda db: _publish_again(db, tid, override),
            lambda db: versions.set_status_exact(db, tid, before), entity="timetable"))
        self._after_publish(name, outcome.result)
        return True

    def _after_publish(self, name: str, result) -> None:
        """Ask the file's scheduler to send what was queued (undo does not recall mail already queued)."""
        from ato_desktop.services import mail_settings

        queued = result.queue.queued if result is not None else 0
        if not queued:
            self.status.emit(f"Published {name}.")
            return
        from ato_desktop.notify.scheduler import active_scheduler

        scheduler = active_scheduler(self.db.path)
        if scheduler is not None:
            scheduler.trigger_delivery()
        msg = f"Published {name}: {queued} e-mail(s) to faculty queued"
        if not mail_settings.get_mail_settings(self.db).configured:
            msg += " — they wait in Notifications until Tools ▸ Mail settings is set up"
        self.status.emit(msg + ".")

    def compare_selected(self, a: int | None = None, b: int | None = None) -> bool:
        """Compare two versions (the two selected ones, the older first) in a worker, then show them side by
        side (:attr:`compare_dialog`)."""
        if a is None or b is None:
            ids = self.selected_ids()
            if len(ids) != 2:
                return False
            a, b = sorted(ids)
        if self.db is None or self._compare_job is not None:
            return False
        from ato_desktop.services import compare
        from ato_desktop.ui import tasks

        db = self.db
        self.status.emit("Comparing the two versions…")
        self._compare_job = tasks.run(lambda: compare.compare_versions(db, a, b),
                                          lambda r, e: self._compared(db, r, e))
        self._update_buttons()
        return True

    def _compared(self, db, cmp, error) -> None:
        if not shiboken6.isValid(self):
            return
        self._compare_job = None
        self._update_buttons()
        if db is not self.db:
            return
        if error is not None:
            self._fail(error)
            return
        from ato_desktop.ui.compare_dialog import CompareDialog

        dlg = CompareDialog(cmp, self)
        self.compare_dialog = dlg
        self.status.emit(f"{cmp.a.name} → {cmp.b.name}: {len(cmp.moved)} session(s) moved.")
        dlg.open()

    # -- the review (services.approval) ----------------------------------------
    def _review_target(self) -> tts.TimetableInfo | None:
        return self.selected_info() or next((t for t in self.infos if t.id == self.current_id()), None)

    def review_step(self, action: str) -> bool:
        """Ask who takes the step and their comment (:attr:`step_dialog`), then take it."""
        info = self._review_target()
        if info is None or self.db is None or self.readonly:
            return False
        from ato_desktop.ui.approval_dialog import StepDialog

        dlg = StepDialog(action, info.name, versions.current_user(), self)
        self.step_dialog = dlg
        dlg.accepted.connect(lambda: self.take_step(action, info.id, *dlg.values()))
        dlg.open()
        return True

    def take_step(self, action: str, tid: int, who: str, comment: str) -> bool:
        """Submit, approve, return or archive a version (one undo step; the history keeps who and when)."""
        from ato_desktop.services import approval

        def step(db):
            if action == "return":
                return approval.return_with_comment(db, tid, comment, who=who)
            return getattr(approval, action)(db, tid, who=who, comment=comment)

        try:
            t = step(self.db)
        except (ServiceError, DatabaseError) as exc:
            self._fail(exc)
            return False
        holder = {"t": t}

        def undo(db):
            approval.undo(db, holder["t"])

        def redo(db):
            holder["t"] = step(db)

        self.undo_stack.push(CallCommand(self.undo_stack, f"{action.capitalize()} {t.name}", redo, undo,
                                         entity="timetable"))
        self.status.emit(t.sentence)
        self.reload()
        return True

    def show_history(self) -> bool:
        info = self._review_target()
        if info is None or self.db is None:
            return False
        from ato_desktop.services import approval
        from ato_desktop.ui.approval_dialog import HistoryDialog

        try:
            entries = approval.history(self.db, info.id)
            status = tts.get_timetable(self.db, info.id).status
        except (ServiceError, DatabaseError) as exc:
            self._fail(exc)
            return False
        dlg = HistoryDialog(info.name, approval.STATUS_NAMES.get(status, status), entries, self)
        self.history_dialog = dlg
        dlg.open()
        return True

    def offer_copy(self, tid: int, why: str) -> None:
        """A published version cannot be edited: offer "Copy to a new draft" (:attr:`offer_box`)."""
        box = QMessageBox(QMessageBox.Icon.Information, "Published version",
                          f"{why} Copy it to a new draft to change it?", QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("offerCopy")
        copy = box.addButton("Copy to a new draft", QMessageBox.ButtonRole.AcceptRole)
        copy.setObjectName("copyToDraft")
        copy.clicked.connect(lambda: self.copy_to_draft(tid))
        self.offer_box = box
        box.open()

    def copy_to_draft(self, tid: int | None = None, name: str | None = None) -> bool:
        """Copy a version (the current one by default) to a new draft and make that current."""
        tid = tid if tid is not None else self.current_id()
        if tid is None or self.db is None or self.readonly:
            return False
        try:
            info = versions.copy_to_draft(self.db, tid, name)
        except (ServiceError, DatabaseError) as exc:
            self._fail(exc)
            return False
        self._push_created(info, f"Copy to the new draft {info.name}")
        if self.current.id() != info.id:
            self.open_timetable(info.id)
        return True


def _publish_again(db, timetable_id: int, override: str | None) -> None:
    """Redo of a publication: publish again (nothing is queued twice; the override stays recorded)."""
    from ato_desktop.services import notifications as notes

    notes.publish(db, timetable_id, override=override)
