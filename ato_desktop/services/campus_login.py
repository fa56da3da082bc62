"""Opening a campus database from the app's form (File ▸ Open campus database…, issue 19): the URL made
of its parts, the URL as shown (never with a password), and a typed password kept in the OS keychain, never
in the settings (storage/campus.py reads it from there when the URL has none; libpq reads ~/.pgpass)."""

from __future__ import annotations

from ato_desktop.services.errors import ValidationError

SSL_MODES = ("prefer", "require", "verify-ca", "verify-full", "disable", "allow")


def campus_url(*, host: str, port: int | None, database: str, user: str, sslmode: str = "prefer",
               password: str | None = None) -> str:
    """``postgresql://user@host:port/database?sslmode=…`` of the form's fields (with ``password`` only
    for the connection itself: it is never shown nor stored). Missing fields are one sentence."""
    from sqlalchemy.engine import URL

    host, database, user = (host or "").strip(), (database or "").strip(), (user or "").strip()
    if not database:
        raise ValidationError("Campus database", "database", "give the database's name (e.g. campus).")
    if not user:
        raise ValidationError("Campus database", "user", "give your login on the server (e.g. ece_coord).")
    if sslmode not in SSL_MODES:
        raise ValidationError("Campus database", "sslmode", f"one of {', '.join(SSL_MODES)}.")
    query = {"sslmode": sslmode}
    if host.startswith("/"):  # a Unix socket's folder
        query, host = {"host": host, **({"port": str(port)} if port else {}), **query}, None
        port = None
    u = URL.create("postgresql", username=user, password=password or None, host=host or None,
                   port=int(port) if port else None, database=database, query=query)
    return u.render_as_string(hide_password=False)


def with_password(url: str, password: str | None) -> str:
    """``url`` with ``password`` in it, to connect with (kept in memory only); ``url`` itself without one."""
    if not password:
        return url
    from sqlalchemy.engine import make_url

    try:
        u = make_url(url.strip())
    except Exception:  # noqa: BLE001 - a malformed URL: opening it says so in one sentence
        return url
    return u.set(password=password).render_as_string(hide_password=False)


def shown_url(url: str) -> str:
    """The URL as the user sees it and as the recent list keeps it: without any password."""
    from ato_desktop.storage.campus import safe_location

    return safe_location(url)


def remember_password(url: str, password: str) -> str:
    """Keep ``password`` in the OS keychain for the URL's user and host; "" when kept, else why not."""
    from ato_desktop.storage.campus import store_password

    try:
        store_password(url, password)
    except Exception as exc:  # noqa: BLE001 - no keychain here: the user puts it in ~/.pgpass instead
        return f"the password could not be kept in the OS keychain ({exc}); put it in ~/.pgpass"
    return ""
