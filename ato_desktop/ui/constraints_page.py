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
        if not self._types_loaded:
            self._load_types()
        super().ensure_loaded()

    def _load_types(self) -> None:
        """The rules in the coordinator's words (issue 16 §4): the list hides the engine's names (Type
        column) and the form's Type lists each rule's plain words, its engine name kept as the item's data."""
        from PySide6.QtCore import Qt

        from ato_desktop.engine.rules import RULES
        from ato_desktop.rule_names import rule_name

        self.table.setColumnHidden(self.model.columns.index(self.spec.field("type")), True)
        combo = self.form.editors["type"]
        combo.blockSignals(True)
        combo.setEditable(False)  # the value is the chosen item's data (the engine name), not its text
        for r in RULES:
            combo.addItem(r.plain, r.name)
            combo.setItemData(combo.count() - 1, "Hard rule: must hold" if r.hard else "Soft rule: a cost",
                              Qt.ItemDataRole.ToolTipRole)
        combo.setCurrentIndex(-1)
        combo.blockSignals(False)
        form_set_values = self.form.set_values

        def set_values(values: dict) -> None:  # a stored type no rule has any more keeps its name
            t = values.get("type")
            if t and combo.findData(t) < 0:
                combo.blockSignals(True)
                combo.addItem(rule_name(t), t)
                combo.blockSignals(False)
            form_set_values(values)

        self.form.set_values = set_values
        self._types_loaded = True

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
