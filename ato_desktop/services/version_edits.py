"""The user's edits of timetable versions as operations: new, copy, rename, delete, publish, and the
approval steps (submit, approve, return, archive).

Each returns a :class:`~ato_desktop.services.operations.Change` touching ``"timetable"`` with the
version's id in ``versions``; ``result`` is what the version list shows (a ``TimetableInfo``, a
``PublishOutcome`` or an approval ``Transition``). Each undo returns the change that redoes it.
"""

from __future__ import annotations

from ato_desktop.services import timetables as tts
from ato_desktop.services import version_lifecycle as versions
from ato_desktop.services.operations import Change
from ato_desktop.storage.database import Database

KIND = frozenset({"timetable"})


def _deleted(summary: str, timetable_id: int, snap) -> Change:
    def back(db: Database) -> Change:
        versions.restore_version(db, snap)
        return _present(summary, timetable_id)

    return Change(summary, KIND, {timetable_id}, reverse=back)


def _present(summary: str, timetable_id: int, info=None) -> Change:
    def back(db: Database) -> Change:
        return _deleted(summary, timetable_id, versions.delete_version(db, timetable_id))

    return Change(summary, KIND, {timetable_id}, result=info, reverse=back)


def add_version(db: Database, *, name: str) -> Change:
    """A new empty version (every session unscheduled)."""
    info = tts.create_timetable(db, name)
    return _present(f"New version {info.name}", info.id, info)


def copy_version(db: Database, *, source: int, name: str) -> Change:
    src = tts.get_timetable(db, source)
    info = tts.copy_timetable(db, src.id, name)
    return _present(f"Copy {src.name} to {info.name}", info.id, info)


def copy_to_draft(db: Database, *, timetable: int | str, name: str | None = None) -> Change:
    """Copy a version (typically a published, frozen one) to a new draft that can be edited."""
    info = versions.copy_to_draft(db, timetable, name)
    return _present(f"Copy to the new draft {info.name}", info.id, info)


def rename_version(db: Database, *, timetable: int, name: str, summary: str | None = None) -> Change:
    old = tts.get_timetable(db, timetable).name
    info = tts.rename_timetable(db, timetable, name)
    summary = summary or f"Rename version {old} to {name}"

    def back(d: Database) -> Change:
        return rename_version(d, timetable=timetable, name=old, summary=summary)

    return Change(summary, KIND, {timetable}, result=info, reverse=back)


def remove_version(db: Database, *, timetable: int) -> Change:
    """Delete a version and its sessions (undo puts them back with the same ids)."""
    info = tts.get_timetable(db, timetable)
    return _deleted(f"Delete version {info.name}", info.id, versions.delete_version(db, info.id))


def publish(db: Database, *, timetable: int, force: bool = False, check=None) -> Change:
    """Publish a version (see ``versions.publish_version``); ``result`` is the ``PublishOutcome``.
    Undo puts the status back exactly; redo publishes again (nothing is queued twice)."""
    name = tts.get_timetable(db, timetable).name
    before = versions.status_of(db, timetable)
    outcome = versions.publish_version(db, timetable, force=force, check=check)
    return _published(f"Publish {name}", timetable, before, outcome.override, outcome)


def _published(summary: str, timetable: int, before, override, result=None) -> Change:
    def back(db: Database) -> Change:
        versions.set_status_exact(db, timetable, before)

        def again(d: Database) -> Change:
            from ato_desktop.services import notifications as notes

            notes.publish(d, timetable, override=override)
            return _published(summary, timetable, before, override)

        return Change(summary, KIND, {timetable}, reverse=again)

    return Change(summary, KIND, {timetable}, result=result, reverse=back)


def take_step(db: Database, *, action: str, timetable: int, who: str | None = None, comment: str = "") -> Change:
    """Submit, approve, return or archive a version (``services.approval``); ``result`` is the Transition.
    Undo puts the status back and removes the history row; redo takes the step again."""
    from ato_desktop.services import approval

    if action == "return":
        t = approval.return_with_comment(db, timetable, comment, who=who)
    else:
        t = getattr(approval, action)(db, timetable, who=who, comment=comment)
    summary = f"{action.capitalize()} {t.name}"

    def back(d: Database) -> Change:
        approval.undo(d, t)

        def again(d2: Database) -> Change:
            return take_step(d2, action=action, timetable=timetable, who=who, comment=comment)

        return Change(summary, KIND, {timetable}, reverse=again)

    return Change(summary, KIND, {timetable}, result=t, reverse=back)


def accept_result(db: Database, *, name: str, rows: dict, parent: int | None, hard: int | None = None,
                  soft: int | None = None, notes: str = "", fingerprint: str | None = None) -> Change:
    """Save an optimizer result as a new version (one transaction; lock flags copied from ``parent``)
    and show it (``focus``); undo deletes it and shows ``parent`` again, redo puts it back."""
    info = tts.create_version_with_rows(db, name, rows, parent=parent, hard=hard, soft=soft, notes=notes,
                                        fingerprint=fingerprint)
    return applied_result(info, source=parent, focus=info.id)


def applied_result(info, *, source: int | None, focus: int | None = None, result=None) -> Change:
    """The change of an optimizer result saved as the version ``info`` (written by the optimizer's save,
    which took the backup first): "Apply optimized timetable (name)"; ``result`` defaults to ``info``."""
    summary = f"Apply optimized timetable ({info.name})"
    new_id = info.id

    def back(db: Database) -> Change:
        snap = versions.delete_version(db, new_id)

        def again(d: Database) -> Change:
            versions.restore_version(d, snap)
            return applied_result(info, source=source, focus=new_id)

        return Change(summary, KIND, {new_id, source}, reverse=again, focus=source)

    return Change(summary, KIND, {new_id}, result=info if result is None else result, reverse=back, focus=focus)
