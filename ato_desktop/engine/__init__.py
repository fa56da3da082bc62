"""ato_desktop.engine: the pure (Qt-free, database-free) timetabling engine."""

from .evaluate import evaluate
from .problem import Assignment, Problem
from .score import ConstraintResult, Score, Violation
from .state import State, full_cost, full_counts

__all__ = [
    "Assignment", "ConstraintResult", "Problem", "Score", "State", "Violation", "evaluate", "full_cost",
    "full_counts",
]
