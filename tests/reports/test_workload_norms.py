"""UGC workload norms both ways in the workload report: below the norm is a warning, above the weekly
maximum stays the over-limit finding; the relaxation and the norms come from the database's template."""

from __future__ import annotations

from dataclasses import replace

from ato_desktop.services.reports import build_report, load_report_data
from ato_desktop.reports.tables import workload
from ato_desktop.services import resources as res
from ato_desktop.services import templates as tpl
from tests.reports.conftest import page_texts, read_pdf


def test_below_the_norm_is_a_warning_and_above_the_maximum_the_finding(demo_db):
    rows = {r.code: r for r in workload(load_report_data(demo_db, with_availability=False))}
    aiy, sfe = rows["AIY"], rows["SFE"]
    assert aiy.designation == "Professor" and aiy.norm == 14 and aiy.assigned == 13 and aiy.under_norm
    # a colleague of another department has no norm here
    other = [r for r in rows.values() if res.get_item(demo_db, "faculty", r.code)["department"] != "CSE"]
    assert other and all(r.norm == 0 and not r.under_norm for r in other)

    # AIY has administrative duties: 14 - 2 = 12, now met; SFE's maximum below the load: over the limit
    tpl.set_template(demo_db, replace(tpl.get_template(demo_db), relaxed=("AIY",)))
    res.update_item(demo_db, "faculty", "SFE", {"max_weekly_periods": 2})
    data = load_report_data(demo_db, with_availability=False)
    rows = {r.code: r for r in workload(data)}
    assert rows["AIY"].norm == 12 and not rows["AIY"].under_norm
    assert rows["SFE"].over_week
    text = " ".join(page_texts(read_pdf(build_report(demo_db, "workload", data=data)[0])))
    assert f"{sfe.week - 2} over weekly limit" in text
    under = [r for r in rows.values() if r.under_norm]
    assert under and all(f"{r.norm - r.assigned} below the UGC norm of {r.norm}" in text for r in under[:3])
    assert "below the UGC norm of 12" not in text  # AIY's relaxed norm is met
