"""services.database_files: what the window's File menu does with department files, without Qt."""

from __future__ import annotations

import pytest

from ato_desktop.services import database_files as files
from ato_desktop.services.errors import ServiceError


@pytest.mark.sqlite_only("a copy of the open file beside it (a campus is no file: campus backup)")
def test_a_copy_gets_the_suffix_and_never_overwrites_the_open_file(demo_db, tmp_path) -> None:
    assert files.copy_destination(demo_db, tmp_path / "copy") == tmp_path / f"copy{files.DB_SUFFIX}"
    with pytest.raises(ServiceError, match="that is the open database"):
        files.copy_destination(demo_db, demo_db.path.with_suffix(""))
    assert not list(tmp_path.glob("copy*"))


def test_opening_takes_the_lock_and_a_second_editor_is_refused(demo_db_path) -> None:
    first = files.open_file(demo_db_path)
    try:
        assert not first.db.readonly and first.readonly_reason == ""
        with pytest.raises(files.DatabaseInUseError):
            files.open_file(demo_db_path)
        second = files.open_file(demo_db_path, readonly=True)
        assert second.db.readonly
        second.db.close()
    finally:
        first.db.close()
