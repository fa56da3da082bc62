"""An ``INSERT … ON CONFLICT DO NOTHING`` for the session's database: SQLite's (a department's file) or
PostgreSQL's (a campus database). Both dialects have ``on_conflict_do_nothing(index_elements=…)``, but a
statement built with one dialect's ``insert`` cannot be compiled by the other."""

from __future__ import annotations


def insert_for(session, table):
    """``insert(table)`` of the dialect ``session`` is bound to (``.on_conflict_do_nothing`` works on both)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def inserted(session, stmt) -> int:
    """How many rows the ``INSERT … ON CONFLICT DO NOTHING`` ``stmt`` wrote: counted with ``RETURNING``, since
    through SQLAlchemy PostgreSQL's driver reports no row count for it (-1, which is true)."""
    return len(session.execute(stmt.returning(stmt.table.c.id)).all())
