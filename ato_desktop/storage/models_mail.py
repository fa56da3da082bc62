"""Notices: e-mail templates, the outbox, and webhook channels."""

from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ato_desktop.storage.models_base import *  # noqa: F403  (Base and the enumerations)
from ato_desktop.storage.models_base import _in, utcnow

# ---------------------------------------------------------------------------
# E-mail notifications: templates and the outbox
# ---------------------------------------------------------------------------
OUTBOX_STATUSES = ("queued", "sending", "sent", "failed", "uncertain")  # uncertain: may have been sent


class MailTemplate(Base):
    """A message template; ``$name`` variables are filled per recipient (see ``ato_desktop.notify.render``)."""

    __tablename__ = "mail_template"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")  # empty = derived from the text part
    attach_pdf: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class OutboxMessage(Base):
    """One e-mail to one recipient, written before it is sent.

    ``status``: queued -> sending (claimed by a sender) -> sent, or back to
    queued with ``last_error`` and a later ``next_attempt_at``; ``failed``
    after too many attempts or a permanent refusal. ``idempotency_key`` is
    unique per (template, version, faculty, event): queuing the same event
    twice adds nothing. ``message_id`` is fixed at queue time so a Retry after
    an interrupted send carries the same Message-ID header.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        CheckConstraint(_in("status", OUTBOX_STATUSES), name="status_valid"),
        CheckConstraint("attempts >= 0", name="attempts_nonneg"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(300), unique=True)
    event: Mapped[str] = mapped_column(String(100))
    template_name: Mapped[str] = mapped_column(String(100), default="")
    timetable_id: Mapped[Optional[int]] = mapped_column(ForeignKey("timetable.id", ondelete="SET NULL"), index=True)
    faculty_id: Mapped[Optional[int]] = mapped_column(ForeignKey("faculty.id", ondelete="SET NULL"), index=True)
    faculty_code: Mapped[str] = mapped_column(String(20), default="")
    recipient_name: Mapped[str] = mapped_column(String(200), default="")
    recipient_email: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    attach_pdf: Mapped[bool] = mapped_column(Boolean, default=False)
    message_id: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    claimed_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    # "" = e-mail to recipient_email; else the name of a webhook channel (NotifyChannel) it is posted to
    channel: Mapped[str] = mapped_column(String(60), default="", server_default="")
    payload: Mapped[Optional[str]] = mapped_column(Text)  # JSON data of a webhook message




CHANNEL_KINDS = ("teams", "slack", "json")  # Microsoft Teams / Slack incoming webhooks, a generic JSON webhook
CHANNEL_EVENTS = ("substitution", "publish", "slot_change", "daily_digest")


class NotifyChannel(Base):
    """A webhook a notice can be posted to; its URL is a secret kept in the OS keychain, not here.

    ``events``: the events (``CHANNEL_EVENTS``) this channel receives.
    """

    __tablename__ = "notify_channel"
    __table_args__ = (CheckConstraint(_in("kind", CHANNEL_KINDS), name="kind_valid"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    events: Mapped[list[str]] = mapped_column(default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
