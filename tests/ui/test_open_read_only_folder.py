"""The window opens a database in a folder that cannot be written read-only, and says why (it used to
fail: no lock file and no -shm can be made there)."""

from __future__ import annotations

import shutil

from tests.cli.test_cli_bad_input import ReadOnlyFolder


def test_a_database_in_a_read_only_folder_opens_read_only(qtbot, window, demo_db_path, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    ro = ReadOnlyFolder(folder)  # skips when it cannot make one
    try:
        target = folder / "dept.atodb"
        shutil.copyfile(demo_db_path, target)
        ro.seal()
        before = sorted(p.name for p in folder.iterdir())
        assert window.open_database(target, ask=False)
        assert window.database.readonly and window.database.path == target
        assert "read-only" in window.statusBar().currentMessage()
        assert "cannot be written" in window.statusBar().currentMessage()
        assert sorted(p.name for p in folder.iterdir()) == before
        window.database.close()
        window.database = None
    finally:
        ro.undo()
