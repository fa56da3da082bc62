"""Table model over the services' item dicts, and a fast filter proxy.

The model never touches ORM objects: it holds the plain dicts returned by
``services.resources.list_items`` and formats them from the entity's
FieldSpecs. Sorting uses raw values (numbers sort as numbers); filtering
matches every word of the filter text against one pre-built lowercase
string per row, so filtering thousands of rows stays fast.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt

from ato_desktop.services import resources as res
from ato_desktop.services.listing import list_rows

SORT_ROLE = Qt.ItemDataRole.UserRole
ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
HAYSTACK_ROLE = Qt.ItemDataRole.UserRole + 2
# data() is called for every cell and role the view paints or measures: compare plain ints
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole.value)
_SORT = int(SORT_ROLE.value)
_ITEM = int(ITEM_ROLE.value) if hasattr(ITEM_ROLE, "value") else int(ITEM_ROLE)
_HAYSTACK = int(HAYSTACK_ROLE.value) if hasattr(HAYSTACK_ROLE, "value") else int(HAYSTACK_ROLE)
_RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)


def format_value(field: res.FieldSpec, value: Any) -> str:
    if value is None:
        return ""
    if field.kind == "bool":
        return "Yes" if value else "No"
    if field.kind in ("refs", "list"):
        return ", ".join(str(v) for v in value)
    if field.kind == "dict":
        return ", ".join(f"{k}={v}" for k, v in value.items()) if value else ""
    if field.kind == "choice":
        return str(value).replace("_", " ")
    return str(value)


def cell_text(entity: str, field: res.FieldSpec, row: dict) -> str:
    """A row's cell as shown: ``format_value``, but a constraint's parameters in its form's words."""
    if entity == "constraint" and field.name == "params":
        from ato_desktop.services.constraint_rows import describe_params

        return describe_params(row.get("type"), row.get("params"))
    if entity == "activity" and field.name == "student_count" and not row.get("student_count"):
        return ""  # 0: the groups' strengths (nothing of its own)
    if entity == "constraint" and field.name == "is_hard":  # "Must": a soft rule that must hold here
        from ato_desktop.services.constraint_rows import kind_text

        return kind_text(row)
    return format_value(field, row.get(field.name))


def _sort_key(field: res.FieldSpec, value: Any) -> Any:
    if field.kind == "int":
        return value if value is not None else -1
    if field.kind == "bool":
        return int(bool(value))
    if field.kind == "dict":
        return json.dumps(value or {}, sort_keys=True)
    return format_value(field, value).lower()


class ResourceTableModel(QAbstractTableModel):
    def __init__(self, entity: str, parent=None):
        super().__init__(parent)
        self.entity = entity
        self.spec = res.spec(entity)
        self.columns: list[res.FieldSpec] = list(self.spec.fields)
        self._is_int = [f.kind == "int" for f in self.columns]
        self._rows: list[dict] = []
        self._text: list[list[str]] = []
        self._hay: list[str] = []

    # -- data ----------------------------------------------------------------
    def load(self, db) -> None:
        rows = list_rows(db, self.entity) if db is not None else []
        self.set_rows(rows)

    def set_rows(self, rows: list[dict], prepared: tuple[list, list] | None = None) -> None:
        """Show ``rows`` (one model reset). ``prepared``: their ``prepare_texts`` (e.g. made in a worker).

        Without it the cell texts and filter strings are built on demand: opening a list of
        thousands of rows only formats the rows on screen."""
        self.beginResetModel()
        self._rows = rows
        if prepared is not None and len(prepared[0]) == len(rows):
            self._text, self._hay = prepared
        else:
            self._text = [None] * len(rows)
            self._hay = [None] * len(rows)
        self.endResetModel()

    def _texts(self, r: int) -> list[str]:
        t = self._text[r]
        if t is None:
            row = self._rows[r]
            t = self._text[r] = [cell_text(self.entity, f, row) for f in self.columns]
        return t

    def text(self, row: int, column: int) -> str:
        """The cell's text as shown."""
        return self._texts(row)[column]

    def item(self, row: int) -> dict:
        return self._rows[row]

    def items(self) -> list[dict]:
        return list(self._rows)

    def row_of(self, item_id: int) -> int:
        for i, r in enumerate(self._rows):
            if r["id"] == item_id:
                return i
        return -1

    # -- Qt model API ----------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            f = self.columns[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return f.label
            if role == Qt.ItemDataRole.ToolTipRole:
                return f.help or f.label
        return None

    def data(self, index, role=_DISPLAY):
        role = int(role)
        if role == _DISPLAY or role == _TOOLTIP:
            r = index.row()
            t = self._text[r] if r >= 0 else None
            return (t if t is not None else self._texts(r))[index.column()] if r >= 0 else None
        if role == _ALIGN:
            return _RIGHT if index.isValid() and self._is_int[index.column()] else None
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        if role == _SORT:
            f = self.columns[c]
            return _sort_key(f, self._rows[r].get(f.name))
        if role == _ITEM:
            return self._rows[r]
        if role == _HAYSTACK:
            return self.haystack(r)
        return None

    def haystack(self, row: int) -> str:
        h = self._hay[row]
        if h is None:
            h = self._hay[row] = " ".join(self._texts(row)).lower() + " " + str(self._rows[row].get("_label", "")).lower()
        return h


def prepare_texts(entity: str, rows: list[dict]) -> tuple[list[list[str]], list[str]]:
    """Every row's cell texts and filter string, as the model builds them (plain Python: any thread)."""
    fields = list(res.spec(entity).fields)
    texts = [[cell_text(entity, f, row) for f in fields] for row in rows]
    hays = [" ".join(t).lower() + " " + str(row.get("_label", "")).lower() for t, row in zip(texts, rows)]
    return texts, hays


class FilterProxy(QSortFilterProxyModel):
    """Keeps rows whose text contains every word of the filter (any column, any order)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._words: list[str] = []
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(False)

    def set_filter_text(self, text: str) -> None:
        words = [w for w in text.lower().split() if w]
        if words == self._words:
            return
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.9
            self.beginFilterChange()
            self._words = words
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._words = words
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:
        if not self._words:
            return True
        hay = self.sourceModel().haystack(source_row)
        return all(w in hay for w in self._words)
