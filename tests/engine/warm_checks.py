"""The end-to-end proof of the first-run warm-up, shared by the tests that run a real cold one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def assert_a_new_process_compiles_nothing(env: dict, comp01_path: Path) -> None:
    """After a warm-up into ``env``'s numba cache: comp01 (optimize, State deltas, move_grid, costs)
    in a NEW process loads every kernel from the cache and compiles none."""
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
    run = subprocess.run([sys.executable, "-c", script, str(comp01_path)], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0, run.stderr
    res = json.loads(run.stdout.strip().splitlines()[-1])
    assert res["compiled"] == []
    # the entry points called from Python came from the cache (their callees live inside them)
    assert {"sa_chunk", "construct", "delta_moves", "apply_moves", "load_state", "move_grid_kernel",
            "full_cost_kernel", "full_counts", "_fill_static_kernel"} <= set(res["loaded"])
