"""benchmarks/departments.py runs (issue 18 §3) with a tiny budget on a generated department."""

from __future__ import annotations

import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_the_departments_benchmark_runs_on_a_generated_department(capsys) -> None:
    spec = importlib.util.spec_from_file_location("departments_bench", REPO / "benchmarks" / "departments.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.main(["--only", "gen-6", "--checkpoints", "0.2,0.5", "--threads", "2"]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines() if line.startswith("gen-6")]
    assert [r[2] for r in rows] == ["1", "2"]  # 1 and N threads
    assert all(int(r[1]) == 144 for r in rows)  # 6 sections: 6 x 5 x (3 + 1) + 6 x 2 x 2 labs
