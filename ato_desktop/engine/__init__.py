"""ato_desktop.engine: the pure (Qt-free, database-free) timetabling engine.

The names below load on first use (PEP 562): importing ``ato_desktop.engine.problem``
(numpy only) must not import numba, which costs about a second at app start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

# Numpy-only names load now. ``evaluate`` must: it is also a submodule's name, and importing the
# submodule later would otherwise leave the package attribute bound to the module, not the function.
from .evaluate import evaluate
from .problem import Assignment, Problem
from .score import ConstraintResult, Score, Violation

# numba-backed names load on first use.
_LAZY = {
    "State": "state", "full_cost": "state", "full_counts": "state",
    "optimize": "optimizer", "OptimizeParams": "optimizer", "Result": "optimizer",
}

__all__ = sorted(["Assignment", "ConstraintResult", "Problem", "Score", "Violation", "evaluate", *_LAZY])


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


if TYPE_CHECKING:  # pragma: no cover
    from .optimizer import OptimizeParams, Result, optimize
    from .state import State, full_cost, full_counts
