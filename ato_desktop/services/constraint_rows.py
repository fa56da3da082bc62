"""Every engine rule on the Constraints page, also in a database created before the rule existed.

A database has one ``constraint_instance`` row per rule it was created with; a rule added to
``engine/rules.py`` later (the day profile, the relation rules) has no row there, and the compiler gives it
its default weight, enabled (``storage.compile``). The lists show such a rule as that row would be (its id
negative: it is not stored), and the first edit of it creates the row (``resources.update_item``), in
the edit's own transaction; its undo deletes the row again (``resource_edits.edit_item``).
"""

from __future__ import annotations

from typing import Any

from ato_desktop.engine.rules import RULE_INDEX, RULES


def virtual_id(rule: str) -> int:
    """The id an unstored rule's row is listed with (negative, stable)."""
    return -1 - RULE_INDEX[rule]


def default_values(rule: str) -> dict[str, Any]:
    """The values of a rule's row as the compiler reads an absent one (default weight, enabled)."""
    from ato_desktop.rule_names import rule_name

    r = RULES[RULE_INDEX[rule]]
    return {"type": r.name, "label": rule_name(r.name), "is_hard": r.hard, "weight": r.weight,
            "enabled": True, "params": {}}


def virtual_item(rule: str) -> dict[str, Any]:
    """An unstored rule as ``resources.to_dict`` gives a stored one."""
    item = {"id": virtual_id(rule), **default_values(rule)}
    item["_label"] = item["label"] or rule
    return item


def is_rule(key: Any) -> bool:
    return isinstance(key, str) and key.strip() in RULE_INDEX


def with_missing_rules(items: list[dict], search: str = "") -> list[dict]:
    """``items`` (the stored rows) and a virtual row for each rule without one, in the rules' order."""
    have = {d["type"] for d in items}
    text = search.strip().lower()
    extra = [virtual_item(r.name) for r in RULES if r.name not in have]
    if text:
        extra = [d for d in extra if text in d["type"].lower() or text in d["label"].lower()]
    # in the order of engine/rules.py (hard rules first), as docs/constraints.md lists them: the list shows
    # the rules' plain words, not their engine names
    return sorted(items + extra, key=lambda d: (RULE_INDEX.get(d["type"], len(RULE_INDEX)), d["type"]))


def is_must(params: dict | None) -> bool:
    """A soft rule's row that must hold here (``resource_specs.MUST_PARAM``)."""
    return isinstance(params, dict) and params.get("must") is True


def kind_text(item: dict) -> str:
    """The Hard column's word for a row: "Yes" (a hard rule), "Must" (a soft rule that must hold here: it counts
    in the hard total), "No" (a soft rule: a cost)."""
    return "Yes" if item.get("is_hard") else "Must" if is_must(item.get("params")) else "No"


def describe_params(rule: str | None, params: dict | None) -> str:
    """A rule's parameters in the words of its form (the Constraints list's Parameters column), not the
    stored keys: "Every faculty member: 2; Per faculty member or group: T1=3", "2 relations"."""
    from ato_desktop.services.resource_specs import CONSTRAINT_PARAMS

    fields = {f.name: f for f in CONSTRAINT_PARAMS.get(rule or "", ())}
    parts = []
    for key, value in (params or {}).items():
        f = fields.get(key)
        if key == "fet_weight_percentage":
            parts.append(f"FET weight {value} %")
            continue
        if key == "must":  # shown in the Hard column ("Must", ``kind_text``)
            continue
        label = f.label if f is not None else key.replace("_", " ").capitalize()
        kind = f.kind if f is not None else ""
        if kind == "relations" or key == "relations":
            n = len(value or [])
            parts.append(f"{n} relation" + ("" if n == 1 else "s"))
        elif isinstance(value, bool):
            parts.append(f"{label}: {'Yes' if value else 'No'}")
        elif isinstance(value, dict):
            parts.append(f"{label}: " + ", ".join(f"{k}={v}" for k, v in value.items()))
        elif isinstance(value, (list, tuple)):
            parts.append(f"{label}: " + ", ".join(str(v) for v in value))
        else:
            parts.append(f"{label}: {value}")
    return "; ".join(parts)
