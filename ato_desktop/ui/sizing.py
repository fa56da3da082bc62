"""Sizing helpers shared by the pages: columns fitted to their contents, splitters that remember.

``fit_columns(view, cap=…)`` sizes every column of a table to its contents (header included; a
sample of rows, so that it stays fast on thousands), caps the wide ones and lets the last column take
the rest of the row.
``remember_splitter(splitter, name)`` puts back the sizes the user last chose (QSettings,
``splitters/<name>``) and saves them whenever a handle is moved.
``table_width(view)`` is the width a table needs to show all its columns without scrolling.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QSplitter, QTableView

from ato_desktop.ui import settings as st

COLUMN_CAP = 280


SAMPLE_HEAD = 80  # rows measured from the top of the list (the ones shown first) ...
SAMPLE_SPREAD = 40  # ... and rows spread over the rest of it


def fit_columns(view: QTableView, cap: int = COLUMN_CAP, stretch_last: bool = True,
                text_at: Callable[[int, int], str] | None = None) -> None:
    """Columns as wide as their contents (at most ``cap`` px, the text is then elided); the last one stretches.

    The contents are a sample of rows: the first ``SAMPLE_HEAD`` and ``SAMPLE_SPREAD`` more spread over
    the list. Qt's ``resizeColumnsToContents`` asks the delegate for every cell it considers (about ten
    model roles each); here the texts are measured with the font metrics and the delegate is asked only
    for the widest cell of each column, so its padding is exactly Qt's. ``text_at(row, column)`` (view
    rows) gives a cell's text faster than the model's display role, e.g. from a cache."""
    model = view.model()
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    n = model.rowCount() if model is not None else 0
    rows = list(range(min(n, SAMPLE_HEAD)))
    if n > SAMPLE_HEAD:
        step = max(1, (n - SAMPLE_HEAD) // SAMPLE_SPREAD)
        rows += list(range(SAMPLE_HEAD, n, step))[:SAMPLE_SPREAD]
    if text_at is None:
        def text_at(r: int, c: int) -> str:
            return model.index(r, c).data() or ""
    fm = view.fontMetrics()
    grid = 1 if view.showGrid() else 0
    for c in range(model.columnCount() if model is not None else 0):
        if view.isColumnHidden(c):
            continue
        width = header.sectionSizeHint(c)
        if rows:
            widest, best = rows[0], -1
            for r in rows:
                text = text_at(r, c)
                w = fm.horizontalAdvance(text) if text else 0
                if w > best:
                    widest, best = r, w
            width = max(width, view.sizeHintForIndex(model.index(widest, c)).width() + grid)
        view.setColumnWidth(c, min(width, cap))
    header.setStretchLastSection(stretch_last)


def table_width(view: QAbstractItemView) -> int:
    """Width needed to show every visible column: the columns, the frame and a vertical scroll bar."""
    header = view.horizontalHeader() if isinstance(view, QTableView) else None
    cols = 0
    if header is not None:
        for c in range(header.count()):
            if not header.isSectionHidden(c):
                cols += header.sectionSize(c)
        if view.verticalHeader().isVisible():
            cols += view.verticalHeader().width()
    return cols + 2 * view.frameWidth() + view.verticalScrollBar().sizeHint().width()


def remember_splitter(splitter: QSplitter, name: str) -> bool:
    """Restore ``splitter``'s saved sizes (True if there were some) and save them after every move."""
    restored = False
    state = st.splitter_state(name)
    if state is not None:
        restored = bool(splitter.restoreState(state))
    if not splitter.property("atoRemembered"):
        splitter.setProperty("atoRemembered", True)
        splitter.splitterMoved.connect(lambda *_: st.save_splitter_state(name, splitter.saveState()))
    return restored
