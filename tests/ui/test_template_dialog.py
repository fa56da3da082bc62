"""Constraints ▸ Credit template…: edited in the window, saved in one step that undo reverts, an impossible
template refused in one sentence with nothing saved."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox

from ato_desktop.services import templates as tpl


def test_edit_save_undo_and_refuse(window, qtbot):
    page = window.show_page("constraints")
    db = window.database
    assert page.template_action.isEnabled()
    dlg = page.edit_template(modal=False)
    qtbot.addWidget(dlg)
    assert dlg.practical.value() == 2 and dlg.norms["Assistant Professor"].value() == 16
    assert dlg.categories.rowCount() == len(tpl.DEFAULT.categories)
    assert dlg.template() == tpl.DEFAULT  # the form shows exactly what is stored

    dlg.practical.setValue(3)
    dlg.norms["Lecturer"].setValue(18)
    dlg.relaxed.setText("SFE")
    dlg.add_category(tpl.Category("oe", "Open elective", "elective", 3, 2, 0, 1))
    dlg.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    t = tpl.get_template(db)
    assert t.practical_hours == 3 and t.norm("Lecturer") == 18 and t.relaxed == ("SFE",)
    assert t.category("oe").name == "Open elective"
    assert window.undo_stack.undoText() == "Change the credit template"
    window.undo_stack.undo()
    assert tpl.get_template(db) == tpl.DEFAULT
    window.undo_stack.redo()
    assert tpl.get_template(db) == t

    dlg = page.edit_template(modal=False)
    qtbot.addWidget(dlg)
    dlg.categories.cellWidget(0, 3).setValue(9)  # major: 9 credits but 3-0-1 split
    assert not dlg.save()
    assert "add up to 4, not its 9 credits" in dlg.error.text()
    assert tpl.get_template(db) == t  # nothing saved
    dlg.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).click()
    assert dlg.template() == tpl.DEFAULT and dlg.error.text() == ""
