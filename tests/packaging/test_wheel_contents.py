"""The installed package (not only a source checkout) carries its migrations and resources."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_wheel_ships_migrations_and_resources(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    wheel = next(tmp_path.glob("ato_desktop-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for version in (ROOT / "migrations" / "versions").glob("*.py"):
        assert f"ato_desktop/migrations/versions/{version.name}" in names
    assert "ato_desktop/migrations/env.py" in names
    assert "ato_desktop/migrations/script.py.mako" in names
    for res in (ROOT / "resources").rglob("*"):
        if res.is_file() and "__pycache__" not in res.parts:
            assert "ato_desktop/resources/" + res.relative_to(ROOT / "resources").as_posix() in names
    assert not any(n.startswith(("migrations/", "resources/", "tests/")) for n in names)
