"""A soft rule that must hold here (``params["must"]``, a FET constraint at 100 %) keeps its flag through
edits, undo and redo; the coordinator sets or clears it, and a hard rule cannot be made one."""

from __future__ import annotations

import pytest

from ato_desktop.services import resource_edits as edits
from ato_desktop.services import resources as res
from ato_desktop.services.compile import compile_database
from ato_desktop.services.constraint_rows import describe_params, kind_text
from ato_desktop.services.errors import ValidationError
from ato_desktop.services.fet_import import import_fet
from ato_desktop.storage.database import open_database
from pathlib import Path

FET_DIR = Path(__file__).resolve().parents[1] / "data" / "fet"


@pytest.fixture
def fet_db(tmp_path):
    path = tmp_path / "profile.atodb"
    import_fet(FET_DIR / "day_profile.fet", path)
    db = open_database(path)
    yield db
    db.close()


def test_editing_a_must_keeps_it_through_undo_and_redo(fet_db):
    item = res.get_item(fet_db, "constraint", "max_gaps_week")
    assert item["params"]["must"] is True and item["weight"] == 1000  # as the FET import stores it
    assert kind_text(item) == "Must" and "Must" not in describe_params("max_gaps_week", item["params"])
    change = edits.edit_item(fet_db, entity="constraint", key="max_gaps_week", values={"weight": 500})
    assert change.result["params"]["must"] is True
    redo = change.undo(fet_db)
    after_undo = res.get_item(fet_db, "constraint", "max_gaps_week")
    assert after_undo["weight"] == 1000 and after_undo["params"] == item["params"]
    redo.undo(fet_db)
    assert res.get_item(fet_db, "constraint", "max_gaps_week")["params"]["must"] is True
    edits.edit_item(fet_db, entity="constraint", key="max_gaps_week", values={"enabled": False})
    assert "max_gaps_week" not in compile_database(fet_db, None)[0].problem.must
    edits.edit_item(fet_db, entity="constraint", key="max_gaps_week", values={"enabled": True})
    assert "max_gaps_week" in compile_database(fet_db, None)[0].problem.must


def test_the_coordinator_sets_and_clears_a_must(fet_db):
    params = res.get_item(fet_db, "constraint", "max_gaps_week")["params"]
    cleared = edits.edit_item(fet_db, entity="constraint", key="max_gaps_week",
                              values={"params": {**params, "must": False}})
    assert "must" not in cleared.result["params"] and kind_text(cleared.result) == "No"
    assert "max_gaps_week" not in compile_database(fet_db, None)[0].problem.must
    cleared.undo(fet_db)
    assert res.get_item(fet_db, "constraint", "max_gaps_week")["params"]["must"] is True
    # any soft rule may be made one (the import left this one switched off)
    edits.edit_item(fet_db, entity="constraint", key="resource_undesired", values={"params": {"must": True},
                                                                                 "enabled": True})
    assert "resource_undesired" in compile_database(fet_db, None)[0].problem.must
    # a hard rule always holds; a must that is not yes or no is refused; nothing changes
    before = res.get_item(fet_db, "constraint", "resource_clash")
    with pytest.raises(ValidationError, match="hard rule"):
        edits.edit_item(fet_db, entity="constraint", key="resource_clash", values={"params": {"must": True}})
    with pytest.raises(ValidationError, match="yes or no"):
        edits.edit_item(fet_db, entity="constraint", key="max_gaps_week", values={"params": {**params, "must": "1"}})
    assert res.get_item(fet_db, "constraint", "resource_clash") == before
    assert res.get_item(fet_db, "constraint", "max_gaps_week")["params"]["must"] is True
