"""Shared fixtures: real SQLite files copied from migrated templates, offscreen Qt."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
from tests.conftest_itc import itc_dataset_dir  # noqa: E402

ITC_DIR = itc_dataset_dir()


@pytest.fixture(scope="session")
def _empty_template(tmp_path_factory) -> Path:
    from ato_desktop.storage.database import open_database

    path = tmp_path_factory.mktemp("templates") / "empty.atodb"
    open_database(path).close()
    return path


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory) -> Path:
    from ato_desktop.demo import create_demo_database

    path = tmp_path_factory.mktemp("templates") / "demo.atodb"
    create_demo_database(path)
    return path


@pytest.fixture(scope="session")
def large_demo_path(tmp_path_factory) -> Path:
    """The large demo department (24 sections, ~800 sessions), created once per test run.

    Read-only: tests that change data copy it first (``large_demo_copy``)."""
    from ato_desktop.demo_large import create_large_demo_database

    path = tmp_path_factory.mktemp("templates") / "large.atodb"
    create_large_demo_database(path)
    return path


@pytest.fixture
def large_demo_copy(large_demo_path, tmp_path) -> Path:
    """A copy of the large demo department of this test's own."""
    return _copy(large_demo_path, tmp_path / "large.atodb")


def _copy(src: Path, dest: Path) -> Path:
    shutil.copyfile(src, dest)
    return dest


@pytest.fixture
def empty_db_path(_empty_template, tmp_path) -> Path:
    """A migrated, empty database file of this test's own."""
    return _copy(_empty_template, tmp_path / "empty.atodb")


@pytest.fixture
def demo_db_path(_demo_template, tmp_path) -> Path:
    """A copy of the demo department database (with its reference timetable)."""
    return _copy(_demo_template, tmp_path / "demo.atodb")


# ATO_TEST_DB=postgresql: the ``db`` and ``demo_db`` fixtures are campus databases on a throwaway PostgreSQL
# server (tests/campus/pgserver.py; one per test session, each test its own database copied from a migrated
# template) instead of SQLite files. Tests that take a file's path (``empty_db_path``, ``demo_db_path``) stay
# on SQLite. docs/campus.md says how many of tests/storage and tests/services pass that way.
ON_POSTGRESQL = os.environ.get("ATO_TEST_DB", "").strip().lower() in ("postgresql", "postgres", "pg")


def pytest_runtest_setup(item):
    """``@pytest.mark.sqlite_only("why")``: a test about a SQLite file itself (its path, a copy, a backup,
    SQLite's locks, faults or wording) is skipped with ATO_TEST_DB=postgresql, and says why."""
    mark = item.get_closest_marker("sqlite_only")
    if ON_POSTGRESQL and mark is not None:
        why = mark.args[0] if mark.args else mark.kwargs.get("reason", "about a SQLite file")
        pytest.skip(f"SQLite only (ATO_TEST_DB=postgresql): {why}")


@pytest.fixture(scope="session")
def _test_pg_server():
    from tests.campus.pgserver import ServerUnavailable, start_server

    try:
        server = start_server()
    except ServerUnavailable as exc:
        pytest.skip(f"ATO_TEST_DB=postgresql: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def _pg_templates(_test_pg_server):
    """Two template databases: migrated and empty; and the demo department (as the demo file has it)."""
    from ato_desktop import demo
    from ato_desktop.services import timetables as tts
    from ato_desktop.services.compile import compile_database
    from ato_desktop.storage.database import open_database

    empty = _test_pg_server.create_database("t_empty")
    open_database(_test_pg_server.url(empty)).close()
    full = _test_pg_server.create_database("t_demo", template=empty)
    database = open_database(_test_pg_server.url(full))
    try:  # what demo.create_demo_database writes into a new file
        demo.populate(database, demo.DEMO_SEED)
        comp, _, _ = compile_database(database)
        planted = demo.plant(comp.problem, demo.DEMO_SEED)
        demo._add_unavailability(database, comp, planted, demo.DEMO_SEED)
        tts.create_timetable(database, demo.REFERENCE_NAME, notes="Planted by the demo generator: zero hard conflicts.")
        tts.save_rows(database, demo.REFERENCE_NAME, comp.rows_from_assignment(planted))
    finally:
        database.close()
    return {"empty": empty, "demo": full}


def _pg_database(request, which: str):
    from ato_desktop.storage.database import open_database

    server = request.getfixturevalue("_test_pg_server")
    name = server.create_database("t", template=request.getfixturevalue("_pg_templates")[which])
    return open_database(server.url(name))


@pytest.fixture
def db(request):
    from ato_desktop.storage.database import open_database

    database = _pg_database(request, "empty") if ON_POSTGRESQL else \
        open_database(request.getfixturevalue("empty_db_path"))
    yield database
    database.close()


@pytest.fixture
def demo_db(request):
    from ato_desktop.storage.database import open_database

    database = _pg_database(request, "demo") if ON_POSTGRESQL else \
        open_database(request.getfixturevalue("demo_db_path"))
    yield database
    database.close()


@pytest.fixture
def itc_dir() -> Path:
    if not ITC_DIR.is_dir():
        pytest.skip(f"ITC-2007 dataset not found at {ITC_DIR}")
    return ITC_DIR



@pytest.fixture(autouse=True)
def _inline_writes(request, monkeypatch):
    """Operations run at once on the calling thread (``ui.operations``' inline mode), so a test reads
    what a click wrote. A test marked ``threaded_writes`` runs them on the one writer thread, as the app
    does (``tests/ui/test_one_writer.py``)."""
    if "threaded_writes" in request.keywords:
        monkeypatch.delenv("ATO_INLINE_WRITES", raising=False)
    else:
        monkeypatch.setenv("ATO_INLINE_WRITES", "1")
