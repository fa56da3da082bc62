"""The optimizer panel: parameters, Start/Stop, a live chart of best hard/soft, accept or discard.

The form holds :class:`~ato_desktop.services.solving.OptimizerSettings` (whose defaults it shows).
The run is :func:`~ato_desktop.services.solving.run_solve` in a QThreadPool worker
(:class:`~ato_desktop.ui.tasks.Task`): the engine reports progress through
``on_progress`` and checks ``should_stop``; a GUI-thread timer polls the latest snapshot.
Stop returns the best so far. Accept is :func:`~ato_desktop.services.solving.save_solve`: the
result becomes a NEW timetable version in one transaction, and one undo step. The CLI ``solve``
calls the same two services.

Nothing slow runs on the UI thread during a run (issue 5: event-loop latency under
50 ms, ``benchmarks/ui_latency.py``): the kernels are loaded into the process in a
worker before the run starts (``WarmUpController.when_ready``), progress reaches the
panel through a 150 ms poll, the chart gets at most a few hundred points, and accepting
writes the new version and reads it back (engine state included) in a worker; the UI
thread only shows it.
"""

from __future__ import annotations

import os

from PySide6.QtCharts import QChart, QChartView, QLineSeries, QValueAxis
from PySide6.QtCore import QCoreApplication, QMargins, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ato_desktop.services import Database
from ato_desktop.services.solving import (BackupFailed, OptimizerSettings, data_changes_since, run_quick_solve,
                                          run_solve, save_solve)
from ato_desktop.ui.tasks import Task
from ato_desktop.ui.timetable.model import TimetableModel, fetch, score_of

CHART_MIN_STEP = 0.25  # seconds between two chart points (a newer best replaces the last point instead)
CHART_MAX_POINTS = 300  # more points: every other one is dropped and the step doubles (long runs)


class OptimizerPanel(QWidget):
    started = Signal()
    progressed = Signal(object)
    finished = Signal(object)  # engine Result (or None on error)
    accepted = Signal(int)  # new timetable id
    message = Signal(str)

    def __init__(self, db: Database, undo_stack, model: TimetableModel, parent=None):
        super().__init__(parent)
        self.setObjectName("optimizerPanel")
        self.db = db
        self.undo_stack = undo_stack
        self.model = model
        self.job: Task | None = None
        self._preparing = False  # waiting for the first-run warm-up before starting
        self._quick_shown = False  # a quick first timetable was made while the warm-up runs (issue 16)
        self.result = None
        self.compiled = None
        self.run = None  # the last run (services.solving.SolveRun), until it is saved or discarded
        self.data_changed_box: QMessageBox | None = None
        self.source_id: int | None = None
        self.snapshots: list = []
        self._saving = False  # an accepted result is being written (worker)
        self._anyway = False  # the next run skips the impossible-problem check ("Optimize anyway")
        self.check_dialog = None  # the findings of the last run refused as impossible

        defaults = OptimizerSettings()
        self.generations: int | None = None  # a generation limit (tests, reproducible runs); the form has none
        form = QFormLayout()
        self.time_limit = QDoubleSpinBox()
        self.time_limit.setObjectName("timeLimit")
        self.time_limit.setRange(1, 3600)
        self.time_limit.setValue(defaults.time_limit)
        self.time_limit.setSuffix(" s")
        self.seed = QSpinBox()
        self.seed.setObjectName("seed")
        self.seed.setRange(0, 2_000_000_000)
        self.seed.setValue(defaults.seed)
        self.population = QSpinBox()
        self.population.setObjectName("populationSize")
        self.population.setRange(2, 200)
        self.population.setValue(defaults.population_size)
        self.threads = QSpinBox()
        self.threads.setObjectName("threads")
        self.threads.setRange(1, max(os.cpu_count() or 1, defaults.threads))
        self.threads.setValue(defaults.threads)
        self.threads.setToolTip("Searches side by side, one per processor core; one core is left for the window")
        self.keep_changes = QCheckBox("Keep my changes (move as few sessions as possible)")
        self.keep_changes.setObjectName("keepChanges")
        self.keep_changes.setChecked(defaults.keep_changes)  # then the advisor below follows the hand moves
        form.addRow("Time limit", self.time_limit)
        form.addRow("Seed", self.seed)
        form.addRow("Population", self.population)
        form.addRow("Threads", self.threads)
        form.addRow(self.keep_changes)
        # issue 16: a result is previewed in the grid before Accept; "Keep my changes" follows the hand moves
        from ato_desktop.ui.timetable.optimizer_extras import KeepChangesAdvisor, PreviewBanner

        self.preview_banner = PreviewBanner(self)  # the screen puts it above the grid
        self.keep_advisor = KeepChangesAdvisor(self)
        form.addRow(self.keep_advisor.label)

        self.start_button = QPushButton("Start")
        self.start_button.setObjectName("startButton")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setObjectName("stopButton")
        self.accept_button = QPushButton("Accept as new version")
        self.accept_button.setObjectName("acceptButton")
        self.discard_button = QPushButton("Discard")
        self.discard_button.setObjectName("discardButton")
        self.stop_button.setEnabled(False)
        self.accept_button.setEnabled(False)
        self.discard_button.setEnabled(False)
        buttons = QHBoxLayout()
        for b in (self.start_button, self.stop_button):
            buttons.addWidget(b)
        buttons2 = QHBoxLayout()
        for b in (self.accept_button, self.discard_button):
            buttons2.addWidget(b)

        counters = QGridLayout()
        self.lbl_generation = QLabel("–")
        self.lbl_evals = QLabel("–")
        self.lbl_elapsed = QLabel("–")
        self.lbl_best = QLabel("–")
        self.lbl_phase = QLabel("idle")
        self.lbl_phase.setWordWrap(True)
        self.lbl_phase.setObjectName("phaseLabel")
        for i, (name, w) in enumerate((("Generation", self.lbl_generation), ("Evaluations/s", self.lbl_evals),
                                       ("Elapsed", self.lbl_elapsed), ("Best hard / soft", self.lbl_best),
                                       ("Status", self.lbl_phase))):
            counters.addWidget(QLabel(name + ":"), i, 0)
            counters.addWidget(w, i, 1)

        left = QVBoxLayout()
        left.addLayout(form)
        left.addLayout(buttons)
        left.addLayout(buttons2)
        left.addLayout(counters)
        left.addStretch(1)

        self.chart = QChart()
        self.chart.setTitle("Best cost over time")
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        self.chart.legend().setAlignment(Qt.AlignBottom)
        self.hard_series = QLineSeries()
        self.hard_series.setName("hard")
        self.hard_series.setPen(QPen(QColor(200, 40, 40), 2))
        self.soft_series = QLineSeries()
        self.soft_series.setName("soft")
        self.soft_series.setPen(QPen(QColor(40, 90, 200), 2))
        self.chart.addSeries(self.hard_series)
        self.chart.addSeries(self.soft_series)
        self.axis_x = QValueAxis()
        self.axis_x.setTitleText("seconds")
        self.axis_x.setLabelFormat("%.0f")
        self.axis_hard = QValueAxis()
        self.axis_hard.setTitleText("hard")
        self.axis_hard.setLabelFormat("%.0f")
        self.axis_hard.setTickCount(3)
        self.axis_soft = QValueAxis()
        self.axis_soft.setTitleText("soft")
        self.axis_soft.setLabelFormat("%.0f")
        self.chart.addAxis(self.axis_x, Qt.AlignBottom)
        self.chart.addAxis(self.axis_hard, Qt.AlignLeft)
        self.chart.addAxis(self.axis_soft, Qt.AlignRight)
        self.hard_series.attachAxis(self.axis_x)
        self.hard_series.attachAxis(self.axis_hard)
        self.soft_series.attachAxis(self.axis_x)
        self.soft_series.attachAxis(self.axis_soft)
        self.chart_view = QChartView(self.chart)
        self.chart_view.setRenderHint(QPainter.Antialiasing)
        self.chart_view.setMinimumHeight(140)
        from ato_desktop.ui.timetable.optimizer_extras import compact_chart

        compact_chart(self)  # issue 16: readable in the short panel of a 1366 x 768 screen
        from ato_desktop.ui.timetable.optimizer_extras import follow_warm_up

        follow_warm_up(self)  # the first-run compile's progress and time left, while Start waits for it

        lay = QHBoxLayout(self)
        lw = QWidget()
        lw.setLayout(left)
        # the settings scroll when the panel is short (a laptop screen), so the grid above keeps its height
        side = QScrollArea()
        side.setObjectName("optimizerSettings")
        side.setWidget(lw)
        side.setWidgetResizable(True)
        side.setFrameShape(QFrame.Shape.NoFrame)
        side.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        side.setMinimumWidth(lw.minimumSizeHint().width() + side.verticalScrollBar().sizeHint().width())
        side.setMaximumWidth(400)
        lay.addWidget(side)
        lay.addWidget(self.chart_view, 1)

        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        self.start_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)
        self.accept_button.clicked.connect(self.accept_result)
        self.discard_button.clicked.connect(self.discard)
        self._reset_chart()

    # ---- run ------------------------------------------------------------------------
    def _reset_chart(self) -> None:
        self.hard_series.clear()
        self.soft_series.clear()
        self.snapshots = []
        self._last_point: tuple[float, int, int] | None = None
        self._chart_step = CHART_MIN_STEP
        self._max_h, self._max_s, self._max_t = 1, 1, 5.0
        self.axis_x.setRange(0, self._max_t)
        self.axis_hard.setRange(0, 2)
        self.axis_soft.setRange(0, 1)

    @property
    def running(self) -> bool:
        return self.job is not None and self.job.running

    def settings(self) -> OptimizerSettings:
        """The optimizer settings of the form (with ``generations`` set: no time limit, a reproducible run)."""
        return OptimizerSettings().but(
            time_limit=None if self.generations else float(self.time_limit.value()),
            generations=self.generations, seed=int(self.seed.value()),
            population_size=int(self.population.value()), keep_changes=self.keep_changes.isChecked(),
            threads=int(self.threads.value()))

    def start(self) -> bool:
        """Start a run on the version shown, in a QThreadPool worker (compile + optimize there).

        On the first run after an install the optimizer's kernels are compiled first, in a
        separate process (``ui.warmup``): compiling in the worker would hold the GIL and
        freeze the window for a minute. Meanwhile the first Start gives at once a first timetable from the
        numpy constructor (``services.solving.run_quick_solve``, a preview to accept or discard, issue 16);
        a Start after that waits for the compile, its progress and time left shown.
        """
        if self.running or self._preparing:
            return False
        from ato_desktop.ui.warmup import PREPARING_MESSAGE, warmup_controller

        wc = warmup_controller()
        if wc.running or not wc.is_warm() or not wc.kernels_loaded():
            first = wc.running or not wc.is_warm()
            if first and not self._quick_shown:
                # issue 16: no waiting for the compile (a minute or two): a first timetable from the numpy
                # constructor now, while the warm-up process compiles; the next Start waits for it
                wc.ensure_started()
                return self._start_now(quick=True)
            self._preparing = True
            self.start_button.setEnabled(False)
            self.stop_button.setEnabled(True)
            # compiled but not loaded into this process yet: a worker loads them (about a second)
            self.lbl_phase.setText("preparing the optimizer (first run only)…" if first else "loading the optimizer…")
            self.message.emit(PREPARING_MESSAGE if first else "Loading the optimizer…")
            if wc.when_ready(self._start_after_warm_up):
                return True
            self._preparing = False  # ready after all (nothing to wait for): it started
            return self.running
        return self._start_now()

    def _start_after_warm_up(self) -> None:
        if not self._preparing:  # Stop was pressed while preparing
            return
        self._preparing = False
        self._start_now()

    def _start_now(self, quick: bool = False) -> bool:
        if self.running:
            return False
        # an impossible timetable is explained before any optimizing (issue 3), unless "Optimize anyway"
        settings = self.settings().but(refuse_impossible=not self._anyway)
        self._anyway = False
        db = self.db
        self.source_id = source_id = self.model.timetable_id

        def work(on_progress, should_stop):  # compiles afresh (locks included), then optimizes
            if quick:
                return run_quick_solve(db, settings, timetable=source_id, should_stop=should_stop)
            return run_solve(db, settings, timetable=source_id, on_progress=on_progress, should_stop=should_stop)

        self.result = None
        self.compiled = None
        self.run = None
        self._reset_chart()
        self.job = Task(work, poll_ms=150, parent=self, low_priority=True)
        self.job.progress.connect(self._on_progress)
        self.job.finished.connect(self._on_finished)
        self.start_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.accept_button.setEnabled(False)
        self.discard_button.setEnabled(False)
        self.lbl_phase.setText("a first timetable while the optimizer is prepared…" if quick else "running…")
        self.job.start()
        self.started.emit()
        self.message.emit("Optimizer running…")
        return True

    def stop(self) -> None:
        """Ask the run to stop; ``finished`` follows with the best assignment so far."""
        if self._preparing:
            self._preparing = False
            self.start_button.setEnabled(True)
            self.stop_button.setEnabled(False)
            self.lbl_phase.setText("idle")
            self.message.emit("Optimizer start cancelled (it keeps preparing in the background).")
            return
        if self.job is not None and self.job.running:
            self.job.cancel()
            self.lbl_phase.setText("stopping…")
            self.message.emit("Stopping the optimizer…")

    def shutdown(self, timeout_ms: int = 10000) -> bool:
        """Stop a run and wait for its worker (application exit, database switch). True when idle."""
        if self.job is None or not self.job.running:
            return True
        self.job.cancel()
        return self.job.wait(timeout_ms)

    def _on_progress(self, progress) -> None:
        p = progress.detail  # the engine's own snapshot (engine.optimizer.Snapshot)
        self.snapshots.append(p)
        self.lbl_generation.setText(str(p.generation))
        self.lbl_evals.setText(f"{p.evals_per_second:,.0f}")
        self.lbl_elapsed.setText(f"{p.elapsed:.1f} s")
        self.lbl_best.setText(f"{p.best_hard} / {p.best_soft}" if p.best_hard >= 0 else "–")
        self.lbl_phase.setText(p.phase)
        if p.best_hard >= 0 and p.best_soft >= 0:
            self._add_point(p.elapsed, p.best_hard, p.best_soft)
        self.progressed.emit(p)

    def _add_point(self, t: float, hard: int, soft: int, *, final: bool = False) -> bool:
        """Plot the best (hard, soft) at ``t`` seconds; True when the chart changed.

        Throttled: a point at most every ``CHART_MIN_STEP`` seconds; a newer best in between moves
        the last point instead, and an unchanged best in between changes nothing.  Beyond
        ``CHART_MAX_POINTS`` points every other one is dropped and the step doubles (a long run
        keeps a chart of a few hundred points).  The axes change only when their range grows.
        """
        last = self._last_point
        step = self._chart_step
        n = self.hard_series.count()
        if last is not None and n and t - last[0] < step and not final:
            if (hard, soft) == last[1:]:
                return False
            self.hard_series.replace(n - 1, t, hard)
            self.soft_series.replace(n - 1, t, soft)
            self._last_point = (last[0], hard, soft)  # the step still counts from where that point began
        else:
            if n >= CHART_MAX_POINTS:
                for series in (self.hard_series, self.soft_series):
                    pts = series.points()
                    series.replace(pts[:-1:2] + pts[-1:])  # keep every other point and the last one
                self._chart_step *= 2
            self.hard_series.append(t, hard)
            self.soft_series.append(t, soft)
            self._last_point = (t, hard, soft)
        if hard > self._max_h:
            self._max_h = hard
            self.axis_hard.setRange(0, max(2, self._max_h * 1.05))
        if soft > self._max_s:
            self._max_s = soft
            self.axis_soft.setRange(0, self._max_s * 1.05)
        if t * 1.05 > self._max_t:
            self._max_t = max(self._max_t * 1.5, t * 1.1)  # grows in steps: no relayout on every tick
            self.axis_x.setRange(0, self._max_t)
        return True

    def _on_finished(self, out, error) -> None:
        self.start_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        from ato_desktop.services.solving import ImpossibleProblemError

        if isinstance(error, ImpossibleProblemError):
            self.result = None
            n = len(error.findings)
            self.lbl_phase.setText(f"not started: {n} problem{'s' if n != 1 else ''} in the data")
            self.message.emit("The optimizer did not start: the timetable is impossible as entered "
                              f"({n} problem{'s' if n != 1 else ''}; see the list).")
            self.finished.emit(None)
            self._show_impossible(error.findings)
            return
        if error is not None:
            self.lbl_phase.setText("failed")
            self.result = None
            self.message.emit("The optimizer failed.")
            self.finished.emit(None)
            QMessageBox.critical(self, "Optimizer failed", f"{type(error).__name__}: {error}")
            return
        self.run = out
        self.compiled, result = out.compiled, out.result
        self.result = result
        self.lbl_best.setText(f"{result.hard} / {result.soft}")
        self.lbl_elapsed.setText(f"{result.seconds:.1f} s")
        self.lbl_generation.setText(str(getattr(result, "generations", "–")))
        if result.hard >= 0 and result.soft >= 0:
            self._add_point(result.seconds, result.hard, result.soft, final=True)
        how = "stopped" if result.stopped else "finished"
        if getattr(result, "optimal", False):
            how = "finished at the best possible timetable"
        if getattr(out, "quick", False):
            self._quick_shown = True
            how = "first timetable (the optimizer is being prepared; Start again runs it)"
        self.lbl_phase.setText(f"{how}: hard {result.hard}, soft {result.soft} — accept or discard")
        self.accept_button.setEnabled(True)
        self.discard_button.setEnabled(True)
        end = out.end_lines() if hasattr(out, "end_lines") else []  # the lower bound; why hard is not 0
        self.lbl_phase.setToolTip("\n".join(end))
        if result.hard > 0 and end:
            self.lbl_phase.setText("\n".join([self.lbl_phase.text(), *end]))
        self.message.emit(" ".join([f"Optimizer {how}: hard {result.hard}, soft {result.soft}.", *end[:2]]))
        self.preview_banner.show_result(self.compiled, result)
        self.finished.emit(result)

    def _show_impossible(self, findings) -> None:
        """The findings that stopped a run, with "Optimize anyway" for a best-effort timetable."""
        from ato_desktop.ui.check_dialog import CheckDialog

        dlg = CheckDialog(self, intro="No timetable can satisfy every hard rule as the data stands. Fix these "
                                      "(the resource pages, availability or the activities), or optimize "
                                      "anyway for the timetable with the fewest conflicts.")
        dlg.setWindowTitle("The timetable is impossible as entered")
        dlg.show_findings(findings)
        anyway = dlg.add_action("Optimize &anyway", "Run the optimizer for the fewest hard conflicts")
        anyway.clicked.connect(lambda: (dlg.accept(), self.start_anyway()))
        self.check_dialog = dlg
        dlg.open()

    def start_anyway(self) -> bool:
        """Start a run without the impossible-problem check (best effort: fewest hard conflicts)."""
        self._anyway = True
        started = self.start()
        if not started:
            self._anyway = False
        return started

    # ---- accept / discard ----------------------------------------------------------------
    def accept_result(self, name: str | None = None, *, anyway: bool = False) -> bool:
        """Save the result as a NEW version: a backup first, then one transaction, one undo step.

        The backup, the write and reading the new version back (engine state included) run in a
        worker thread; the UI thread then only shows it (pushing the undo step). Returns True
        when the save was started; ``accepted(new_id)`` follows.

        First the worker compiles the data again: when it changed since the run started (an edit
        elsewhere while the optimizer ran), nothing is saved and a box says what changed and offers
        Re-run / Accept anyway / Cancel (``anyway`` skips that check).
        """
        if self.result is None or self.run is None or self.running or self._saving:
            return False
        db, source_id, run = self.db, self.source_id, self.run
        self._saving = True
        self.accept_button.setEnabled(False)
        self.discard_button.setEnabled(False)
        self.lbl_phase.setText("checking the data…" if not anyway else "taking a backup…")

        def save(backup: bool):  # worker thread: write the version, read it back as the grid shows it
            saved = save_solve(db, run, name=name, backup=backup)
            try:
                loaded = fetch(db, saved.version.id)
                loaded = loaded, score_of(loaded)  # the conflicts list's score too: not evaluated on the UI thread
            except Exception:  # shown all the same: the undo step reads it on the UI thread
                loaded = None
            return saved, loaded

        def backup_then_save(_on_progress, _should_stop):
            if not anyway:
                changes = data_changes_since(db, run)
                if changes:
                    return "data-changed", changes
            try:
                return "saved", save(backup=True)
            except BackupFailed as exc:  # the user decides whether to save without a backup
                return "backup-failed", exc

        def not_saved(problem: object = None) -> None:  # the result stays, to save again or discard
            self.accept_button.setEnabled(True)
            self.discard_button.setEnabled(True)
            self.lbl_phase.setText("not saved")
            if problem is not None:
                QMessageBox.warning(self, "Could not save the result", str(problem))

        def saved(out, error) -> None:
            self._saving = False
            if error is None and out[0] == "data-changed":
                not_saved()
                self._ask_data_changed(out[1], name)
                return
            if error is None and out[0] == "backup-failed":
                answer = QMessageBox.question(
                    self, "Backup failed",
                    f"A backup could not be taken before saving the result:\n{out[1]}\n\nSave the result anyway?")
                if answer != QMessageBox.Yes:
                    not_saved()
                    return
                self._saving = True
                self.lbl_phase.setText("saving…")
                self._save_job = write(lambda: ("saved", save(backup=False)))
                return
            if error is not None:
                not_saved(error)
                return
            saved_solve, loaded = out[1]  # one undo step already ("Apply optimized timetable (name)")
            info = saved_solve.version
            if loaded is not None and loaded[0].info.id == info.id:
                self.model.apply(loaded[0], score=loaded[1])
            else:
                self.model.load(info.id)
            self.result = None
            self.run = None
            self.lbl_phase.setText(f"saved as {info.name!r}")
            self.message.emit(f"Optimized timetable saved as {info.name!r}.")
            self.accepted.emit(self.model.timetable_id)

        def write(job):  # on the window's writer: the backup, the check, the version, as one operation
            from ato_desktop.services.operations import Change
            from ato_desktop.services.version_edits import applied_result
            from ato_desktop.ui.operations import operations_of

            def op(_db):
                out = job()
                if out[0] != "saved":
                    return Change("Apply optimized timetable", frozenset(), result=out)  # nothing written
                return applied_result(out[1][0].version, source=source_id, result=out)

            return operations_of(self.undo_stack).run(op, on_done=lambda change: saved(change.result, None),
                                                      on_error=lambda exc: saved(None, exc), db=db)

        self._save_job = write(lambda: backup_then_save(None, None))
        return True

    def _ask_data_changed(self, changes: list[str], name: str | None) -> None:
        """The data changed while the optimizer ran: Re-run (on the data as it is now), Accept anyway
        (the result is saved; its score is rechecked on the new data) or Cancel (the result stays)."""
        box = QMessageBox(QMessageBox.Icon.Warning, "The data changed", "", parent=self)
        box.setObjectName("dataChangedBox")
        box.setText(f"The data changed while the optimizer ran ({', '.join(changes)} changed). The result was "
                    "computed on the data as it was when the run started: its placements and score may no "
                    "longer hold. Re-run the optimizer on the data as it is now?")
        rerun = box.addButton("Re-run", QMessageBox.ButtonRole.AcceptRole)
        rerun.setObjectName("rerunButton")
        anyway = box.addButton("Accept anyway", QMessageBox.ButtonRole.DestructiveRole)
        anyway.setObjectName("acceptAnywayButton")
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        cancel.setObjectName("cancelButton")
        box.setDefaultButton(rerun)
        self.lbl_phase.setText("the data changed during the run — re-run, accept anyway or cancel")
        self.message.emit(f"The data changed while the optimizer ran ({', '.join(changes)}).")

        def chosen(button) -> None:
            if button is rerun:
                self.result = None
                self.accept_button.setEnabled(False)
                self.discard_button.setEnabled(False)
                self.start()
            elif button is anyway:
                self.accept_result(name, anyway=True)

        box.buttonClicked.connect(chosen)
        self.data_changed_box = box
        box.open()

    def discard(self) -> None:
        self.preview_banner.end()
        self.result = None
        self.run = None
        self.accept_button.setEnabled(False)
        self.discard_button.setEnabled(False)
        self.lbl_phase.setText("discarded")
        self.message.emit("Optimizer result discarded.")
