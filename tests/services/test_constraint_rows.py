"""Every engine rule is on the Constraints page, also in a database created before the rule existed
(services.constraint_rows): listed as its absent row compiles (default weight, enabled), and its first edit
creates the row in one undoable operation."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, text

from ato_desktop.engine.rules import RULES
from ato_desktop.services import resources as res
from ato_desktop.services.listing import list_rows
from ato_desktop.services.resource_edits import edit_item
from ato_desktop.storage.database import open_database
from ato_desktop.storage.migrate import alembic_config

# the rules a database created by the first migration got (the day profile and the relations came later)
LATER = {"max_gaps_week", "max_gaps_day", "min_hours_daily", "early_start", "group_max_daily",
         "group_max_consecutive", "min_days_week", "interval_max_days"}
OLD_RULES = [r for r in RULES if r.name not in LATER and not r.name.startswith(("activities_", "activity_"))]


def _old_database(path):
    engine = create_engine(f"sqlite:///{path}")
    command.upgrade(alembic_config(engine), "0001_initial")
    with engine.begin() as c:
        for r in OLD_RULES:
            c.execute(text("INSERT INTO constraint_instance (type, label, is_hard, weight, enabled, params) "
                           "VALUES (:t, :t, :h, :w, 1, '{}')"), {"t": r.name, "h": r.hard, "w": r.weight})
    command.upgrade(alembic_config(engine), "head")
    engine.dispose()
    return open_database(path, create=False)


def test_an_old_database_lists_every_rule_and_an_edit_creates_the_row(tmp_path):
    db = _old_database(tmp_path / "old.atodb")
    try:
        assert res.count_items(db, "constraint") == len(OLD_RULES) < len(RULES)
        rows = list_rows(db, "constraint")
        assert rows == res.list_items(db, "constraint")
        assert sorted(d["type"] for d in rows) == sorted(r.name for r in RULES)
        missing = res.get_item(db, "constraint", "min_hours_daily")
        assert missing["id"] < 0 and missing["weight"] == 2 and missing["enabled"] and not missing["is_hard"]
        assert [d["type"] for d in res.list_items(db, "constraint", search="min_hours")] == ["min_hours_daily"]

        change = edit_item(db, entity="constraint", key="min_hours_daily",
                           values={"weight": 7, "params": {"group_limit": 3}})
        assert res.count_items(db, "constraint") == len(OLD_RULES) + 1
        item = res.get_item(db, "constraint", "min_hours_daily")
        assert item["id"] > 0 and item["weight"] == 7 and item["params"] == {"group_limit": 3}
        assert change.result == item
        redo = change.undo(db)  # the row goes again: the rule is back to its defaults
        assert res.count_items(db, "constraint") == len(OLD_RULES)
        assert res.get_item(db, "constraint", "min_hours_daily") == missing
        redo.undo(db)
        assert res.get_item(db, "constraint", "min_hours_daily")["weight"] == 7
        # a relation rule (added after the day profile) too: listed, and its first edit creates its row
        rel = res.get_item(db, "constraint", "activities_same_day")
        assert rel["id"] < 0 and rel in rows
        edit_item(db, entity="constraint", key="activities_same_day", values={"enabled": False})
        assert res.get_item(db, "constraint", "activities_same_day")["id"] > 0
    finally:
        db.close()
