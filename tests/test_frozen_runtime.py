"""The bundle's numba cache set-up: per-user folder, keyed by the engine sources, old ones removed."""

from __future__ import annotations

from pathlib import Path

from ato_desktop.frozen import configure_numba_cache, engine_fingerprint

ENGINE = Path(__file__).resolve().parents[1] / "ato_desktop" / "engine"


def test_cache_dir_is_created_and_exported(tmp_path):
    env: dict[str, str] = {}
    target = configure_numba_cache(ENGINE, root=tmp_path / "numba", environ=env)
    assert target is not None and target.is_dir()
    assert env["NUMBA_CACHE_DIR"] == str(target)
    assert target.name == engine_fingerprint(ENGINE)


def test_changed_engine_source_gets_a_new_folder_and_old_ones_go(tmp_path):
    engine = tmp_path / "engine"
    engine.mkdir()
    (engine / "kernels.py").write_text("x = 1\n")
    root = tmp_path / "cache"
    first = configure_numba_cache(engine, root=root, environ={})
    (first / "kernels.nbi").write_text("old")
    (engine / "kernels.py").write_text("x = 2\n")
    second = configure_numba_cache(engine, root=root, environ={})
    assert second != first
    assert not first.exists(), "the cache of the older engine is removed"
    assert [p.name for p in root.iterdir()] == [second.name]


def test_user_setting_wins(tmp_path):
    env = {"NUMBA_CACHE_DIR": str(tmp_path / "mine")}
    assert configure_numba_cache(ENGINE, root=tmp_path / "numba", environ=env) == tmp_path / "mine"
    assert not (tmp_path / "numba").exists()


def test_unwritable_root_leaves_numba_default(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    env: dict[str, str] = {}
    assert configure_numba_cache(ENGINE, root=blocker / "numba", environ=env) is None
    assert "NUMBA_CACHE_DIR" not in env
