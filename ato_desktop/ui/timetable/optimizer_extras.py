"""Two helpers of the optimizer panel for a coordinator's first hour (issue 16).

* :class:`KeepChangesAdvisor` turns "Keep my changes" (minimal-change mode) on only when the
  coordinator has moved sessions by hand since the last optimizer run, and says why under the box
  ("On because you moved 3 sessions since the last run"). A choice the user makes with the box itself
  is kept until another version is shown.
* :class:`PreviewBanner` shows a finished run's result in the grid before it is saved: the model shows
  the candidate placement in memory (``TimetableModel.begin_preview``), a banner says
  "Preview — Accept or Discard", and Discard puts the version back exactly as it was.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton


class KeepChangesAdvisor(QObject):
    """Sets the panel's ``keep_changes`` box from the sessions moved since the last run."""

    def __init__(self, panel):
        super().__init__(panel)
        self.panel = panel
        self.model = panel.model
        self.label = QLabel()
        self.label.setObjectName("keepChangesReason")
        self.label.setWordWrap(True)
        self.label.setStyleSheet("color: #555;")
        self._baseline: dict[int, tuple[int, int]] = {}
        self._timetable_id: int | None = None
        self._user_choice: bool | None = None
        panel.keep_changes.clicked.connect(self._user_clicked)  # clicked: the user, not setChecked
        panel.started.connect(self.reset_baseline)
        self.model.subscribe(self._on_model)
        self.reset_baseline()

    def reset_baseline(self) -> None:
        """From now on, count moves from here (a run starts, another version is shown)."""
        m = self.model
        if getattr(m, "previewing", False):
            return
        self._timetable_id = m.timetable_id
        self._baseline = {m.views[s].id: (int(m.assignment.start[s]), int(m.assignment.room[s]))
                          for s in range(len(m.views))}
        self.update()

    def moved_sessions(self) -> int:
        """Sessions whose slot or room differ from where they were at the last run (or when shown)."""
        m = self.model
        n = 0
        for s, v in enumerate(m.views):
            before = self._baseline.get(v.id)
            if before is not None and before != (int(m.assignment.start[s]), int(m.assignment.room[s])):
                n += 1
        return n

    def _user_clicked(self, checked: bool) -> None:
        self._user_choice = bool(checked)
        self.update()

    def _on_model(self, what: str) -> None:
        if what == "preview" or getattr(self.model, "previewing", False):
            return
        if what == "load" and self.model.timetable_id != self._timetable_id:
            self._user_choice = None  # another version: its own moves, and the automatic choice again
            self.reset_baseline()
            return
        if what in ("placement", "load"):
            self.update()

    def update(self) -> None:
        n = self.moved_sessions()
        box = self.panel.keep_changes
        sessions = f"{n} session{'s' if n != 1 else ''}"
        if self._user_choice is None:
            box.setChecked(n > 0)
            if n > 0:
                text = (f"On because you moved {sessions} since the last run: the optimizer keeps your "
                        "timetable and moves as few sessions as it can.")
            else:
                text = ("Off: you have moved no session since the last run, so the optimizer may move "
                        "any session (unlocked) to find a better timetable.")
        else:
            text = (f"{'On' if self._user_choice else 'Off'} (your choice); you moved {sessions} since the "
                    "last run.")
        self.label.setText(text)


PREVIEW_STATE_IN_WORKER_ABOVE = 800  # sessions (as the screen's own ASYNC_ABOVE)


class PreviewBanner(QFrame):
    """"Preview — Accept or Discard" above the grid while it shows an unsaved optimizer result."""

    def __init__(self, panel):
        super().__init__()
        self.panel = panel
        self.model = panel.model
        self.setObjectName("previewBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#previewBanner { background: #fff4c2; border: 1px solid #d9b300; }")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 3, 8, 3)
        self.title = QLabel()
        self.title.setObjectName("previewTitle")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setWordWrap(True)
        lay.addWidget(self.title, 1)
        self.accept_button = QPushButton("Accept")
        self.accept_button.setObjectName("previewAccept")
        self.accept_button.setToolTip("Save this result as a new timetable version (one undo step)")
        self.discard_button = QPushButton("Discard")
        self.discard_button.setObjectName("previewDiscard")
        self.discard_button.setToolTip("Go back to the version as it was")
        lay.addWidget(self.accept_button)
        lay.addWidget(self.discard_button)
        self.accept_button.clicked.connect(lambda: panel.accept_result())
        self.discard_button.clicked.connect(lambda: panel.discard())
        self.model.subscribe(self._on_model)
        panel.started.connect(self.end)  # a new run starts from the version as saved
        self.hide()

    def show_result(self, compiled, result) -> bool:
        """Show ``result`` (an engine Result for ``compiled``) in the grid and the banner; False if it cannot."""
        m = self.model
        big = m.problem.n_sessions > PREVIEW_STATE_IN_WORKER_ABOVE
        try:
            rows = compiled.rows_from_assignment(result.assignment)
            moved = m.begin_preview(rows, build_state=not big)
        except Exception:  # noqa: BLE001  (the panel's own Accept / Discard still work without a preview)
            return False
        if big:  # nothing slow on the UI thread: the preview's engine state (colours, score) comes from a worker
            from ato_desktop.engine.state import State
            from ato_desktop.ui import tasks

            version, problem, assignment = m.version, m.problem, m.assignment.copy()
            tasks.run(lambda: State(problem, assignment),
                          lambda state, error: error is None and m.set_preview_state(state, version))
        best = " — the best possible" if getattr(result, "optimal", False) else ""
        self.title.setText(f"<b>Preview — Accept or Discard.</b> The grid shows the optimizer's result "
                           f"(hard {result.hard}, soft {result.soft}{best}; {moved} session"
                           f"{'s' if moved != 1 else ''} moved). Nothing is saved until you accept.")
        self.show()
        return True

    def end(self) -> None:
        """Back to the version as it was (Discard), or just hide (the result was saved and is shown)."""
        self.model.end_preview()
        self.hide()

    def _on_model(self, what: str) -> None:
        if what == "load" and not self.model.previewing:  # a version was loaded (the saved result, another one)
            self.hide()


def compact_chart(panel) -> None:
    """The chart fits the short panel of a 768 px screen: no title (the tab says "Optimizer"), the legend
    beside the plot instead of under it; otherwise the axis labels shrink to "…"."""
    panel.chart.setTitle("")
    panel.chart_view.setToolTip("Best cost over time: hard (must be 0) and soft")
    panel.chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
    panel.chart_view.setMinimumHeight(120)


def follow_warm_up(panel) -> None:
    """While Start waits for the first-run compile, the panel's status says how far it is and how long is left."""
    from ato_desktop.ui.warmup import progress_text, warmup_controller

    def show(percent: int, left: int, step: str) -> None:
        if getattr(panel, "_preparing", False):
            panel.lbl_phase.setText(progress_text(percent, left, step) + " — the run starts then")

    warmup_controller().progress.connect(show)
