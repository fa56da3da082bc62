"""The numpy first timetable (issue 16: the first Start must not wait for the numba compile)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from ato_desktop.engine import evaluate
from ato_desktop.engine.quickstart import quick_timetable


def test_the_demo_gets_a_conflict_free_timetable_without_the_optimizer(demo_problem):
    a = quick_timetable(demo_problem, seed=1)
    assert (a.start >= 0).all()
    assert evaluate(demo_problem, a).hard == 0


def test_keep_my_changes_keeps_a_valid_placement_as_it_is(demo_problem):
    first = quick_timetable(demo_problem, seed=1)
    again = quick_timetable(demo_problem, seed=7, start=first)
    assert np.array_equal(again.start, first.start) and np.array_equal(again.room, first.room)


def test_it_imports_no_numba():
    code = ("import sys; import ato_desktop.engine.quickstart, ato_desktop.engine.evaluate; "
            "sys.exit(1 if 'numba' in sys.modules else 0)")
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0
