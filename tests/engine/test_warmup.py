"""The numba warm-up: the tiny problem compiles the specializations real problems use,
the marker follows what numba's cache depends on, concurrent warm-ups wait for each other.

The end-to-end check (cold cache -> the app's real warm-up process -> a comp01 run in a NEW
process compiles nothing) takes a minute of CPU: it is done once, by the ``slow`` test
``tests/ui/test_warmup_controller.py::test_a_cold_real_warm_up_in_a_process`` (with
``tests/engine/warm_checks.py``); ``benchmarks/warmup.py`` prints its figures.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numba
import pytest

from ato_desktop.engine import kernels as K
from ato_desktop.engine import warmup
from ato_desktop.engine.problem import Assignment

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def marker_env(tmp_path, monkeypatch):
    """A cold marker folder of this test's own (numba's cache stays the shared one)."""
    folder = tmp_path / "markers"
    monkeypatch.setenv(warmup.MARKER_DIR_ENV, str(folder))
    return folder


def _types(problem):
    cp = K.compile_problem(problem)
    st = K.new_state(cp)
    a = Assignment.empty(problem)
    return numba.typeof(cp), numba.typeof(st), numba.typeof(a.start)


def test_the_tiny_problem_has_the_argument_types_of_real_problems(comp01, demo_problem) -> None:
    """numba compiles one specialization per argument type: the compiled tiny problem, its
    state and assignments must type exactly like an ITC instance's and a department's."""
    tiny = _types(warmup.tiny_problem())
    assert tiny == _types(comp01)
    assert tiny == _types(demo_problem)
    # and the tiny problem has the parts whose code paths the kernels specialise on
    p = warmup.tiny_problem()
    assert p.sync_sets and (p.locked_start >= 0).any() and not p.session_needs_room.all()
    assert p.session_duration.max() > 1 and not p.slot_usable.all()


def test_warm_up_writes_the_marker_and_is_warm_follows_it(marker_env, monkeypatch) -> None:
    assert not warmup.is_warm()
    steps: list[str] = []
    seconds = warmup.warm_up(on_step=steps.append)
    assert seconds > 0
    assert warmup.is_warm()
    assert warmup.marker_path().parent == marker_env
    assert any("optimizer" in s for s in steps) and any("incremental state" in s for s in steps)
    data = json.loads(warmup.marker_path().read_text(encoding="utf-8"))
    assert data["key"]["fingerprint"] == warmup.fingerprint()

    # another numba cache folder is another cache: not warm there
    numba_cache = os.environ.get("NUMBA_CACHE_DIR")
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(marker_env / "other-cache"))
    assert not warmup.is_warm()
    if numba_cache:
        monkeypatch.setenv("NUMBA_CACHE_DIR", numba_cache)
    else:
        monkeypatch.delenv("NUMBA_CACHE_DIR")
    assert warmup.is_warm()

    # a key that differs (e.g. kernels.py touched: numba recompiles) is not warm
    data["key"]["stamp"][1] = 1
    warmup.marker_path().write_text(json.dumps(data), encoding="utf-8")
    assert not warmup.is_warm()
    warmup.marker_path().write_text("not json", encoding="utf-8")
    assert not warmup.is_warm()
    warmup.forget()
    assert not warmup.marker_path().exists() and not warmup.is_warm()


def test_marker_location_follows_the_numba_cache_folder(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv(warmup.MARKER_DIR_ENV, raising=False)
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "nc"))
    assert warmup.marker_dir() == tmp_path / "nc"
    name = warmup.marker_path().name
    assert name.startswith(f"ato-warm-{warmup.fingerprint()}-") and name.endswith(".json")
    monkeypatch.delenv("NUMBA_CACHE_DIR")
    assert warmup.marker_dir().name == "warmup"  # <user cache dir>/warmup


def test_two_installs_of_one_release_keep_their_own_marker(tmp_path, monkeypatch) -> None:
    """Same engine sources elsewhere (another virtual environment, a checkout beside a bundle): numba
    caches per install, so each has its own marker instead of overwriting the other's."""
    monkeypatch.setenv(warmup.MARKER_DIR_ENV, str(tmp_path))
    here = warmup.marker_path()
    monkeypatch.setattr(warmup, "_source_stamp", lambda: [str(tmp_path / "other" / "kernels.py"), 1, 2])
    there = warmup.marker_path()
    assert here != there and here.parent == there.parent == tmp_path
    assert here.name.split("-")[2] == there.name.split("-")[2]  # the same engine fingerprint


def test_the_fingerprint_is_the_frozen_builds_fingerprint() -> None:
    from ato_desktop.frozen import engine_fingerprint

    engine = Path(K.__file__).resolve().parent
    assert warmup.fingerprint() == engine_fingerprint(engine)


def test_a_second_warm_up_waits_for_the_first(marker_env) -> None:
    """Another process holds the warm-up lock (as a running warm-up does): this one waits
    for it, then runs (from numba's cache) and writes the marker."""
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\n"
         "from ato_desktop.engine import warmup\n"
         "with warmup._exclusive(None) as got:\n"
         "    print('locked' if got else 'no lock', flush=True)\n"
         "    time.sleep(2.0)\n"],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        steps: list[str] = []
        t0 = time.perf_counter()
        warmup.warm_up(on_step=steps.append)
        waited = time.perf_counter() - t0
    finally:
        holder.wait(30)
    assert steps[0].startswith("another process is preparing the optimizer")
    assert waited >= 1.0
    assert warmup.is_warm()


def test_a_killed_holder_releases_the_lock(marker_env) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import time\nfrom ato_desktop.engine import warmup\n"
         "with warmup._exclusive(None):\n    print('locked', flush=True)\n    time.sleep(60)\n"],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    holder.kill()
    holder.wait(30)
    t0 = time.perf_counter()
    with warmup._exclusive(None, wait=10) as got:
        assert got
    assert time.perf_counter() - t0 < 5


