"""The timetable screen's edits: a drop (asking first if it is red, with repairs), unschedule, lock, and
"copy to a new draft" when a published version refuses an edit. Each is one operation on the writer
(one undo step); ``ScreenEdits`` is mixed into :class:`~ato_desktop.ui.timetable.screen.TimetableScreen`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QVBoxLayout,
)

from ato_desktop.ui.timetable.commands import lock, place, push
from ato_desktop.ui.timetable.model import (
    RED,
    Placement,
    Repair,
    TimetableModel,
)


class HardDropDialog(QDialog):
    """Asks before a drop that causes a hard conflict; offers up to three repairs."""

    CANCEL, FORCE = -2, -1

    def __init__(self, model: TimetableModel, s: int, t: int, r: int, reasons: list[str], repairs: list[Repair],
                 parent=None):
        super().__init__(parent)
        self.setWindowTitle("Hard conflict")
        self.setObjectName("hardDropDialog")
        self.choice = self.CANCEL
        lay = QVBoxLayout(self)
        room = model.room_code(r)
        lay.addWidget(QLabel(f"<b>Moving {model.short_label(s)} to {model.slot_label(t)}"
                             f"{f' ({room})' if room else ''} causes a hard conflict:</b>"))
        why = QLabel("\n".join(f"• {x}" for x in reasons[:8]) or "•")
        why.setWordWrap(True)
        why.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        lay.addWidget(why)
        self.repair_list = QListWidget()
        self.repair_list.setObjectName("repairList")
        if repairs:
            lay.addWidget(QLabel("Repairs that avoid it (double-click to apply):"))
            for i, rp in enumerate(repairs):
                it = QListWidgetItem(f"{rp.text}   (hard {rp.d_hard:+d}, soft {rp.d_soft:+d})")
                it.setData(Qt.UserRole, i)
                self.repair_list.addItem(it)
            self.repair_list.setCurrentRow(0)
            self.repair_list.itemDoubleClicked.connect(lambda it: self._pick(it.data(Qt.UserRole)))
            lay.addWidget(self.repair_list)
        else:
            lay.addWidget(QLabel("No small repair was found."))
            lay.addStretch(1)
        box = QDialogButtonBox()
        self.apply_button = box.addButton("Apply repair", QDialogButtonBox.AcceptRole)
        self.apply_button.setEnabled(bool(repairs))
        self.force_button = box.addButton("Move anyway", QDialogButtonBox.DestructiveRole)
        self.cancel_button = box.addButton(QDialogButtonBox.Cancel)
        self.apply_button.clicked.connect(lambda: self._pick(self.repair_list.currentRow()))
        self.force_button.clicked.connect(lambda: self._pick(self.FORCE))
        self.cancel_button.clicked.connect(self.reject)
        lay.addWidget(box)

    def _pick(self, i: int) -> None:
        self.choice = i
        self.accept()



class ScreenEdits:
    """The screen's actions (each one undo step); needs ``model``, ``undo_stack``, ``db``, ``current``,
    ``refuse_box`` and ``statusMessage`` from the screen."""

    # ---- actions (each one undo step) -------------------------------------------------------
    def _push(self, op) -> bool:
        """Run one edit on the writer (one undo step); a refusal is shown when it comes back."""

        def refused(err: BaseException) -> None:
            from ato_desktop.services.frozen import FrozenVersionError

            if isinstance(err, FrozenVersionError):
                self.offer_copy_to_draft(str(err))
            else:
                QMessageBox.warning(self, "Move refused", str(err))

        err = push(self.undo_stack, op, on_done=lambda _change: self.statusMessage.emit(op.text()), on_error=refused)
        return err is None

    def handle_drop(self, s: int, t: int, room: int, target: int = -1) -> bool:
        """A card was dropped: swap with ``target``, or move to (t, room) — asking first if red."""
        m = self.model
        if m.is_locked(s):
            self.statusMessage.emit(f"{m.short_label(s)} is locked.")
            return False
        if target >= 0 and not m.is_locked(target) and int(m.assignment.start[s]) >= 0 and m.state is not None:
            dh, ds = m.swap_delta(s, target)
            if dh <= 0:
                return self._push(place(m, m.swap_moves(s, target),
                                               f"Swap {m.short_label(s)} and {m.short_label(target)}"))
        if room < 0 and m.problem.session_needs_room[s] and m.state is not None:
            room = m.preview(s).at(t)[3]  # the room the colouring showed
        if m.state is not None:
            cat, dh, ds, _r = m.preview(s).at(t, room)
            if cat == RED:
                if self.refuse_box.isChecked():
                    QMessageBox.information(self, "Drop refused",
                                            "That drop causes a hard conflict:\n" + "\n".join(m.explain_drop(s, t, room)))
                    return False
                reasons = m.explain_drop(s, t, room)
                repairs = m.repairs(s, t, room)
                dlg = HardDropDialog(m, s, t, room, reasons, repairs, self)
                dlg.exec()
                if dlg.choice == HardDropDialog.CANCEL:
                    return False
                if dlg.choice >= 0:
                    rp = repairs[dlg.choice]
                    return self._push(place(m, rp.moves, f"Repair: {rp.text}"))
        room_code = m.room_code(room)
        return self._push(place(m, [Placement(s, t, room)],
                                       f"Move {m.short_label(s)} to {m.slot_label(t)}" + (f" ({room_code})" if room_code else "")))

    def unschedule(self, s: int) -> bool:
        m = self.model
        if m.is_locked(s):
            self.statusMessage.emit(f"{m.short_label(s)} is locked.")
            return False
        return self._push(place(m, [Placement(s, -1, -1)], f"Unschedule {m.short_label(s)}"))

    def unschedule_sessions(self, sessions: list[int]) -> bool:
        """Send several sessions to the tray in ONE undo step (locked ones stay)."""
        m = self.model
        free = [s for s in sessions if not m.is_locked(s) and int(m.assignment.start[s]) >= 0]
        if not free:
            self.statusMessage.emit("Nothing to unschedule (locked sessions stay where they are).")
            return False
        what = m.short_label(free[0]) if len(free) == 1 else f"{len(free)} sessions"
        return self._push(place(m, [Placement(s, -1, -1) for s in free], f"Unschedule {what}"))

    def lock_sessions(self, sessions: list[int], locked: bool) -> bool:
        return self._push(lock(self.model, list(sessions), locked))

    def offer_copy_to_draft(self, why: str) -> None:
        """An edit of a published (frozen) version was refused: offer "Copy to a new draft", which copies
        it and makes the copy current (the grid, the versions list and Publish follow)."""
        box = QMessageBox(QMessageBox.Icon.Information, "Published version", why,
                          QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("offerCopy")
        copy = box.addButton("Copy to a new draft", QMessageBox.ButtonRole.AcceptRole)
        copy.setObjectName("copyToDraft")
        copy.clicked.connect(self.copy_to_draft)
        self.offer_box = box
        box.open()

    def copy_to_draft(self) -> bool:
        """One operation on the writer (one undo step); the new draft becomes current."""
        from ato_desktop.services import version_edits
        from ato_desktop.ui.operations import operations_of

        if self.db is None or self.model is None:
            return False
        tid = self.model.timetable_id

        def done(change) -> None:
            self.statusMessage.emit(f"Copied to the new draft {change.result.name}.")
            self.current.set(change.result.id)  # the screen opens it (_current_changed)

        return bool(operations_of(self.undo_stack).run(
            lambda db: version_edits.copy_to_draft(db, timetable=tid), on_done=done,
            on_error=lambda exc: QMessageBox.warning(self, "Could not copy the version", str(exc)), db=self.db))
