"""What the dialogs that write one file in a task share (Export PDF, Publish website): start the task,
show its progress, Stop (Esc and closing the window stop first), and one sentence when it fails.

A dialog mixes in :class:`TaskDialog` before ``QDialog``; its ``__init__`` builds the parts both show with
``_setup`` (title, layout, form), ``_add_version_combo``, ``_add_path_row``, ``_add_open_check`` and
``_add_progress_and_buttons`` (the progress bar, ``status`` and ``cancel_button``). It provides ``start()``,
``_busy_widgets()`` (disabled while the task runs), ``_on_done(result)`` (which ends in ``_show_done``),
``WHAT`` (what it writes, for the failure sentences), ``USER_ERRORS`` (the errors whose own sentence is
shown), ``CANCELLED`` (the exception a stopped task raises) and the sentences ``STOPPING`` and ``STOPPED``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ato_desktop.services import timetables as tts
from ato_desktop.services.errors import ServiceError
from ato_desktop.ui.tasks import Task


class TaskDialog:
    CANCELLED: type[BaseException] = Exception
    STOPPING = "Stopping…"
    STOPPED = "Stopped; nothing was written."
    WHAT = "file"  # what the task writes, in the failure sentences ("The PDF could not be written: …")
    USER_ERRORS: tuple[type[BaseException], ...] = (ServiceError,)  # their own sentence is what the user sees
    _task: Task | None = None

    def _failure_message(self, exc: BaseException) -> str:
        """The one sentence the dialog shows for a task that raised."""
        if isinstance(exc, self.USER_ERRORS):
            return str(exc)[:1].upper() + str(exc)[1:]
        if isinstance(exc, OSError):
            return f"The {self.WHAT} could not be written: {exc.strerror or exc}"
        return f"The {self.WHAT} could not be made ({type(exc).__name__}: {exc})."  # an unexpected bug: say so

    # ---- the parts both dialogs show -------------------------------------------------------
    def _setup(self, db, title: str, name: str, intro: str = "") -> tuple[QVBoxLayout, QFormLayout]:
        """The dialog's title and object name, its database, no result yet; its layout (``intro`` on top)
        with a form, both returned."""
        self.setWindowTitle(title)
        self.setObjectName(name)
        self.db = db
        self.last_result = None
        self._task = None  # the running task
        layout = QVBoxLayout(self)
        if intro:
            label = QLabel(intro, self)
            label.setWordWrap(True)
            layout.addWidget(label)
        form = QFormLayout()
        layout.addLayout(form)
        return layout, form

    def _add_path_row(self, form, label: str, placeholder: str, browse) -> None:
        """The row of the target (``path_edit``) with its Browse… button (``browse`` is called)."""
        out = QWidget(self)
        row = QHBoxLayout(out)
        row.setContentsMargins(0, 0, 0, 0)
        self.path_edit = QLineEdit(self)
        self.path_edit.setObjectName("pathEdit")
        self.path_edit.setPlaceholderText(placeholder)
        button = QPushButton("&Browse…", out)
        button.clicked.connect(browse)
        row.addWidget(self.path_edit, 1)
        row.addWidget(button)
        form.addRow(label, out)

    def _add_open_check(self, layout, text: str) -> None:
        """"Open … when done" (``open_check``, checked)."""
        self.open_check = QCheckBox(text, self)
        self.open_check.setChecked(True)
        layout.addWidget(self.open_check)

    def _add_version_combo(self, form, db, timetable_id: int | None) -> list:
        """The "Timetable version" row (newest first, ``timetable_id`` chosen); returns the versions."""
        self.version_combo = QComboBox(self)
        self.version_combo.setObjectName("versionCombo")
        versions = tts.list_timetables(db)
        for info in sorted(versions, key=lambda t: (t.updated_at, t.id), reverse=True):
            self.version_combo.addItem(f"{info.name} ({info.status})", info.id)
        if timetable_id is not None:
            i = self.version_combo.findData(timetable_id)
            if i >= 0:
                self.version_combo.setCurrentIndex(i)
        form.addRow("Timetable &version:", self.version_combo)
        return versions

    def _add_progress_and_buttons(self, layout, start_text: str) -> QPushButton:
        """The progress bar, the status line and the buttons (``start_text`` starts, Cancel stops or closes)."""
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress.setVisible(False)
        layout.addWidget(self.progress)
        self.status = QLabel("", self)
        self.status.setObjectName("statusLabel")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.buttons = QDialogButtonBox(self)
        start = self.buttons.addButton(start_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        start.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        layout.addWidget(self.buttons)
        return start

    # ---- the task ------------------------------------------------------------------------------
    def running(self) -> bool:
        return self._task is not None

    def _target(self, missing: str):
        """The target written in ``path_edit`` (a Path), or None: a task runs already, or nothing is written
        there (then the sentence ``missing`` is shown)."""
        if self.running():
            return None
        text = self.path_edit.text().strip()
        if not text:
            self._error(missing)
            return None
        return Path(text).expanduser()

    def _start_task(self, job) -> None:
        """Run ``job(on_progress, should_stop)`` as the dialog's task."""
        self._task = task = Task(job)  # no parent: may outlive the dialog
        task.progress.connect(self._on_progress)
        task.finished.connect(self._on_finished)
        self._set_busy(True)
        self.status.setStyleSheet("")
        self.status.setText("Starting…")
        task.start()

    @Slot()
    def cancel(self) -> None:
        if self.running():
            self._task.cancel()
            self.status.setText(self.STOPPING)
            self.cancel_button.setEnabled(False)
        else:
            self.reject()

    def reject(self) -> None:  # Esc / window close while writing = stop first
        if self.running():
            self.cancel()
            return
        super().reject()

    def _finish(self) -> None:
        self._task = None
        self._set_busy(False)

    def _busy_widgets(self) -> tuple:
        """The widgets disabled while the task runs."""
        return ()

    def _set_busy(self, busy: bool) -> None:
        self.progress.setVisible(True)
        if busy:
            self.progress.setValue(0)
        for w in self._busy_widgets():
            w.setEnabled(not busy)
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Stop" if busy else "Close")

    def _show_done(self, result, text: str, open_path) -> None:
        """The task wrote ``result``: say ``text``, open ``open_path`` if asked, close the dialog."""
        self._finish()
        self.last_result = result
        self.progress.setValue(1000)
        self.status.setText(text)
        if self.open_check.isChecked():
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(open_path)))
        self.accept()

    @Slot(object)
    def _on_progress(self, snapshot) -> None:  # a Progress
        self.progress.setValue(int(snapshot.fraction * 1000))
        self.status.setText(snapshot.message)

    @Slot(object, object)
    def _on_finished(self, result, error) -> None:
        if error is None:
            self._on_done(result)
        elif isinstance(error, self.CANCELLED):
            self._on_cancelled()
        else:
            self._on_failed(self._failure_message(error))

    @Slot()
    def _on_cancelled(self) -> None:
        self._finish()
        self.progress.setValue(0)
        self.status.setText(self.STOPPED)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._finish()
        self.progress.setValue(0)
        self._error(message)

    def _error(self, message: str) -> None:
        self.status.setStyleSheet("color: #A61B1B;")
        self.status.setText(message)
