"""``ato-desktop --self-test``: a smoke test of this installation (source tree or frozen bundle).

It runs the real parts end to end in a temporary folder and removes it afterwards:

1. environment   Python, platform, frozen or not, writable temporary and cache folders
2. qt            PySide6 loads, an offscreen QApplication starts, the app icon decodes
3. database      a new database file: migrations to head, WAL, integrity check
4. demo          the demo department is created with its reference timetable
5. window        the main window opens the demo offscreen and shows every page
6. engine        the compiled kernels (numba) score the reference timetable: 0 hard conflicts
7. optimize      the optimizer runs for a few seconds and its result is saved as a new version;
                 the saved version is re-scored independently and must match
8. report        a faculty timetable PDF is rendered with the bundled fonts (and the Indian-script
                 fallback fonts and their shaping library are present)
9. backup        an online backup of the database is taken and verified

Each step prints its timing; the first failing step stops the run with a message
saying which step failed and why. Exit code 0 when everything passed, 1 otherwise.
"""

from __future__ import annotations

import os
import platform
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, TextIO

from ato_desktop import APP_NAME, __version__

OPTIMIZE_SECONDS = 3.0


class SelfTestError(Exception):
    """A check of the self-test did not hold; the message says what was expected."""


@dataclass
class Context:
    """What the steps share: the work folder and what earlier steps produced."""

    workdir: Path
    optimize_seconds: float = OPTIMIZE_SECONDS
    db_path: Path | None = None
    demo_path: Path | None = None
    sessions: int = 0
    optimized_version: int | None = None
    notes: dict[str, str] = field(default_factory=dict)


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise SelfTestError(message)


# ---------------------------------------------------------------- steps ----

def step_environment(ctx: Context) -> str:
    frozen = bool(getattr(sys, "frozen", False))
    probe = ctx.workdir / "write-probe"
    probe.write_bytes(b"ok")
    _check(probe.read_bytes() == b"ok", f"cannot write in the temporary folder {ctx.workdir}")
    probe.unlink()
    cache = os.environ.get("NUMBA_CACHE_DIR")
    if cache:
        Path(cache).mkdir(parents=True, exist_ok=True)
        _check(os.access(cache, os.W_OK), f"the numba cache folder {cache} is not writable")
    kind = "frozen bundle" if frozen else "source"
    return (f"{APP_NAME} {__version__}, Python {platform.python_version()}, {platform.system()} "
            f"{platform.machine()}, {kind}" + (f", numba cache {cache}" if cache else ""))


def step_qt(ctx: Context) -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6 import QtCore, QtGui, QtWidgets

    from ato_desktop.resource_files import icon_path

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([sys.argv[0] if sys.argv else "ato-desktop"])
    icon_file = icon_path("png")
    _check(icon_file.exists(), f"the app icon is missing: {icon_file}")
    icon = QtGui.QIcon(str(icon_file))
    _check(not icon.isNull(), f"Qt cannot read the app icon {icon_file}")
    pixmap = icon.pixmap(64, 64)
    _check(not pixmap.isNull() and pixmap.width() == 64, "the app icon does not render at 64x64")
    widget = QtWidgets.QLabel("self-test")
    widget.setWindowIcon(icon)
    widget.show()
    app.processEvents()
    widget.close()
    return f"Qt {QtCore.qVersion()}, platform {app.platformName()}"


def step_database(ctx: Context) -> str:
    from ato_desktop.storage import migrate
    from ato_desktop.storage.database import DB_SUFFIX, open_database

    ctx.db_path = ctx.workdir / f"self-test{DB_SUFFIX}"
    db = open_database(ctx.db_path)
    try:
        head = migrate.head_revision()
        rev = db.revision()
        _check(rev == head, f"the new database is at schema {rev}, expected the head {head}")
        mode = db.pragma("journal_mode").lower()
        _check(mode == "wal", f"the database is in {mode} journal mode, expected wal")
        integrity = db.pragma("integrity_check")
        _check(integrity == "ok", f"integrity check of the new database: {integrity}")
    finally:
        db.close()
    return f"schema {head} from {migrate.migrations_dir()}"


def step_demo(ctx: Context) -> str:
    from ato_desktop.demo import create_demo_database
    from ato_desktop.storage.database import DB_SUFFIX

    ctx.demo_path = ctx.workdir / f"demo{DB_SUFFIX}"
    result = create_demo_database(ctx.demo_path)
    _check(result.sessions > 0, "the demo department has no sessions to schedule")
    ctx.sessions = result.sessions
    return f"{result.sessions} sessions"


def step_window(ctx: Context) -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    # The window's settings (recent files, layout) go to the temporary folder, not the user's.
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(ctx.workdir / "settings"))
    from ato_desktop.ui.app import create_main_window
    from ato_desktop.ui.tasks import wait_idle

    _check(ctx.demo_path is not None, "the demo database was not created")
    window = create_main_window(ctx.demo_path)
    try:
        _check(window.database is not None, f"the main window did not open {ctx.demo_path}")
        window.show()
        app = QApplication.instance()
        for key in list(window.pages):
            window.show_page(key)
            app.processEvents()
        pages = len(window.pages)
        wait_idle(30_000)  # the daily backup task
        app.processEvents()
    finally:
        window.close()
        from ato_desktop.ui.warmup import warmup_controller

        # the timetable page started the first-run warm-up in a child process: the engine step
        # below compiles in this process, so the child would only compete for the CPU
        warmup_controller().stop()
    return f"{pages} pages shown"


def _open_demo(ctx: Context):
    from ato_desktop.storage.database import open_database

    _check(ctx.demo_path is not None and ctx.demo_path.exists(), "the demo database was not created")
    return open_database(ctx.demo_path, create=False)


def step_engine(ctx: Context) -> str:
    from ato_desktop.demo import REFERENCE_NAME
    from ato_desktop.engine.state import full_cost
    from ato_desktop.services.compile import compile_database

    db = _open_demo(ctx)
    try:
        comp, assignment, _ = compile_database(db, REFERENCE_NAME)
    finally:
        db.close()
    _check(assignment is not None, f"the demo has no '{REFERENCE_NAME}' version")
    hard, soft = full_cost(comp.problem, assignment)
    _check(hard == 0, f"the reference timetable scores {hard} hard conflicts, expected 0")
    return f"reference timetable: hard {hard}, soft {soft}; " + _compiled_kernel_note()


def _compiled_kernel_note() -> str:
    """Proof that the score came from machine code LLVM made (numba, through libllvmlite), not from
    the kernels' Python source (numba off, or a broken build falling back to Python)."""
    import llvmlite.binding as llvm
    import numba
    from numba.core.registry import CPUDispatcher

    from ato_desktop.engine import kernels as K

    kernel = K.full_cost_kernel
    _check(isinstance(kernel, CPUDispatcher), f"the scoring kernel is {type(kernel).__name__}, not a compiled "
                                              "numba kernel (is NUMBA_DISABLE_JIT set?)")
    _check(bool(kernel.signatures), "the scoring kernel ran but numba holds no compiled version of it")
    code = kernel.overloads[kernel.signatures[0]].entry_point
    _check(bool(code), "the scoring kernel has no machine-code entry point")
    return "numba {} on LLVM {}".format(numba.__version__, ".".join(map(str, llvm.llvm_version_info)))


def step_optimize(ctx: Context) -> str:
    from ato_desktop.engine.state import full_cost
    from ato_desktop.services import timetables as tts
    from ato_desktop.services.solving import solve_database
    from ato_desktop.services.compile import compile_database

    db = _open_demo(ctx)
    try:
        outcome = solve_database(db, time_limit=ctx.optimize_seconds, seed=1, new_name="Self-test")
        ctx.optimized_version = outcome.version.id
        sessions = tts.list_sessions(db, outcome.version.id)
        placed = sum(1 for s in sessions if s.day is not None and s.period is not None)
        _check(placed == ctx.sessions, f"the optimized version places {placed} of {ctx.sessions} sessions")
        comp, assignment, _ = compile_database(db, outcome.version.id)
    finally:
        db.close()
    _check(assignment is not None, "the optimized version was not saved")
    hard, soft = full_cost(comp.problem, assignment)
    _check((hard, soft) == (outcome.hard, outcome.soft),
           f"the saved version scores hard {hard}, soft {soft} but the optimizer reported "
           f"hard {outcome.hard}, soft {outcome.soft}")
    return (f"{outcome.seconds:.1f} s, {outcome.evaluations} evaluations, hard {outcome.hard}, "
            f"soft {outcome.soft}")


def step_report(ctx: Context) -> str:
    from ato_desktop.services.reports import faculty_timetable_pdf as render
    from ato_desktop.services import resources as res

    db = _open_demo(ctx)
    try:
        if ctx.optimized_version is None:
            from ato_desktop.services import timetables as tts
            from ato_desktop.demo import REFERENCE_NAME

            ctx.optimized_version = tts.get_timetable(db, REFERENCE_NAME).id
        faculty = res.list_items(db, "faculty")
        _check(bool(faculty), "the demo has no faculty")
        code = faculty[0]["code"]
        pdf = render(db, ctx.optimized_version, code)
    finally:
        db.close()
    _check(isinstance(pdf, (bytes, bytearray)) and pdf.startswith(b"%PDF-"),
           "the faculty timetable is not a PDF document")
    _check(b"%%EOF" in pdf[-1024:], "the faculty timetable PDF is truncated (no %%EOF)")
    out = ctx.workdir / f"faculty-{code}.pdf"
    out.write_bytes(pdf)
    fonts = "embedded TrueType fonts" if b"FontFile2" in pdf else "standard fonts"
    from ato_desktop.reports.fonts import fallback_font, shaping_available

    _check(shaping_available(), "uharfbuzz is missing from this build: names in Indian scripts would print "
                                "without their conjuncts")
    fallback_font("Devanagari")  # the Noto fallback fonts are bundled and load
    return f"faculty {code}: {len(pdf) / 1024:.0f} KiB, {fonts}; Indian-script fonts and shaping present"


def step_backup(ctx: Context) -> str:
    from ato_desktop.storage.backup import create_backup, read_summary
    from ato_desktop.storage.restore import verify_backup

    _check(ctx.demo_path is not None, "the demo database was not created")
    path = create_backup(ctx.demo_path, prune=False)
    verify_backup(path)
    summary = read_summary(path)
    return f"{path.name}, {path.stat().st_size / 1024:.0f} KiB, " + ", ".join(
        f"{k} {v}" for k, v in list(summary.items())[:4])


STEPS: list[tuple[str, Callable[[Context], str]]] = [
    ("environment", step_environment),
    ("qt", step_qt),
    ("database", step_database),
    ("demo", step_demo),
    ("window", step_window),
    ("engine", step_engine),
    ("optimize", step_optimize),
    ("report", step_report),
    ("backup", step_backup),
]


def run_self_test(*, optimize_seconds: float = OPTIMIZE_SECONDS, steps=None, out: TextIO | None = None,
                  keep: bool = False) -> int:
    """Run the steps in a temporary folder; print each with its timing; 0 = passed, 1 = failed."""
    out = out or sys.stdout
    steps = STEPS if steps is None else steps
    started = time.perf_counter()
    print(f"{APP_NAME} self-test", file=out, flush=True)
    try:
        workdir = Path(tempfile.mkdtemp(prefix="ato-selftest-"))
    except OSError as exc:
        print(f"FAILED at step 'setup': cannot create a temporary folder: {exc}", file=out, flush=True)
        return 1
    ctx = Context(workdir=workdir, optimize_seconds=optimize_seconds)
    failed: str | None = None
    try:
        for i, (name, func) in enumerate(steps, 1):
            t0 = time.perf_counter()
            try:
                detail = func(ctx)
            except Exception as exc:  # every failure is reported with the step that hit it
                seconds = time.perf_counter() - t0
                print(f"[{i}/{len(steps)}] {name:<12} FAILED after {seconds:.2f} s", file=out, flush=True)
                if not isinstance(exc, SelfTestError):
                    traceback.print_exc(file=out)
                print(f"Self-test FAILED at step '{name}': {type(exc).__name__}: {exc}", file=out, flush=True)
                failed = name
                break
            seconds = time.perf_counter() - t0
            print(f"[{i}/{len(steps)}] {name:<12} ok  {seconds:6.2f} s  {detail}", file=out, flush=True)
    finally:
        if keep:
            print(f"files kept in {workdir}", file=out)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if failed:
        return 1
    print(f"Self-test passed: {len(steps)} steps in {time.perf_counter() - started:.1f} s", file=out, flush=True)
    return 0
