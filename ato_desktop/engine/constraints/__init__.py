"""The constraint units: one small named rule per constraint of ``docs/constraints.md``.

``REGISTRY`` maps every name of ``HARD_CONSTRAINTS + SOFT_CONSTRAINTS`` (in that
canonical order) to its :class:`~.base.Constraint`::

    from ato_desktop.engine.constraints import REGISTRY
    REGISTRY["resource_clash"].violations(problem, assignment)   # -> list[Violation]
    REGISTRY["gaps"].count(problem, assignment)                  # unweighted count

Families: ``placement`` (unscheduled, break_overlap, day_overflow, sync_mismatch,
locked_moved), ``clashes`` (resource_clash, room_clash), ``availability``
(resource_unavailable, room_unavailable, session_unavailable), ``rooms``
(room_unsuitable, room_capacity, room_stability), ``faculty_load`` (daily_load,
max_consecutive, max_days), ``students`` (min_days, isolated, gaps) and
``preferences`` (resource_undesired, resource_not_preferred, session_not_preferred),
``day_profile`` (max_gaps_week, max_gaps_day, min_hours_daily, early_start, group_max_daily,
group_max_consecutive, min_days_week, interval_max_days), ``relations`` (the relations between
activities of ``Problem.relations``, e.g. activities_consecutive) and ``activity_limits``
(activities_max_daily, activities_max_consecutive, activities_ordered_min_gaps: relations too, FET's
activity-tag max hours and ordered pairs) and ``buildings`` (max_building_changes_day / _week,
min_gaps_building_changes).
"""

from __future__ import annotations

from types import MappingProxyType

from ..problem import HARD_CONSTRAINTS, SOFT_CONSTRAINTS
from . import (
    activity_limits,
    availability,
    buildings,
    clashes,
    day_profile,
    faculty_load,
    placement,
    preferences,
    relations,
    rooms,
    students,
)
from .base import Constraint, Context

_UNITS = {
    c.name: c
    for module in (placement, clashes, availability, rooms, faculty_load, students, preferences, day_profile,
                   relations, activity_limits, buildings)
    for c in vars(module).values()
    if isinstance(c, Constraint)
}
_missing = set(HARD_CONSTRAINTS + SOFT_CONSTRAINTS) ^ set(_UNITS)
if _missing:  # pragma: no cover - a programming error caught at import
    raise ImportError(f"constraint units and problem.HARD/SOFT_CONSTRAINTS differ: {sorted(_missing)}")
for _name in HARD_CONSTRAINTS:
    assert _UNITS[_name].is_hard, _name
for _name in SOFT_CONSTRAINTS:
    assert not _UNITS[_name].is_hard, _name

#: name -> Constraint, in canonical order (hard first).  Read-only.
REGISTRY = MappingProxyType({name: _UNITS[name] for name in HARD_CONSTRAINTS + SOFT_CONSTRAINTS})


def get(name: str) -> Constraint:
    """The constraint unit called ``name`` (``KeyError`` with the known names otherwise)."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown constraint {name!r}; known: {', '.join(REGISTRY)}") from None


__all__ = ["REGISTRY", "Constraint", "Context", "get"]
