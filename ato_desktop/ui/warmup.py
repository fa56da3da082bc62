"""Prepare the optimizer (compile its numba kernels) in a separate process, off the UI thread.

Compiling the kernels takes tens of seconds of CPU on the first run after an install or
an upgrade, and numba holds the GIL while it compiles: inside the app it would freeze the
window.  :class:`WarmUpController` runs ``ato-desktop warm-up --quiet --if-needed`` in a
:class:`QProcess` instead (``sys.executable -m ato_desktop ...`` from a source tree,
``sys.executable warm-up ...`` in a frozen bundle); the child fills numba's on-disk cache
and the app's own optimizer runs then load it in about a second.

Use the shared instance::

    from ato_desktop.ui.warmup import warmup_controller
    warmup_controller().ensure_started()        # after the main window shows
    warmup_controller().when_ready(start_run)   # run start_run() now, or once the warm-up ends

Nothing here blocks the UI thread (``is_warm()`` reads one small marker file and hashes
the engine's sources, a few milliseconds).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Callable

from PySide6.QtCore import Property, QCoreApplication, QObject, QProcess, QProcessEnvironment, Signal

import ato_desktop
from ato_desktop.engine import warmup as _engine_warmup

PREPARING_MESSAGE = "Preparing the optimizer for this computer (first run only)…"
_OUTPUT_LIMIT = 8192


def warm_up_command() -> list[str]:
    """Program and arguments of the warm-up child process."""
    args = ["warm-up", "--quiet", "--if-needed"]
    if getattr(sys, "frozen", False):
        return [sys.executable, *args]
    return [sys.executable, "-m", "ato_desktop", *args]


class WarmUpController(QObject):
    """Starts at most one warm-up process at a time and tells when it ends.

    ``command``: program and arguments to run instead of the real warm-up (tests).
    """

    started = Signal()
    finished = Signal(bool, str)  # ok, a one-line message for the status bar
    runningChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None, command: list[str] | None = None) -> None:
        super().__init__(parent)
        self._command = list(command) if command else None
        self._proc: QProcess | None = None
        self._output = b""
        self._waiters: list[Callable[[], None]] = []
        self._failed_to_start = False
        self.last_ok: bool | None = None
        self.last_message = ""

    # ---- state ---------------------------------------------------------------
    def _get_running(self) -> bool:
        return self._proc is not None

    running = Property(bool, _get_running, notify=runningChanged)

    def is_warm(self) -> bool:
        """True when the kernels are compiled for this version (marker file; no numba import)."""
        try:
            return _engine_warmup.is_warm()
        except Exception:  # an unreadable engine folder: treat as cold, the warm-up will tell
            return False

    # ---- actions -------------------------------------------------------------
    def ensure_started(self) -> bool:
        """Start a warm-up unless one runs or none is needed; True while one runs."""
        if self._proc is not None:
            return True
        if self.is_warm():
            return False
        return self.start()

    def start(self) -> bool:
        """Start a warm-up process now (even when warm: it then ends at once); True if started."""
        if self._proc is not None:
            return True
        program, *args = self._command or warm_up_command()
        proc = QProcess(self)
        proc.setProgram(program)
        proc.setArguments(args)
        proc.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        env = QProcessEnvironment.systemEnvironment()
        if not getattr(sys, "frozen", False):
            # `-m ato_desktop` must find this very package, whatever the working folder
            root = str(Path(ato_desktop.__file__).resolve().parents[1])
            old = env.value("PYTHONPATH", "")
            env.insert("PYTHONPATH", root + (os.pathsep + old if old else ""))
        proc.setProcessEnvironment(env)
        proc.readyRead.connect(self._on_ready_read)
        proc.finished.connect(self._on_finished)
        proc.errorOccurred.connect(self._on_error)
        self._proc = proc
        self._output = b""
        self._failed_to_start = False
        proc.start()
        if self._failed_to_start:  # errorOccurred(FailedToStart) already ran and reported
            return False
        self.runningChanged.emit(True)
        self.started.emit()
        return True

    def when_ready(self, fn: Callable[[], None]) -> bool:
        """Call ``fn()`` now when warm (returns False), else once the warm-up ends (returns True;
        ``fn`` runs even if the warm-up failed: the optimizer then compiles in its own thread)."""
        if self._proc is None and not self.ensure_started():
            fn()
            return False
        self._waiters.append(fn)
        return True

    def stop(self) -> None:
        """Kill a running warm-up (at app exit); numba's cache files are written atomically."""
        proc = self._proc
        if proc is None:
            return
        self._waiters.clear()
        proc.kill()
        proc.waitForFinished(3000)

    # ---- process callbacks ---------------------------------------------------
    def _on_ready_read(self) -> None:
        if self._proc is not None:
            self._output = (self._output + bytes(self._proc.readAll().data()))[-_OUTPUT_LIMIT:]

    def _last_line(self) -> str:
        lines = [ln.strip() for ln in self._output.decode("utf-8", "replace").splitlines() if ln.strip()]
        return lines[-1] if lines else ""

    def _on_error(self, error: QProcess.ProcessError) -> None:
        if error != QProcess.ProcessError.FailedToStart or self._proc is None:
            return  # other errors are followed by finished()
        self._failed_to_start = True
        program = self._proc.program()
        self._done(False, f"Could not start the optimizer preparation ({program}): {self._proc.errorString()}")

    def _on_finished(self, code: int, status: QProcess.ExitStatus) -> None:
        self._on_ready_read()
        line = self._last_line()
        if status == QProcess.ExitStatus.NormalExit and code == 0:
            self._done(True, line or "The optimizer is prepared.")
        elif status != QProcess.ExitStatus.NormalExit:
            self._done(False, "The optimizer preparation stopped unexpectedly" + (f": {line}" if line else "."))
        else:
            self._done(False, f"The optimizer preparation failed (exit code {code})" + (f": {line}" if line else "."))

    def _done(self, ok: bool, message: str) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.deleteLater()
        self.last_ok, self.last_message = ok, message
        waiters, self._waiters = self._waiters, []
        self.runningChanged.emit(False)
        self.finished.emit(ok, message)
        for fn in waiters:
            fn()


_controller: WarmUpController | None = None


def warmup_controller() -> WarmUpController:
    """The application's shared controller (created on first use; killed at application exit)."""
    global _controller
    if _controller is None:
        app = QCoreApplication.instance()
        _controller = WarmUpController(app)
        if app is not None:
            app.aboutToQuit.connect(_controller.stop)
            _controller.destroyed.connect(_forget_controller)
    return _controller


def _forget_controller(*_args) -> None:
    global _controller
    _controller = None


__all__ = ["WarmUpController", "warmup_controller", "warm_up_command", "PREPARING_MESSAGE"]
