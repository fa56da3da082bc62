"""The numba warm-up: the tiny problem compiles the specializations real problems use,
the marker follows what numba's cache depends on, concurrent warm-ups wait for each other.

The end-to-end check (cold cache -> warm-up process -> a comp01 run in a NEW process
compiles nothing) takes minutes of CPU: it is the ``slow`` test at the end and
``benchmarks/warmup.py`` prints its figures.
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
from ato_desktop.io.ctt import load_ctt_problem

REPO = Path(__file__).resolve().parents[2]
from tests.conftest_itc import itc_dataset_dir  # noqa: E402

ITC_DIR = itc_dataset_dir()


@pytest.fixture
def marker_env(tmp_path, monkeypatch):
    """A cold marker folder of this test's own (numba's cache stays the shared one)."""
    folder = tmp_path / "markers"
    monkeypatch.setenv(warmup.MARKER_DIR_ENV, str(folder))
    return folder


@pytest.fixture(scope="module")
def comp01():
    if not (ITC_DIR / "comp01.ctt").is_file():
        pytest.skip(f"ITC-2007 dataset not found at {ITC_DIR}")
    return load_ctt_problem(ITC_DIR / "comp01.ctt")


@pytest.fixture(scope="module")
def demo_problem(tmp_path_factory):
    from ato_desktop.demo import create_demo_database
    from ato_desktop.storage.compile import compile_database
    from ato_desktop.storage.database import open_database

    path = tmp_path_factory.mktemp("demo") / "demo.atodb"
    create_demo_database(path)
    db = open_database(path)
    try:
        comp, _, _ = compile_database(db, None)
    finally:
        db.close()
    return comp.problem


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


@pytest.mark.slow
def test_after_a_cold_warm_up_a_real_run_in_a_new_process_compiles_nothing(tmp_path, comp01) -> None:
    """Minutes of CPU: an empty numba cache, ``ato-desktop warm-up`` in one process, then
    comp01 (optimize, State deltas, move_grid, costs) in another: every kernel is a cache hit."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(REPO)}
    env.pop(warmup.MARKER_DIR_ENV, None)
    out = subprocess.run([sys.executable, "-m", "ato_desktop", "warm-up", "--quiet"], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=1200)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().startswith("Optimizer prepared in")
    script = (
        "import json, sys\n"
        "from ato_desktop.engine.optimizer import OptimizeParams, optimize\n"
        "from ato_desktop.engine.state import State, full_cost, full_counts\n"
        "from ato_desktop.engine.warmup import is_warm, kernel_cache_stats\n"
        "from ato_desktop.io.ctt import load_ctt_problem\n"
        "assert is_warm()\n"
        "p = load_ctt_problem(sys.argv[1])\n"
        "r = optimize(p, params=OptimizeParams(time_limit=None, generations=1, seed=0, population_size=2))\n"
        "optimize(p, start=r.assignment, params=OptimizeParams(time_limit=None, generations=1, seed=0,\n"
        "         population_size=2, minimal_change=True))\n"
        "st = State(p, r.assignment); st.move_grid(0); st.delta_move(0, 3, 1); st.delta_swap(0, 5)\n"
        "st.apply_move(0, 3, 1); st.apply_swap(0, 5); st.counts()\n"
        "full_cost(p, r.assignment); full_counts(p, r.assignment)\n"
        "s = kernel_cache_stats()\n"
        "print(json.dumps({'compiled': sorted(k for k, (h, m) in s.items() if m),\n"
        "                  'loaded': sorted(k for k, (h, m) in s.items() if h)}))\n"
    )
    run = subprocess.run([sys.executable, "-c", script, str(ITC_DIR / "comp01.ctt")], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0, run.stderr
    res = json.loads(run.stdout.strip().splitlines()[-1])
    assert res["compiled"] == []
    # the entry points called from Python came from the cache (their callees live inside them)
    assert {"sa_chunk", "construct", "delta_moves", "apply_moves", "load_state", "move_grid_kernel",
            "full_cost_kernel", "full_counts", "_fill_static_kernel"} <= set(res["loaded"])
