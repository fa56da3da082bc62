"""Creating many resources in one transaction (imports, the large demo): all or nothing, linear in the
number of rows, each error naming its own row."""

from __future__ import annotations

from typing import Any, Callable, Iterable

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ato_desktop.services.errors import ValidationError
from ato_desktop.services.resources import _check_entity_rules, _clean, spec, to_dict
from ato_desktop.storage.database import Database, one_line


def bulk_create(db: Database, entity: str, rows: Iterable[dict], *, first_row: int = 1) -> list[dict]:
    """Create many items in ONE transaction: all or nothing.

    Every row is validated; if any fails, a :class:`BulkValidationError` lists
    each bad row with its number and nothing is written.

    Linear in the number of rows: references and unique values are looked up in
    maps loaded once per call (:class:`BulkCreator`), and rows are written in
    batches; only a batch that the database refuses is replayed row by row, so each
    error names its own row exactly as a row-by-row create would.
    """
    sp = spec(entity)
    with db.session() as s:
        creator = BulkCreator(s, entity)
        for i, values in enumerate(rows, start=first_row):
            creator.add(values, i)
        creator.finish()
        if creator.errors:
            s.rollback()
            raise BulkValidationError(sp.plural, creator.errors)
        return [to_dict(entity, o) for o in creator.created]


def _sql_lower(text: str) -> str:
    """SQLite's ``lower()``: only ASCII letters change case."""
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class _Lookup:
    """Every item of one entity by id and by ``lower(<attr>)``, loaded once (see :class:`BulkCreator`).

    Matches exactly as the per-row queries do: ``lower(column) == value.lower()`` where
    the column side is SQLite's ASCII-only ``lower()``.
    """

    def __init__(self, s: Session, entity: str, on_miss: Callable[[], None]):
        self.s = s
        self.spec = spec(entity)
        self.on_miss = on_miss
        self.by_id: dict[int, Any] = {}
        self.attrs = [self.spec.key] if self.spec.key != "id" else []
        self.attrs += [f.attr for f in self.spec.fields if f.unique and f.attr not in self.attrs]
        self.by_attr: dict[str, dict[str, list[Any]]] = {a: {} for a in self.attrs}
        with s.no_autoflush:
            for obj in s.scalars(select(self.spec.model)):
                self.put(obj)

    def put(self, obj: Any) -> None:
        if obj.id is not None:
            self.by_id[obj.id] = obj
        for a, index in self.by_attr.items():
            value = getattr(obj, a)
            if value is not None:
                index.setdefault(_sql_lower(str(value)), []).append(obj)

    def drop(self, obj: Any) -> None:
        if obj.id is not None and self.by_id.get(obj.id) is obj:
            del self.by_id[obj.id]
        for index in self.by_attr.values():
            for bucket in index.values():
                if obj in bucket:
                    bucket.remove(obj)

    def find(self, key: Any) -> Any:
        """As :func:`_find_by_key` (an int is a row id; text the natural key), without a query per call."""
        if key is None or key == "":
            return None
        if self.spec.key == "id" or (isinstance(key, int) and not isinstance(key, bool)):
            obj = self.by_id.get(int(key))
            if obj is None:
                self.on_miss()  # rows queued in this call get their ids, as a row-by-row create would have
                obj = self.s.get(self.spec.model, int(key))
                if obj is not None:
                    self.by_id[obj.id] = obj
            return obj
        bucket = self.by_attr[self.spec.key].get(str(key).strip().lower())
        return bucket[0] if bucket else None

    def other_with(self, attr: str, value: Any, exclude_id: int | None) -> Any:
        """As :func:`_check_unique`'s query: another item whose ``attr`` equals ``value`` case-insensitively."""
        for obj in self.by_attr[attr].get(str(value).lower(), ()):
            if exclude_id is None or obj.id != exclude_id:
                return obj
        return None


class _Proxy:
    """The cleaned values of a row not yet made into a model object (for :func:`_check_entity_rules`)."""

    def __init__(self, values: dict):
        self.__dict__.update(values)


class BulkCreator:
    """Create many items of one entity in an open write session, as :func:`create_item` would one by one.

    ``add(values, row)`` validates a row (same checks, same messages) and queues it;
    rows are written in batches inside a savepoint, and a batch the database refuses
    is rolled back and replayed row by row so the error names its row. ``finish()``
    writes what is queued. Errors collect in ``errors`` (row order); created objects
    in ``created`` (input order). The caller commits or rolls back.
    """

    BATCH = 500

    def __init__(self, s: Session, entity: str):
        self.s = s
        self.entity = entity
        self.spec = spec(entity)
        self.errors: list[ValidationError] = []
        self.created: list[Any] = []
        self._lookups: dict[str, _Lookup] = {}
        self._batch: list[tuple[Any, dict, int | None]] = []
        self._nested = None
        # this entity's own items must be indexed before any row is queued (unique values, self-references)
        if any(f.unique for f in self.spec.fields) or any(f.ref == entity for f in self.spec.fields):
            self.lookup(entity)

    def lookup(self, entity: str) -> _Lookup:
        if entity not in self._lookups:
            self._lookups[entity] = _Lookup(self.s, entity, self._write_batch)
        return self._lookups[entity]

    # -- one row ------------------------------------------------------------
    def _clean_row(self, values: dict, row: int | None) -> dict:
        """Every field cleaned, exactly as :func:`_apply` + :func:`_check_entity_rules` check a new item."""
        sp = self.spec
        unknown = set(values) - {f.name for f in sp.fields} - {"id"}
        if unknown:
            raise ValidationError(sp.label, sorted(unknown)[0], "is not a field of this item.", row)
        own_id = int(values["id"]) if values.get("id") is not None else None
        cleaned: dict[str, Any] = {}
        for f in sp.fields:
            value = _clean(sp, f, values.get(f.name), self.s, row, lookup=self.lookup)
            if f.unique and value not in (None, ""):
                other = self.lookup(self.entity).other_with(f.attr, value, own_id)
                if other is not None:
                    raise ValidationError(sp.label, f.label, f"{value!r} is already used by {sp.describe(other)}.", row)
            cleaned[f.name] = value
        proxy = _Proxy({**cleaned, "id": own_id, "batches": []})
        with self.s.no_autoflush:
            _check_entity_rules(self.s, sp, proxy, row)
        if sp.name == "constraint":  # what the rules set (is_hard from the engine, the default label)
            cleaned.update(is_hard=proxy.is_hard, label=proxy.label, params=proxy.params)
        if sp.name == "activity":  # 0 students: the groups' strengths (NULL)
            cleaned.update(student_count=proxy.student_count)
        return cleaned

    def _make(self, values: dict, cleaned: dict) -> Any:
        obj = self.spec.model()
        if values.get("id") is not None:
            obj.id = int(values["id"])
        with self.s.no_autoflush:
            for f in self.spec.fields:
                setattr(obj, f.name if f.kind in ("ref", "refs") else f.attr, cleaned[f.name])
        self.s.add(obj)
        own = self._lookups.get(self.entity)
        if own is not None:
            own.put(obj)
        return obj

    def _forget(self, obj: Any) -> None:
        own = self._lookups.get(self.entity)
        if own is not None:
            own.drop(obj)

    def add(self, values: dict, row: int | None) -> bool:
        """Validate and queue one row; False (and the error in ``errors``) if it is invalid."""
        try:
            cleaned = self._clean_row(values, row)  # may write the batch (a reference by id to a queued row)
        except ValidationError as exc:
            exc.row = row
            self.errors.append(exc)
            return False
        if self._nested is None:
            self._nested = self.s.begin_nested()  # before the row joins the session: a failed batch rolls back alone
        self._batch.append((self._make(values, cleaned), values, row))
        if len(self._batch) >= self.BATCH:
            self._write_batch()
        return True

    def flush(self) -> None:
        """Write the queued rows now (their refusals join ``errors``)."""
        self._write_batch()

    def finish(self) -> None:
        self._write_batch()
        self.errors.sort(key=lambda e: (e.row is None, e.row or 0))

    # -- writing ------------------------------------------------------------
    def _write_batch(self) -> None:
        nested, batch = self._nested, self._batch
        self._nested, self._batch = None, []
        if nested is None:
            return
        if not batch:
            nested.commit()
            return
        try:
            self.s.flush()
            nested.commit()
            self.created.extend(obj for obj, _, _ in batch)
            return
        except IntegrityError:
            nested.rollback()
        for obj, _, _ in batch:
            self._forget(obj)
        for _, values, row in batch:  # replay one by one: each refusal names its own row
            one = self.s.begin_nested()
            try:
                obj = self._make(values, self._clean_row(values, row))
            except ValidationError as exc:
                one.rollback()
                exc.row = row
                self.errors.append(exc)
                continue
            try:
                self.s.flush()
            except IntegrityError as exc:
                one.rollback()
                self._forget(obj)
                self.errors.append(ValidationError(self.spec.label, "item",
                                                   f"conflicts with the database rules ({one_line(str(exc.orig))}).", row))
                continue
            one.commit()
            self.created.append(obj)


class BulkValidationError(ValidationError):
    def __init__(self, what: str, errors: list[ValidationError]):
        self.errors = errors
        Exception.__init__(
            self,
            f"{len(errors)} row(s) of {what} have errors; nothing was imported. "
            + " ".join(str(e) for e in errors[:5]) + (" …" if len(errors) > 5 else ""),
        )
        self.entity, self.field, self.problem, self.row = what, "rows", str(self), None
