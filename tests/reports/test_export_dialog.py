"""File ▸ Export PDF dialog, offscreen, rendering real PDFs in the thread pool."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QDesktopServices

from ato_desktop.ui.export_dialog import ALL_ITEMS, ExportPdfDialog
from ato_desktop.ui.tasks import wait_idle
from tests.reports.conftest import outline, page_texts, read_pdf


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path_factory):
    """The dialog remembers choices in QSettings: keep them in a temporary folder (as tests/ui does)."""
    folder = tmp_path_factory.mktemp("qsettings")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(folder))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    yield folder


def test_dialog_exports_one_faculty_timetable_and_opens_it(qtbot, demo_db, tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url) or True))
    dlg = ExportPdfDialog(demo_db)
    qtbot.addWidget(dlg)
    assert dlg.version_combo.currentText() == "Reference timetable (draft)"
    assert dlg.kind() == "book" and not dlg.item_combo.isEnabled()
    dlg.set_kind("faculty")
    assert dlg.item_combo.isEnabled() and dlg.item_combo.itemText(0) == ALL_ITEMS
    dlg.set_kind("faculty", "SFE")
    assert dlg.path_edit.text().endswith("faculty-SFE.pdf")  # a suggested name follows the choice
    out = tmp_path / "sébastien.pdf"
    dlg.path_edit.setText(str(out))
    dlg.paper_combo.setCurrentText("A3")
    dlg.portrait_radio.setChecked(True)
    seen = []
    dlg.progress.valueChanged.connect(seen.append)
    with qtbot.waitSignal(dlg.accepted, timeout=60_000):
        dlg.export_button.click()
        assert not dlg.export_button.isEnabled() and not dlg.progress.isHidden()
    reader = read_pdf(out.read_bytes())
    assert len(reader.pages) == 1
    assert round(float(reader.pages[0].mediabox.width)) == 842  # A3 portrait
    assert "Dr. Sébastien Fernandes (SFE)" in page_texts(reader)[0]
    assert seen and seen[-1] == 1000 and seen == sorted(seen)
    assert dlg.last_result.pages == 1 and dlg.last_result.path == out
    assert [u.toLocalFile() for u in opened] == [str(out)]


def test_cancel_stops_the_render_and_writes_nothing(qtbot, demo_db, tmp_path):
    dlg = ExportPdfDialog(demo_db)
    qtbot.addWidget(dlg)
    dlg.open_check.setChecked(False)
    outdir = tmp_path / "out"
    outdir.mkdir()
    out = outdir / "book.pdf"
    dlg.path_edit.setText(str(out))
    dlg.export_button.click()
    assert dlg.running()
    dlg.cancel_button.click()
    qtbot.waitUntil(lambda: not dlg.running(), timeout=60_000)
    assert dlg.status.text() == "Cancelled; no file was written."
    assert not out.exists() and list(outdir.iterdir()) == []
    assert dlg.isVisible() or not dlg.result()  # still open, not accepted
    assert dlg.export_button.isEnabled()
    assert wait_idle(10_000)


def test_bad_output_folder_and_full_book(qtbot, demo_db, tmp_path):
    dlg = ExportPdfDialog(demo_db)
    qtbot.addWidget(dlg)
    dlg.open_check.setChecked(False)
    dlg.path_edit.setText(str(tmp_path / "missing" / "book.pdf"))
    dlg.export_button.click()
    assert not dlg.running() and "does not exist" in dlg.status.text()
    out = tmp_path / "book.pdf"
    dlg.path_edit.setText(str(out))
    with qtbot.waitSignal(dlg.accepted, timeout=90_000):
        dlg.export_button.click()
    reader = read_pdf(out.read_bytes())
    assert [t for lvl, t, _ in outline(reader) if lvl == 0][:3] == ["Student groups", "Faculty", "Rooms"]


def test_a_write_failure_is_reported_in_the_dialog(qtbot, demo_db, tmp_path):
    dlg = ExportPdfDialog(demo_db)
    qtbot.addWidget(dlg)
    dlg.open_check.setChecked(False)
    dlg.set_kind("room", "LAB-1")
    outdir = tmp_path / "out"
    outdir.mkdir()
    target = outdir / "taken.pdf"
    target.mkdir()  # a folder where the file should go: the final rename fails
    dlg.path_edit.setText(str(target))
    dlg.export_button.click()
    qtbot.waitUntil(lambda: not dlg.running(), timeout=60_000)
    assert dlg.status.text().startswith("The PDF could not be written")
    assert target.is_dir() and list(target.iterdir()) == []
    assert [p.name for p in outdir.iterdir()] == ["taken.pdf"]  # no temporary file left behind
    assert dlg.export_button.isEnabled() and dlg.result() == 0


def test_paper_orientation_and_folder_are_remembered_between_uses(qtbot, demo_db, tmp_path, _isolated_settings):
    first = ExportPdfDialog(demo_db)
    qtbot.addWidget(first)
    assert first.paper_combo.currentText() == "A4" and first.landscape_radio.isChecked()  # defaults
    first.open_check.setChecked(False)
    first.set_kind("room", "LAB-1")
    outdir = tmp_path / "prints"
    outdir.mkdir()
    first.path_edit.setText(str(outdir / "lab.pdf"))
    first.paper_combo.setCurrentText("A3")
    first.portrait_radio.setChecked(True)
    with qtbot.waitSignal(first.accepted, timeout=60_000):
        first.export_button.click()
    assert list(_isolated_settings.rglob("*.ini"))  # written to the temporary settings folder
    first.close()

    again = ExportPdfDialog(demo_db)  # next use: the choices come back
    qtbot.addWidget(again)
    assert again.paper_combo.currentText() == "A3"
    assert again.portrait_radio.isChecked() and not again.landscape_radio.isChecked()
    assert Path(again.path_edit.text()).parent == outdir
    again.set_kind("faculty", "SFE")
    assert Path(again.path_edit.text()) == outdir / "faculty-SFE.pdf"

    shutil.rmtree(outdir)  # a remembered folder that is gone falls back to the default suggestion
    gone = ExportPdfDialog(demo_db)
    qtbot.addWidget(gone)
    assert Path(gone.path_edit.text()).parent != outdir and gone.paper_combo.currentText() == "A3"


def test_a_cancelled_or_failed_export_does_not_change_the_remembered_choices(qtbot, demo_db, tmp_path):
    dlg = ExportPdfDialog(demo_db)
    qtbot.addWidget(dlg)
    dlg.paper_combo.setCurrentText("A3")
    dlg.path_edit.setText(str(tmp_path / "missing" / "x.pdf"))
    dlg.export_button.click()  # refused: the folder does not exist
    assert "does not exist" in dlg.status.text()
    dlg.close()
    again = ExportPdfDialog(demo_db)
    qtbot.addWidget(again)
    assert again.paper_combo.currentText() == "A4"


def test_a_book_in_parts_cancels_through_the_dialog(qtbot, demo_db, tmp_path, monkeypatch):
    """A campus-size book is laid out by worker processes (services.book): the dialog's progress follows
    them, and Cancel part-way ends them and leaves no file."""
    import multiprocessing

    from ato_desktop.services import book

    monkeypatch.setattr(book, "MIN_SECTIONS", 10)  # the demo's book as if it were a campus's
    monkeypatch.setattr(book, "default_processes", lambda: 2)
    dlg = ExportPdfDialog(demo_db)
    qtbot.addWidget(dlg)
    dlg.open_check.setChecked(False)
    outdir = tmp_path / "out"
    outdir.mkdir()
    dlg.path_edit.setText(str(outdir / "book.pdf"))
    messages = []
    # every status line the dialog shows (recorded as it is set: sampling it on the bar's valueChanged saw the
    # line before, and missed one whose progress value equalled the last)
    set_text = dlg.status.setText
    dlg.status.setText = lambda text: (messages.append(text), set_text(text))
    dlg.export_button.click()
    qtbot.waitUntil(lambda: dlg.status.text().startswith("Laying out") and "processes" not in dlg.status.text(),
                    timeout=120_000)  # the workers are laying out sections
    assert any("in 2 processes" in m for m in messages)
    dlg.cancel_button.click()
    qtbot.waitUntil(lambda: not dlg.running(), timeout=60_000)
    assert dlg.status.text() == "Cancelled; no file was written."
    assert list(outdir.iterdir()) == []
    assert multiprocessing.active_children() == []
    assert wait_idle(10_000)
