"""Alembic environment for ATO Desktop (SQLite in batch mode; PostgreSQL for a campus database)."""

from alembic import context
from sqlalchemy import create_engine

from ato_desktop.storage.models import Base

config = context.config
target_metadata = Base.metadata

# Tables in the database file that Alembic does not own: APScheduler's job store
# (``ato_desktop.notify.scheduler``) creates and manages ``apscheduler_jobs`` itself.
UNMANAGED_TABLES = frozenset({"apscheduler_jobs"})


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Autogenerate filter: ignore tables (and their indexes) Alembic does not own."""
    if type_ == "table" and name in UNMANAGED_TABLES:
        return False
    table = getattr(obj, "table", None)
    if type_ == "index" and table is not None and table.name in UNMANAGED_TABLES:
        return False
    return True


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:  # command-line use: alembic -x db=PATH upgrade head
        db = context.get_x_argument(as_dictionary=True).get("db")
        if not db:
            raise SystemExit("Pass the database: alembic -x db=PATH ...")
        engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as connection:
        if connection.dialect.name != "sqlite":
            # PostgreSQL (a campus database): ALTER TABLE changes constraints in place, so batch mode
            # rebuilds nothing there; DDL is transactional, so a failed upgrade leaves nothing half-done.
            with connection.begin():
                context.configure(
                    connection=connection,
                    target_metadata=target_metadata,
                    render_as_batch=True,
                    compare_type=True,
                    include_object=include_object,
                )
                context.run_migrations()
            return
        # Batch mode rebuilds a table (copy, DROP, rename) to change a constraint: with foreign keys on,
        # the DROP would delete, through ON DELETE CASCADE, every row that refers to the table (a
        # timetable's sessions). SQLite ignores this pragma inside a transaction: set it before one.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
        try:
            with connection.begin():
                context.configure(
                    connection=connection,
                    target_metadata=target_metadata,
                    render_as_batch=True,
                    compare_type=True,
                    include_object=include_object,
                )
                context.run_migrations()
                bad = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if bad:
                    raise RuntimeError(f"the upgrade left rows that refer to missing ones: {bad[:3]}")
        finally:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


if context.is_offline_mode():
    raise SystemExit("Offline SQL generation is not supported; migrations run against a database file.")
run_migrations_online()
