"""The UI's fast lists give exactly what resources.list_items gives."""

import pytest

from ato_desktop.services import resources as res
from ato_desktop.services.listing import list_choices, list_rows


@pytest.mark.parametrize("entity", sorted(res.ENTITIES))
def test_fast_list_equals_list_items_on_the_demo(demo_db, entity):
    fast = list_rows(demo_db, entity)
    assert fast == res.list_items(demo_db, entity)
    assert len(fast) == res.count_items(demo_db, entity) > 0


def test_fast_list_follows_edits_and_empty_references(db):
    res.create_item(db, "department", {"code": "CSE", "name": "Computer Science"})
    res.create_item(db, "room", {"code": "R1", "capacity": 30, "features": ["projector", "ac"]})
    res.create_item(db, "room", {"code": "R2", "capacity": 40, "department": "CSE"})
    res.create_item(db, "group", {"code": "G1", "department": "CSE", "strength": 60})
    res.create_item(db, "group", {"code": "G1-B1", "department": "CSE", "strength": 30, "parent": "G1"})
    res.create_item(db, "faculty", {"code": "ZED", "name": "Zed", "department": "CSE"})
    res.create_item(db, "faculty", {"code": "AMY", "name": "Amy", "department": "CSE"})
    res.create_item(db, "course", {"code": "C1", "title": "One", "department": "CSE"})
    res.create_item(db, "basket", {"code": "B1", "name": "Basket", "cohorts": ["G1-B1", "G1"]})
    res.create_item(db, "activity", {"course": "C1", "groups": ["G1-B1", "G1"], "faculty": ["ZED", "AMY"],
                                     "preferred_room": "R2", "basket": "B1"})
    for entity in res.ENTITIES:
        assert list_rows(db, entity) == res.list_items(db, entity), entity
    act = list_rows(db, "activity")[0]
    assert act["groups"] == ["G1", "G1-B1"] and act["faculty"] == ["AMY", "ZED"]  # ordered like the ORM
    assert list_rows(db, "room")[0]["department"] is None
    assert list_choices(db, "faculty") == [("AMY", "Amy (AMY)"), ("ZED", "Zed (ZED)")]
    res.delete_item(db, "room", "R2")
    assert list_rows(db, "activity")[0]["preferred_room"] is None
