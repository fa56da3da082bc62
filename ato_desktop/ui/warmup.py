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

Loading the cached kernels into the app's own process still takes about half a second
to a second, partly holding the GIL; done on the UI thread (the grid's first engine
state) it froze the window for 350-500 ms.  So the controller also loads them in a
worker thread (:meth:`WarmUpController.load_kernels`): when the app is idle
(``ensure_started`` when already warm, a few seconds after start-up), right after a
warm-up process succeeds, and before a pending ``when_ready`` action runs.
``kernelsLoaded(ok)`` tells when that is done; ``kernels_loaded()`` says whether it is.
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
    args = ["warm-up", "--quiet", "--if-needed", "--progress"]
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
    kernelsLoaded = Signal(bool)  # the in-process load (a worker thread) ended; ok
    progress = Signal(int, int, str)  # percent done, seconds left (-1: not known yet), the step (issue 16)

    def __init__(self, parent: QObject | None = None, command: list[str] | None = None) -> None:
        super().__init__(parent)
        self._command = list(command) if command else None
        self._proc: QProcess | None = None
        self._output = b""
        self._waiters: list[Callable[[], None]] = []
        self._failed_to_start = False
        self._load_job = None  # the in-process kernel load (a ui.tasks.Task) while it runs
        self.last_ok: bool | None = None
        self.last_message = ""
        self.load_error: BaseException | None = None

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

    def kernels_loaded(self) -> bool:
        """True when the kernels are loaded into this process: engine calls on the UI thread
        (a small engine state, a score) then no longer load or compile anything."""
        return _engine_warmup.kernels_loaded()

    @property
    def loading(self) -> bool:
        """True while the kernels are being loaded in a worker thread."""
        return self._load_job is not None

    # ---- actions -------------------------------------------------------------
    def ensure_started(self) -> bool:
        """Start a warm-up unless one runs or none is needed; True while one runs.

        When already warm, start loading the kernels into this process in a worker thread
        (idle-time preparation before the first optimizer run or engine state)."""
        if self._proc is not None:
            return True
        if self.is_warm():
            self.load_kernels()
            return False
        return self.start()

    def load_kernels(self) -> bool:
        """Load the (compiled, cached) kernels into this process in a worker thread.

        True while that load runs (``kernelsLoaded`` follows); False when there is nothing to
        do: already loaded, or not warm (loading would compile in this process: the warm-up
        process must run first)."""
        if self._load_job is not None:
            return True
        if self.kernels_loaded() or not self.is_warm():
            return False
        from ato_desktop.ui import tasks

        # (normal priority: the load is mostly Python holding the GIL, and a low-priority thread
        # holding the GIL on a busy machine would keep the UI thread waiting longer)
        self._load_job = tasks.run(_engine_warmup.load_kernels, self._on_loaded)
        return True

    def _on_loaded(self, _seconds, error) -> None:
        self._load_job = None
        self.load_error = error
        ok = error is None and self.kernels_loaded()
        self.kernelsLoaded.emit(ok)
        if self._proc is None:
            self._run_waiters()

    def _run_waiters(self) -> None:
        waiters, self._waiters = self._waiters, []
        for fn in waiters:
            fn()

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
        self._pending = b""
        self.last_progress = None
        self._failed_to_start = False
        proc.start()
        if self._failed_to_start:  # errorOccurred(FailedToStart) already ran and reported
            return False
        self.runningChanged.emit(True)
        self.started.emit()
        return True

    def when_ready(self, fn: Callable[[], None]) -> bool:
        """Call ``fn()`` now when warm and loaded into this process (returns False), else once
        the warm-up process and the in-process load have ended (returns True; ``fn`` runs even
        if they failed: the optimizer then compiles in its own thread)."""
        if self._proc is None and self._load_job is None:
            if not self.ensure_started() and self._load_job is None:
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
            data = bytes(self._proc.readAll().data())
            self._output = (self._output + data)[-_OUTPUT_LIMIT:]
            self._pending = getattr(self, "_pending", b"") + data
            *lines, self._pending = self._pending.split(b"\n")
            for line in lines:
                found = parse_progress(line.decode("utf-8", "replace"))
                if found is not None:
                    self.last_progress = found
                    self.progress.emit(*found)

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
        self.runningChanged.emit(False)
        self.finished.emit(ok, message)
        if ok and self.load_kernels():
            return  # the waiters run once the kernels are loaded into this process too
        if self._load_job is None:
            self._run_waiters()


def parse_progress(line: str) -> tuple[int, int, str] | None:
    """``progress PERCENT SECONDS-LEFT STEP`` (from ``warm-up --progress``) as (percent, seconds left, step)."""
    parts = line.strip().split(" ", 3)
    if len(parts) < 3 or parts[0] != "progress":
        return None
    try:
        return int(parts[1]), int(parts[2]), parts[3] if len(parts) > 3 else ""
    except ValueError:
        return None


def progress_text(percent: int, left: int, step: str = "") -> str:
    """What the status bar says while the optimizer is being prepared."""
    if left < 0:
        when = "about a minute or two on the first run"
    elif left < 60:
        when = f"about {max(5, round(left / 5) * 5)} s left"
    else:
        when = f"about {round(left / 60)} min left"
    return f"Preparing the optimizer (first run only): {percent} %, {when}"


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


__all__ = ["WarmUpController", "warmup_controller", "warm_up_command", "PREPARING_MESSAGE", "parse_progress",
           "progress_text"]
