"""Issue 16: every engine rule has a name in the coordinator's words, used by new departments and the panel."""

from ato_desktop.engine.problem import DEFAULT_WEIGHTS
from ato_desktop.rule_names import RULE_NAMES, rule_name


def test_every_engine_rule_has_a_plain_name():
    assert set(DEFAULT_WEIGHTS) <= set(RULE_NAMES)
    assert rule_name("resource_clash") == "A teacher or class in two places at once"
    assert rule_name("some_new_rule") == "Some new rule"
    assert all("_" not in name for name in RULE_NAMES.values())


def test_the_demo_labels_its_rules_in_plain_words(demo_db):
    from ato_desktop.services import resources as res

    labels = {c["type"]: c["label"] for c in res.list_items(demo_db, "constraint")}
    assert labels["sync_mismatch"] == "Electives of one basket not at the same time"
    assert all(labels[t] == rule_name(t) for t in DEFAULT_WEIGHTS)
