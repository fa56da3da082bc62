"""Protection of exported spreadsheet cells against formula injection.

A spreadsheet program treats a text cell beginning with ``=``, ``+``, ``-``
or ``@`` (and, in some programs, a leading tab or carriage return) as a
formula. A faculty name such as ``=HYPERLINK("http://evil", "click")`` typed
into the app must not become a live formula in a coordinator's copy of an
exported list. :func:`safe_cell` prefixes such text with an apostrophe (the
OWASP recommendation), which every spreadsheet shows as plain text.

Numbers (``int``/``float``) are left as they are: ``-5`` is a number, not a
formula.
"""

from __future__ import annotations

from typing import Any

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

__all__ = ["DANGEROUS_PREFIXES", "safe_cell", "is_dangerous", "unprotect"]


def is_dangerous(text: str) -> bool:
    return bool(text) and text.startswith(DANGEROUS_PREFIXES)


def safe_cell(value: Any) -> Any:
    """The value to write into an exported cell: dangerous text gets a leading apostrophe."""
    if isinstance(value, str) and is_dangerous(value):
        return "'" + value
    return value


def unprotect(text: str) -> str:
    """Undo :func:`safe_cell` on import: ``'=x`` becomes ``=x`` (only before a dangerous character).

    A spreadsheet treats the apostrophe as "this is text", not as part of the
    value, so an exported list re-imports exactly. Other apostrophes stay.
    """
    if len(text) >= 2 and text[0] == "'" and text[1:2] in DANGEROUS_PREFIXES:
        return text[1:]
    return text
