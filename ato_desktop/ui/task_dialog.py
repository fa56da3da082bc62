"""What the dialogs that write one file in a task share (Export PDF, Publish website): start the task,
show its progress, Stop (Esc and closing the window stop first), and one sentence when it fails.

A dialog mixes in :class:`TaskDialog` before ``QDialog`` and provides ``progress`` (a bar of 0–1000),
``status`` (a label), ``cancel_button``, ``_set_busy(busy)``, ``_on_done(result)``, ``_failure_message(exc)``,
``CANCELLED`` (the exception a stopped task raises) and the sentences ``STOPPING`` and ``STOPPED``.
"""

from __future__ import annotations

from PySide6.QtCore import Slot

from ato_desktop.ui.tasks import Task


class TaskDialog:
    CANCELLED: type[BaseException] = Exception
    STOPPING = "Stopping…"
    STOPPED = "Stopped; nothing was written."
    _task: Task | None = None

    def running(self) -> bool:
        return self._task is not None

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
