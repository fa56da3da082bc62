"""Alembic owns the schema: migrations and models agree; upgrades keep data."""

import sqlite3

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from ato_desktop.storage.migrate import alembic_config, head_revision, upgrade_to
from ato_desktop.storage.models import Base

UNMANAGED_TABLES = {"apscheduler_jobs"}  # owned by APScheduler's job store, not by Alembic


def _include_object(obj, name, type_, reflected, compare_to) -> bool:
    table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
    return table not in UNMANAGED_TABLES


def test_migrations_build_exactly_the_models_schema(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'm.atodb'}")
    upgrade_to(engine, "head")
    # The scheduler's job table shares the file (notifications); it must not count as a difference.
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

    SQLAlchemyJobStore(engine=engine).jobs_t.create(engine, checkfirst=True)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True,
                                                     "include_object": _include_object})
        diff = compare_metadata(ctx, Base.metadata)
    engine.dispose()
    assert diff == [], f"models and migrations disagree: {diff}"


def test_revision_history_is_linear_with_a_single_head():
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    assert script.get_current_head() == head_revision()
    revs = list(script.walk_revisions())
    assert revs[-1].down_revision is None


def test_foreign_keys_declare_explicit_delete_rules(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'm.atodb'}")
    upgrade_to(engine, "head")
    engine.dispose()
    con = sqlite3.connect(tmp_path / "m.atodb")
    tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' AND name != 'alembic_version'")]
    missing = []
    for t in tables:
        for row in con.execute(f"PRAGMA foreign_key_list('{t}')"):
            on_delete = row[6]
            if on_delete not in ("CASCADE", "RESTRICT", "SET NULL"):
                missing.append((t, row[3], on_delete))
    con.close()
    assert missing == []


def test_database_at_the_first_revision_with_data_is_backed_up_and_upgraded(tmp_path):
    """Every later revision must carry data written at the first revision forward."""
    from ato_desktop.storage.backup import backup_dir_for
    from ato_desktop.storage.database import open_database
    from ato_desktop.services import resources

    p = tmp_path / "old.atodb"
    engine = create_engine(f"sqlite:///{p}")
    upgrade_to(engine, "0001_initial")
    with engine.begin() as c:
        c.exec_driver_sql("INSERT INTO department (id, code, name, is_home) VALUES (1, 'CSE', 'Computer Science', 1)")
        c.exec_driver_sql(
            "INSERT INTO faculty (code, name, email, designation, department_id, max_weekly_periods, "
            "max_daily_periods, max_consecutive, max_days) VALUES ('SRA', 'Dr. Rao', '', 'Professor', 1, 14, 0, 0, 0)")
    engine.dispose()
    db = open_database(p)
    try:
        assert db.revision() == head_revision()
        assert [f["code"] for f in resources.list_items(db, "faculty")] == ["SRA"]
    finally:
        db.close()
    if head_revision() != "0001_initial":
        backups = list(backup_dir_for(p).glob("*migration*"))
        assert backups, "opening an older database must take a backup first"


def test_head_revision_constant_matches_the_migrations():
    from ato_desktop.storage import migrate
    from ato_desktop.storage.database import HEAD_REVISION

    assert HEAD_REVISION == migrate.head_revision()


def test_a_file_already_at_head_opens_without_importing_alembic(demo_db_path):
    import subprocess
    import sys

    code = ("import sys\n"
            "from ato_desktop.storage.database import open_database\n"
            f"db = open_database({str(demo_db_path)!r})\n"
            "print(db.pragma('journal_mode'), 'alembic' in sys.modules)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.stdout.split() == ["wal", "False"], r.stderr
