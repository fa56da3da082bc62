"""The ``ato-desktop`` command line.

Each sub-command lives in its own module of this package and exposes
``register(subparsers)``, which adds its parser and sets ``func`` (a callable
taking the parsed ``argparse.Namespace`` and returning an exit code).
Modules are listed in ``COMMAND_MODULES``; a module that fails to import is a
bug, not something to hide, so import errors propagate.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from typing import Sequence

from ato_desktop import APP_NAME, __version__

COMMAND_MODULES: tuple[str, ...] = (
    "ato_desktop.cli.commands_db",
    "ato_desktop.cli.commands_engine",
    "ato_desktop.cli.commands_solve",
    "ato_desktop.cli.commands_backup",
    "ato_desktop.cli.commands_report",
    "ato_desktop.cli.commands_notify",
    "ato_desktop.cli.commands_io",
    "ato_desktop.cli.commands_fet",
    "ato_desktop.cli.commands_warmup",
    "ato_desktop.cli.commands_versions",
    "ato_desktop.cli.commands_subst",
    "ato_desktop.cli.commands_channels",
    "ato_desktop.cli.commands_template",
    "ato_desktop.cli.commands_candidates",
    "ato_desktop.cli.commands_web",
    "ato_desktop.cli.commands_campus",
)


DB_SUFFIX = ".atodb"  # the same as ato_desktop.storage.database.DB_SUFFIX (not imported: SQLAlchemy is slow)


class CliError(Exception):
    """An error to show the user as one clear line, exit code 2."""


# The project's documented error types: their message is written for the user (what and where), so any
# command that lets one escape ends with that one sentence on stderr and exit code 2, never a traceback.
# Looked up lazily (module, class name): importing them here would import SQLAlchemy at every start.
USER_ERRORS: tuple[tuple[str, str], ...] = (
    ("ato_desktop.storage.database", "DatabaseError"),  # busy, read-only, damaged, foreign, backups, in use
    ("ato_desktop.services.errors", "ServiceError"),  # validation, not found, setup, backups
    ("ato_desktop.services.solving", "ImpossibleProblemError"),
    ("ato_desktop.io.tabular", "TabularError"),
    ("ato_desktop.io.ctt", "CttFormatError"),
    ("ato_desktop.io.export", "ExportError"),
    ("ato_desktop.reports.data", "ReportError"),
    ("ato_desktop.notify.smtp", "MailError"),
    ("ato_desktop.notify.secrets", "SecretStoreUnavailable"),
    ("ato_desktop.notify.message", "InvalidAddress"),
    ("ato_desktop.io.files", "InputFileError"),
)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def user_message(exc: BaseException, db: str | None = None) -> str | None:
    """The one sentence to print for ``exc``, or ``None`` when it is not an error the user can act on
    (a bug: its traceback is shown). ``db``: the database the command was given, named in the message
    when SQLite itself reports it busy, read-only, full or failing (from code that does not go through
    ``Database.session()``, e.g. the scheduler's job store)."""
    if isinstance(exc, CliError):
        return _one_line(exc)
    if db and "ato_desktop.storage.database" in sys.modules:
        from ato_desktop.storage import errors
    if db and "ato_desktop.storage.database" in sys.modules and errors.classify(exc) is not None:
        nice = errors.translate(exc, db)
        if nice is not None:
            return _one_line(nice)
    for module_name, class_name in USER_ERRORS:
        module = sys.modules.get(module_name)  # not imported: exc cannot be one of its errors
        cls = getattr(module, class_name, None) if module is not None else None
        if cls is not None and isinstance(exc, cls):
            text = _one_line(exc)
            path = getattr(exc, "path", None)  # a .ctt error names its line, its file is added here
            if class_name == "CttFormatError" and path and path not in text:
                text = f"{path}: {text}"
            return text or type(exc).__name__
    if isinstance(exc, OSError):  # a file or folder given on the command line that cannot be used
        what = exc.strerror or _one_line(exc) or type(exc).__name__
        if exc.filename is not None:
            return f"cannot use {exc.filename}: {what}"
        return what
    return None


def _database_argument(argv: list[str]) -> list[str]:
    """``ato-desktop FILE.atodb`` (what a file association or "Open with" runs) means ``--db FILE.atodb``.

    Only the first positional argument is looked at, and only when its name ends in ``.atodb``: no
    command is called that, so sub-commands and their own file arguments are never taken for it.
    The ``-psn_…`` argument old macOS versions add when the app is started from the Finder is dropped.
    """
    argv = [a for a in argv if not a.startswith("-psn_")]
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            return argv
        if a == "--db":
            i += 2
            continue
        if a.startswith("-"):
            i += 1
            continue
        if not a.lower().endswith(DB_SUFFIX):
            return argv  # a command (or an error argparse will explain)
        if any(x == "--db" or x.startswith("--db=") for x in argv):
            raise CliError(f"two databases given ({a} and --db); open one at a time")
        if not Path(a).expanduser().is_file():
            raise CliError(f"no database file at {a}")
        return argv[:i] + ["--db", a] + argv[i + 1:]
    return argv


def build_parser(with_commands: bool = True) -> argparse.ArgumentParser:
    """The full parser; ``with_commands=False`` gives only the global options (no command module imported)."""
    parser = argparse.ArgumentParser(
        prog="ato-desktop",
        description=f"{APP_NAME}: build, optimize, print and publish a department's weekly timetable. "
        "Without a command, the desktop app starts.",
        epilog=f"'ato-desktop FILE{DB_SUFFIX}' starts the desktop app with that database open (the same as --db).",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument("--db", metavar="PATH", help="open this database file (or a campus database: postgresql://user@host/campus)")
    parser.add_argument("--demo", action="store_true", help="open the embedded demo department")
    parser.add_argument("--self-test", action="store_true", help="smoke-test this installation and exit")
    if not with_commands:
        parser.set_defaults(command=None)
        return parser
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def _names_a_command(argv: list[str]) -> bool:
    """True unless ``argv`` holds only global options: the desktop app then starts without importing
    the command modules (they pull in numba, the reports and the mail scheduler: about 2 s)."""
    # Only the arguments themselves are looked at: parsing them with the global options alone would run
    # the global --version for a sub-command's own option (``notify send-now --version NAME``).
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--db":
            i += 2
        elif a.startswith("--db=") or a in ("--version", "--demo", "--self-test"):
            i += 1
        else:
            return True  # a command, --help, or something the full parser will explain
    return False


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        argv = _database_argument(argv)
    except CliError as exc:
        print(f"ato-desktop: error: {exc}", file=sys.stderr)
        return 2
    parser = build_parser(with_commands=_names_a_command(argv))
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            if args.self_test:
                from ato_desktop.selftest import run_self_test

                return run_self_test()
            from ato_desktop.qt_preflight import preflight

            if not preflight():  # Linux: a system library Qt's xcb plugin needs is missing (named, with its package)
                return 1
            from ato_desktop.ui.app import run_gui

            return run_gui(db=args.db, demo=args.demo)
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("ato-desktop: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        message = user_message(exc, getattr(args, "sub_db", None) or getattr(args, "db", None))
        if message is None:
            raise
        print(f"ato-desktop: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
