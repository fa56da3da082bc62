"""The department book laid out in several processes and joined (services.book) is the book laid out in one:
the same pages with the same text (so the same contents page numbers and "Page x of y"), the same
bookmarks and the same contents links; a cancel part-way leaves no file, no temporary file and no process."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import tempfile

import pytest

from ato_desktop.reports import ReportCancelled, ReportError
from ato_desktop.reports.build import build_report
from ato_desktop.services.book import render_book
from ato_desktop.services.reports import load_report_data
from ato_desktop.storage.database import open_database
from tests.reports.conftest import outline, page_texts, read_pdf

NOW = dt.datetime(2026, 12, 6, 9, 30, tzinfo=dt.timezone.utc)  # one "Generated" line for both books


def _links(reader) -> list[tuple[int, list[int], int]]:
    """Every internal link: (page, rounded rect, target page)."""
    out = []
    for i, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            dest = annot.get("/Dest")
            if dest is None and "/A" in annot:
                dest = annot["/A"].get("/D")
            out.append((i, [round(float(v)) for v in annot["/Rect"]], reader.get_page_number(dest[0].get_object())))
    return out


def _same_book(serial: bytes, parallel: bytes) -> int:
    a, b = read_pdf(serial), read_pdf(parallel)
    assert len(b.pages) == len(a.pages)
    texts_a, texts_b = page_texts(a), page_texts(b)
    for i, (x, y) in enumerate(zip(texts_a, texts_b)):
        assert x == y, f"page {i + 1} differs"
    assert outline(b) == outline(a)
    links = _links(a)
    assert len(links) > 10 and _links(b) == links
    return len(a.pages)


def _no_workers_left() -> None:
    assert multiprocessing.active_children() == []


@pytest.fixture
def own_temp(tmp_path, monkeypatch):
    """The system's temporary folder for this test alone (the parts' folder is made there)."""
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_small_book_in_two_processes_equals_the_book_in_one(demo_copy, tmp_path, own_temp):
    data = load_report_data(demo_copy, now=NOW)
    serial, pages, _ = build_report(data, "book")
    out = tmp_path / "out" / "book.pdf"
    seen = []
    result = render_book(demo_copy, out, processes=2, data=data, on_progress=seen.append)
    assert result.pages == pages == _same_book(serial, out.read_bytes())
    assert result.size == out.stat().st_size
    fractions = [p.fraction for p in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert sum("Laying out" in p.message for p in seen) > 20
    assert [p.name for p in out.parent.iterdir()] == ["book.pdf"]  # no temporary file beside it
    assert list(own_temp.iterdir()) == []  # the parts' folder is gone
    _no_workers_left()


@pytest.mark.slow
def test_large_book_in_two_processes_equals_the_book_in_one(large_demo_path, tmp_path, own_temp):
    db = open_database(large_demo_path)
    try:
        data = load_report_data(db, now=NOW)
        serial, pages, _ = build_report(data, "book")
        out = tmp_path / "book.pdf"
        result = render_book(db, out, data=data, processes=2)
    finally:
        db.close()
    assert result.pages == pages == _same_book(serial, out.read_bytes()) > 150
    assert list(own_temp.iterdir()) == []
    _no_workers_left()


def test_cancel_part_way_leaves_no_file_and_no_process(demo_copy, tmp_path, own_temp):
    data = load_report_data(demo_copy, now=NOW)
    out = tmp_path / "book.pdf"
    out.write_bytes(b"the old book")
    laid = []

    def on_progress(p) -> None:
        if "Laying out" in p.message:
            laid.append(p.message)

    with pytest.raises(ReportCancelled):
        render_book(demo_copy, out, processes=2, data=data, on_progress=on_progress,
                    should_stop=lambda: len(laid) >= 5)  # once the parts are under way
    assert len(laid) >= 5
    assert out.read_bytes() == b"the old book"
    assert [p.name for p in tmp_path.iterdir() if p.name != "temp"] == ["book.pdf"]
    assert list(own_temp.iterdir()) == []
    _no_workers_left()


def test_processes_must_be_one_or_more(demo_copy, tmp_path):
    with pytest.raises(ReportError, match="1 or more"):
        render_book(demo_copy, tmp_path / "book.pdf", processes=0)
    assert list(tmp_path.iterdir()) == []


def test_one_process_for_a_small_book_every_core_for_a_campus_one(demo_copy, tmp_path, own_temp, monkeypatch):
    from ato_desktop.services import book

    started = []
    real = multiprocessing.get_context
    monkeypatch.setattr(book.multiprocessing, "get_context", lambda method: started.append(method) or real(method))
    monkeypatch.setattr(book, "default_processes", lambda: 2)
    small = render_book(demo_copy, tmp_path / "small.pdf")  # 49 sections
    assert started == [] and small.pages > 40
    monkeypatch.setattr(book, "MIN_SECTIONS", 10)  # as if it were a campus's book
    assert render_book(demo_copy, tmp_path / "parts.pdf").pages == small.pages
    assert started == ["spawn"]  # fresh interpreters: nothing of the app's threads (Qt, tasks) is forked
    _no_workers_left()


def _crash_in_worker(mode: str) -> None:
    """Run in a worker process as its arguments are unpickled: part 0 of the book dies (``exit``: the
    process ends at once, as on a crash of the interpreter or of a C library) or fails (``raise``) as its
    second section is laid out."""
    import os

    from ato_desktop.reports import book_parts

    real = book_parts.render_part

    def render_part(data, sections, path, exchange, **kw):
        told = kw.get("on_section")
        seen = []

        def on_section(title: str) -> None:
            seen.append(title)
            if len(seen) == 2 and multiprocessing.current_process().name == "ato-book-part0":
                if mode == "exit":
                    os._exit(3)
                raise RuntimeError("the test's worker failed on purpose")
            if told is not None:
                told(title)
        return real(data, sections, path, exchange, **{**kw, "on_section": on_section})

    book_parts.render_part = render_part


class _CrashHook:
    """Harmless in this process; in a spawned worker, unpickling it calls ``_crash_in_worker``."""

    def __init__(self, mode: str):
        self.mode = mode

    def __reduce__(self):
        return _crash_in_worker, (self.mode,)


@pytest.mark.parametrize("mode", ["exit", "raise"])
def test_a_worker_that_dies_gives_one_sentence_and_leaves_nothing(mode, demo_copy, tmp_path, own_temp):
    """Printing leftover of issue 16: a spawned worker that dies or fails part-way (the real processes)
    ends the book with one sentence, the old file kept, no temporary file or folder and no process
    left, and no wait (a hang fails through the watchdog)."""
    import faulthandler
    import sys

    data = load_report_data(demo_copy, now=NOW)
    data.crash_hook = _CrashHook(mode)  # travels to the workers with the book's data
    out = tmp_path / "book.pdf"
    out.write_bytes(b"the old book")
    faulthandler.dump_traceback_later(120, exit=True, file=sys.__stderr__)  # a hang ends the run, loudly
    try:
        with pytest.raises(ReportError) as info:
            render_book(demo_copy, out, processes=2, data=data)
    finally:
        faulthandler.cancel_dump_traceback_later()
    message = str(info.value)
    assert "\n" not in message and message.startswith("a part of the book could not be laid out"), message
    assert ("exit code 3" if mode == "exit" else "RuntimeError: the test's worker failed on purpose") in message
    assert out.read_bytes() == b"the old book"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.pdf", "temp"]
    assert list(own_temp.iterdir()) == []
    _no_workers_left()
