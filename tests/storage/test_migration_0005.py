"""0005_approval rebuilds ``timetable`` (batch mode) to widen its status CHECK: the rebuild must not
delete, through ON DELETE CASCADE, the sessions and snapshots that refer to the versions."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, event, text

from ato_desktop.storage.migrate import alembic_config


def test_downgrade_and_upgrade_across_0005_keep_every_session(demo_db_path):
    engine = create_engine(f"sqlite:///{demo_db_path}")

    @event.listens_for(engine, "connect")
    def _fk(con, _):  # as the app's engine does
        con.execute("PRAGMA foreign_keys=ON")

    def count(table):
        with engine.connect() as c:
            return c.execute(text(f"SELECT count(*) FROM {table}")).scalar()

    sessions = count("session_assignment")
    assert sessions > 100
    with engine.begin() as c:
        c.execute(text("UPDATE timetable SET status = 'approved'"))
    command.downgrade(alembic_config(engine), "0004_substitutions")
    assert count("session_assignment") == sessions
    with engine.connect() as c:
        assert c.execute(text("SELECT status FROM timetable")).scalars().all() == ["draft"]
    command.upgrade(alembic_config(engine), "head")
    assert count("session_assignment") == sessions
    with engine.begin() as c:
        c.execute(text("UPDATE timetable SET status = 'submitted'"))
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # back on for the app
    engine.dispose()
