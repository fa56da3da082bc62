"""Every module of the package imports (headless, Qt offscreen): no part is "optional" or "not written yet".

A module that cannot be imported in a test process would be listed in ``CANNOT_IMPORT_HEADLESS`` with the
reason; today there is none.
"""

from __future__ import annotations

import importlib
import os
import pkgutil

import pytest

import ato_desktop

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# module name -> why it cannot be imported in a headless test process (none today)
CANNOT_IMPORT_HEADLESS: dict[str, str] = {}


def _all_modules() -> list[str]:
    names = [ato_desktop.__name__]
    for info in pkgutil.walk_packages(ato_desktop.__path__, prefix=ato_desktop.__name__ + "."):
        names.append(info.name)
    return sorted(names)


MODULES = _all_modules()


def test_the_walk_finds_every_layer():
    for layer in ("engine", "storage", "services", "reports", "notify", "io", "ui", "cli"):
        assert any(m.startswith(f"ato_desktop.{layer}.") for m in MODULES), layer
    assert len(MODULES) > 100


@pytest.mark.parametrize("name", [m for m in MODULES if m not in CANNOT_IMPORT_HEADLESS])
def test_module_imports(name):
    importlib.import_module(name)


def test_the_exceptions_are_real_modules():
    assert set(CANNOT_IMPORT_HEADLESS) <= set(MODULES)
