"""The resource page's form actions: new, duplicate, revert, save and delete (each an operation on
the writer, one undo step; a delete asks first with :class:`DeleteConfirmDialog`), and exporting the
list. ``ResourceEdits`` is mixed into :class:`~ato_desktop.ui.resource_page.ResourcePage`.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QMessageBox,
    QVBoxLayout,
)

from ato_desktop.services import resources as res
from ato_desktop.services.errors import DatabaseError, DependentsError, ServiceError, ValidationError
from ato_desktop.services import resource_edits as edits


class DeleteConfirmDialog(QDialog):
    """Shows what depends on an item before deleting it; refuses when something blocks it."""

    def __init__(self, what: str, deps: dict[str, list[str]], parent=None):
        super().__init__(parent)
        self.setObjectName("deleteConfirm")
        self.blocked = bool(deps["blocking"])
        self.setWindowTitle("Cannot delete" if self.blocked else "Delete?")
        lay = QVBoxLayout(self)
        if self.blocked:
            text = (f"{what} cannot be deleted while these depend on it. "
                    "Delete or change them first:")
            lines = deps["blocking"]
        else:
            lines = [f"Also removed: {x}" for x in deps["removed"]] + [f"Changed: {x}" for x in deps["cleared"]]
            text = f"Delete {what}?" + (" This also affects:" if lines else " Nothing else depends on it.")
            text += "\nYou can undo this with Edit ▸ Undo."
        self.message = QLabel(text, self)
        self.message.setWordWrap(True)
        lay.addWidget(self.message)
        self.list = QListWidget(self)
        self.list.setObjectName("dependents")
        self.list.addItems(lines)
        self.list.setVisible(bool(lines))
        lay.addWidget(self.list)
        if self.blocked:
            bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
            bb.rejected.connect(self.reject)
            self.delete_button = None
        else:
            bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
            self.delete_button = bb.addButton("Delete", QDialogButtonBox.ButtonRole.AcceptRole)
            self.delete_button.setObjectName("confirmDelete")
            bb.accepted.connect(self.accept)
            bb.rejected.connect(self.reject)
        lay.addWidget(bb)
        self.resize(520, 320 if lines else 140)

    def lines(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]


class ResourceEdits:
    """The page's edits; needs the page's ``form``, ``model``, ``proxy``, ``table``, buttons and ``undo_stack``."""

    def new_item(self, values: dict | None = None) -> None:
        if self.readonly:
            return
        self._ensure_choices()
        self._editing = None
        self.table.clearSelection()
        base = self.form.defaults()
        if values:
            base.update({k: v for k, v in values.items() if k in base})
        self.form.set_values(base)
        self.form_dirty = False
        self.form_title.setText(f"New {self.spec.label.lower()}")
        self._update_buttons()
        self.item_shown(None)
        first = self.form.editors[self.spec.fields[0].name]
        first.setFocus()

    def duplicate(self) -> None:
        item = self._editing
        if item is None or self.readonly:
            return
        values = {f.name: item.get(f.name) for f in self.spec.fields}
        key = self.spec.key
        if key != "id":
            existing = {str(r.get(key, "")).lower() for r in self.model.items()}
            n = 2
            while f"{item[key]}-{n}".lower() in existing:
                n += 1
            values[key] = f"{item[key]}-{n}"
        self.new_item(values)
        self.form_title.setText(f"New {self.spec.label.lower()} (copy of {item['_label']})")
        self.status.emit(f"Copy of {item['_label']}: check the fields and Save.")

    def revert(self) -> None:
        if self._editing is None:
            self.new_item()
        else:
            self.form.set_values(self._editing)
            self.form_dirty = False
        self._update_buttons()

    def _form_edited(self) -> None:
        self.form_dirty = True
        self.save_button.setEnabled(not self.readonly)

    def _update_buttons(self) -> None:
        has = self._editing is not None
        ro = self.readonly or self.db is None
        self.new_button.setEnabled(not ro)
        self.dup_button.setEnabled(has and not ro)
        self.delete_button.setEnabled(has and not ro)
        self.save_button.setEnabled(not ro)
        self.revert_button.setEnabled(not ro)
        self.form.set_read_only(ro)
        self.export_button.setEnabled(self.db is not None and self.export_job is None)

    # -- export --------------------------------------------------------------
    def export_list(self) -> None:
        """Ask for a .xlsx/.csv file and write the listed items to it in a worker."""
        from ato_desktop.ui import export_action
        from ato_desktop.ui import settings as st

        if self.db is None or self.export_job is not None:
            return
        path = export_action.ask_export_path(self, self.entity, st.export_list_folder())
        if path is None:
            return
        st.save_export_list_folder(path.parent)
        plural = self.spec.plural.lower()

        def done(n: int) -> None:
            self.export_job = None
            self._update_buttons()
            self.status.emit(f"Exported {n} {plural} to {path}")

        def failed(exc: BaseException) -> None:
            self.export_job = None
            self._update_buttons()
            QMessageBox.warning(self, f"Export {plural}", f"{exc}\n\nNo file was written.")
            self.status.emit(f"Export failed: {exc}")

        self.status.emit(f"Exporting {plural} to {path}…")
        self.export_job = export_action.export_list(self.db, self.entity, path, search=self.filter_edit.text().strip(),
                                                    on_done=done, on_failed=failed)
        self._update_buttons()

    # -- edits ---------------------------------------------------------------
    def save(self) -> bool:
        """Create or update from the form. Returns True if saved (or nothing to save)."""
        if self.db is None or self.readonly:
            return False
        try:
            values = self.form.values()
        except ValidationError as exc:
            self.form.show_error(exc)
            self.status.emit(f"Not saved: {exc}")
            return False
        before = self._editing
        if before is None:
            op = lambda db: edits.add_item(db, entity=self.entity, values=values)
            said = "Added"
        else:
            changed = {k: v for k, v in values.items() if not _same(before.get(k), v)}
            if not changed:
                self.form.clear_errors()
                self.status.emit("No changes to save.")
                return True
            key = before[self.spec.key]
            op = lambda db: edits.edit_item(db, entity=self.entity, key=key, values=changed)
            said = "Saved"

        def done(change) -> None:
            item = change.result
            self.form.clear_errors()
            self._editing = item
            self.status.emit(f"{said} {self.spec.label.lower()} {item['_label']}.")
            self.form_dirty = False
            self.select_id(item["id"])

        def failed(exc: BaseException) -> None:
            self.form.show_error(exc)
            self.status.emit(f"Not saved: {exc}")

        return bool(self.undo_stack.run(op, on_done=done, on_error=failed, db=self.db))

    def delete_selected(self) -> bool:
        item = self._editing
        if item is None or self.db is None or self.readonly:
            return False
        key = item[self.spec.key]
        what = f"{self.spec.label} {item['_label']}"
        try:
            deps = res.dependents(self.db, self.entity, key)
        except (ServiceError, DatabaseError) as exc:
            self.status.emit(str(exc))
            return False
        dlg = DeleteConfirmDialog(what, deps, self)
        self.last_confirm_dialog = dlg
        if dlg.exec() != QDialog.DialogCode.Accepted or dlg.blocked:
            return False
        row = self.model.row_of(item["id"])

        def failed(exc: BaseException) -> None:
            self.status.emit(str(exc) if isinstance(exc, DependentsError) else f"Not deleted: {exc}")

        def done(_change) -> None:
            self._editing = None
            self.status.emit(f"Deleted {what}. Edit ▸ Undo puts it back.")
            self.when_loaded(select_neighbour)

        def select_neighbour() -> None:  # once the list without the deleted item is shown
            if self._editing is None and self.proxy.rowCount():
                r = min(max(row, 0), self.proxy.rowCount() - 1)
                self._select_row(r)
                self._show_item(self.proxy.index(r, 0))

        return bool(self.undo_stack.run(lambda db: edits.remove_item(db, entity=self.entity, key=key, summary=f"Delete {what[:1].lower()}{what[1:]}"),
                                        on_done=done, on_error=failed, db=self.db))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return sorted(map(str, a or [])) == sorted(map(str, b or []))
    if isinstance(a, str) and isinstance(b, str):
        return a.strip() == b.strip()
    if a in (None, "") and b in (None, ""):
        return True
    return a == b
