"""File ▸ Import ▸ FET file…: the import runs in a worker; the report is shown afterwards; bad files write nothing."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data" / "fet"


def test_menu_entry_imports_in_a_worker_and_shows_the_report(qtbot, window, tmp_path):
    act = window.act_import_fet
    assert act in window.import_menu.actions() and act.isEnabled() and window.import_menu.isEnabled()
    controller = window.fet_import
    out = tmp_path / "imported.atodb"
    job = controller.start(DATA / "split_subgroups.fet", out)
    qtbot.waitUntil(lambda: job.done, timeout=60_000)
    assert controller.error is None
    dlg = controller.dialog
    assert dlg is not None and dlg.isVisible()
    text = dlg.text.toPlainText()
    assert "not imported: 2 constraint(s) of type 'ConstraintTeacherMaxSpanPerDay' (teacher max span per day)" in text
    assert text.startswith("Imported split_subgroups.fet")
    dlg.open_button.click()
    qtbot.waitUntil(lambda: window.database is not None and window.database.path == out, timeout=30_000)


def test_bad_file_says_where_and_writes_nothing(qtbot, window, tmp_path, monkeypatch):
    from ato_desktop.ui import fet_import as ui

    shown = []
    monkeypatch.setattr(ui.QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "bad.atodb"
    job = window.fet_import.start(DATA / "unknown_teacher.fet", out)
    qtbot.waitUntil(lambda: job.done, timeout=60_000)
    assert len(shown) == 1 and "line 27" in shown[0] and "'Dr. Nobody'" in shown[0] and "Nothing was written" in shown[0]
    assert list(folder.iterdir()) == []
    assert window.fet_import.dialog is None
