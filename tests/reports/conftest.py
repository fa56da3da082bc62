"""Helpers for reading rendered PDFs back."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader


def read_pdf(data: bytes) -> PdfReader:
    assert data[:5] == b"%PDF-", "not a PDF"
    return PdfReader(io.BytesIO(data))


def page_texts(reader: PdfReader) -> list[str]:
    return [p.extract_text() or "" for p in reader.pages]


def count_word(text: str, word: str) -> int:
    """Occurrences of ``word`` not glued to other letters/digits (CS201 is not CS2011)."""
    return len(re.findall(rf"(?<![A-Za-z0-9]){re.escape(word)}(?![A-Za-z0-9])", text))


def outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    """Flattened bookmarks: (level, title, 0-based page)."""
    out = []

    def walk(items, level):
        for it in items:
            if isinstance(it, list):
                walk(it, level + 1)
            else:
                out.append((level, it.title, reader.get_destination_page_number(it)))

    walk(reader.outline, 0)
    return out


@pytest.fixture(scope="module")
def demo_copy(tmp_path_factory, _demo_template):
    """A module-wide demo database (read-only use): a copy of the session's demo file (tests/conftest.py)."""
    import shutil

    from ato_desktop.storage.database import open_database

    path = tmp_path_factory.mktemp("reports") / "demo.atodb"
    shutil.copyfile(_demo_template, path)
    db = open_database(path)
    yield db
    db.close()
