"""Generic snapshots of rows and everything that cascades from them (for undoing deletes).

Walks the schema's foreign keys: rows that reference the deleted rows with
``ON DELETE CASCADE`` are captured (recursively), references with ``ON DELETE
SET NULL`` are remembered so they can be set back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Table, and_, insert, select, update
from sqlalchemy.engine import Connection

from ato_desktop.storage.models import Base


@dataclass
class RowSnapshot:
    # (table name, list of row dicts) in insertion order: parents first
    rows: list[tuple[str, list[dict]]] = field(default_factory=list)
    # (table name, primary-key dict, column, value) to restore after SET NULL
    nulled: list[tuple[str, dict, str, object]] = field(default_factory=list)

    def count(self) -> int:
        return sum(len(r) for _, r in self.rows)


def _referencing(table: Table):
    for t in Base.metadata.sorted_tables:
        for fk in t.foreign_keys:
            if fk.column.table is table:
                yield t, fk


def snapshot_rows(conn: Connection, table: Table, ids: list[int]) -> RowSnapshot:
    snap = RowSnapshot()
    seen: set[tuple[str, tuple]] = set()

    def visit(tbl: Table, where) -> None:
        rows = [dict(r._mapping) for r in conn.execute(select(tbl).where(where))]
        pk_cols = [c.name for c in tbl.primary_key.columns]
        fresh = []
        for r in rows:
            key = (tbl.name, tuple(r[c] for c in pk_cols))
            if key not in seen:
                seen.add(key)
                fresh.append(r)
        if not fresh:
            return
        snap.rows.append((tbl.name, fresh))
        for child, fk in _referencing(tbl):
            parent_col = fk.column.name
            values = [r[parent_col] for r in fresh]
            col = fk.parent
            ondelete = (fk.ondelete or "").upper()
            if ondelete == "CASCADE":
                visit(child, col.in_(values))
            elif ondelete == "SET NULL":
                child_pk = [c.name for c in child.primary_key.columns]
                for r in conn.execute(select(child).where(col.in_(values))):
                    mapping = dict(r._mapping)
                    snap.nulled.append((child.name, {c: mapping[c] for c in child_pk}, col.name, mapping[col.name]))

    pk = list(table.primary_key.columns)[0]
    visit(table, pk.in_(ids))
    return snap


def restore_rows(conn: Connection, snap: RowSnapshot) -> None:
    tables = Base.metadata.tables
    for name, rows in snap.rows:
        conn.execute(insert(tables[name]), rows)
    for name, pk, column, value in snap.nulled:
        t = tables[name]
        conn.execute(update(t).where(and_(*[t.c[k] == v for k, v in pk.items()])).values({column: value}))
