"""Each rule is declared once (engine/rules.py); the evaluator, the kernels, the UI words and the docs read it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from ato_desktop.engine import rules

ROOT = Path(__file__).resolve().parents[2]
KERNELS = ROOT / "ato_desktop" / "engine" / "kernels.py"


def _kernel_source() -> tuple[dict[str, str], dict[str, str]]:
    """(rule name -> its index constant in kernels.py, function name -> its source), read with ast."""
    text = KERNELS.read_text(encoding="utf-8")
    tree = ast.parse(text)
    consts: dict[str, str] = {}
    funcs: dict[str, str] = {}
    for node in tree.body:
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Subscript)
                and isinstance(node.value.value, ast.Name) and node.value.value.id == "RULE_INDEX"):
            name = node.value.slice.value
            assert name not in consts, f"two index constants for {name}"
            consts[name] = node.targets[0].id
        elif isinstance(node, ast.FunctionDef):
            funcs[node.name] = ast.get_source_segment(text, node)
    return consts, funcs


def test_the_kernels_look_every_rule_index_up_by_name_and_count_it_where_declared():
    consts, funcs = _kernel_source()
    assert set(consts) == set(rules.BY_NAME)
    for rule in rules.RULES:
        const = consts[rule.name]
        assert rule.kernel in funcs, f"{rule.name}: no kernel {rule.kernel}"
        body = funcs[rule.kernel]
        counted = f"out[{const}]" in body or f"[{const}] += {rule.kernel}(" in funcs["full_counts"]
        assert counted, f"{rule.name}: {rule.kernel} does not count it (out[{const}])"


def test_the_kernels_count_vectors_follow_the_declared_order():
    from ato_desktop.engine import kernels as K

    assert K.CONSTRAINTS == tuple(r.name for r in rules.RULES)
    assert K.N_HARD == len(rules.HARD_RULES)
    assert K.RULE_ORDER_STAMP == rules.order_stamp()
    assert K.GAPS == K.CONSTRAINTS.index("gaps") and K.LOCK == K.CONSTRAINTS.index("locked_moved")
    # a new order (without an edit of kernels.py) would change the stamp the kernels check at import
    assert rules.order_stamp(reversed(K.CONSTRAINTS)) != K.RULE_ORDER_STAMP


def test_the_evaluator_the_weights_and_the_ui_read_the_declaration():
    from ato_desktop.engine.constraints import REGISTRY
    from ato_desktop.engine.problem import DEFAULT_WEIGHTS, HARD_CONSTRAINTS, SOFT_CONSTRAINTS
    from ato_desktop.rule_names import rule_name

    assert tuple(REGISTRY) == tuple(r.name for r in rules.RULES)
    assert HARD_CONSTRAINTS + SOFT_CONSTRAINTS == tuple(REGISTRY)
    for rule in rules.RULES:
        unit = REGISTRY[rule.name]
        assert (unit.label, unit.is_hard) == (rule.label, rule.hard)
        assert DEFAULT_WEIGHTS[rule.name] == rule.weight
        assert rule_name(rule.name) == rule.plain


def test_the_constraints_document_lists_the_rules_in_the_declared_order():
    text = (ROOT / "docs" / "constraints.md").read_text(encoding="utf-8")

    def table(heading: str) -> list[str]:
        part = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
        return re.findall(r"^\| (\w+) \|", part, re.M)[1:]  # skip the header row

    assert tuple(table("Hard")) == rules.HARD_RULES
    assert tuple(table("Soft")) == rules.SOFT_RULES
