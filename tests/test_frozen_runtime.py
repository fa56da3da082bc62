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


def test_desktop_start_imports_neither_numba_nor_the_command_modules():
    """Start-up budget: the GUI path must not pay for numba (~1 s) or the CLI command modules (~2 s)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from ato_desktop import cli\n"
        "cli._names_a_command(['--db', 'x.atodb', '--demo'])\n"
        "import ato_desktop.ui.app\n"
        "bad = sorted(m for m in sys.modules if m == 'numba' or m.startswith('ato_desktop.cli.commands_'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[1], env={**__import__("os").environ,
                                                                        "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"imported at start-up: {out.stdout.strip()}"


def test_command_detection():
    from ato_desktop.cli import _names_a_command

    assert not _names_a_command([])
    assert not _names_a_command(["--demo"])
    assert not _names_a_command(["--db", "info"])  # 'info' is the file name here, not the command
    assert not _names_a_command(["--self-test"])
    assert _names_a_command(["info", "--db", "x.atodb"])
    assert _names_a_command(["--db", "x.atodb", "backup", "list"])
    assert _names_a_command(["--help"])


def test_engine_names_are_the_functions_whatever_was_imported_first():
    import subprocess
    import sys

    code = ("import ato_desktop.engine.evaluate, ato_desktop.engine.state\n"
            "from ato_desktop.engine import evaluate, full_cost, State\n"
            "assert callable(evaluate) and callable(full_cost) and isinstance(State, type)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.returncode == 0, out.stderr
