"""The File > Restore from backup dialog, with real backups, offscreen."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import Qt

from ato_desktop.services import backups as svc
from ato_desktop.storage import backup as b
from ato_desktop.ui.restore_dialog import RestoreDialog


def test_dialog_lists_backups_and_returns_the_chosen_one(qtbot, demo_db_path):
    first = b.create_backup(demo_db_path, "before-optimizer")
    second = b.create_backup(demo_db_path, "manual")
    broken = b.create_backup(demo_db_path, "before-import")
    broken.write_bytes(b"not a backup" * 50)

    dlg = RestoreDialog.for_database(demo_db_path)
    qtbot.addWidget(dlg)
    table = dlg.table
    assert table.rowCount() == 3
    texts = [[table.item(r, c).text() for c in range(4)] for r in range(3)]
    # newest first: the broken import backup, then manual, then the optimizer one
    assert texts[1][1] == "Manual" and texts[2][1] == "Before applying an optimizer result"
    con = sqlite3.connect(demo_db_path)
    n_fac = con.execute("SELECT count(*) FROM faculty").fetchone()[0]
    con.close()
    assert f"{n_fac} faculty" in texts[2][3] and "timetables" in texts[2][3]
    assert "unreadable" in texts[0][3]
    assert not dlg.restore_button.isEnabled()

    table.selectRow(0)  # the unreadable one cannot be chosen
    assert dlg.selected_backup() is None and not dlg.restore_button.isEnabled()

    table.selectRow(2)
    assert dlg.restore_button.isEnabled()
    assert dlg.selected_backup() == first
    with qtbot.waitSignal(dlg.accepted, timeout=15_000):
        qtbot.mouseClick(dlg.restore_button, Qt.MouseButton.LeftButton)
    assert dlg.result() == RestoreDialog.DialogCode.Accepted
    assert dlg.selected_backup() == first
    assert second.exists()


def test_dialog_without_backups_says_so(qtbot, demo_db_path):
    dlg = RestoreDialog.for_database(demo_db_path)
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.table.rowCount() == 0
    assert dlg.empty_label.isVisible() and "no backups yet" in dlg.empty_label.text()
    assert str(svc.backup_folder(demo_db_path)) in dlg.empty_label.text()
    assert not dlg.restore_button.isEnabled()
