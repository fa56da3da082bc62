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


@pytest.fixture
def db(empty_db_path):
    from ato_desktop.storage.database import open_database

    database = open_database(empty_db_path)
    yield database
    database.close()


@pytest.fixture
def demo_db(demo_db_path):
    from ato_desktop.storage.database import open_database

    database = open_database(demo_db_path)
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
