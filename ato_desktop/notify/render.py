"""Message templates: ``$variable`` placeholders (``string.Template``), plain text and HTML.

Values are plain text. In the HTML part every value is HTML-escaped; list
values (``$changes``, ``$classes``) become a bulleted list in both parts.
Unknown ``$names`` are left as they are (``safe_substitute``), so a typo shows
up in the preview; saving a template with one is refused (:func:`unknown_variables`). The subject is one line:
CR/LF in a value cannot reach a mail header.
"""

from __future__ import annotations

import html
import string
from dataclasses import dataclass
from typing import Mapping, Sequence

VARIABLES: dict[str, str] = {
    "faculty_name": "the recipient's name",
    "faculty_code": "the recipient's short code",
    "term": "the term (Settings)",
    "version": "the timetable version's name",
    "week": "the week, e.g. 'week of 23 Nov 2026'",
    "day": "the day a digest is about, e.g. 'Tuesday 24 Nov 2026'",
    "changes": "the recipient's changes since the previous published version (list)",
    "classes": "the recipient's classes (the week, or tomorrow for a digest) (list)",
    "institution": "the institution's name (Settings)",
    "department": "the department's name (Settings)",
    "published": "'has been published', or for a draft 'is a draft for review, not final'",
    "changes_since": "'since the previous published version', or for a draft 'compared with the timetable in force now'",
}


def unknown_variables(*texts: str) -> list[str]:
    """The ``$names`` / ``${names}`` used in ``texts`` that are not :data:`VARIABLES`, in order of use.

    ``$$`` is a literal dollar sign; a lone ``$`` not followed by a name is left alone."""
    seen: list[str] = []
    for text in texts:
        for mo in string.Template.pattern.finditer(text or ""):
            name = mo.group("named") or mo.group("braced")
            if name and name not in VARIABLES and name not in seen:
                seen.append(name)
    return seen

Value = str | Sequence[str]


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def one_line(value: str) -> str:
    """Collapse CR/LF (and other line breaks) into spaces: a header value is one line."""
    return " ".join(str(value).splitlines()).replace("\r", " ").replace("\n", " ").strip()


def _text_value(v: Value) -> str:
    if isinstance(v, str):
        return v
    items = list(v)
    if not items:
        return "  (none)"
    return "\n".join(f"  - {one_line(x)}" for x in items)


def _html_value(v: Value) -> str:
    if isinstance(v, str):
        return html.escape(v).replace("\n", "<br>\n")
    items = list(v)
    if not items:
        return "<p><i>(none)</i></p>"
    return "<ul>\n" + "".join(f"<li>{html.escape(one_line(x))}</li>\n" for x in items) + "</ul>"


def render(subject: str, body_text: str, body_html: str, variables: Mapping[str, Value]) -> Rendered:
    subj = string.Template(subject).safe_substitute(
        {k: (v if isinstance(v, str) else ", ".join(v)) for k, v in variables.items()})
    text = string.Template(body_text).safe_substitute({k: _text_value(v) for k, v in variables.items()})
    if body_html.strip():
        body = string.Template(body_html).safe_substitute({k: _html_value(v) for k, v in variables.items()})
    else:  # derived from the rendered text part, escaped
        body = f'<div style="white-space: pre-wrap">{html.escape(text)}</div>'
    page = ('<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head>\n'
            f'<body style="font-family: sans-serif">\n{body}\n</body></html>\n')
    return Rendered(one_line(subj)[:300], text, page)
