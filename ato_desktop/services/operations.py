"""The one record of what an operation changed, and how to undo it.

Every operation a user can run (a verb-named, keyword-only function in ``services/``, one
transaction) returns a :class:`Change`:

- ``summary``: what it did, in words; the undo step is named after it ("Apply optimized timetable");
- ``kinds``: the kinds of entities it touched (``"faculty"``, ``"room"``, ``"activity"``,
  ``"calendar"``, ``"timetable"``, ``"substitutions"``, …; ``"*"`` for "anything");
- ``versions`` / ``sessions``: the timetable versions and the sessions it touched;
- ``result``: what the caller may show (the item saved, the new version, …);
- ``focus``: the timetable version the user should see after it, if it says (an optimizer result
  applied, and after its undo the version it came from);
- ``undo(db)``: reverses it in one transaction and returns the :class:`Change` that redoes it,
  so undo and redo are the same function (the trick of :class:`~ato_desktop.services.rowchange.RowChange`,
  which is a ``Change`` made of inserted and deleted rows).

An operation that puts values back (a rename, a calendar, availability marks) builds its undo
with :func:`reverting`: the undo is the same operation called with the old values, and since it
returns a ``Change`` too, its undo is the redo.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable

from ato_desktop.services.errors import ServiceError

ANY = "*"

# which kind of entity a table belongs to (for changes made of rows)
TABLE_KINDS = {
    "term_day": "calendar",
    "setting": "calendar",
    "day": "calendar",
    "period": "calendar",
    "absence": "substitutions",
    "substitution": "substitutions",
    "timetable": "timetable",
    "session_assignment": "timetable",
    "published_session": "timetable",
    "timetable_event": "timetable",
    "department": "department",
    "faculty": "faculty",
    "room": "room",
    "student_group": "group",
    "course": "course",
    "elective_basket": "basket",
    "activity": "activity",
    "faculty_availability": "faculty",
    "room_availability": "room",
    "group_availability": "group",
    "activity_time_pref": "activity",
    "constraint_instance": "constraint",
    "mail_template": "notifications",
    "outbox_message": "notifications",
    "notify_channel": "notifications",
}


def kinds_of_tables(tables: Iterable[str]) -> frozenset:
    """The entity kinds of rows in ``tables`` (a table not listed counts as "anything")."""
    return frozenset(TABLE_KINDS.get(t, ANY) for t in tables)


class CannotUndo(ServiceError):
    """The change has no undo (it was not recorded as undoable)."""


@dataclass(eq=False)
class Change:
    summary: str
    kinds: frozenset = frozenset({ANY})
    versions: frozenset = frozenset()
    sessions: frozenset = frozenset()
    result: Any = field(default=None, repr=False)
    reverse: Callable[[Any], "Change"] | None = field(default=None, repr=False)
    focus: int | None = None  # the timetable version to show after it (a new version; the one an undone one came from)

    def __post_init__(self) -> None:
        self.kinds = frozenset(self.kinds)
        self.versions = frozenset(v for v in self.versions if v is not None)
        self.sessions = frozenset(self.sessions)

    @property
    def title(self) -> str:
        """The summary as an undo step's name (first letter upper case)."""
        return self.summary[:1].upper() + self.summary[1:]

    def touched(self) -> frozenset:
        """The kinds of entities touched (``kinds``; a change made of rows adds its tables' kinds)."""
        return self.kinds

    def concerns(self, *kinds: str) -> bool:
        """Whether the change touched any of ``kinds`` (``"*"`` on either side means yes)."""
        touched = self.touched()
        if not touched:  # nothing changed
            return False
        return ANY in touched or ANY in kinds or bool(touched.intersection(kinds))

    @property
    def can_undo(self) -> bool:
        return self.reverse is not None

    def undo(self, db) -> "Change":
        """Reverse this change (one transaction); returns the change that redoes it."""
        if self.reverse is None:
            raise CannotUndo(f"“{self.summary}” cannot be undone.")
        return self.reverse(db)


def reverting(summary: str, *, kinds: Iterable[str], redo: Callable[[Any], "Change"],
              undo: Callable[[Any], "Change"], versions: Iterable[int] = (), sessions: Iterable[int] = (),
              result: Any = None) -> Change:
    """A change whose undo is ``undo(db)`` (itself an operation, returning a Change) and whose redo,
    after an undo, is ``redo(db)``. Both keep the summary of the original change."""

    kinds, versions, sessions = frozenset(kinds), frozenset(versions), frozenset(sessions)

    def back(db) -> Change:
        before = undo(db)
        if not isinstance(before, Change):  # a function that returns something else (or nothing)
            before = Change(summary, kinds, result=before)
        return reverting(summary, kinds=kinds, redo=undo, undo=redo,
                         versions=versions | before.versions, sessions=sessions | before.sessions,
                         result=before.result)

    return Change(summary, kinds, versions, sessions, result, back)


def renamed(change: Change, summary: str) -> Change:
    """The same change under another name (the undo keeps the name too)."""
    inner = change.reverse

    def back(db) -> Change:
        return renamed(inner(db), summary)

    return replace(change, summary=summary, reverse=None if inner is None else back)


def combined(summary: str, changes: list[Change], *, result: Any = None) -> Change:
    """Several changes made one after the other, as one step (undone in reverse order)."""

    def back(db) -> Change:
        redo = [c.undo(db) for c in reversed(changes)]
        return combined(summary, list(reversed(redo)), result=result)

    kinds = frozenset().union(*(c.kinds for c in changes)) if changes else frozenset()
    return Change(summary, kinds, frozenset().union(*(c.versions for c in changes)) if changes else frozenset(),
                  frozenset().union(*(c.sessions for c in changes)) if changes else frozenset(), result, back)
