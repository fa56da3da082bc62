"""Export from the UI in a worker: the file is written, formula-safe, and errors come back as signals."""

from __future__ import annotations

import openpyxl

from ato_desktop.io.export import ExportError
from ato_desktop.services import resources as res
from ato_desktop.ui.export_action import export_list


def test_export_list_in_a_worker(qtbot, db, tmp_path):
    res.create_item(db, "department", {"code": "CSE", "name": "CS"})
    res.create_item(db, "faculty", {"code": "EVL", "name": "=HYPERLINK(\"http://x\")", "department": "CSE"})
    res.create_item(db, "faculty", {"code": "OK", "name": "Plain Name", "department": "CSE"})
    out = tmp_path / "faculty.xlsx"
    job = export_list(db, "faculty", out, search="hyper")
    with qtbot.waitSignal(job.signals.done, timeout=60_000) as blocker:  # the pool may still finish earlier tests' jobs
        pass
    assert blocker.args == [1]
    ws = openpyxl.load_workbook(out).active
    assert [c.value for c in ws[1]][:2] == ["Code", "Name"]
    assert ws["B2"].value == "'=HYPERLINK(\"http://x\")" and ws["B2"].data_type == "s" and ws.max_row == 2

    job = export_list(db, "faculty", tmp_path / "missing-folder" / "f.csv")
    with qtbot.waitSignal(job.signals.failed, timeout=60_000) as blocker:  # the pool may still finish earlier tests' jobs
        pass
    assert isinstance(blocker.args[0], ExportError) and "does not exist" in str(blocker.args[0])
