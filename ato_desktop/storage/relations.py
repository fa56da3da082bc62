"""Relations between activities, stored in their rule's constraint row (issue 17; no migration).

A constraint row whose type is one of ``engine.rules.RELATION_RULES`` keeps its relations in ``params``::

    {"relations": [{"activities": [12, 13]},                  # whole activities
                   {"activities": [[12, 0], [14, 1]]},        # (activity id, occurrence): one session
                   {"activities": [12], "min_gap": 2},        # activities_min_gaps only
                   {"activities": [12, 15], "max_periods": 3}]}  # activities_max_daily / _max_consecutive

Compiled into ``Problem.relations`` (session indices):

* ``activities_consecutive`` (first -> second), ``activities_grouped``, ``activities_same_day``,
  ``activities_same_room``: whole activities are paired occurrence by occurrence (the k-th sessions of
  each, for k below the smallest number of sessions; a single session pairs with the first of each);
* ``activities_not_overlapping``, ``activities_min_gaps``, ``activity_ends_day``, ``activities_max_daily``,
  ``activities_max_consecutive``: every session of the listed activities forms one set (for the last two,
  the limit ``max_periods``, 0 or more, is the relation's parameter);
* ``activities_ordered_min_gaps`` (first, second; its ``min_gap``): every session of the first paired with
  every session of the second, as one relation of two sets (``Relation.split``); an entry may list the
  second set under ``"second"``, the first set then being all of ``"activities"`` (the FET import: one
  entry per pair of activity tags and subgroup, ``{"activities": [...], "second": [...], "min_gap": N}``).

An activity that no longer exists (deleted, or outside a campus department's scope) is left out of its
relations; a relation left with too few sessions counts nothing.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from ato_desktop.engine.problem import Relation
from ato_desktop.engine.rules import RELATION_RULES

PAIRED = ("activities_consecutive", "activities_grouped", "activities_same_day", "activities_same_room")
MIN_SIZE = {"activity_ends_day": 1, "activities_min_gaps": 1, "activities_max_daily": 1,
            "activities_max_consecutive": 1}
LIMITED = ("activities_max_daily", "activities_max_consecutive")  # their relations carry "max_periods"  # members of a stored relation
MAX_SIZE = {"activities_consecutive": 2, "activities_grouped": 3, "activities_ordered_min_gaps": 2}
CROSS = ("activities_ordered_min_gaps",)  # (first, second): every session of the first with every one of the second


def member(item: Any) -> tuple[int, int | None] | None:
    """(activity id, occurrence or None for the whole activity) of one stored member, or None."""
    try:
        if isinstance(item, (list, tuple)) and len(item) == 2:
            return int(item[0]), int(item[1])
        if isinstance(item, bool):
            return None
        return int(item), None
    except (TypeError, ValueError):
        return None


def stored_relations(params: Any) -> list[dict]:
    """The relation entries of a constraint row's params (malformed ones left out)."""
    rels = (params or {}).get("relations") if isinstance(params, dict) else None
    return [r for r in rels if isinstance(r, dict) and isinstance(r.get("activities"), list)] \
        if isinstance(rels, list) else []


def compile_relations(rows: Iterable[tuple[str, Any]], sessions_of: Callable[[int], list[int]],
                      index_of: dict[tuple[int, int], int]) -> tuple[Relation, ...]:
    """``rows`` = (constraint type, params); ``sessions_of(activity id)`` = its session indices in
    occurrence order ([] if unknown); ``index_of[(activity id, occurrence)]`` = a session index."""
    out: list[Relation] = []
    for rule, params in rows:
        if rule not in RELATION_RULES:
            continue
        for entry in stored_relations(params):
            lists = _member_sessions(entry["activities"], sessions_of, index_of)
            second = entry.get("second") if rule in CROSS else None
            if isinstance(second, list):  # two sets: the first is all of "activities"
                lists = [[s for x in lists for s in x], [s for x in _member_sessions(second, sessions_of, index_of)
                                                         for s in x]]
                lists = [x for x in lists if x]
            gap = entry.get("min_gap", 0)
            param = int(gap) if isinstance(gap, int) and not isinstance(gap, bool) and gap > 0 else 0
            if rule in LIMITED:
                most = entry.get("max_periods")
                if not isinstance(most, int) or isinstance(most, bool) or most < 0:
                    continue  # no limit: binds nothing
                param = most
            if rule in CROSS:
                first, then = (list(dict.fromkeys(x)) for x in lists) if len(lists) == 2 else ([], [])
                if param == 0 or not first or not then or (first == then and len(first) == 1):
                    continue
                out.append(Relation(rule, first + then, param, len(first)))
                continue
            elif rule in PAIRED:
                if len(lists) < 2:
                    continue
                whole = [x for x in lists if len(x) > 1]
                n = min(len(x) for x in whole) if whole else 1
                groups = [[x[k] if len(x) > 1 else x[0] for x in lists] for k in range(n)]
            else:
                groups = [[s for x in lists for s in x]]
            for g in groups:
                g = list(dict.fromkeys(g))
                if len(g) < MIN_SIZE.get(rule, 2) or len(g) > MAX_SIZE.get(rule, len(g)):
                    continue
                if rule == "activities_min_gaps" and param == 0:
                    continue
                out.append(Relation(rule, g, param))
    return tuple(out)


def _member_sessions(items: list, sessions_of: Callable[[int], list[int]],
                     index_of: dict[tuple[int, int], int]) -> list[list[int]]:
    """The session indices of each stored member that still exists (whole activity or one occurrence)."""
    lists = []
    for item in items:
        mb = member(item)
        if mb is None:
            continue
        aid, occ = mb
        ss = sessions_of(aid) if occ is None else ([index_of[(aid, occ)]] if (aid, occ) in index_of else [])
        if ss:
            lists.append(ss)
    return lists


def without_activities(rule: str, params: Any, ids: set[int]) -> dict | None:
    """``params`` with the activities ``ids`` taken out of its relations (a relation left with too few
    members goes), or None when no relation names them (deleting an activity, issue 17)."""
    entries = stored_relations(params)

    def named(xs) -> list:
        return xs if isinstance(xs, list) else []

    if not entries or not any((member(x) or (None,))[0] in ids for e in entries
                              for x in e["activities"] + named(e.get("second"))):
        return None
    kept = []
    for e in entries:
        left = [x for x in e["activities"] if (member(x) or (None,))[0] not in ids]
        if isinstance(e.get("second"), list):  # two sets (ordered pairs): each keeps one activity at least
            then = [x for x in e["second"] if (member(x) or (None,))[0] not in ids]
            if left and then:
                kept.append({**e, "activities": left, "second": then})
        elif len(left) >= MIN_SIZE.get(rule, 2):
            kept.append({**e, "activities": left})
    return {**params, "relations": kept}
