"""The department book on every core: its sections laid out in several processes, then joined (issue 16 §2).

``render_book`` reads the version once, shares the book's sections out among ``processes`` worker
processes (started fresh, "spawn": nothing of the app's threads or Qt is copied), each of which lays out
its sections to a PDF file in a temporary folder (``reports.book_parts``). When every part is laid out the
contents are laid out here, the parts are told the book's page numbers and saved, and the pages are
joined in order into the output file (written to a temporary file beside it, then renamed). The workers
get the data read here (one consistent snapshot); the one that prints the conflicts opens the database
read-only, through the driver, to compile the version. Cancel (``should_stop``) or any error ends the
workers and removes the temporary folder; no output file is left.

A small book (fewer than :data:`MIN_SECTIONS` sections), one core, a campus database (no file for the
workers to open) or an installation without pypdf (the joiner) is laid out in this process, as
``reports.build.build_report`` does. The worker processes import the caller's main module again
("spawn"): a script that prints a book needs the usual ``if __name__ == "__main__":`` guard.
"""

from __future__ import annotations

import copy
import importlib.util
import logging
import multiprocessing
import os
import tempfile
import threading
import time
import traceback
from multiprocessing.connection import wait
from pathlib import Path

from ato_desktop.reports.build import ProgressFn, ReportResult, StopFn, _Reporter, check_request
from ato_desktop.reports.data import ReportData, ReportError
from ato_desktop.reports.layout import ReportCancelled

log = logging.getLogger(__name__)

# below this many sections one process: each worker's start (a fresh interpreter: imports, fonts, the data)
# costs about 1.5 s of CPU, and the large demo's book (194 sections) takes under 5 s of CPU in one
MIN_SECTIONS = 300
POLL_S = 0.1  # how often the waiting parent looks at should_stop


def default_processes() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def _compiled_from(db_path: str, timetable_id: int):
    def compiled():
        from ato_desktop.services.compile import compile_database
        from ato_desktop.storage.database import open_readonly

        db = open_readonly(db_path)
        try:
            return compile_database(db, timetable_id)[:2]
        finally:
            db.close()
    return compiled


def _worker(conn, data: ReportData, db_path: str | None, indexes: list[int], path: str, paper: str,
            landscape: bool) -> None:
    """A worker process: lay out the sections ``indexes`` of the book to ``path``; talk to the parent on ``conn``."""
    from ato_desktop.reports.book_parts import book_sections, render_part

    try:
        if db_path is not None:
            data.compiled = _compiled_from(db_path, data.timetable.id)
        sections = book_sections(data, paper, landscape)

        laid_at = []

        def exchange(marker_pages: dict[str, int], pages: int):
            laid_at[:] = [time.process_time(), time.perf_counter()]  # (monotonic: the same clock in every process)
            conn.send(("laid", marker_pages, pages))
            msg = conn.recv()
            if msg[0] != "save":
                raise ReportCancelled()
            return msg[1], msg[2]

        pages = render_part(data, [sections[i] for i in indexes], Path(path), exchange, paper=paper,
                            landscape=landscape, on_section=lambda title: conn.send(("section", title)))
        conn.send(("saved", pages, *laid_at))
    except ReportCancelled:
        pass
    except ReportError as exc:
        conn.send(("error", "report", str(exc)))
    except BaseException:  # noqa: BLE001 (the parent says what failed)
        conn.send(("error", "crash", traceback.format_exc()))
    finally:
        conn.close()


def _section_start(section) -> str:
    return next(p.key for p in section if p.make is not None)


def render_book(db, out_path: str | os.PathLike, *, timetable_id: int | str | None = None, paper: str = "A4",
                landscape: bool = True, processes: int | None = None, on_progress: ProgressFn | None = None,
                should_stop: StopFn | None = None, data: ReportData | None = None) -> ReportResult:
    """The department book of a version to ``out_path`` on ``processes`` processes (``None``: every core,
    and this process alone for a small book). See the module's text."""
    from ato_desktop.reports.book_parts import book_sections, section_weight, share_out
    from ato_desktop.reports.build import build_report, write_atomic
    from ato_desktop.services.reports import load_report_data

    t0 = time.perf_counter()
    check_request("book", None, paper)
    if processes is not None and processes < 1:
        raise ReportError(f"the number of processes must be 1 or more, not {processes}.")
    rep = _Reporter(on_progress, should_stop)
    rep(0.0, "Reading the timetable")
    if data is None:
        data = load_report_data(db, timetable_id)
    sections = book_sections(data, paper, landscape)
    n = processes if processes is not None else default_processes()
    n = min(n, len(sections))
    path = Path(out_path)
    db_path = _file_of(db)
    if (n < 2 or (processes is None and len(sections) < MIN_SECTIONS) or (db is not None and db_path is None)
            or importlib.util.find_spec("pypdf") is None):  # the joiner (a bundle built without it: one process)
        pdf, pages, data = build_report(data, "book", paper=paper, landscape=landscape, on_progress=on_progress,
                                        should_stop=should_stop)
        write_atomic(path, pdf)
        return ReportResult(path, "book", pages, time.perf_counter() - t0, data.timetable.name, len(pdf))

    shares = share_out([section_weight(data, s) for s in sections], n)
    payload = copy.copy(data)
    payload.compiled = None  # a closure over this process's database: the worker opens its own
    payload.__dict__.pop("_idx", None)
    ctx = multiprocessing.get_context("spawn")  # never fork a process with threads (Qt, the task runner)
    with tempfile.TemporaryDirectory(prefix="ato-book-") as tmp:
        workers: list[tuple] = []
        try:
            for k, indexes in enumerate(shares):
                ours, theirs = ctx.Pipe()
                proc = ctx.Process(target=_worker, name=f"ato-book-part{k}", daemon=True,
                                   args=(theirs, payload, db_path, indexes, str(Path(tmp) / f"part{k}.pdf"),
                                         paper, landscape))
                proc.start()
                theirs.close()
                workers.append((proc, ours))
            pages = _run(workers, shares, sections, data, Path(tmp), path, paper, landscape, rep, should_stop)
        finally:
            for proc, conn in workers:
                if proc.is_alive():
                    proc.terminate()
                proc.join()
                conn.close()
    return ReportResult(path, "book", pages, time.perf_counter() - t0, data.timetable.name, path.stat().st_size)


def _file_of(db) -> str | None:
    """The SQLite file of ``db`` (None: a campus database, or no database)."""
    if db is None:
        return None
    try:
        if db.engine.dialect.name != "sqlite":
            return None
    except AttributeError:
        return None
    return str(db.path)


def _receive(workers, k: int):
    proc, conn = workers[k]
    try:
        msg = conn.recv()
    except EOFError:
        proc.join(5)
        raise ReportError(f"a part of the book could not be laid out: its process ended unexpectedly "
                          f"(exit code {proc.exitcode}). Nothing was written.") from None
    if msg[0] == "error":
        if msg[1] == "report":
            raise ReportError(msg[2])
        raise ReportError(f"a part of the book could not be laid out. Nothing was written. Details: "
                          f"{msg[2].strip().splitlines()[-1]}")
    return msg


def _wait_all(workers, waiting: set[int], want: str, rep, on_section) -> dict[int, tuple]:
    got: dict[int, tuple] = {}
    conns = {workers[k][1]: k for k in waiting}
    while len(got) < len(waiting):
        rep.check()
        for conn in wait([c for c, k in conns.items() if k not in got], timeout=POLL_S):
            k = conns[conn]
            msg = _receive(workers, k)
            if msg[0] == "section":
                on_section(msg[1])
            elif msg[0] == want:
                got[k] = msg[1:]
    return got


def _run(workers, shares, sections, data, tmp: Path, out: Path, paper, landscape, rep, should_stop) -> int:
    from ato_desktop.reports.book_parts import join, render_contents

    done = [0]
    total_sections = len(sections)

    def on_section(title: str) -> None:
        done[0] += 1
        rep(0.05 + 0.8 * min(done[0], total_sections) / total_sections, f"Laying out {title}")

    rep(0.05, f"Laying out the pages in {len(workers)} processes")
    # the contents are laid out here meanwhile (a campus book's run to many pages); their page numbers, and the
    # parts', are known when every part and the contents are laid out (``place``, in the contents' thread)
    contents = tmp / "contents.pdf"
    box: dict = {}
    counted, placed = threading.Event(), threading.Event()

    def place(contents_pages: int) -> tuple[dict[str, int], int]:
        box["contents_pages"] = contents_pages
        counted.set()
        placed.wait()
        if "stop" in box:
            raise ReportCancelled()
        return box["marker_book"], box["total"]

    def lay_out_contents() -> None:
        try:
            box["links"] = render_contents(data, sections, contents, place, paper=paper, landscape=landscape,
                                           should_stop=lambda: "stop" in box)[1]
        except BaseException as exc:  # noqa: BLE001 (handed to the main thread)
            box["error"] = exc
            counted.set()

    thread = threading.Thread(target=lay_out_contents, name="ato-book-contents", daemon=True)
    thread.start()
    try:
        laid = _wait_all(workers, set(range(len(workers))), "laid", rep, on_section)
        rep(0.86, "Laying out the contents")
        while not counted.wait(POLL_S):
            rep.check()
        if "error" in box:
            raise box["error"]
        # each section's pages in its part: from where it starts to where the next one starts
        where: dict[int, tuple[int, int, int]] = {}  # section -> (part, first page in the part, page count)
        for k, indexes in enumerate(shares):
            marker_pages, pages = laid[k]
            starts = [marker_pages[_section_start(sections[i])] for i in indexes] + [pages + 1]
            for j, i in enumerate(indexes):
                where[i] = (k, starts[j], starts[j + 1] - starts[j])
        numbers: list[dict[int, int]] = [{} for _ in workers]
        order: list[tuple[int, int]] = []
        page = box["contents_pages"]
        for i in range(total_sections):
            k, first, count = where[i]
            for j in range(count):
                page += 1
                numbers[k][first + j] = page
                order.append((k, first - 1 + j))
        marker_book = {key: numbers[k][local] for k in range(len(workers)) for key, local in laid[k][0].items()}
        total = box["total"] = page
        box["marker_book"] = marker_book
        for k, (_, conn) in enumerate(workers):
            conn.send(("save", numbers[k], total))
    except BaseException:
        box["stop"] = True
        raise
    finally:
        placed.set()
        thread.join()
    if "error" in box:
        raise box["error"]
    links = box["links"]
    rep(0.9, "Writing the parts")
    saved = _wait_all(workers, set(range(len(workers))), "saved", rep, lambda title: None)
    for k in sorted(saved):  # how evenly the work was shared (benchmarks/report_book.py -v shows it)
        log.info("book part %d: %d pages, %.1f s of CPU, laid out %.1f s before the last part", k, saved[k][0],
                 saved[k][1], max(v[2] for v in saved.values()) - saved[k][2])
    outline = [(p.level, p.title, marker_book[p.key]) for s in sections for p in s if p.key in marker_book]
    rep(0.94, f"Joining {total} pages")
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, part = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            pages = join(contents, [tmp / f"part{k}.pdf" for k in range(len(workers))], order, outline, links,
                         marker_book, fh, should_stop)
            fh.flush()
            os.fsync(fh.fileno())
        rep.check()
        os.replace(part, out)
    except BaseException:
        try:
            os.unlink(part)
        except OSError:
            pass
        raise
    rep(1.0, f"Done: {pages} page(s)")
    return pages
