"""``ato-desktop FILE.atodb``: what a file association ("Open with", double-click) runs."""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ato_desktop.cli import CliError, _database_argument, main


def test_a_database_file_as_first_argument_means_db(tmp_path):
    f = tmp_path / "Dept of Physics.atodb"
    f.write_bytes(b"")
    assert _database_argument([str(f)]) == ["--db", str(f)]
    assert _database_argument(["--demo", str(f)]) == ["--demo", "--db", str(f)]
    upper = tmp_path / "X.ATODB"
    upper.write_bytes(b"")
    assert _database_argument([str(upper)]) == ["--db", str(upper)]
    # what old macOS versions add when started from the Finder is dropped
    assert _database_argument(["-psn_0_1234", str(f)]) == ["--db", str(f)]


def test_commands_and_their_file_arguments_are_left_alone(tmp_path):
    f = tmp_path / "d.atodb"
    f.write_bytes(b"")
    for argv in (["info", "--db", str(f)], ["demo", "create", str(f)], ["new", str(f)], ["--db", str(f)],
                 ["--db", str(f), "info"], [], ["--version"]):
        assert _database_argument(list(argv)) == argv


def test_a_missing_file_or_two_databases_is_a_clear_error(tmp_path, capsys):
    missing = tmp_path / "nope.atodb"
    with pytest.raises(CliError, match="no database file at .*nope.atodb"):
        _database_argument([str(missing)])
    f = tmp_path / "d.atodb"
    f.write_bytes(b"")
    with pytest.raises(CliError, match="two databases"):
        _database_argument(["--db", str(f), str(f)])
    assert main([str(missing)]) == 2
    err = capsys.readouterr().err
    assert "no database file at" in err and "nope.atodb" in err


def test_help_mentions_the_file_argument():
    r = subprocess.run([sys.executable, "-m", "ato_desktop", "--help"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "FILE.atodb" in r.stdout


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the settings file where Qt keeps it on Linux")
def test_the_app_opens_the_file_given_as_argument(demo_db_path, tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", ATO_STARTUP_PROBE="1",
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"))
    r = subprocess.run([sys.executable, "-m", "ato_desktop", str(demo_db_path)], capture_output=True, text=True,
                       timeout=180, env=env, cwd=Path(__file__).resolve().parents[2])
    assert r.returncode == 0, r.stderr
    assert "first-window" in r.stdout
    ini = tmp_path / "config" / "ATO Desktop" / "ATO Desktop.ini"
    cfg = configparser.ConfigParser()
    cfg.read(ini)
    assert Path(cfg["files"]["last"]) == demo_db_path.resolve()  # the window opened that file
