"""The Notifications page's and the mail settings' edits as operations (``services.operations.Change``).

Each is verb-named and keyword-only, runs in one transaction and touches ``"notifications"``:

- a template saved or deleted is undoable (the undo puts the old template back, or deletes the new one);
  so is the choice of the template sent on publication;
- the outbox's decisions (retry, send again, mark as sent, delete) and queueing a template for everyone
  are not: a message may be on its way by the time an undo would run; ``result`` is how many messages;
- the mail settings are not either (the password went to the keychain); ``result`` is the settings.
"""

from __future__ import annotations

from typing import Iterable

from ato_desktop.services import mail_settings as settings
from ato_desktop.services import mail_templates as templates
from ato_desktop.services import notifications as notes
from ato_desktop.services import outbox
from ato_desktop.services.errors import NotFoundError
from ato_desktop.services.operations import Change, reverting
from ato_desktop.storage.database import Database

KIND = frozenset({"notifications"})


# ---- templates (undoable) -----------------------------------------------------------------------
def _existing(db: Database, name: str) -> templates.TemplateInfo | None:
    try:
        return templates.get_template(db, name)
    except NotFoundError:
        return None


def _fields(t: templates.TemplateInfo) -> dict:
    return {"name": t.name, "subject": t.subject, "body_text": t.body_text, "body_html": t.body_html,
            "attach_pdf": t.attach_pdf}


def save_template(db: Database, *, name: str, subject: str, body_text: str, body_html: str = "",
                  attach_pdf: bool = True) -> Change:
    """Create or replace the template ``name`` (see ``mail_templates.save_template``); ``result`` is the
    template. Undo puts the old one back, or deletes a new one."""
    before = _existing(db, (name or "").strip()) if (name or "").strip() else None
    info = templates.save_template(db, name, subject=subject, body_text=body_text, body_html=body_html,
                                   attach_pdf=attach_pdf)
    again = {"name": info.name, "subject": subject, "body_text": body_text, "body_html": body_html,
             "attach_pdf": attach_pdf}
    return reverting(f"Save mail template {info.name}", kinds=KIND,
                     redo=lambda d: save_template(d, **again),
                     undo=(lambda d: save_template(d, **_fields(before))) if before is not None
                     else (lambda d: delete_template(d, name=info.name)),
                     result=info)


def delete_template(db: Database, *, name: str) -> Change:
    """Delete the template ``name``; undo saves it again."""
    before = templates.get_template(db, name)  # NotFoundError: nothing to delete
    templates.delete_template(db, before.name)
    return reverting(f"Delete mail template {before.name}", kinds=KIND,
                     redo=lambda d: delete_template(d, name=before.name),
                     undo=lambda d: save_template(d, **_fields(before)), result=before)


def choose_publish_template(db: Database, *, template: str | None) -> Change:
    """Send ``template`` on every publication (``None``: send nothing); undo restores the old choice."""
    before = notes.get_on_publish(db)
    notes.set_on_publish(db, template)
    summary = f"Send {template} on publication" if template else "Send nothing on publication"
    return reverting(summary, kinds=KIND, redo=lambda d: choose_publish_template(d, template=template),
                     undo=lambda d: choose_publish_template(d, template=before), result=template)


# ---- the outbox (not undoable) ----------------------------------------------------------------------
def retry_messages(db: Database, *, ids: Iterable[int] | None = None) -> Change:
    """Make failed and waiting messages due now (all, or ``ids``); ``result``: how many."""
    n = outbox.retry(db, None if ids is None else list(ids))
    return Change(f"Retry {n} message(s)", KIND, result=n)


def send_messages_again(db: Database, *, ids: Iterable[int]) -> Change:
    """Queue messages that may have been sent (or failed) to be sent now; ``result``: how many."""
    n = outbox.send_again(db, list(ids))
    return Change(f"Send {n} message(s) again", KIND, result=n)


def mark_messages_sent(db: Database, *, ids: Iterable[int]) -> Change:
    """The messages that may have been sent did arrive; ``result``: how many."""
    n = outbox.mark_sent(db, list(ids))
    return Change(f"Mark {n} message(s) as sent", KIND, result=n)


def delete_messages(db: Database, *, ids: Iterable[int]) -> Change:
    """Remove messages that are not being sent right now; ``result``: how many."""
    n = outbox.delete_messages(db, list(ids))
    return Change(f"Delete {n} message(s)", KIND, result=n)


def queue_template_for_everyone(db: Database, *, name: str, timetable=None) -> Change:
    """Queue ``name`` for everyone with classes in ``timetable``; ``result``: the ``QueueResult``."""
    q = notes.queue_template(db, name, timetable=timetable)
    return Change(f"Queue {name} for everyone", KIND, result=q)


# ---- mail settings (not undoable) --------------------------------------------------------------------
def change_mail_settings(db: Database, *, password: str | None = None, **fields) -> Change:
    """Validate and store the mail settings (see ``mail_settings.save_mail_settings``); ``result``: them."""
    ms = settings.save_mail_settings(db, password=password, **fields)
    return Change("Change mail settings", KIND, result=ms)
