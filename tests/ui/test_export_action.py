"""Export from the UI in a worker: the file is written, formula-safe, and errors come back as signals."""

from __future__ import annotations

import openpyxl

from ato_desktop.io.export import ExportError
from ato_desktop.services import resources as res
from ato_desktop.ui.export_action import export_job, export_list


def test_export_list_in_a_worker(qtbot, db, tmp_path):
    res.create_item(db, "department", {"code": "CSE", "name": "CS"})
    res.create_item(db, "faculty", {"code": "EVL", "name": "=HYPERLINK(\"http://x\")", "department": "CSE"})
    res.create_item(db, "faculty", {"code": "OK", "name": "Plain Name", "department": "CSE"})
    out = tmp_path / "faculty.xlsx"
    job = export_job(db, "faculty", out, search="hyper")
    # connected before the job starts: a job that ends at once cannot be missed
    with qtbot.waitSignal(job.succeeded, timeout=60_000) as blocker:
        job.start()
    assert blocker.args == [1]
    ws = openpyxl.load_workbook(out).active
    assert [c.value for c in ws[1]][:2] == ["Code", "Name"]
    assert ws["B2"].value == "'=HYPERLINK(\"http://x\")" and ws["B2"].data_type == "s" and ws.max_row == 2

    job = export_job(db, "faculty", tmp_path / "missing-folder" / "f.csv")
    with qtbot.waitSignal(job.failed, timeout=60_000) as blocker:
        job.start()
    assert isinstance(blocker.args[0], ExportError) and "does not exist" in str(blocker.args[0])


def test_export_list_callbacks_see_a_job_that_fails_at_once(qtbot, db, tmp_path):
    """The callbacks are connected before the worker starts, however fast it fails."""
    errors: list[BaseException] = []
    for i in range(20):
        export_list(db, "faculty", tmp_path / "missing" / f"{i}.csv", on_failed=errors.append)
    qtbot.waitUntil(lambda: len(errors) == 20, timeout=60_000)
    assert all(isinstance(e, ExportError) for e in errors)


def test_export_button_on_a_resource_page(window, qtbot, tmp_path, monkeypatch):
    """Faculty ▸ Export…: the filtered list goes to the chosen file; a bad folder says so and writes nothing."""
    from PySide6.QtWidgets import QMessageBox

    from ato_desktop.ui import export_action
    from ato_desktop.ui import settings as st

    window.show_page("faculty")
    page = window.pages["faculty"]
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=10_000)
    first = page.model.index(0, 1).data()  # the name column
    page.filter_edit.setText(first)
    out = tmp_path / "faculty.xlsx"
    monkeypatch.setattr(export_action, "ask_export_path", lambda parent, entity, folder=None: out)
    messages: list[str] = []
    page.status.connect(messages.append)
    page.export_button.click()
    qtbot.waitUntil(lambda: page.export_job is None, timeout=60_000)
    assert out.exists() and messages[-1].startswith("Exported 1 faculty")
    ws = openpyxl.load_workbook(out).active
    assert ws.max_row == 2 and first in [c.value for c in ws[2]]
    assert st.export_list_folder() == tmp_path and page.export_button.isEnabled()

    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: warnings.append(text))
    bad = tmp_path / "gone" / "faculty.csv"
    monkeypatch.setattr(export_action, "ask_export_path", lambda parent, entity, folder=None: bad)
    page.export_button.click()
    qtbot.waitUntil(lambda: page.export_job is None, timeout=60_000)
    assert warnings and "does not exist" in warnings[0] and not bad.exists()
