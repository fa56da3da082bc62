"""Sizing helpers shared by the pages: columns fitted to their contents, splitters that remember.

``fit_columns(view, cap=…)`` sizes every column of a table to its contents (header included),
caps the wide ones and lets the last column take the rest of the row.
``remember_splitter(splitter, name)`` puts back the sizes the user last chose (QSettings,
``splitters/<name>``) and saves them whenever a handle is moved.
``table_width(view)`` is the width a table needs to show all its columns without scrolling.
"""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QSplitter, QTableView

from ato_desktop.ui import settings as st

COLUMN_CAP = 280


def fit_columns(view: QTableView, cap: int = COLUMN_CAP, stretch_last: bool = True) -> None:
    """Columns as wide as their contents (at most ``cap`` px, the text is then elided); the last one stretches."""
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.resizeColumnsToContents()
    model = view.model()
    n = model.columnCount() if model is not None else 0
    for c in range(n):
        if view.isColumnHidden(c):
            continue
        w = max(view.columnWidth(c), header.sectionSizeHint(c))
        view.setColumnWidth(c, min(w, cap))
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
