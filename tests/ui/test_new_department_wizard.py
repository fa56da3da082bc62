"""The New department wizard, driven offscreen; the database it creates opens."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWizard

from ato_desktop.services import calendar as cal
from ato_desktop.services import resources as res
from ato_desktop.storage.database import open_database
from ato_desktop.ui.new_department_wizard import NewDepartmentWizard, default_folder


def _fill_to_last_page(qtbot, wiz, tmp_path):
    wiz.show()
    d = wiz.department_page
    QTest.keyClicks(d.institution, "Govt. Polytechnic, Nagpur")
    QTest.keyClicks(d.code, "ME")
    QTest.keyClicks(d.name, "Mechanical Engineering")
    wiz.next()
    assert wiz.currentPage() is wiz.days_page
    wiz.days_page.boxes["Saturday"].setChecked(False)
    wiz.next()
    p = wiz.periods_page
    assert len(p.periods()) == 9
    p.table.selectRow(8)
    p.remove_selected()
    p.append(is_break=True)
    p.append()
    assert p.periods()[-2:] == [("Break", "15:05", "15:20", True), ("P7", "15:20", "16:10", False)]
    wiz.next()
    assert wiz.currentPage() is wiz.path_page
    assert wiz.path_page.path.text() == str(default_folder() / "ME.atodb")
    wiz.path_page.path.setText(str(tmp_path / "mech.atodb"))


def test_wizard_creates_a_database_that_opens(qtbot, tmp_path):
    wiz = NewDepartmentWizard()
    qtbot.addWidget(wiz)
    _fill_to_last_page(qtbot, wiz, tmp_path)
    with qtbot.waitSignal(wiz.accepted, timeout=20_000):
        QTest.mouseClick(wiz.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
        wiz.reject()  # Esc while the file is being created: ignored
        assert wiz.isVisible()
    assert wiz.created_path == tmp_path / "mech.atodb"
    with open_database(wiz.created_path, create=False) as db:
        c = cal.get_calendar(db)
        assert [d.name for d in c.days] == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
        assert [p.label for p in c.periods][-2:] == ["Break", "P7"] and c.periods[-2].is_break
        assert cal.get_setting(db, "institution_name") == "Govt. Polytechnic, Nagpur"
        assert [(x["code"], x["name"], x["is_home"]) for x in res.list_items(db, "department")] == [
            ("ME", "Mechanical Engineering", True)]


def test_pages_refuse_bad_input_with_a_message(qtbot, tmp_path):
    wiz = NewDepartmentWizard()
    qtbot.addWidget(wiz)
    wiz.show()
    d = wiz.department_page
    d.code.setText("M E!")
    d.name.setText("Mech")
    wiz.next()
    assert wiz.currentPage() is d and "may contain only" in d.error.text()
    d.code.setText("ME")
    wiz.next()
    for box in wiz.days_page.boxes.values():
        box.setChecked(False)
    wiz.next()
    assert wiz.currentPage() is wiz.days_page and "at least one" in wiz.days_page.error.text()
    wiz.days_page.boxes["Monday"].setChecked(True)
    wiz.next()
    p = wiz.periods_page
    p.table.cellWidget(0, 2).setTime(p.table.cellWidget(0, 1).time().addSecs(-60))
    wiz.next()
    assert wiz.currentPage() is p and "ends (08:59) before it starts (09:00)" in p.error.text()


def test_existing_file_and_unwritable_location_keep_the_wizard_open(qtbot, tmp_path):
    wiz = NewDepartmentWizard()
    qtbot.addWidget(wiz)
    _fill_to_last_page(qtbot, wiz, tmp_path)
    existing = tmp_path / "taken.atodb"
    existing.write_bytes(b"keep me")
    wiz.path_page.path.setText(str(existing))
    QTest.mouseClick(wiz.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    assert "already exists" in wiz.path_page.error.text() and wiz.isVisible()
    assert existing.read_bytes() == b"keep me"

    blocker_file = tmp_path / "not-a-folder"
    blocker_file.write_text("x")
    wiz.path_page.path.setText(str(blocker_file / "x.atodb"))
    with qtbot.waitSignal(wiz.failed, timeout=20_000) as blocker:
        QTest.mouseClick(wiz.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    assert "Cannot create" in blocker.args[0] and wiz.isVisible() and wiz.created_path is None
    assert wiz.button(QWizard.WizardButton.FinishButton).isEnabled()
