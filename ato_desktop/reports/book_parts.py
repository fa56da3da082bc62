"""A book in parts: its sections laid out in several processes, each part to a PDF file of its own,
then joined into the one book (``services.book`` runs the processes).

Every section of a book starts on a new page and its layout does not depend on the page it starts on,
so the sections can be laid out anywhere, in any order. Each part is a :class:`ReportDoc` of some
sections; when its pages are laid out (before it is saved) it hands over its page count and where its
sections start (:func:`render_part` ``exchange``) and gets back the book's page numbers of its pages and
the book's total, which its footers then print. The contents are laid out last (:func:`render_contents`),
when every section's page is known; :func:`join` copies the pages in the book's order into one file
(pypdf), with the outline (bookmarks) and the contents' links made there.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO, Callable

from ato_desktop.reports.build import _assemble, _contents, _info, _Part, _parts
from ato_desktop.reports.data import ReportData
from ato_desktop.reports.layout import Lazy, NumberedCanvas, PageSetup, ReportDoc, Styles

# (marker key -> this part's page, this part's page count) -> (this part's page -> the book's page, book total)
Exchange = Callable[[dict[str, int], int], tuple[dict[int, int], int]]


def book_sections(data: ReportData, paper: str = "A4", landscape: bool = True) -> list[list[_Part]]:
    """The book's sections in order: a part with pages, with the headings before it (they print on its page)."""
    setup = PageSetup(paper.upper(), landscape)
    parts, _ = _parts(data, "book", None, setup, Styles(setup))
    sections: list[list[_Part]] = []
    pending: list[_Part] = []
    for part in parts:
        pending.append(part)
        if part.make is not None:
            sections.append(pending)
            pending = []
    if pending:  # headings at the very end (nothing after them): with the last section
        if sections:
            sections[-1] += pending
        else:
            sections.append(pending)
    return sections


def section_weight(data: ReportData, section: list[_Part]) -> float:
    """A rough cost of laying out a section (for sharing them out): its sessions, plus one page."""
    idx = data._index()
    weight = 0.0
    for part in section:
        if part.make is None:
            continue
        kind, _, code = part.key.partition(":")
        if kind == "group":
            weight += 1 + 0.05 * len(idx["group"].get(code, ()))
        elif kind in ("faculty", "room"):
            weight += 1 + 0.05 * len(idx[kind].get(code, ()))
        elif kind == "master":
            weight += 1 + 0.05 * len(data.sessions) / max(1, len(data.calendar.days))
        else:  # the workload, utilization and conflicts reports: a row per teacher or room
            weight += 1 + 0.02 * (len(data.faculty) + len(data.rooms))
    return weight


def share_out(weights: list[float], n: int) -> list[list[int]]:
    """Section indexes for ``n`` parts, heaviest first to the lightest part so far; each part in book order."""
    loads = [0.0] * n
    out: list[list[int]] = [[] for _ in range(n)]
    for i in sorted(range(len(weights)), key=lambda i: -weights[i]):
        j = min(range(n), key=lambda j: loads[j])
        loads[j] += weights[i]
        out[j].append(i)
    return [sorted(x) for x in out if x]


def render_part(data: ReportData, sections: list[list[_Part]], path: Path, exchange: Exchange, *,
                paper: str = "A4", landscape: bool = True, on_section: Callable[[str], None] | None = None,
                should_stop: Callable[[], bool] | None = None) -> int:
    """Lay out ``sections`` (of :func:`book_sections`) to the PDF file ``path``; returns its page count."""
    setup = PageSetup(paper.upper(), landscape)
    styles = Styles(setup)
    flat = [p for section in sections for p in section]

    def lazy(part: _Part) -> list:
        def before() -> None:
            if on_section is not None:
                on_section(part.title)
        return [Lazy(part.make, before)]

    def before_save(canv: NumberedCanvas) -> None:
        canv.page_numbers, canv.total_pages = exchange(dict(canv.marker_pages), canv.getPageNumber() - 1)

    def canvas_setup(canv: NumberedCanvas) -> None:
        canv.before_save, canv.outline = before_save, False

    story = _assemble(flat, lazy)
    doc = ReportDoc(str(path), setup, _info(data, "book"), styles, should_stop=should_stop, canvas_setup=canvas_setup)
    doc.build(story)
    return doc.page


def render_contents(data: ReportData, sections: list[list[_Part]], path: Path,
                    place: Callable[[int], tuple[dict[str, int], int]], *, paper: str = "A4",
                    landscape: bool = True, should_stop: Callable[[], bool] | None = None
                    ) -> tuple[int, list[tuple[int, tuple, str]]]:
    """The book's cover and contents to ``path``. ``place(contents pages)`` gives every marker's page in the
    book and the book's total, once the contents' own length is known. Returns the page count and the
    contents' links (page, rect, marker key) for :func:`join`."""
    setup = PageSetup(paper.upper(), landscape)
    styles = Styles(setup)
    entries = [(p.level, p.title, p.key) for section in sections for p in section]
    links: list[tuple[int, tuple, str]] = []

    def before_save(canv: NumberedCanvas) -> None:
        canv.marker_pages, canv.total_pages = place(canv.getPageNumber() - 1)

    def canvas_setup(canv: NumberedCanvas) -> None:
        canv.before_save, canv.links = before_save, links

    doc = ReportDoc(str(path), setup, _info(data, "book"), styles, should_stop=should_stop, canvas_setup=canvas_setup)
    doc.build(_contents(data, styles, setup, entries))
    return doc.page, links


def join(contents: Path, parts: list[Path], order: list[tuple[int, int]], outline: list[tuple[int, str, int]],
         links: list[tuple[int, tuple, str]], marker_pages: dict[str, int], out: BinaryIO,
         should_stop: Callable[[], bool] | None = None) -> int:
    """Write the book to ``out``: the contents' pages, then ``order`` ((part index, page index in it) for each
    page of the book after the contents), the ``outline`` ((level, title, book page), in order) and the
    contents' ``links`` to the pages of ``marker_pages``. Returns the page count."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.annotations import Link

    from ato_desktop.reports.layout import ReportCancelled

    writer = PdfWriter()
    head = PdfReader(contents)
    for page in head.pages:
        writer.add_page(page)
    readers = [PdfReader(p) for p in parts]
    for n, (part, index) in enumerate(order):
        if should_stop is not None and n % 50 == 0 and should_stop():
            raise ReportCancelled()
        writer.add_page(readers[part].pages[index])
    if head.metadata:
        writer.add_metadata({k: v for k, v in head.metadata.items()})
    parent = None
    for level, title, page in outline:
        item = writer.add_outline_item(title=title, page_number=page - 1,
                                       parent=parent if level > 0 else None, is_open=level == 0)
        if level == 0:
            parent = item
    for page, rect, key in links:
        target = marker_pages.get(key)
        if target is not None:
            writer.add_annotation(page - 1, Link(rect=rect, target_page_index=target - 1))
    writer.write(out)
    return len(writer.pages)
