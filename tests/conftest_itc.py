"""Where the ITC-2007 instances live, for tests (imported by the conftest.py files that need it).

``ATO_ITC2007_DIR`` when set; else the shared data beside the repository
(``<repo>/../shared/datasets/itc2007``); else the copy kept in ``tests/data/itc2007`` (the same
public ITC-2007 track 3 files), so a lone checkout still runs every test.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def itc_dataset_dir() -> Path:
    env = os.environ.get("ATO_ITC2007_DIR")
    if env:
        return Path(env)
    shared = REPO_ROOT.parent / "shared" / "datasets" / "itc2007"
    if (shared / "toy.ctt").is_file():
        return shared
    return REPO_ROOT / "tests" / "data" / "itc2007"


@pytest.fixture(scope="session")
def itc_dir() -> Path:
    d = itc_dataset_dir()
    if not (d / "toy.ctt").is_file():
        pytest.skip(f"ITC-2007 dataset not found at {d} (expected ../shared/datasets/itc2007 beside "
                    f"the repository, or set ATO_ITC2007_DIR)")
    return d
