"""``ato-desktop candidates --db DB -k K``: K draft versions and their comparison, as text or JSON."""

from __future__ import annotations

import json

from ato_desktop.cli import main
from ato_desktop.services import timetables as tts
from ato_desktop.storage.database import open_database


def test_candidates_command_saves_k_versions_and_compares_them(demo_db_path, capsys):
    assert main(["candidates", "--db", str(demo_db_path), "-k", "2", "--time-limit", "1", "--generations", "1",
                 "--seed", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [(c["profile"], c["seed"]) for c in out["candidates"]] == [("balanced", 3), ("students", 4)]
    assert len(out["comparisons"]) == 1 and out["comparisons"][0]["b"]["name"] == out["candidates"][1]["name"]
    db = open_database(demo_db_path)
    try:
        names = {t.name for t in tts.list_timetables(db)}
    finally:
        db.close()
    assert {c["name"] for c in out["candidates"]} <= names


def test_candidates_refuses_an_impossible_k(demo_db_path, capsys):
    assert main(["candidates", "--db", str(demo_db_path), "-k", "0"]) == 2
    err = capsys.readouterr().err
    assert "-k 0" in err and err.count("\n") == 1
