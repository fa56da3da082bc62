"""Alembic, driven from code: the schema's owner.

The migration scripts live in the top-level ``migrations/`` folder of the
source tree, which is installed as the ``ato_desktop.migrations`` package.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine


def migrations_dir() -> Path:
    source = Path(__file__).resolve().parents[2]
    if (source / "pyproject.toml").exists() and (source / "migrations" / "env.py").exists():
        return source / "migrations"  # a source checkout: its own migrations, even when another checkout is installed
    spec = importlib.util.find_spec("ato_desktop.migrations")
    if spec is not None and spec.submodule_search_locations:
        return Path(list(spec.submodule_search_locations)[0])
    here = Path(__file__).resolve().parents[2] / "migrations"  # running from a source checkout
    if (here / "env.py").exists():
        return here
    raise RuntimeError("The database migrations are missing from this installation.")


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("path_separator", "os")
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


@lru_cache(maxsize=1)
def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    return _script().get_current_head()


def is_known_revision(rev: str) -> bool:
    try:
        return _script().get_revision(rev) is not None
    except Exception:
        return False


def is_head(rev: str | None) -> bool:
    return rev == head_revision()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_to_head(engine: Engine) -> None:
    if current_revision(engine) == head_revision():
        return
    command.upgrade(alembic_config(engine), "head")


def upgrade_to(engine: Engine, revision: str) -> None:
    command.upgrade(alembic_config(engine), revision)
