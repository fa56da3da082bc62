"""Notice channels beyond e-mail: webhooks (Microsoft Teams, Slack, a generic JSON webhook).

A channel has a name, a kind, the events it receives (``substitution``, ``publish``, ``slot_change``,
``daily_digest``) and a URL kept in the OS keychain (account ``webhook:<name>``), never in the database.
Its messages go through the same outbox as the e-mail (``outbox_message`` rows with ``channel`` set):
written first with a unique idempotency key (queuing the same notice twice adds nothing), claimed
atomically, posted, marked sent; a failure is retried with the outbox's back-off; a request that was
sent but got no answer is marked *uncertain* and never re-sent on its own. Every request carries the
message's ``Idempotency-Key``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import func, select

from ato_desktop.notify import secrets, webhooks
from ato_desktop.notify.message import new_message_id
from ato_desktop.notify.render import one_line
from ato_desktop.services import outbox
from ato_desktop.services.errors import NotFoundError, ValidationError
from ato_desktop.services.sql_insert import insert_for, inserted
from ato_desktop.storage import models as m
from ato_desktop.storage.database import Database

EVENTS = m.CHANNEL_EVENTS
KINDS = m.CHANNEL_KINDS


def _account(name: str) -> str:
    return f"webhook:{name}"


@dataclass(frozen=True)
class ChannelInfo:
    name: str
    kind: str
    events: tuple[str, ...]
    enabled: bool
    has_url: bool


def _check(name: str, kind: str, url: str, events) -> tuple[str, str, str, list[str]]:
    name = (name or "").strip()
    if not name or len(name) > 60 or "\n" in name:
        raise ValidationError("Channel", "name", "is required: one line of at most 60 characters.")
    if kind not in KINDS:
        raise ValidationError("Channel", "kind", f"{kind!r} is not one of {', '.join(KINDS)}.")
    try:
        url = webhooks.check_url(url)
    except ValueError as exc:
        raise ValidationError("Channel", "url", str(exc)) from None
    if isinstance(events, str):
        events = [e for e in events.replace(" ", "").split(",") if e]
    events = list(dict.fromkeys(events or []))
    bad = [e for e in events if e not in EVENTS]
    if bad or not events:
        raise ValidationError("Channel", "events", f"choose among {', '.join(EVENTS)}"
                              + (f" ({', '.join(bad)} is not one)." if bad else "."))
    return name, kind, url, events


def add_channel(db: Database, name: str, kind: str, url: str, events) -> ChannelInfo:
    """Add a webhook channel. Refused (nothing stored) for a URL that is not http(s), an unknown kind or
    event, a name already used, or when no keychain can hold the URL."""
    name, kind, url, events = _check(name, kind, url, events)
    with db.read_session() as s:
        if s.scalar(select(m.NotifyChannel).where(func.lower(m.NotifyChannel.name) == name.lower())):
            raise ValidationError("Channel", "name", f"{name!r} is already a channel.")
    try:
        secrets.set_secret(_account(name), url)
    except secrets.SecretStoreUnavailable as exc:
        raise ValidationError("Channel", "url", str(exc).replace("SMTP password", "webhook address")) from None
    try:
        with db.session() as s:
            s.add(m.NotifyChannel(name=name, kind=kind, events=events, enabled=True))
    except BaseException:
        secrets.delete_secret(_account(name))
        raise
    return ChannelInfo(name, kind, tuple(events), True, True)


def list_channels(db: Database) -> list[ChannelInfo]:
    with db.read_session() as s:
        rows = list(s.scalars(select(m.NotifyChannel).order_by(m.NotifyChannel.name)))
        return [ChannelInfo(c.name, c.kind, tuple(c.events or ()), c.enabled,
                            secrets.get_secret(_account(c.name)) is not None) for c in rows]


def set_channel_enabled(db: Database, name: str, enabled: bool) -> ChannelInfo:
    """Disable (``enabled=False``) or enable a channel; a disabled channel keeps its address and events but
    queues nothing (:func:`queue_event_in`). Undo: call again with the previous value (``enabled`` of the
    returned info before the call, from :func:`list_channels`)."""
    with db.session() as s:
        c = s.scalar(select(m.NotifyChannel).where(func.lower(m.NotifyChannel.name) == (name or "").strip().lower()))
        if c is None:
            raise NotFoundError("Channel", name)
        c.enabled = bool(enabled)
        info = ChannelInfo(c.name, c.kind, tuple(c.events or ()), c.enabled, True)
    return ChannelInfo(info.name, info.kind, info.events, info.enabled,
                       secrets.get_secret(_account(info.name)) is not None)


def remove_channel(db: Database, name: str) -> None:
    with db.session() as s:
        c = s.scalar(select(m.NotifyChannel).where(func.lower(m.NotifyChannel.name) == name.strip().lower()))
        if c is None:
            raise NotFoundError("Channel", name)
        account = _account(c.name)
        s.delete(c)
    secrets.delete_secret(account)


def queue_event(db: Database, event: str, *, subject: str, text: str, key: str, data: dict | None = None,
                per_recipient: list[tuple[str, str, str, dict]] | None = None) -> int:
    """Queue a notice of ``event`` for every enabled channel that receives it; returns how many were queued.

    Teams and Slack channels get one message (``subject``/``text``); a JSON channel gets one message per
    ``per_recipient`` entry ``(code, subject, text, data)`` when given (a gateway texting each person), else
    one. ``key`` identifies the notice: queuing it again adds nothing."""
    with db.session() as s:
        return queue_event_in(s, event, subject=subject, text=text, key=key, data=data, per_recipient=per_recipient)


def queue_event_in(s, event: str, *, subject: str, text: str, key: str, data: dict | None = None,
                   per_recipient: list[tuple[str, str, str, dict]] | None = None) -> int:
    """:func:`queue_event` inside the caller's transaction ``s`` (e.g. the publication's)."""
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r}")
    now = outbox.utcnow()
    queued = 0
    channels = [c for c in s.scalars(select(m.NotifyChannel).where(m.NotifyChannel.enabled.is_(True)))
                if event in (c.events or [])]
    for c in channels:
        items = [("", subject, text, data or {})]
        if c.kind == "json" and per_recipient:
            items = per_recipient
        for code, subj, body, extra in items:
            k = f"{c.name}|{event}|{key}" + (f"|{code}" if code else "")
            digest = hashlib.sha1(k.encode()).hexdigest()[:16]
            stmt = insert_for(s, m.OutboxMessage).values(
                idempotency_key=k[:300], event=event, template_name=f"webhook:{c.kind}", timetable_id=None,
                faculty_id=None, faculty_code=code, recipient_name=one_line(c.name)[:200],
                recipient_email=f"webhook:{c.name}"[:254], subject=one_line(subj)[:300], body_text=body,
                body_html="", attach_pdf=False, message_id=new_message_id("", f"ato.hook.{digest}"),
                status="queued", attempts=0, last_error="", next_attempt_at=now, created_at=now,
                channel=c.name, payload=json.dumps(extra, ensure_ascii=False, default=str),
            ).on_conflict_do_nothing(index_elements=["idempotency_key"])
            queued += inserted(s, stmt)
    return queued


def queue_publication(s, timetable_name: str, timetable_id: int, previous: str | None,
                      changes: dict[str, list[str]]) -> int:
    """``publish`` (the version is out) and ``slot_change`` (whose classes moved) notices, in the
    publication's transaction ``s``. One notice per version publication."""
    key = f"tt{timetable_id}"
    n = queue_event_in(s, "publish", subject=f"Timetable published: {timetable_name}",
                       text=(f"The timetable “{timetable_name}” is published"
                             + (f" (replacing “{previous}”)" if previous else "") + "."
                             + (f" Classes changed for {len(changes)} faculty member(s)." if previous else "")),
                       key=key, data={"version": timetable_name, "previous": previous,
                                      "faculty_with_changes": sorted(changes)})
    if previous and changes:
        lines = [f"{code}: {line}" for code in sorted(changes) for line in changes[code]]
        n += queue_event_in(s, "slot_change", subject=f"Changed classes in “{timetable_name}”",
                            text="\n".join(lines), key=key, data={"version": timetable_name, "changes": changes},
                            per_recipient=[(code, f"Your classes changed in “{timetable_name}”",
                                            "\n".join(changes[code]), {"faculty": code, "changes": changes[code]})
                                           for code in sorted(changes)])
    return n


@dataclass
class WebhookReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    uncertain: int = 0
    errors: list[str] | None = None

    def summary(self) -> str:
        return (f"webhooks: {self.sent} sent, {self.retrying} to retry, {self.failed} failed, "
                f"{self.uncertain} uncertain")


def _due(db: Database, now: dt.datetime) -> list[int]:
    with db.read_session() as s:
        return list(s.scalars(select(m.OutboxMessage.id).where(
            m.OutboxMessage.channel != "", m.OutboxMessage.status == "queued",
            m.OutboxMessage.next_attempt_at <= now).order_by(m.OutboxMessage.id)))


def deliver_webhooks(db: Database, *, now: dt.datetime | None = None,
                     should_stop: Callable[[], bool] | None = None,
                     poster: Callable[..., int] | None = None) -> WebhookReport:
    """Post every due webhook message once (claim, post, mark) — the e-mail outbox's rules."""
    now = now or outbox.utcnow()
    poster = poster or webhooks.post
    report = WebhookReport(errors=[])
    with db.read_session() as s:
        kinds = {c.name: c.kind for c in s.scalars(select(m.NotifyChannel))}
    for msg_id in _due(db, now):
        if should_stop is not None and should_stop():
            break
        row = outbox._claim(db, msg_id, now)
        if row is None:
            continue
        kind = kinds.get(row.channel)
        url = secrets.get_secret(_account(row.channel)) if kind else None
        try:
            if kind is None:
                raise webhooks.WebhookError(f"the channel {row.channel!r} was removed.", permanent=True)
            if not url:
                raise webhooks.WebhookError(f"the address of channel {row.channel!r} is not in this computer's "
                                            "keychain; add the channel again.", permanent=True)
            body = webhooks.payload(kind, event=row.event, subject=row.subject, text=row.body_text,
                                    data=json.loads(row.payload or "{}"), key=row.idempotency_key)
            poster(url, body, key=row.idempotency_key)
        except webhooks.WebhookError as exc:
            report.errors.append(str(exc))
            with db.session() as s:
                o = s.get(m.OutboxMessage, msg_id)
                if exc.uncertain:
                    o.status, o.last_error, o.claimed_at = "uncertain", str(exc)[:2000], None
                    report.uncertain += 1
                elif outbox._mark_failed(s, o, str(exc), exc.permanent, now) == "failed":
                    report.failed += 1
                else:
                    report.retrying += 1
            continue
        outbox._mark_sent(db, msg_id, outbox.utcnow())
        report.sent += 1
    return report


# ---- the Channels dialog's edits as operations (services.operations.Change) ------------------------
def add_webhook(db: Database, *, name: str, kind: str, url: str, events):
    """Add a channel (see :func:`add_channel`). Not undoable: its address went to the keychain."""
    from ato_desktop.services.operations import Change

    info = add_channel(db, name, kind, url, events)
    return Change(f"Add channel {info.name}", {"notifications"}, result=info)


def switch_channel(db: Database, *, name: str, enabled: bool):
    """Enable or disable a channel; undo switches it back."""
    from ato_desktop.services.operations import Change

    info = set_channel_enabled(db, name, enabled)
    summary = f"{'Enable' if enabled else 'Disable'} channel {info.name}"

    def back(d: Database):
        c = switch_channel(d, name=name, enabled=not enabled)
        c.summary = summary
        return c

    return Change(summary, {"notifications"}, result=info, reverse=back)


def remove_webhook(db: Database, *, name: str):
    """Remove a channel and its address from the keychain. Not undoable (the address is gone)."""
    from ato_desktop.services.operations import Change

    remove_channel(db, name)
    return Change(f"Remove channel {name}", {"notifications"})
