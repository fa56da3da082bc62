"""The Constraints page: the constraint instances (type, hard/soft, weight, parameters), enable/disable."""

from __future__ import annotations

from PySide6.QtGui import QAction

from ato_desktop.ui.resource_page import ResourcePage
from ato_desktop.services import resource_edits as edits


class ConstraintsPage(ResourcePage):
    def __init__(self, undo_stack, parent=None):
        super().__init__("constraint", undo_stack, parent, choice_overrides={"type": ()})
        self._types_loaded = False
        self.toggle_action = QAction("Enable / disable", self)
        self.toggle_action.setObjectName("actionToggleConstraint")
        self.toggle_action.setToolTip("Switch the selected constraint on or off (Ctrl+E)")
        self.toggle_action.setShortcut("Ctrl+E")
        self.toggle_action.triggered.connect(lambda *_: self.toggle_enabled())
        self.add_page_action(self.toggle_action)
        self.template_action = QAction("Credit template…", self)
        self.template_action.setObjectName("actionCreditTemplate")
        self.template_action.setToolTip("How credits become weekly hours, the NEP categories, and the UGC "
                                        "workload norms of this database")
        self.template_action.triggered.connect(lambda *_: self.edit_template())
        self.add_page_action(self.template_action)

    def ensure_loaded(self) -> None:
        if not self._types_loaded:  # the engine's constraint names (imported late: numpy is slow to load)
            from ato_desktop.engine.problem import DEFAULT_WEIGHTS

            combo = self.form.editors["type"]
            text = combo.currentText()
            combo.blockSignals(True)
            from PySide6.QtCore import Qt

            from ato_desktop.rule_names import rule_name

            for name in DEFAULT_WEIGHTS:
                combo.addItem(name, name)
                combo.setItemData(combo.count() - 1, rule_name(name), Qt.ItemDataRole.ToolTipRole)
            combo.setEditText(text)
            combo.blockSignals(False)
            self._types_loaded = True
        super().ensure_loaded()

    def edit_template(self, *, modal: bool = True):
        """The credit template and workload norms dialog (returned unshown when ``modal`` is False: tests)."""
        if self.db is None:
            return None
        from ato_desktop.ui.template_dialog import TemplateDialog

        dlg = TemplateDialog(self.db, self.undo_stack, self, readonly=self.readonly)
        if modal:
            dlg.exec()
        return dlg

    def toggle_enabled(self) -> bool:
        item = self._editing
        if item is None or self.db is None or self.readonly:
            return False
        changed = {"enabled": not item["enabled"]}
        verb = "Enable" if changed["enabled"] else "Disable"

        def done(change) -> None:
            self._editing = change.result
            self.status.emit(f"{verb}d {change.result['_label']}.")

        return bool(self.undo_stack.run(
            lambda db: edits.edit_item(db, entity="constraint", key=item["type"], values=changed,
                                       summary=f"{verb} constraint {item['_label']}"),
            on_done=done, on_error=lambda exc: self.status.emit(str(exc)), db=self.db))
