"""Undoable changes made of inserted and deleted rows (term days, absences, substitutions).

An operation returns a :class:`RowChange` (a :class:`~ato_desktop.services.operations.Change`): the rows
it added and the rows it removed (each with its primary key, parents first). Its ``undo`` (:func:`undo_change`)
reverses it in one transaction and returns the change that redoes it, so undo and redo are the same function.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, delete, insert, select
from sqlalchemy.engine import Connection

from ato_desktop.services.operations import Change, kinds_of_tables
from ato_desktop.services.snapshot import snapshot_rows
from ato_desktop.storage.database import Database
from ato_desktop.storage.models import Base

Rows = list[tuple[str, list[dict]]]  # (table name, row dicts), parents first


@dataclass(eq=False)
class RowChange(Change):
    kinds: frozenset = frozenset()  # besides the kinds of the tables in ``added`` and ``removed``
    added: Rows = field(default_factory=list)
    removed: Rows = field(default_factory=list)
    detail: dict = field(default_factory=dict)  # what the caller may show (ids, codes)

    def touched(self) -> frozenset:
        return self.kinds | kinds_of_tables(name for name, _ in self.added + self.removed)

    @property
    def can_undo(self) -> bool:
        return bool(self.added or self.removed)

    def undo(self, db: Database) -> "RowChange":
        return undo_change(db, self)

    def count(self, table: str, which: str = "added") -> int:
        return sum(len(rows) for name, rows in getattr(self, which) if name == table)

    def rows(self, table: str, which: str = "added") -> list[dict]:
        return [r for name, rows in getattr(self, which) if name == table for r in rows]


def row_dict(conn: Connection, table: str, pk: dict) -> dict:
    t = Base.metadata.tables[table]
    return dict(conn.execute(select(t).where(and_(*[t.c[k] == v for k, v in pk.items()]))).one()._mapping)


def _pk(table: str, row: dict) -> dict:
    t = Base.metadata.tables[table]
    return {c.name: row[c.name] for c in t.primary_key.columns}


def remove_rows(conn: Connection, table: str, rows: list[dict]) -> Rows:
    """Delete rows; returns them with everything that cascaded from them (parents first)."""
    t = Base.metadata.tables[table]
    out: Rows = []
    pk_cols = [c.name for c in t.primary_key.columns]
    if len(pk_cols) == 1 and pk_cols[0] == "id":
        ids = [r["id"] for r in rows]
        if ids:
            snap = snapshot_rows(conn, t, ids)
            out.extend(snap.rows)
            conn.execute(delete(t).where(t.c.id.in_(ids)))
        return out
    for r in rows:  # other primary keys (settings): no children
        pk = _pk(table, r)
        found = conn.execute(select(t).where(and_(*[t.c[k] == v for k, v in pk.items()]))).first()
        if found is not None:
            out.append((table, [dict(found._mapping)]))
            conn.execute(delete(t).where(and_(*[t.c[k] == v for k, v in pk.items()])))
    return out


def insert_rows(conn: Connection, rows: Rows) -> None:
    for table, items in rows:
        if items:
            conn.execute(insert(Base.metadata.tables[table]), items)


def undo_change(db: Database, change: RowChange) -> RowChange:
    """Reverse ``change`` in one transaction; returns the change that redoes it."""
    with db.session() as s:
        conn = s.connection()
        gone: Rows = []
        for table, rows in reversed(change.added):
            gone = remove_rows(conn, table, rows) + gone
        insert_rows(conn, change.removed)
    return RowChange(f"undo: {change.summary}", change.kinds, change.versions, change.sessions,
                     added=change.removed, removed=gone, detail=change.detail)
