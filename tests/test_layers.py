"""The rules of the house about import directions, checked on the source of every module.

Each layer of ``ato_desktop`` may import only in the allowed directions. The map below IS the
documentation (docs/architecture.md repeats it in prose):

    engine    pure numpy/numba: the timetabling problem, scoring and search. It knows nothing of
              Qt, databases or the rest of the app.
    storage   the SQLite file: models, migrations, locking, compiling a timetable into an engine
              problem. No Qt, and no service code (services build on storage, not the reverse).
    services  the operations a user can run (one transaction each); may use engine, storage,
              reports, notify, io; no Qt, no UI, no CLI.
    reports / notify / io
              PDF rendering, mail, file formats: fed their data by services, so they never import
              services, the UI or the CLI.
    ui        Qt widgets: they call services, never storage directly, and never catch SQLAlchemy's
              exceptions (services turn those into their own errors).
    cli       the command line: calls services.

The test reads every import statement (``import x``, ``from x import y``, also inside functions,
relative imports resolved) with ``ast``; nothing is imported. ``KNOWN_VIOLATIONS`` lists the
directions not fixed yet, each with its reason: a NEW violation fails the test, and so does an
entry of ``KNOWN_VIOLATIONS`` that is no longer true (so the list only shrinks).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "ato_desktop"

# layer (a sub-package of ato_desktop) -> import prefixes it must not use
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "engine": ("PySide6", "shiboken6", "sqlalchemy", "alembic",
               "ato_desktop.storage", "ato_desktop.services", "ato_desktop.ui", "ato_desktop.reports",
               "ato_desktop.notify", "ato_desktop.io", "ato_desktop.cli"),
    "storage": ("PySide6", "shiboken6", "ato_desktop.services", "ato_desktop.ui", "ato_desktop.cli"),
    "services": ("PySide6", "shiboken6", "ato_desktop.ui", "ato_desktop.cli"),
    "reports": ("PySide6", "shiboken6", "ato_desktop.ui", "ato_desktop.services", "ato_desktop.cli"),
    "notify": ("PySide6", "shiboken6", "ato_desktop.ui", "ato_desktop.services", "ato_desktop.cli"),
    "io": ("PySide6", "shiboken6", "ato_desktop.ui", "ato_desktop.services", "ato_desktop.cli"),
    "ui": ("ato_desktop.storage",),
}

# exception names the UI must not catch: services translate them into ServiceError / DatabaseError
UI_MUST_NOT_CATCH = ("SQLAlchemyError", "OperationalError", "IntegrityError", "DBAPIError", "sqlalchemy")

# (module, forbidden import) pairs not fixed yet, each with the reason. Remove an entry when it is fixed.
KNOWN_VIOLATIONS: dict[tuple[str, str], str] = {
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _imports(module: str, path: Path) -> set[str]:
    """Every module name ``module`` imports, anywhere in its body (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            names.add(prefix)
            names.update(f"{prefix}.{alias.name}" for alias in node.names)  # "from pkg import module"
    return names


def _caught_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ExceptHandler) and node.type is not None:
            for sub in ast.walk(node.type):
                if isinstance(sub, ast.Name):
                    found.add(sub.id)
                elif isinstance(sub, ast.Attribute):
                    found.add(sub.attr)
                    if isinstance(sub.value, ast.Name):
                        found.add(sub.value.id)
    return found


def _is_under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def violations() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for module, path in _modules().items():
        parts = module.split(".")
        layer = parts[1] if len(parts) > 1 else ""
        forbidden = FORBIDDEN.get(layer, ())
        for name in _imports(module, path):
            for prefix in forbidden:
                if _is_under(name, prefix):
                    found.add((module, prefix))
        if layer == "ui":
            for caught in _caught_names(path) & set(UI_MUST_NOT_CATCH):
                found.add((module, f"except {caught}"))
    return found


def test_the_map_names_real_layers():
    layers = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert set(FORBIDDEN) <= layers


def test_the_reader_sees_imports_inside_functions_and_relative_ones(tmp_path):
    src = tmp_path / "mod.py"
    src.write_text("def f():\n    from ..storage import database\n    import PySide6.QtCore\n")
    names = _imports("ato_desktop.engine.mod", src)
    assert "ato_desktop.storage" in names and "ato_desktop.storage.database" in names
    assert "PySide6.QtCore" in names


def test_no_layer_imports_in_a_forbidden_direction():
    found = violations()
    new = sorted(found - set(KNOWN_VIOLATIONS))
    assert not new, "forbidden imports (see the map at the top of tests/test_layers.py):\n" + "\n".join(
        f"  {m} -> {p}" for m, p in new)
    fixed = sorted(set(KNOWN_VIOLATIONS) - found)
    assert not fixed, "fixed: remove from KNOWN_VIOLATIONS:\n" + "\n".join(f"  {m} -> {p}" for m, p in fixed)
