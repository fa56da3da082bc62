"""Fixtures the engine tests share: the demo department's compiled problem and ITC-2007's comp01
(each built once per test module, as before)."""

from __future__ import annotations

import pytest

from ato_desktop.io.ctt import load_ctt_problem
from tests.conftest_itc import itc_dataset_dir


@pytest.fixture(scope="module")
def comp01():
    d = itc_dataset_dir()
    if not (d / "comp01.ctt").is_file():
        pytest.skip(f"ITC-2007 dataset not found at {d}")
    return load_ctt_problem(d / "comp01.ctt")


@pytest.fixture(scope="module")
def demo_problem(tmp_path_factory, _demo_template):
    import shutil

    from ato_desktop.services.compile import compile_database
    from ato_desktop.storage.database import open_database

    path = tmp_path_factory.mktemp("demo") / "demo.atodb"
    shutil.copyfile(_demo_template, path)  # the session's demo file (tests/conftest.py), not a new one per module
    db = open_database(path)
    try:
        comp, _, _ = compile_database(db, None)
    finally:
        db.close()
    return comp.problem
