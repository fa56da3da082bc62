"""Two versions side by side (``services.compare.Comparison``, computed in a worker by the versions
page): the figures in two columns, then the sessions that moved, grouped per faculty and per group."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QListWidget,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from PySide6.QtCore import Qt

from ato_desktop.services.compare import figure_rows


class CompareDialog(QDialog):
    def __init__(self, cmp, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("compareDialog")
        self.setWindowTitle(f"Compare {cmp.a.name} and {cmp.b.name}")
        self.comparison = cmp
        lay = QVBoxLayout(self)
        head = QLabel(f"<b>{_esc(cmp.a.name)}</b> (hard {cmp.a.hard}, soft {cmp.a.soft}) → "
                      f"<b>{_esc(cmp.b.name)}</b> (hard {cmp.b.hard}, soft {cmp.b.soft}): "
                      f"{len(cmp.moved)} session(s) moved", self)
        head.setObjectName("compareHeadline")
        head.setWordWrap(True)
        lay.addWidget(head)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        rows = figure_rows(cmp)
        self.figures = QTableWidget(len(rows), 3, split)
        self.figures.setObjectName("compareFigures")
        self.figures.setHorizontalHeaderLabels(["", cmp.a.name, cmp.b.name])
        self.figures.verticalHeader().setVisible(False)
        self.figures.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                if c and row[1] != row[2]:
                    f = item.font()
                    f.setBold(True)
                    item.setFont(f)
                self.figures.setItem(r, c, item)
        self.figures.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        split.addWidget(self.figures)
        tabs = QTabWidget(split)
        self.moved = QListWidget(tabs)
        self.moved.setObjectName("compareMoved")
        self.moved.addItems([mv.text for mv in cmp.moved] + [f"only in {cmp.a.name}: {x}" for x in cmp.only_in_a]
                            + [f"only in {cmp.b.name}: {x}" for x in cmp.only_in_b])
        self.moved.setWordWrap(True)
        tabs.addTab(self.moved, f"Moved ({len(cmp.moved)})")
        for title, index, name in (("Per faculty", cmp.by_faculty, "compareByFaculty"),
                                   ("Per group", cmp.by_group, "compareByGroup")):
            lw = QListWidget(tabs)
            lw.setObjectName(name)
            lw.setWordWrap(True)
            for code, ids in index.items():
                lw.addItem(f"{code}:")
                lw.addItems([f"    {cmp.moved[i].text}" for i in ids])
            tabs.addTab(lw, title)
        split.addWidget(tabs)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        lay.addWidget(split, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(1000, 600)

    def moved_texts(self) -> list[str]:
        return [self.moved.item(i).text() for i in range(self.moved.count())]


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
