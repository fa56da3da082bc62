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


# The only ImportError handlers allowed in the package: optional THIRD-PARTY imports, with the reason.
OPTIONAL_THIRD_PARTY = {
    "ato_desktop.reports.fonts": "uharfbuzz's binary wheel may be missing from a broken install; the self-test says so",
}


def _import_error_handlers() -> set[str]:
    import ast
    from pathlib import Path

    root = Path(ato_desktop.__file__).parent
    found = set()
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                names = {n.id for n in ast.walk(node.type) if isinstance(n, ast.Name)}
                if names & {"ImportError", "ModuleNotFoundError"}:
                    rel = path.relative_to(root.parent).with_suffix("")
                    found.add(".".join(p for p in rel.parts if p != "__init__"))
    return found


def test_no_module_may_not_exist_yet_guards():
    """No fallback for a part of the app that "may not exist yet": every module is there (see above)."""
    assert _import_error_handlers() == set(OPTIONAL_THIRD_PARTY)
