"""ato_desktop.engine: the pure (Qt-free, database-free) timetabling engine."""

from .problem import Assignment, Problem
from .state import State, full_cost, full_counts

__all__ = ["Assignment", "Problem", "State", "full_cost", "full_counts"]
