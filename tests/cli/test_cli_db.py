"""The command line, run as a real subprocess."""

import hashlib
import subprocess
import sys

REPO_ENV = None


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "ato_desktop", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


def test_version_and_help():
    r = run("--version")
    assert r.returncode == 0 and "ATO Desktop" in r.stdout
    r = run("--help")
    assert r.returncode == 0 and "demo" in r.stdout and "info" in r.stdout


def test_demo_create_then_info(tmp_path):
    p = tmp_path / "d.atodb"
    r = run("demo", "create", str(p))
    assert r.returncode == 0, r.stderr
    r = run("info", "--db", str(p))
    assert r.returncode == 0, r.stderr
    assert "wal" in r.stdout
    assert "faculty" in r.stdout and "rooms" in r.stdout and "activities" in r.stdout
    assert "Reference timetable" in r.stdout
    r = run("demo", "create", str(p))
    assert r.returncode == 2 and "already exists" in r.stderr


def test_corrupt_file_gives_clear_error_and_is_not_modified(tmp_path):
    p = tmp_path / "broken.atodb"
    p.write_bytes(b"PK\x03\x04 this is a zip file, not a database" * 50)
    before = hashlib.sha256(p.read_bytes()).hexdigest()
    r = run("info", "--db", str(p))
    assert r.returncode == 2
    assert "not an ATO Desktop database" in r.stderr
    assert "Traceback" not in r.stderr
    assert hashlib.sha256(p.read_bytes()).hexdigest() == before


def test_missing_file_for_info(tmp_path):
    r = run("info", "--db", str(tmp_path / "nope.atodb"))
    assert r.returncode == 2 and "does not exist" in r.stderr
    assert not (tmp_path / "nope.atodb").exists()
