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


def test_generate_dialog_uses_the_template_for_a_credits_only_course(qtbot, demo_db):
    from PySide6.QtCore import Qt

    from ato_desktop.services import resources as res
    from ato_desktop.ui.activities_page import GenerateDialog

    res.create_item(demo_db, "course", {"code": "SEC9", "title": "Web Design Lab", "department": "CSE",
                                        "credits": 3, "category": "skill_enhancement", "lecture_hours": 0,
                                        "tutorial_hours": 0, "practical_hours": 0})
    dlg = GenerateDialog(demo_db, course="SEC9")
    qtbot.addWidget(dlg)
    for w, code in ((dlg.groups, "CSE-3A"), (dlg.faculty, "KPA")):
        for i in range(w.count()):
            if w.item(i).data(Qt.ItemDataRole.UserRole) == code:
                w.item(i).setCheckState(Qt.CheckState.Checked)
    # SEC 1-0-2 credits: 1 h lecture, 4 h practical in 2-period labs per batch
    assert dlg.duration.value() == 2 and dlg.duration.isEnabled()
    text = dlg.preview.text()
    assert "SEC9 L (CSE-3A): 3 × 1" not in text and "SEC9 L (CSE-3A): 1 × 1 period(s)" in text
    assert "SEC9 P (CSE-3A-B1): 2 × 2 period(s)" in text
    assert "its 3 credits as Skill enhancement (SEC) (1-0-2 credits) give 1-0-4 hours" in text
    dlg.category.setCurrentIndex(dlg.category.findData("mdc"))  # another category: all lecture
    assert "SEC9 L (CSE-3A): 3 × 1 period(s)" in dlg.preview.text() and " P (" not in dlg.preview.text()
    assert not dlg.duration.isEnabled()
