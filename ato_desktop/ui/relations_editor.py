"""The relations of a relation rule (issue 17) on the Constraints page: each relation a set of activities.

A list of the relations in words ("CS301 L (CSE-3A) #1, CS301 T (CSE-3A)"), **Add…** (pick the activities
in a checklist; for a minimum gap, the gap in the spin box beside; for a limit on the periods the set takes,
the limit), **Remove**. ``value()`` is what the services store in the rule's params (``storage.relations``):
``[{"activities": [id or [id, occurrence]], "min_gap": N or "max_periods": N}]``; the services check it when
the form is saved.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QDialog, QHBoxLayout, QLabel, QListWidget, QPushButton, QSpinBox, QVBoxLayout,
                               QWidget)


class RelationsEditor(QWidget):
    changed = Signal()

    def __init__(self, field, parent=None, *, with_gap: bool = False, limit: str | None = None):
        """``limit``: the relations carry a limit, ``max_periods`` ("a day", "in a row": its words)."""
        super().__init__(parent)
        self.field = field
        self._relations: list[dict] = []
        self._labels: dict[int, str] | None = None
        self._provider = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.list = QListWidget(self)
        self.list.setObjectName("relationsList")
        self.list.setMinimumHeight(80)
        lay.addWidget(self.list)
        row = QHBoxLayout()
        self.add_button = QPushButton("Add…", self)
        self.add_button.setObjectName("relationsAdd")
        self.add_button.setToolTip("Pick the activities of a new relation")
        self.add_button.clicked.connect(lambda *_: self.add())
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.setObjectName("relationsRemove")
        self.remove_button.clicked.connect(lambda *_: self.remove_selected())
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        self.gap = None
        if with_gap:
            row.addWidget(QLabel("Minimum gap (periods):", self))
            self.gap = QSpinBox(self)
            self.gap.setObjectName("relationsGap")
            self.gap.setRange(1, 20)
            self.gap.setToolTip("The gap of the relations added next")
            row.addWidget(self.gap)
        self.limit, self._limit_words = None, limit
        if limit is not None:
            row.addWidget(QLabel(f"Most periods {limit}:", self))
            self.limit = QSpinBox(self)
            self.limit.setObjectName("relationsLimit")
            self.limit.setRange(0, 50)
            self.limit.setValue(1)
            self.limit.setToolTip("The limit of the relations added next")
            row.addWidget(self.limit)
        row.addStretch(1)
        lay.addLayout(row)

    # -- choices ---------------------------------------------------------------------
    def set_choices(self, choices) -> None:
        """The activities as (id, label), or a callable returning them (read when first needed)."""
        if callable(choices):
            self._provider, self._labels = choices, None
        else:
            self._provider, self._labels = None, {int(k): str(v) for k, v in choices}
        self._refresh()

    def _choices(self) -> dict[int, str]:
        if self._labels is None:
            self._labels = {int(k): str(v) for k, v in (self._provider() if self._provider else [])}
            self._provider = None
        return self._labels

    def _text(self, item) -> str:
        if isinstance(item, list):
            aid, occ = int(item[0]), int(item[1])
            return f"{self._choices().get(aid, f'activity {aid}')} #{occ + 1}"
        return self._choices().get(int(item), f"activity {item}")

    # -- value -----------------------------------------------------------------------
    def value(self) -> list[dict]:
        return [dict(r) for r in self._relations]

    def set_value(self, relations) -> None:
        self._relations = [dict(r) for r in (relations or []) if isinstance(r, dict)]
        self._refresh()

    def _refresh(self) -> None:
        self.list.clear()
        if not self._relations:
            return
        for r in self._relations:
            text = ", ".join(self._text(x) for x in r.get("activities", []))
            if r.get("second"):  # an ordered pair's two sets (the FET import)
                text += " — then " + ", ".join(self._text(x) for x in r["second"])
            if "min_gap" in r:
                text += f" — at least {r['min_gap']} period{'s' if r['min_gap'] != 1 else ''} apart"
            if "max_periods" in r:
                m = r["max_periods"]
                text += f" — at most {m} period{'s' if m != 1 else ''} {self._limit_words or ''}".rstrip()
            self.list.addItem(text)

    # -- editing ---------------------------------------------------------------------
    def add(self, picked: list[int] | None = None) -> None:
        """A new relation of the activities ``picked`` (ids), or of those checked in the checklist."""
        if picked is None:
            from ato_desktop.ui.forms import ChecklistDialog

            choices = [(str(k), v) for k, v in self._choices().items()]
            dlg = ChecklistDialog(self.field.label, choices, [], self)
            if dlg.exec() != QDialog.DialogCode.Accepted:
                return
            picked = [int(k) for k in dlg.checked()]
        if not picked:
            return
        entry: dict = {"activities": [int(k) for k in picked]}
        if self.gap is not None:
            entry["min_gap"] = self.gap.value()
        if self.limit is not None:
            entry["max_periods"] = self.limit.value()
        self._relations.append(entry)
        self._refresh()
        self.changed.emit()

    def remove_selected(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self._relations):
            del self._relations[row]
            self._refresh()
            self.changed.emit()
