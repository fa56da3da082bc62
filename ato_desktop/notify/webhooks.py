"""Webhook channels: a payload template per kind, and one HTTP POST (no database here).

Kinds: ``teams`` (a Microsoft Teams incoming webhook: a MessageCard), ``slack`` (a Slack incoming
webhook: ``{"text": …}`` with mrkdwn), ``json`` (a generic webhook for a college's SMS / WhatsApp
gateway: the event, the text and the structured data). Every request carries the message's
``Idempotency-Key`` so a receiver can drop a duplicate.

:func:`post` raises :class:`WebhookError`: ``permanent`` for a refusal that will not change (4xx other
than 408/429, a URL that is not http(s)), ``uncertain`` when the request was sent but no answer came
back (it may have arrived: never re-sent on its own), otherwise a failure worth retrying (server down,
5xx, 408, 429).
"""

from __future__ import annotations

import http.client
import json
import socket
import urllib.error
import urllib.request
from urllib.parse import urlsplit

KINDS = ("teams", "slack", "json")
TIMEOUT_S = 15.0


class WebhookError(Exception):
    def __init__(self, message: str, *, permanent: bool = False, uncertain: bool = False):
        super().__init__(message)
        self.permanent, self.uncertain = permanent, uncertain


def check_url(url: str) -> str:
    """The URL if it is an http(s) address with a host; ValueError with a plain sentence otherwise."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not a web address starting with https:// (or http://).")
    return url


def payload(kind: str, *, event: str, subject: str, text: str, data: dict | None = None, key: str = "") -> dict:
    """The body posted for one message, in the shape the kind of channel expects."""
    if kind == "teams":
        return {"@type": "MessageCard", "@context": "https://schema.org/extensions", "summary": subject[:200],
                "themeColor": "34495E", "title": subject, "text": text.replace("\n", "  \n")}
    if kind == "slack":
        return {"text": f"*{subject}*\n{text}"}
    if kind == "json":
        return {"event": event, "subject": subject, "text": text, "data": data or {}, "idempotency_key": key}
    raise ValueError(f"unknown channel kind {kind!r}")


def post(url: str, body: dict, *, key: str = "", timeout: float = TIMEOUT_S) -> int:
    """POST ``body`` as JSON; returns the HTTP status (2xx) or raises :class:`WebhookError`."""
    try:
        check_url(url)
    except ValueError as exc:
        raise WebhookError(str(exc), permanent=True) from None
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "User-Agent": "ATO-Desktop", "Idempotency-Key": key})
    host = urlsplit(url).hostname
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (http(s) checked above)
            resp.read(65536)
            return resp.status
    except urllib.error.HTTPError as exc:
        code = exc.code
        if 500 <= code or code in (408, 429):
            raise WebhookError(f"{host} answered {code} {exc.reason}; it will be tried again.") from None
        raise WebhookError(f"{host} refused the message: {code} {exc.reason}.", permanent=True) from None
    except urllib.error.URLError as exc:
        # raised while connecting or sending the request: nothing was delivered
        raise WebhookError(f"{host} cannot be reached ({exc.reason}); it will be tried again.") from None
    except (socket.timeout, TimeoutError):
        raise WebhookError(f"{host} did not answer in time; the message may have arrived, so it is not sent "
                           "again on its own.", uncertain=True) from None
    except (http.client.RemoteDisconnected, ConnectionResetError) as exc:
        raise WebhookError(f"{host} closed the connection without an answer ({type(exc).__name__}); the message "
                           "may have arrived, so it is not sent again on its own.", uncertain=True) from None
    except (OSError, http.client.HTTPException) as exc:
        raise WebhookError(f"{host} cannot be reached ({exc}); it will be tried again.") from None
