"""Where the ITC-2007 instances live, for tests (imported by the conftest.py files that need it).

The repository is cloned with the shared data beside it: ``<repo>/../shared/datasets/itc2007``.
``ATO_ITC2007_DIR`` overrides the location.
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
    return REPO_ROOT.parent / "shared" / "datasets" / "itc2007"


@pytest.fixture(scope="session")
def itc_dir() -> Path:
    d = itc_dataset_dir()
    if not (d / "toy.ctt").is_file():
        pytest.skip(f"ITC-2007 dataset not found at {d} (expected ../shared/datasets/itc2007 beside "
                    f"the repository, or set ATO_ITC2007_DIR)")
    return d
