"""0009_activity_students adds ``activity.student_count`` (nullable): a database file at 0008 with activities
opens (backed up and upgraded), every activity keeps NULL (its groups' strengths, as before), and the
downgrade takes the column away again without losing an activity."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, text

from ato_desktop.services import resources as res
from ato_desktop.storage.database import HEAD_REVISION, open_database
from ato_desktop.storage.migrate import alembic_config


def test_a_0008_file_opens_with_every_activity_sized_by_its_groups(demo_db_path):
    engine = create_engine(f"sqlite:///{demo_db_path}")
    command.downgrade(alembic_config(engine), "0008_campus_insert_status")
    with engine.connect() as c:
        cols = [r[1] for r in c.execute(text("PRAGMA table_info(activity)"))]
        n = c.execute(text("SELECT count(*) FROM activity")).scalar()
    engine.dispose()
    assert "student_count" not in cols and n > 10
    db = open_database(demo_db_path)  # the app's own path: a backup, then the upgrade
    try:
        assert db.revision() == HEAD_REVISION == "0009_activity_students"
        items = res.list_items(db, "activity")
        assert len(items) == n and {a["student_count"] for a in items} == {0}
        with db.read_session() as s:
            assert s.execute(text("SELECT count(*) FROM activity WHERE student_count IS NULL")).scalar() == n
        res.update_item(db, "activity", items[0]["id"], {"student_count": 7})
        assert res.get_item(db, "activity", items[0]["id"])["student_count"] == 7
    finally:
        db.close()
    engine = create_engine(f"sqlite:///{demo_db_path}")
    command.downgrade(alembic_config(engine), "0008_campus_insert_status")
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM activity")).scalar() == n
    command.upgrade(alembic_config(engine), "head")
    engine.dispose()
