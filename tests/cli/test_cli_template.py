"""`ato-desktop template show|set`: the credit template and UGC norms per database, refused in one sentence."""

from __future__ import annotations

import json

from ato_desktop.cli import main
from ato_desktop.services import templates as tpl
from ato_desktop.storage.database import open_database


def test_show_set_and_refusals(demo_db_path, capsys):
    db = str(demo_db_path)
    assert main(["template", "show", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "1 credit = 1 h lecture, 1 h tutorial or 2 h practical per week" in out
    assert "Professor 14, Associate Professor 14, Assistant Professor 16" in out
    assert main(["template", "set", "--db", db, "--practical-hours", "3", "--category",
                 "oe=Open elective,elective,3,2-0-1", "--norm", "Lecturer=18", "--relaxed", "SFE"]) == 0
    assert "(for SFE)" in capsys.readouterr().out
    assert main(["template", "show", "--db", db, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["practical_hours"] == 3 and shown["norms"]["Lecturer"] == 18 and shown["relaxed"] == ["SFE"]
    assert any(c["key"] == "oe" and c["stored_as"] == "elective" for c in shown["categories"])
    with open_database(demo_db_path) as d:
        kept = tpl.get_template(d)
    for bad, words in ((["--category", "x=X,major,4,3-0-0"], "add up to 3, not its 4 credits"),
                       (["--relaxed", "NOBODY"], "no faculty member 'NOBODY'"),
                       (["--lecture-hours", "zero"], "'zero' is not a whole number"),
                       (["--remove-category", "nope"], "no category 'nope'"),
                       (["--category", "bad"], "expected KEY=NAME,COURSE_CATEGORY,CREDITS,L-T-P")):
        assert main(["template", "set", "--db", db, *bad]) == 2
        err = capsys.readouterr().err
        assert words in err and err.count("\n") == 1
    with open_database(demo_db_path) as d:
        assert tpl.get_template(d) == kept  # nothing changed
    assert main(["template", "set", "--db", db, "--reset"]) == 0
    with open_database(demo_db_path) as d:
        assert tpl.get_template(d) == tpl.DEFAULT


def test_bells_show_set_and_refusal(demo_db_path, capsys):
    from ato_desktop.services import bells

    db = str(demo_db_path)
    assert main(["bells", "show", "--db", db]) == 0
    assert "Every day has the calendar's periods" in capsys.readouterr().out
    assert main(["bells", "set", "--db", db, "--day", "saturday", "--closed", "P5,P6,P7"]) == 0
    assert capsys.readouterr().out.strip() == "Saturday: no teaching in P5, P6, P7."
    assert main(["bells", "set", "--db", db, "--day", "Saturday", "--closed", "Lunch"]) == 2
    assert "Lunch is a break every day already" in capsys.readouterr().err
    with open_database(demo_db_path) as d:
        assert bells.get_closed(d) == {"Saturday": ["P5", "P6", "P7"]}
    assert main(["bells", "set", "--db", db, "--day", "Saturday", "--closed", ""]) == 0
    assert "the calendar's full day" in capsys.readouterr().out


def test_bells_set_and_show_a_days_own_period_times(demo_db_path, capsys):
    from ato_desktop.services import bells

    db = str(demo_db_path)
    assert main(["bells", "set", "--db", db, "--day", "saturday", "--times", "P1=08:00-08:45, P2=08:45-09:30",
                 "--closed", "P6,P7"]) == 0
    out = capsys.readouterr().out
    assert "Saturday: no teaching in P6, P7." in out and "Saturday: own times P1 08:00-08:45, P2 08:45-09:30." in out
    assert main(["bells", "show", "--db", db]) == 0
    assert capsys.readouterr().out.splitlines() == ["Saturday: no teaching in P6, P7",
                                                    "Saturday: own times P1 08:00-08:45, P2 08:45-09:30"]
    # refusals: one sentence, exit 2, nothing changed (the closed periods neither)
    for bad, words in ((["--times", "P1=08:00"], "is not PERIOD=START-END"),
                       (["--times", "P1=08:00-10:00", "--closed", ""], "before P1 ends (10:00)"),
                       ([], "give --closed PERIODS and/or --times")):
        assert main(["bells", "set", "--db", db, "--day", "Saturday", *bad]) == 2
        assert words in capsys.readouterr().err
    with open_database(demo_db_path) as d:
        assert bells.get_times(d) == {"Saturday": {"P1": ("08:00", "08:45"), "P2": ("08:45", "09:30")}}
        assert bells.get_closed(d) == {"Saturday": ["P6", "P7"]}
    assert main(["bells", "set", "--db", db, "--day", "Saturday", "--times", ""]) == 0
    assert "Saturday: the calendar's period times." in capsys.readouterr().out
