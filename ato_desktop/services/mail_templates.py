"""Mail templates: the subject and bodies (with ``$variables``) each kind of notice is rendered from."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ato_desktop.notify.render import VARIABLES, unknown_variables
from ato_desktop.services.errors import NotFoundError, ValidationError
from ato_desktop.storage import models as m
from ato_desktop.storage.database import Database


@dataclass(frozen=True)
class TemplateInfo:
    id: int
    name: str
    subject: str
    body_text: str
    body_html: str
    attach_pdf: bool


def _tpl_info(t: m.MailTemplate) -> TemplateInfo:
    return TemplateInfo(t.id, t.name, t.subject, t.body_text, t.body_html, t.attach_pdf)


def list_templates(db: Database) -> list[TemplateInfo]:
    with db.read_session() as s:
        return [_tpl_info(t) for t in s.scalars(select(m.MailTemplate).order_by(m.MailTemplate.name))]


def _tpl(s: Session, name: str) -> m.MailTemplate:
    t = s.scalar(select(m.MailTemplate).where(func.lower(m.MailTemplate.name) == (name or "").strip().lower()))
    if t is None:
        raise NotFoundError("Mail template", name)
    return t


def get_template(db: Database, name: str) -> TemplateInfo:
    with db.read_session() as s:
        return _tpl_info(_tpl(s, name))


def save_template(db: Database, name: str, *, subject: str, body_text: str, body_html: str = "",
                  attach_pdf: bool = True) -> TemplateInfo:
    """Create or replace the template ``name``."""
    name = (name or "").strip()
    if not name or len(name) > 100 or not re.fullmatch(r"[A-Za-z0-9_. -]+", name):
        raise ValidationError("Mail template", "name", "use letters, digits, '_', '-', '.' or spaces (at most 100).")
    if not (subject or "").strip():
        raise ValidationError("Mail template", "subject", "is required.")
    if "\n" in subject or "\r" in subject:
        raise ValidationError("Mail template", "subject", "must be one line.")
    if len(subject) > 300:
        raise ValidationError("Mail template", "subject", "is longer than 300 characters.")
    if not (body_text or "").strip():
        raise ValidationError("Mail template", "text", "is required (the plain-text part).")
    unknown = unknown_variables(subject, body_text, body_html or "")
    if unknown:
        names = ", ".join(f"${n}" for n in unknown)
        raise ValidationError("Mail template", "variables",
                              f"{names} {'is' if len(unknown) == 1 else 'are'} not a known variable "
                              f"(known: {', '.join('$' + v for v in VARIABLES)}).")
    with db.session() as s:
        t = s.scalar(select(m.MailTemplate).where(func.lower(m.MailTemplate.name) == name.lower()))
        if t is None:
            t = m.MailTemplate(name=name)
            s.add(t)
        t.subject, t.body_text, t.body_html, t.attach_pdf = subject.strip(), body_text, body_html or "", bool(attach_pdf)
        s.flush()
        return _tpl_info(t)


def delete_template(db: Database, name: str) -> None:
    with db.session() as s:
        s.delete(_tpl(s, name))


__all__ = ["TemplateInfo", "list_templates", "get_template", "save_template", "delete_template"]
