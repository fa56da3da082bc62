"""Edit forms generated from an entity's FieldSpecs, with inline validation messages.

``EntityForm(entity)`` builds one editor per field (line edit, spin box,
check box, combo box, a checklist for many references, a JSON box for
parameters) and an error label under each. ``values()`` returns what the
services expect (references by code); ``show_error(ValidationError)`` puts
the service's message under the field it names.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ato_desktop.services import resources as res
from ato_desktop.services.errors import ValidationError

ERROR_STYLE = "color: #b00020;"


def error_label(parent, name: str = "", *, hidden: bool = True):
    """The red, wrapping line a form or page shows its one sentence in (hidden until there is one)."""
    label = QLabel(parent)
    if name:
        label.setObjectName(name)
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.setVisible(not hidden)
    return label


class RefsEditor(QWidget):
    """Several references as comma-separated codes, with a checklist to pick them."""

    changed = Signal()

    def __init__(self, field: res.FieldSpec, parent=None):
        super().__init__(parent)
        self.field = field
        self.choices: list[tuple[str, str]] = []  # (key, label)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText("codes separated by commas")
        self.edit.textChanged.connect(self.changed)
        self.button = QPushButton("Choose…", self)
        self.button.clicked.connect(self.choose)
        lay.addWidget(self.edit, 1)
        lay.addWidget(self.button)

    def set_choices(self, choices) -> None:
        """A list of (key, label), or a callable returning it (loaded when the checklist opens)."""
        self._provider = choices if callable(choices) else None
        self.choices = [] if callable(choices) else choices

    def _load_choices(self) -> None:
        if getattr(self, "_provider", None) is not None:
            self.choices = self._provider()
            self._provider = None

    def value(self) -> list[str]:
        return [v.strip() for v in self.edit.text().split(",") if v.strip()]

    def set_value(self, keys) -> None:
        self.edit.setText(", ".join(str(k) for k in (keys or [])))

    def choose(self) -> None:
        self._load_choices()
        dlg = ChecklistDialog(self.field.label, self.choices, self.value(), self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self.set_value(dlg.checked())


class ChecklistDialog(QDialog):
    def __init__(self, title: str, choices: list[tuple[str, str]], checked: list[str], parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        lay = QVBoxLayout(self)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Filter")
        self.filter.textChanged.connect(self._filter)
        lay.addWidget(self.filter)
        self.list = QListWidget(self)
        wanted = {c.lower() for c in checked}
        for key, label in choices:
            it = QListWidgetItem(label)
            it.setData(Qt.ItemDataRole.UserRole, key)
            it.setFlags(it.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            it.setCheckState(Qt.CheckState.Checked if str(key).lower() in wanted else Qt.CheckState.Unchecked)
            self.list.addItem(it)
        lay.addWidget(self.list)
        bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        bb.accepted.connect(self.accept)
        bb.rejected.connect(self.reject)
        lay.addWidget(bb)
        self.resize(360, 420)

    def _filter(self, text: str) -> None:
        t = text.lower()
        for i in range(self.list.count()):
            it = self.list.item(i)
            it.setHidden(t not in it.text().lower())

    def checked(self) -> list[str]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]


class ParamsEditor(QWidget):
    """A constraint's parameters, typed from its type's schema (``services.resources.constraint_params``):
    a spin box per number, a check box per yes/no, a list per choice, never raw JSON. A sentence says
    what the rule reads; a type without parameters shows only that sentence."""

    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.layout_ = QFormLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.note = QLabel(self)
        self.note.setObjectName("paramsNote")
        self.note.setWordWrap(True)
        self.layout_.addRow(self.note)
        # a soft rule may be made a must here (params["must"], resource_specs.MUST_PARAM): its violations count
        # in the hard total, as a FET constraint at 100 % is imported; the list's Hard column says "Must"
        self.must = QCheckBox("counts in the hard total, like a hard rule", self)
        self.must.setObjectName("paramMust")
        self.must.setToolTip("A soft rule that must hold in this timetable: each violation counts 1 in the hard "
                             "total (the weight still orders it among the soft rules while solving)")
        self.must.toggled.connect(self.changed)
        self.layout_.addRow("Must hold", self.must)
        self.layout_.setRowVisible(self.must, False)
        self.fields: tuple[res.FieldSpec, ...] = ()
        self.editors: dict[str, QWidget] = {}
        self.ctype: str | None = None
        self._choices: dict = {}

    def set_type(self, ctype: str | None) -> None:
        if ctype == self.ctype and self.editors.keys() == {f.name for f in self.fields}:
            return
        self.ctype = ctype
        keep = self.value()
        for name in list(self.editors):
            self.layout_.removeRow(self.editors.pop(name))
        self.fields, note = res.constraint_params(ctype or "")
        self.note.setText(note)
        self.layout_.setRowVisible(self.must, self.may_be_must())
        for f in self.fields:
            if f.kind == "int":
                w = QSpinBox(self)
                w.setRange(f.min if f.min is not None else 0, f.max if f.max is not None else 1_000_000)
                if f.min == -1:  # a limit: -1 = none
                    w.setSpecialValueText("no limit")
                w.valueChanged.connect(self.changed)
            elif f.kind in ("limits", "list"):  # "T1=2, CSE-3A=0" / "T1, T2": the services parse and check it
                w = QLineEdit(self)
                w.setPlaceholderText("T1=2, CSE-3A=0" if f.kind == "limits" else "T1, CSE-3A")
                w.textEdited.connect(self.changed)
            elif f.kind == "bool":
                w = QCheckBox(self)
                w.toggled.connect(self.changed)
            elif f.kind == "relations":  # sets of activities (issue 17)
                from ato_desktop.ui.relations_editor import RelationsEditor

                gap = ctype in ("activities_min_gaps", "activities_ordered_min_gaps")
                w = RelationsEditor(f, self, with_gap=gap,
                                    limit={"activities_max_daily": "a day",
                                           "activities_max_consecutive": "in a row"}.get(ctype))
                if f.ref in self._choices:
                    w.set_choices(self._choices[f.ref])
                w.changed.connect(self.changed)
            else:
                w = QComboBox(self)
                for c in f.choices:
                    w.addItem(c.replace("_", " "), c)
                w.currentIndexChanged.connect(self.changed)
            w.setObjectName(f"param_{f.name}")
            if f.help:
                w.setToolTip(f.help)
            self.editors[f.name] = w
            self.layout_.addRow(f.label, w)
        self.set_value(keep)

    def may_be_must(self) -> bool:
        """The rule is a soft one (a hard rule always holds: no "Must hold" box)."""
        from ato_desktop.engine.rules import RULE_INDEX, RULES

        i = RULE_INDEX.get(self.ctype or "")
        return i is not None and not RULES[i].hard

    def set_value(self, values: dict | None) -> None:
        values = values or {}
        self._notes = {k: v for k, v in values.items() if k in res.PARAM_NOTES}  # kept as they are
        self.must.setChecked(values.get(res.MUST_PARAM) is True)
        for f in self.fields:
            w, v = self.editors[f.name], values.get(f.name, f.default)
            if isinstance(w, QLineEdit):
                if isinstance(v, dict):
                    v = ", ".join(f"{k}={n}" for k, n in v.items())
                elif isinstance(v, (list, tuple)):
                    v = ", ".join(str(x) for x in v)
                w.setText("" if v is None else str(v))
            elif isinstance(w, QSpinBox):
                w.setValue(int(v) if v is not None else w.minimum())
            elif hasattr(w, "set_choices"):  # RelationsEditor
                w.set_value(v)
            elif isinstance(w, QCheckBox):
                w.setChecked(bool(v))
            else:
                i = w.findData(v)
                w.setCurrentIndex(i if i >= 0 else 0)

    def value(self) -> dict:
        out = dict(getattr(self, "_notes", {}))
        if self.must.isChecked() and self.may_be_must():
            out[res.MUST_PARAM] = True
        for f in self.fields:
            w = self.editors[f.name]
            out[f.name] = (w.value() if isinstance(w, QSpinBox) or hasattr(w, "set_choices")
                           else w.isChecked() if isinstance(w, QCheckBox)
                           else w.text() if isinstance(w, QLineEdit) else w.currentData())
        return out

    def set_choices(self, choices: dict) -> None:
        """What references may point to (``EntityForm.set_reference_choices``): the relations' activities."""
        self._choices = dict(choices)
        for f in self.fields:
            if f.kind == "relations" and f.ref in choices:
                self.editors[f.name].set_choices(choices[f.ref])


class EntityForm(QWidget):
    """One editor per field of ``entity``; emits ``edited`` when the user changes anything."""

    edited = Signal()

    def __init__(self, entity: str, parent=None, *, choice_overrides: dict[str, tuple[str, ...]] | None = None):
        super().__init__(parent)
        self.entity = entity
        self.spec = res.spec(entity)
        self.editors: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self._loading = False
        self._overrides = choice_overrides or {}
        self.layout_ = QFormLayout(self)
        self.layout_.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for f in self.spec.fields:
            editor = self._make_editor(f)
            editor.setObjectName(f"field_{f.name}")
            editor.setEnabled(not f.readonly)
            if f.help:
                editor.setToolTip(f.help)
            err = QLabel(self)
            err.setObjectName(f"error_{f.name}")
            err.setStyleSheet(ERROR_STYLE)
            err.setWordWrap(True)
            err.hide()
            box = QWidget(self)
            v = QVBoxLayout(box)
            v.setContentsMargins(0, 0, 0, 0)
            v.setSpacing(2)
            v.addWidget(editor)
            v.addWidget(err)
            # a row never takes the form's spare height (a JSON box would float down the page); rows stay on top
            box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
            label = f.label + (" *" if f.required else "")
            self.layout_.addRow(label, box)
            self.editors[f.name] = editor
            self.errors[f.name] = err
        self.general_error = QLabel(self)
        self.general_error.setObjectName("error_general")
        self.general_error.setStyleSheet(ERROR_STYLE)
        self.general_error.setWordWrap(True)
        self.general_error.hide()
        self.layout_.addRow(self.general_error)

    # -- building ------------------------------------------------------------
    def _make_editor(self, f: res.FieldSpec) -> QWidget:
        if f.kind == "int":
            w = QSpinBox(self)
            w.setRange(f.min if f.min is not None else 0, f.max if f.max is not None else 1_000_000)
            w.valueChanged.connect(self._changed)
            return w
        if f.kind == "bool":
            w = QCheckBox(self)
            w.toggled.connect(self._changed)
            return w
        if f.kind in ("choice", "ref") or f.name in self._overrides:
            w = QComboBox(self)
            if f.name in self._overrides:
                w.setEditable(True)
                for c in self._overrides[f.name]:
                    w.addItem(c, c)
                w.editTextChanged.connect(self._changed)
            elif f.kind == "choice":
                for c in f.choices:
                    w.addItem(c.replace("_", " "), c)
            w.currentIndexChanged.connect(self._changed)
            return w
        if f.kind == "refs":
            w = RefsEditor(f, self)
            w.changed.connect(self._changed)
            return w
        if f.kind == "dict":
            w = ParamsEditor(self)
            w.changed.connect(self._changed)
            return w
        w = QLineEdit(self)
        if f.kind == "list":
            w.setPlaceholderText(f.help or "values separated by commas")
        elif f.help:
            w.setPlaceholderText(f.help)
        w.textChanged.connect(self._changed)
        return w

    def _changed(self, *_):
        params = [self.editors[f.name] for f in self.spec.fields if f.kind == "dict" and f.name in self.editors]
        for w in params:  # a constraint's parameters follow its type
            w.set_type(self._constraint_type())
        if not self._loading:
            self._propose_code()
            self.edited.emit()

    def _constraint_type(self) -> str | None:
        w = self.editors.get("type")
        if not isinstance(w, QComboBox):
            return None
        return (w.currentText() if w.isEditable() else w.currentData()) or None

    # -- proposed codes (issue 16) ------------------------------------------------
    CODE_INPUTS = ("name", "department", "semester", "section", "parent")

    def set_code_proposer(self, propose) -> None:
        """``propose(values) -> str``: a code for the values typed so far. While the Code field is empty or
        holds a proposal (the user has not typed in it), it follows the name, department, section…"""
        self._proposer = propose
        self._code_touched = False
        code = self.editors.get("code")
        if isinstance(code, QLineEdit):
            code.textEdited.connect(self._code_edited)  # textEdited: typed by the user, not set by us

    def _code_edited(self, text: str) -> None:
        self._code_touched = bool(text.strip())  # emptied by the user: proposals come back

    def _propose_code(self) -> None:
        propose = getattr(self, "_proposer", None)
        code = self.editors.get("code")
        if propose is None or self._code_touched or not isinstance(code, QLineEdit) or not code.isEnabled():
            return
        if code.text() and code.text() != getattr(self, "_last_proposal", None):
            return  # a code that is not our proposal (set by a program, or pasted): never overwritten
        sender = self.sender()
        if sender is code:
            return
        values = {}
        for name in self.CODE_INPUTS:
            if name in self.editors:
                try:
                    values[name] = self.value_of(name)
                except Exception:  # noqa: BLE001  (a half-typed value proposes nothing)
                    return
        try:
            proposal = propose(values) or ""
        except Exception:  # noqa: BLE001  (no database, a closed file: no proposal)
            return
        if proposal != code.text():
            self._last_proposal = proposal
            self._loading = True
            try:
                code.setText(proposal)
            finally:
                self._loading = False

    def set_reference_choices(self, choices: dict[str, list[tuple[str, str]]]) -> None:
        """``{"department": [(key, label), ...] or a callable returning it}``: what references may point to.

        Lists of several references (check lists) call the callable only when opened.
        """
        self._loading = True
        try:
            for f in self.spec.fields:
                if f.kind == "dict" and f.name in self.editors:  # a constraint's relations pick activities
                    self.editors[f.name].set_choices(choices)
                if f.kind not in ("ref", "refs") or f.ref not in choices:
                    continue
                w = self.editors[f.name]
                if f.kind == "refs":
                    w.set_choices(choices[f.ref])
                    continue
                current = w.currentData()
                w.clear()
                if not f.required:
                    w.addItem("(none)", None)
                items = choices[f.ref]() if callable(choices[f.ref]) else choices[f.ref]
                for key, label in items:
                    w.addItem(label, key)
                if current is not None:
                    self._select(w, current)
        finally:
            self._loading = False

    # -- values --------------------------------------------------------------
    @staticmethod
    def _select(combo: QComboBox, value: Any) -> None:
        for i in range(combo.count()):
            d = combo.itemData(i)
            if d == value or (isinstance(d, str) and isinstance(value, str) and d.lower() == value.lower()):
                combo.setCurrentIndex(i)
                return
        if combo.isEditable():
            combo.setEditText("" if value is None else str(value))
        else:  # nothing chosen: "(none)" for optional references, else the first choice
            combo.setCurrentIndex(0 if combo.count() else -1)

    def set_values(self, values: dict) -> None:
        self._loading = True
        try:
            for f in self.spec.fields:
                self._set(f, values.get(f.name, f.default))
        finally:
            self._loading = False
        # an existing item keeps its code; a new (empty) one gets proposals as its name is typed
        self._code_touched = bool(str(values.get("code") or "").strip())
        self.clear_errors()

    def defaults(self) -> dict:
        out = {}
        for f in self.spec.fields:
            d = f.default
            out[f.name] = list(d) if isinstance(d, tuple) else d
            if f.kind == "int" and d is None:
                out[f.name] = f.min if f.min is not None else 0
        return out

    def _set(self, f: res.FieldSpec, value: Any) -> None:
        w = self.editors[f.name]
        if f.kind == "int":
            w.setValue(int(value) if value is not None else (f.min or 0))
        elif f.kind == "bool":
            w.setChecked(bool(value))
        elif isinstance(w, QComboBox):
            self._select(w, value)
        elif f.kind == "refs":
            w.set_value(value)
        elif f.kind == "dict":
            w.set_type(self._constraint_type())
            w.set_value(value)
        elif f.kind == "list":
            w.setText(", ".join(value or []))
        else:
            w.setText("" if value is None else str(value))

    def value_of(self, name: str) -> Any:
        f = self.spec.field(name)
        w = self.editors[name]
        if f.kind == "int":
            return w.value()
        if f.kind == "bool":
            return w.isChecked()
        if isinstance(w, QComboBox):
            if w.isEditable():
                return w.currentText().strip()
            return w.currentData()
        if f.kind == "refs":
            return w.value()
        if f.kind == "dict":
            return w.value()
        if f.kind == "list":
            return sorted({v.strip() for v in w.text().split(",") if v.strip()})
        return w.text().strip()

    def values(self) -> dict:
        """The form's values as the services take them; may raise ValidationError (bad JSON)."""
        return {f.name: self.value_of(f.name) for f in self.spec.fields}

    # -- errors --------------------------------------------------------------
    def clear_errors(self) -> None:
        for lab in self.errors.values():
            lab.clear()
            lab.hide()
        self.general_error.clear()
        self.general_error.hide()
        for w in self.editors.values():
            w.setProperty("invalid", False)
            w.setStyleSheet("")

    def field_for_error(self, exc: ValidationError) -> str | None:
        name = (exc.field or "").strip().lower()
        for f in self.spec.fields:
            if f.label.lower() == name:
                return f.name
        for f in self.spec.fields:
            if f.name.lower() == name.replace(" ", "_"):
                return f.name
        return None

    def show_error(self, exc: Exception) -> str | None:
        """Show the message under the field it concerns (or at the bottom); returns the field name."""
        self.clear_errors()
        if isinstance(exc, ValidationError):
            fname = self.field_for_error(exc)
            if fname is not None:
                f = self.spec.field(fname)
                lab = self.errors[fname]
                lab.setText(f"{f.label} {exc.problem}")
                lab.show()
                w = self.editors[fname]
                w.setProperty("invalid", True)
                w.setStyleSheet("border: 1px solid #b00020;")
                w.setFocus()
                return fname
        self.general_error.setText(str(exc))
        self.general_error.show()
        return None

    def error_text(self, name: str) -> str:
        lab = self.errors[name]
        return lab.text() if not lab.isHidden() else ""

    def set_read_only(self, ro: bool) -> None:
        for f in self.spec.fields:  # a field the services or the engine set stays read-only
            self.editors[f.name].setEnabled(not ro and not f.readonly)
