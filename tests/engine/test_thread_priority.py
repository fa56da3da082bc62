"""The UI stays fluid while every core searches (issue 18 §2): the search threads leave the CPU to the GUI
thread (they run at the priority of the thread that started them, the app's background task) and the GIL
(every numba kernel is compiled with ``nogil=True``)."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from ato_desktop import thread_priority
from ato_desktop.engine import kernels, local_search, optimizer
from ato_desktop.engine.optimizer import OptimizeParams, optimize

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice values are Linux's")


def _nice() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def test_every_kernel_releases_the_gil() -> None:
    """A kernel called without ``nogil`` holds the GIL for its whole call (an annealing chunk: 50 ms and
    more), so the GUI thread could not run Python meanwhile."""
    from numba.core.registry import CPUDispatcher

    found = {name: d for mod in (kernels, local_search) for name, d in vars(mod).items()
             if isinstance(d, CPUDispatcher)}
    assert len(found) > 20 and {"sa_chunk", "construct", "full_cost_kernel", "load_state"} <= set(found)
    holding = sorted(name for name, d in found.items() if not d.targetoptions.get("nogil"))
    assert holding == [], f"kernels compiled without nogil=True: {holding}"


@linux_only
def test_the_islands_run_at_the_priority_of_the_thread_that_started_them(comp01, monkeypatch) -> None:
    """Started from a background thread (the app's optimizer task, lowered), every island runs lowered too;
    each island takes its caller's priority itself (Windows and macOS threads do not inherit it)."""
    seen: dict[str, int] = {}
    applied: list = []
    real_evolve, real_apply = optimizer._evolve, thread_priority.apply

    def evolve(sr, start, migrate=None):
        seen[threading.current_thread().name] = _nice()
        return real_evolve(sr, start, migrate)

    def apply(token):
        applied.append((threading.current_thread().name, token))
        return real_apply(token)

    monkeypatch.setattr(optimizer, "_evolve", evolve)
    monkeypatch.setattr(thread_priority, "apply", apply)
    out: dict = {}

    def background() -> None:
        assert thread_priority.lower_current_thread()
        out["caller"] = _nice()
        out["result"] = optimize(comp01, params=OptimizeParams(
            time_limit=None, generations=1, threads=2, population_size=1, init_iterations=1_000,
            generation_iterations=1_000))

    t = threading.Thread(target=background)
    t.start()
    t.join(120)
    assert not t.is_alive() and out["result"].hard >= 0
    process = os.getpriority(os.PRIO_PROCESS, os.getpid())
    assert out["caller"] == min(19, process + thread_priority.BACKGROUND_STEP) > process
    assert seen == {"ato-island-0": out["caller"], "ato-island-1": out["caller"]}
    assert sorted(applied) == [("ato-island-0", ("nice", out["caller"])), ("ato-island-1", ("nice", out["caller"]))]
    assert _nice() == process  # this thread (the GUI's, in the app) is left as it was


@linux_only
def test_lowering_is_relative_to_the_process_and_never_raises_a_thread() -> None:
    out: list[int] = []

    def twice() -> None:
        thread_priority.lower_current_thread()
        out.append(_nice())
        thread_priority.lower_current_thread()  # a pool thread lowered again stays where it is
        out.append(_nice())

    t = threading.Thread(target=twice)
    t.start()
    t.join()
    process = os.getpriority(os.PRIO_PROCESS, os.getpid())
    assert out == [min(19, process + thread_priority.BACKGROUND_STEP)] * 2
