"""Candidates…: optimize K candidate timetables in the background (``services.candidates``: a seed and a
weighting profile each), with progress and Cancel; each is saved as a draft version (one undo step
removes them all); then they are listed and the first two open side by side in the Compare dialog."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)


class CandidatesDialog(QDialog):
    finished_candidates = Signal(object)  # services.candidates.CandidatesResult

    def __init__(self, db, parent: QWidget | None = None, *, undo_stack=None):
        super().__init__(parent)
        from ato_desktop.services.candidates import BY_KEY, MAX_K
        from ato_desktop.services.solving import OptimizerSettings

        self.db = db
        self.undo_stack = undo_stack if undo_stack is not None else getattr(parent, "undo_stack", None)
        self.setObjectName("candidatesDialog")
        self.setWindowTitle("Candidate timetables")
        self._titles = {k: p.title for k, p in BY_KEY.items()}
        self.job = None  # the ui.tasks.Task while running
        self.result = None
        self.error: BaseException | None = None
        self.compare_dialog = None
        self.generations: int | None = None  # tests: a short, reproducible run
        lay = QVBoxLayout(self)
        intro = QLabel("Each candidate is a new draft version, optimized with its own seed and, in turn, the "
                       "weightings Balanced, Compact for students and Fewest days for faculty. They are "
                       "then compared with the first.", self)
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.k = QSpinBox(self)
        self.k.setObjectName("candidatesK")
        self.k.setRange(1, MAX_K)
        self.k.setValue(3)
        form.addRow("Candidates:", self.k)
        self.time_limit = QDoubleSpinBox(self)
        self.time_limit.setObjectName("candidatesTime")
        self.time_limit.setRange(1, 3600)
        self.time_limit.setDecimals(0)
        self.time_limit.setSuffix(" s each")
        self.time_limit.setValue(OptimizerSettings().time_limit or 30)
        form.addRow("Time limit:", self.time_limit)
        lay.addLayout(form)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("candidatesProgress")
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        lay.addWidget(self.progress)
        self.state = QLabel("", self)
        self.state.setObjectName("candidatesState")
        lay.addWidget(self.state)
        self.list = QListWidget(self)
        self.list.setObjectName("candidatesList")
        lay.addWidget(self.list, 1)
        self.buttons = QDialogButtonBox(self)
        self.start_button = QPushButton("Start", self)
        self.start_button.setObjectName("candidatesStart")
        self.start_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("candidatesCancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.compare_button = QPushButton("Compare…", self)
        self.compare_button.setObjectName("candidatesCompare")
        self.compare_button.setToolTip("The selected candidate side by side with the first")
        self.compare_button.setEnabled(False)
        self.compare_button.clicked.connect(lambda: self.open_compare(max(1, self.list.currentRow())))
        for b in (self.start_button, self.compare_button, self.cancel_button):
            self.buttons.addButton(b, QDialogButtonBox.ButtonRole.ActionRole)
        lay.addWidget(self.buttons)
        self.resize(560, 380)

    # -- running --------------------------------------------------------------------
    def running(self) -> bool:
        return self.job is not None

    def start(self) -> bool:
        if self.db is None or self.job is not None:
            return False
        from ato_desktop.progress import Progress
        from ato_desktop.services import candidates
        from ato_desktop.services.solving import OptimizerSettings
        from ato_desktop.ui import tasks
        from ato_desktop.ui.operations import operations_of, writer_of

        k, limit = self.k.value(), float(self.time_limit.value())
        settings = OptimizerSettings(time_limit=limit, generations=self.generations)
        self._limit = limit
        db = self.db
        writer = operations_of(self.undo_stack) if self.undo_stack is not None else writer_of(self)

        def job(on_progress, should_stop):  # each candidate is saved by an operation on the one writer
            return candidates.make_candidates(db, k, settings, should_stop=should_stop,
                                              write=lambda op: writer.run_and_wait(op, db=db),
                                              on_progress=lambda i, k, profile, p: on_progress(Progress(
                                                  done=i + p.fraction, total=k, message=p.message,
                                                  detail=(i, k, profile, p))))

        self.list.clear()
        self.progress.setValue(0)
        self.state.setText("Starting…")
        self.start_button.setEnabled(False)
        self.k.setEnabled(False)
        self.time_limit.setEnabled(False)
        self.cancel_button.setText("Stop")
        self.job = tasks.start(job, self._done, on_progress=self._progress, low_priority=True)  # the GUI first
        return True

    def cancel(self) -> None:
        """While running: stop (the candidates finished so far are kept); else close."""
        if self.job is not None:
            self.job.cancel()
            self.state.setText("Stopping…")
        else:
            self.reject()

    def reject(self) -> None:
        if self.job is not None:
            self.job.cancel()  # closing stops the run; the candidates finished are kept
        super().reject()

    def _progress(self, latest) -> None:
        if not shiboken6.isValid(self) or latest is None:
            return
        i, k, profile, progress = latest.detail  # which candidate, and the run's own Progress
        snap = progress.detail  # the engine's own snapshot
        hard, soft, elapsed = int(snap.best_hard), int(snap.best_soft), float(snap.elapsed)
        part = min(1.0, elapsed / self._limit) if self._limit else 0.0
        self.progress.setValue(int(1000 * (i + part) / k))
        self.state.setText(f"Candidate {i + 1} of {k} ({self._titles.get(profile, profile)}): "
                           f"hard {hard}, soft {soft}")

    def _done(self, result, error) -> None:
        if not shiboken6.isValid(self):
            return
        self.job = None
        self.result, self.error = result, error
        self.cancel_button.setText("Close")
        self.start_button.setEnabled(True)
        self.k.setEnabled(True)
        self.time_limit.setEnabled(True)
        if error is not None:
            self.state.setText(f"The candidates could not be made: {error}")
            return
        self.progress.setValue(1000)
        moved = {c.b.id: len(c.moved) for c in result.comparisons}
        for c in result.candidates:
            extra = f", {moved[c.version_id]} session(s) differ from the first" if c.version_id in moved else ""
            self.list.addItem(f"{c.name}: hard {c.hard}, soft {c.soft}{extra}")
        n = len(result.candidates)
        self.state.setText(f"{n} candidate(s) saved as draft versions" + (" (stopped)." if result.stopped else "."))
        self._push_undo(result)
        self.compare_button.setEnabled(bool(result.comparisons))
        self.finished_candidates.emit(result)
        if result.comparisons:
            self.open_compare(1)

    def _push_undo(self, result) -> None:
        """The candidates were saved one by one on the writer; their one undo step goes through it too."""
        if self.undo_stack is None or not result.candidates:
            return
        from ato_desktop.services.candidates import candidates_made

        ids = [c.version_id for c in result.candidates]
        self.undo_stack.run(lambda _db: candidates_made(versions=ids), db=self.db)

    def open_compare(self, index: int) -> bool:
        """The candidate ``index`` (1…) side by side with the first, in the Compare dialog."""
        if self.result is None or not 1 <= index <= len(self.result.comparisons):
            return False
        from ato_desktop.ui.compare_dialog import CompareDialog

        self.compare_dialog = CompareDialog(self.result.comparisons[index - 1], self)
        self.compare_dialog.open()
        return True
