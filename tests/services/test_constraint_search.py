"""A constraint row's label is its rule's plain words (the FET import stores them, not the engine name), and
the search of the lists and of ``export --search`` matches the words shown, also in a database whose rows were
stored with the engine's name ("Max gaps week", as FET imports before did)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ato_desktop.rule_names import rule_name
from ato_desktop.services import resources as res
from ato_desktop.services.exports import export_table
from ato_desktop.services.fet_import import import_fet
from ato_desktop.storage.database import open_database

DATA = Path(__file__).resolve().parents[1] / "data" / "fet"
PLAIN = rule_name("max_gaps_week")  # "More idle periods in a week than a teacher's or class's limit"


def _found(db, text: str) -> list[str]:
    return [d["type"] for d in res.list_items(db, "constraint", search=text)]


def test_the_fet_import_stores_plain_words_and_the_search_matches_them(tmp_path):
    path = tmp_path / "profile.atodb"
    import_fet(DATA / "day_profile.fet", path)
    with sqlite3.connect(path) as con:
        labels = dict(con.execute("SELECT type, label FROM constraint_instance"))
    con.close()
    assert labels["max_gaps_week"] == PLAIN and labels["resource_clash"] == rule_name("resource_clash")
    db = open_database(path)
    try:
        assert _found(db, "idle periods in a week") == ["max_gaps_week"]
        assert _found(db, "max gaps week") == []  # no row says these words any more
    finally:
        db.close()


def test_rows_stored_with_the_engine_name_are_searched_by_the_words_shown(tmp_path):
    path = tmp_path / "old.atodb"
    import_fet(DATA / "day_profile.fet", path)
    with sqlite3.connect(path) as con:  # as FET imports stored them before
        for t, in con.execute("SELECT type FROM constraint_instance").fetchall():
            con.execute("UPDATE constraint_instance SET label = ? WHERE type = ?",
                        (t.replace("_", " ").capitalize(), t))
    con.close()
    db = open_database(path)
    try:
        assert _found(db, "idle periods in a week") == ["max_gaps_week"]
        assert _found(db, "Max gaps week") == [] and _found(db, "min hours") == []
        assert _found(db, "min_hours") == ["min_hours_daily"]  # the engine name (the key) still finds its row
        headers, rows = export_table(db, "constraint", search="idle periods in a week")
        assert [r[headers.index("Type")] for r in rows] == ["max_gaps_week"]
        assert rows[0][headers.index("Label")] == PLAIN
        assert export_table(db, "constraint", search="Max gaps week")[1] == []
        # a new row (a rule's first edit) is labelled with the plain words too
        res.delete_item(db, "constraint", "gaps")
        res.update_item(db, "constraint", "gaps", {"weight": 3})
        with sqlite3.connect(path) as con:
            assert con.execute("SELECT label FROM constraint_instance WHERE type = 'gaps'").fetchone()[0] == \
                rule_name("gaps")
        con.close()
    finally:
        db.close()
