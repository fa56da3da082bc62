"""Fast lists for the UI: the same dicts as ``resources.list_items``, without building ORM objects.

``list_rows(db, entity)`` reads the entity's table and the tables it refers to
with a handful of Core queries and feeds light row objects to the same
``resources.to_dict`` (so labels and derived values are identical). For 3,000
activities this takes a fraction of the ORM path's time, which keeps the
editor's lists well under 200 ms.
"""

from __future__ import annotations

import json
from collections import defaultdict
from types import SimpleNamespace
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import JSON, Text, select, type_coerce

from ato_desktop.services import resources as res
from ato_desktop.storage.database import Database


def _rows_of(s, model) -> dict[int, SimpleNamespace]:
    mapper = sa_inspect(model)
    cols = [(attr.key, attr.columns[0]) for attr in mapper.column_attrs]
    # JSON columns are read as text and decoded once per distinct value (most are "[]" or "{}");
    # to_dict copies lists and dicts, so sharing the decoded value between rows is safe.
    is_json = [isinstance(c.type, JSON) for _, c in cols]
    exprs = [type_coerce(c, Text) if j else c for (_, c), j in zip(cols, is_json)]
    memo: dict[str, Any] = {}

    def decode(raw):
        if raw is None:
            return None
        if not isinstance(raw, str):  # PostgreSQL's driver hands JSON over decoded already
            return raw
        try:
            return memo[raw]
        except KeyError:
            value = memo[raw] = json.loads(raw)
            return value

    keys = [key for key, _ in cols]
    json_at = [i for i, j in enumerate(is_json) if j]
    out: dict[int, SimpleNamespace] = {}
    for row in s.execute(select(*exprs)).all():
        values = list(row)
        for i in json_at:
            values[i] = decode(values[i])
        ns = SimpleNamespace(**dict(zip(keys, values)))
        out[ns.id] = ns
    return out


def list_rows(db: Database, entity: str) -> list[dict]:
    """Every item of ``entity`` as ``resources.to_dict`` gives it, in ``list_items`` order."""
    sp = res.spec(entity)
    with db.read_session() as s:
        main = _rows_of(s, sp.model)
        tables: dict[type, dict[int, SimpleNamespace]] = {sp.model: main}

        def rows_for(model) -> dict[int, SimpleNamespace]:
            if model not in tables:
                tables[model] = _rows_of(s, model)
            return tables[model]

        mapper = sa_inspect(sp.model)
        for f in sp.fields:
            if f.kind not in ("ref", "refs"):
                continue
            prop = mapper.relationships[f.name]
            target = prop.mapper.class_
            targets = rows_for(target)
            if f.kind == "ref":
                fk = f.attr
                for ns in main.values():
                    tid = getattr(ns, fk)
                    setattr(ns, f.name, targets.get(tid) if tid is not None else None)
                continue
            sec = prop.secondary
            mine = next(c for c in sec.columns if any(fk.column.table is sp.model.__table__ for fk in c.foreign_keys))
            theirs = next(c for c in sec.columns if c is not mine
                          and any(fk.column.table is target.__table__ for fk in c.foreign_keys))
            lists: dict[int, list] = defaultdict(list)
            for a, b in s.execute(select(mine, theirs)):
                lists[a].append(targets[b])
            # the relationship's order (by code), else the association's key order (by id) as SQLite returns it
            order = res.spec(f.ref).key if prop.order_by else "id"
            for ns in main.values():
                setattr(ns, f.name, sorted(lists.get(ns.id, []), key=lambda o: getattr(o, order)))
    key = sp.key
    ordered = sorted(main.values(), key=lambda o: (getattr(o, key) is None, getattr(o, key)))
    convert = _converter(entity)
    items = [convert(o) for o in ordered]
    if entity == "constraint":  # every engine rule, stored or not (services.constraint_rows)
        from ato_desktop.services.constraint_rows import with_missing_rules

        items = with_missing_rules(items)
    return items


def _converter(entity: str):
    """``resources.to_dict`` with the per-field decisions taken once, not once per row."""
    sp = res.spec(entity)
    plan = []
    for f in sp.fields:
        ref_key = res.spec(f.ref).key if f.kind in ("ref", "refs") else None
        plan.append((f.name, f.kind, f.attr, ref_key))
    extra, describe = sp.extra, sp.describe

    def convert(obj) -> dict:
        out: dict[str, Any] = {"id": obj.id}
        for name, kind, attr, ref_key in plan:
            if kind == "ref":
                target = getattr(obj, name)
                out[name] = None if target is None else getattr(target, ref_key)
            elif kind == "refs":
                out[name] = [getattr(t, ref_key) for t in getattr(obj, name)]
            elif kind == "list":
                out[name] = list(getattr(obj, attr) or [])
            elif kind == "dict":
                out[name] = dict(getattr(obj, attr) or {})
            else:
                out[name] = getattr(obj, attr)
        if extra:
            out.update(extra(obj))
        out["_label"] = describe(obj)
        return out

    return convert


def list_choices(db: Database, entity: str) -> list[tuple[Any, str]]:
    """``(key, label)`` of every item: what a reference field may point to."""
    key = res.spec(entity).key
    return [(d[key], d["_label"]) for d in list_rows(db, entity)]
