"""The timetable screen's pickers and live labels: the version, view and entity boxes, the week of a
date, the score and tray labels, the faculty workload bar, and selecting sessions.
``ScreenViews`` is mixed into :class:`~ato_desktop.ui.timetable.screen.TimetableScreen`.
"""

from __future__ import annotations

from PySide6.QtCore import QDate, QTimer

from ato_desktop.services import timetables as tts
from ato_desktop.ui.timetable.model import (
    VIEW_FACULTY,
    VIEW_GROUP,
    VIEW_MASTER,
)


class ScreenViews:
    """What the screen shows; needs the widgets built by the screen's ``_build_content``."""

    # ---- pickers ---------------------------------------------------------------------
    def _fill_versions(self) -> None:
        self.version_box.blockSignals(True)
        self.version_box.clear()
        from ato_desktop.ui import read_once

        for info in read_once.versions(self.db):
            self.version_box.addItem(f"{info.name} [{info.status}]", info.id)
        i = self.version_box.findData(self.model.timetable_id)
        self.version_box.setCurrentIndex(max(i, 0))
        self.version_box.blockSignals(False)

    def _version_chosen(self, _i: int) -> None:
        tid = self.version_box.currentData()
        if tid is not None and tid != self.model.timetable_id:
            self.open_timetable(tid)

    # ---- the week of a date ------------------------------------------------------------
    def set_week(self, date) -> None:
        """Show the week of ``date`` (a datetime.date, or None = the weekly pattern); read in a worker."""
        if date is None:
            self.week_box.setChecked(False)
            return
        self.week_edit.setDate(QDate(date.year, date.month, date.day))
        if self.week_box.isChecked():
            self._week_changed()
        else:
            self.week_box.setChecked(True)

    def _week_changed(self, *_a) -> None:
        from ato_desktop.ui import tasks

        on = self.week_box.isChecked()
        self.week_edit.setEnabled(on)
        self._week_request += 1
        if not on or self.db is None or self.model is None:
            self.week_loaded = None
            self.grid.set_week(None)
            return
        request, db, tid, date = self._week_request, self.db, self.model.timetable_id, self.week_edit.date().toPython()

        def read():
            from ato_desktop.services import day_timetable as daytt

            return daytt.week_timetable(db, date, tid)

        def done(week, error) -> None:
            try:
                if request != self._week_request or db is not self.db:
                    return  # another date, version or file was chosen meanwhile
                if error is not None:
                    self.statusMessage.emit(f"The week of {date:%d %b %Y} cannot be shown: {error}")
                    self.week_box.setChecked(False)
                    return
                self.week_loaded = week
                self.grid.set_week(week)
                self.statusMessage.emit(f"The week of {date:%d %b %Y} (read-only: untick “Week of” to edit "
                                        "the weekly pattern).")
            except RuntimeError:  # the screen was deleted meanwhile
                pass

        self._week_job = tasks.run(read, done)

    def _kind_changed(self, *_a) -> None:
        kind = self.kind_box.currentData()
        self.entity_box.blockSignals(True)
        self.entity_box.clear()
        for code, label in self.model.entities(kind):
            self.entity_box.addItem(label, code)
        self.entity_box.setEnabled(kind != VIEW_MASTER)
        self.entity_box.blockSignals(False)
        self._entity_changed()

    def _entity_changed(self, *_a) -> None:
        self.grid.set_view(self.kind_box.currentData(), self.entity_box.currentData())
        self._update_workload()

    def show_view(self, kind: str, entity: str | None = None) -> None:
        self.kind_box.setCurrentIndex(self.kind_box.findData(kind))
        if entity is not None:
            i = self.entity_box.findData(entity)
            if i < 0:
                raise KeyError(f"no {kind} {entity!r} in this view")
            self.entity_box.setCurrentIndex(i)
        self._entity_changed()

    # ---- live labels -------------------------------------------------------------------
    def _on_model(self, what: str) -> None:
        m = self.model
        # placements, locks and new versions are operations: they announce themselves (operation_executed);
        # loading a version changes nothing in the file, the current-version holder tells who shows what
        if what == "load":
            if self.showing_timetable:  # e.g. an accepted optimizer result: current everywhere
                self.current.set(m.timetable_id)  # (a first load: _apply_loaded, once the grid is shown)
            self._fill_versions()
            self._kind_changed()
            if self.week_box.isChecked():  # another version, or the same one reloaded: its week again
                self._week_changed()
            if m.state is None:
                QTimer.singleShot(0, self._request_state)
        elif what == "preview" and m.state is None and not m.previewing:
            # the version back after a preview made before the kernels were ready (a quick first timetable)
            QTimer.singleShot(0, self._request_state)
        n = len(m.unscheduled())
        if m.hard is None:
            self.score_label.setText("score: …")  # the engine is still loading (or not in this build)
        else:
            # unscheduled sessions are hard even when their rule is switched off (services.scores.score_of)
            hard = m.hard + (n if int(m.problem.weights.get("unscheduled", 1)) == 0 else 0)
            color = "#0a0" if hard == 0 else "#c00"
            extra = f" ({n} unscheduled)" if n else ""
            self.score_label.setText(f"<b>Hard <span style='color:{color}'>{hard}</span></b>{extra} · Soft {m.soft}")
        if getattr(getattr(m, "timetable", None), "status", "") in ("published", "archived"):
            self.score_label.setText(self.score_label.text() + " · <i>published: frozen</i>")
            self.score_label.setToolTip("A published version cannot be changed; moving a session offers "
                                        "to copy it to a new draft.")
        self.tray_label.setText(f"Unscheduled ({n})")
        self._update_workload()

    def _update_workload(self) -> None:
        is_fac = self.kind_box.currentData() == VIEW_FACULTY and self.entity_box.currentData()
        self.workload_label.setVisible(bool(is_fac))
        self.workload_bar.setVisible(bool(is_fac))
        if not is_fac:
            return
        used, limit = self.model.weekly_load(self.entity_box.currentData())
        self.workload_label.setText("Load:")
        self.workload_bar.setRange(0, max(limit, used, 1))
        self.workload_bar.setValue(used)
        self.workload_bar.setFormat(f"{used} / {limit} periods")
        over = limit and used > limit
        # UGC norm (the credit template's workload norms): below it is a warning, amber
        from ato_desktop.services.templates import below_norm, norm_of

        norm = norm_of(self.model.db, self.entity_box.currentData())
        under = "" if over else below_norm(used, norm)
        self.workload_label.setText(f"Load (norm {norm}):" if norm else "Load:")
        self.workload_bar.setToolTip(f"{used} periods scheduled a week; the weekly maximum is {limit or 'not set'}"
                                     + (f"; the UGC norm is {norm}" if norm else "")
                                     + (f": {under}." if under else "."))
        self.workload_bar.setStyleSheet("QProgressBar::chunk { background: %s; }"
                                        % ("#d55" if over else "#d90" if under else "#5a5"))

    def select_sessions(self, sessions: list[int]) -> None:
        """Highlight sessions; show them (switching to the first one's group if it is not visible)."""
        m = self.model
        m.selection = set(sessions)
        shown = set(self.grid.shown_sessions())
        if sessions and not shown.intersection(sessions):
            s = sessions[0]
            if int(m.assignment.start[s]) >= 0 and m.views[s].groups:
                self.show_view(VIEW_GROUP, m.views[s].groups[0])
        self.grid.update()
        it = next((self.grid.item_of(s) for s in sessions if self.grid.item_of(s)), None)
        if it is not None:
            self.scroll.ensureVisible(int(it.rect.center().x()), int(it.rect.center().y()), 80, 80)
