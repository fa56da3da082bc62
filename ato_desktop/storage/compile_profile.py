"""The day profile's limits (issue 17), read from the rules' constraint rows into per-resource arrays.

A rule's row keeps its limits in ``params`` (no schema change): ``faculty_limit`` / ``group_limit``
(the default for every faculty member / student group the rule is for; absent or None = no limit),
``overrides`` (``{"CODE": limit}`` by faculty or group code; a section's value applies to its lab
batches, a batch's own value wins) and, for ``min_hours_daily``, ``allow_empty_days`` (default True)
and ``no_empty_days`` (codes whose every day needs the minimum); for ``interval_max_days``, the part of
the day each kind's limit is about: ``faculty_from`` / ``faculty_to`` and ``group_from`` / ``group_to``
(period numbers of the day, 1-based, both included). A disabled rule or one without a row
compiles to "no limit", so the engine skips it (docs/constraints.md, "The day profile").
"""

from __future__ import annotations

import numpy as np

#: rule -> (Problem array, its "no limit" value, the resource kinds it is for)
PROFILE_RULES: dict[str, tuple[str, int, tuple[str, ...]]] = {
    "max_gaps_week": ("resource_max_gaps_week", -1, ("faculty", "group")),
    "max_gaps_day": ("resource_max_gaps_day", -1, ("faculty", "group")),
    "min_hours_daily": ("resource_min_daily", 0, ("faculty", "group")),
    "early_start": ("resource_early_max_second", -1, ("group",)),
    "group_max_daily": ("resource_group_max_daily", 0, ("group",)),
    "group_max_consecutive": ("resource_group_max_consecutive", 0, ("group",)),
    "min_days_week": ("resource_min_days", 0, ("faculty",)),
    "interval_max_days": ("resource_interval_max_days", -1, ("faculty", "group")),
    # buildings (the rooms' Building field): changes a day / a week, free periods between two buildings
    "max_building_changes_day": ("resource_max_bchanges_day", -1, ("faculty", "group")),
    "max_building_changes_week": ("resource_max_bchanges_week", -1, ("faculty", "group")),
    "min_gaps_building_changes": ("resource_min_gaps_bchanges", 0, ("faculty", "group")),
}


def _int(v) -> int | None:
    if v is None or v == "" or isinstance(v, bool):
        return None
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def profile_arrays(rows, faculty, groups, leaves, res_index, leaf_ids) -> dict[str, np.ndarray]:
    """Problem keyword arguments of the day profile. ``rows``: the ConstraintInstance rows;
    ``faculty``/``groups``: the compiled ones (``leaves`` the leaf groups), ``res_index``/``leaf_ids``
    as in ``storage.compile``. Only arrays with a limit are returned (the rest default to none)."""
    Q = len(faculty) + len(leaves)
    fac_q = [res_index[("f", f.id)] for f in faculty]
    grp_q = [res_index[("g", g.id)] for g in leaves]
    by_code: dict[str, list[int]] = {f.code.lower(): [res_index[("f", f.id)]] for f in faculty}
    sections = [g for g in groups if g.batches]
    for g in sections + [g for g in groups if not g.batches]:  # a batch's own value after its section's
        by_code[g.code.lower()] = leaf_ids(g)
    out: dict[str, np.ndarray] = {}
    for ci in rows:
        spec = PROFILE_RULES.get(ci.type)
        if spec is None or not ci.enabled or ci.weight == 0:
            continue
        name, none, kinds = spec
        params = dict(ci.params or {})
        arr = np.full(Q, none, np.int32)
        for kind, qs in (("faculty", fac_q), ("group", grp_q)):
            v = _int(params.get(f"{kind}_limit"))
            if kind in kinds and v is not None and v >= 0 and qs:
                arr[qs] = v
        overrides = params.get("overrides") or {}
        ordered = sorted(overrides.items(), key=lambda kv: any(g.code.lower() == str(kv[0]).lower()
                                                               for g in groups if g.parent_id is not None))
        for code, v in ordered:
            v = _int(v)
            qs = by_code.get(str(code).lower(), [])
            qs = [q for q in qs if ("faculty" if q < len(faculty) else "group") in kinds]
            if v is not None and qs:
                arr[qs] = v if v >= 0 else none
        if (arr != none).any():
            out[name] = arr
        if ci.type == "interval_max_days":
            lo, hi = np.zeros(Q, np.int32), np.zeros(Q, np.int32)
            for kind, qs in (("faculty", fac_q), ("group", grp_q)):
                a, b = _int(params.get(f"{kind}_from")), _int(params.get(f"{kind}_to"))
                if a is not None and b is not None and qs:
                    lo[qs], hi[qs] = a - 1, b
            if (arr != none).any():
                out["resource_interval_from"], out["resource_interval_to"] = lo, hi
        if ci.type == "min_hours_daily":
            empty_ok = np.full(Q, bool(params.get("allow_empty_days", True)), np.bool_)
            for code in params.get("no_empty_days") or []:
                empty_ok[by_code.get(str(code).lower(), [])] = False
            if not empty_ok.all():
                out["resource_min_daily_empty_ok"] = empty_ok
    return out
