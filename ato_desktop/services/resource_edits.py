"""The user's edits of resources as operations: add, edit, remove (and generate activities).

Each returns a :class:`~ato_desktop.services.operations.Change` whose ``result`` is the item (as
:func:`~ato_desktop.services.resources.get_item` gives it) and whose ``undo`` reverses it: an added
item is deleted (keeping a snapshot), a removed one is restored from its snapshot with the same id,
an edit puts the old values back. Each undo returns the change that redoes it.
"""

from __future__ import annotations

from typing import Any

from ato_desktop.services import resources as res
from ato_desktop.services.operations import Change, combined, kinds_of_tables
from ato_desktop.services.snapshot import RowSnapshot
from ato_desktop.storage.database import Database


def _kinds(entity: str, snap: RowSnapshot | None = None) -> frozenset:
    tables = [name for name, _ in snap.rows] + [name for name, *_ in snap.nulled] if snap is not None else []
    return frozenset({entity}) | kinds_of_tables(tables)


def _removed(summary: str, entity: str, key: Any, snap: RowSnapshot) -> Change:
    """A delete that happened (``snap`` is what it took); its undo restores it."""

    def back(db: Database) -> Change:
        res.restore(db, snap)
        return _present(summary, entity, key, snap)

    return Change(summary, _kinds(entity, snap), result=snap, reverse=back)


def _present(summary: str, entity: str, key: Any, snap: RowSnapshot | None = None, item: dict | None = None) -> Change:
    """An item that was created or put back; its undo deletes it again."""

    def back(db: Database) -> Change:
        return _removed(summary, entity, key, res.delete_item(db, entity, key))

    return Change(summary, _kinds(entity, snap), result=item, reverse=back)


def add_item(db: Database, *, entity: str, values: dict, summary: str | None = None) -> Change:
    """Create one item (validated); ``result`` is the item."""
    sp = res.spec(entity)
    item = res.create_item(db, entity, values)
    summary = summary or f"Add {sp.label.lower()} {item.get('_label', '')}".strip()
    return _present(summary, entity, item[sp.key], item=item)


def edit_item(db: Database, *, entity: str, key: Any, values: dict, summary: str | None = None) -> Change:
    """Change some fields of one item; ``result`` is the item after. Undo puts the old values back."""
    sp = res.spec(entity)
    before = res.get_item(db, entity, key)
    after = res.update_item(db, entity, key, values)
    summary = summary or f"Edit {sp.label.lower()} {after.get('_label', '')}".strip()
    if entity == "constraint" and before["id"] < 0:  # a rule without a row: the edit created it; undo deletes it
        return _present(summary, entity, after[sp.key], item=after)
    old = {k: before[k] for k in values if k in before}
    new_key = after[sp.key]

    def back(d: Database) -> Change:
        return edit_item(d, entity=entity, key=new_key, values=old, summary=summary)

    return Change(summary, {entity}, result=after, reverse=back)


def remove_item(db: Database, *, entity: str, key: Any, summary: str | None = None) -> Change:
    """Delete an item and what cascades from it (refused while something depends on it)."""
    sp = res.spec(entity)
    if summary is None:
        summary = f"Delete {sp.label.lower()} {res.get_item(db, entity, key).get('_label', '')}".strip()
    return _removed(summary, entity, key, res.delete_item(db, entity, key))


def generate_activities(db: Database, *, course: str, groups: list[str], **plan: Any) -> Change:
    """Create a course's planned activities (``services.activities.generate_from_ltp``) as one step;
    ``result`` is ``(created items, skipped labels)``."""
    from ato_desktop.services.activities import generate_from_ltp

    created, skipped = generate_from_ltp(db, course, groups, **plan)
    return created_activities(created, skipped)


def created_activities(created: list[dict], skipped: list[str]) -> Change:
    """The change of activities already created in one transaction (undo deletes them all)."""
    course = created[0]["course"] if created else ""
    parts = [_present("", "activity", c["id"], item=c) for c in created]
    return combined(f"Generate {len(created)} activities of {course}", parts, result=(created, skipped))
