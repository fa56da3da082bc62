"""ato_desktop.engine: the pure (Qt-free, database-free) timetabling engine.

The names below load on first use (PEP 562): importing ``ato_desktop.engine.problem``
(numpy only) must not import numba, which costs about a second at app start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_LAZY = {
    "Assignment": "problem", "Problem": "problem",
    "ConstraintResult": "score", "Score": "score", "Violation": "score",
    "State": "state", "full_cost": "state", "full_counts": "state",
    "optimize": "optimizer", "OptimizeParams": "optimizer", "Snapshot": "optimizer", "Result": "optimizer",
}

# ``evaluate`` is both a submodule and a function: bind the function eagerly (it needs
# only numpy), or importing the submodule first would leave the module under this name.
from .evaluate import evaluate  # noqa: E402

__all__ = sorted([*_LAZY, "evaluate"])


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
    from .optimizer import OptimizeParams, Result, Snapshot, optimize
    from .problem import Assignment, Problem
    from .score import ConstraintResult, Score, Violation
    from .state import State, full_cost, full_counts
