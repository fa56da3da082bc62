"""``publish-site``: the pages and calendars written, nothing external, Indian names, frozen versions read
from their snapshot, and atomic writing (a failure or a foreign folder leaves nothing behind)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ato_desktop.cli import main
from ato_desktop.services import resources as res
from ato_desktop.services.publishing import SITE_MARKER, PublishError, publish_site, timetable_view
from tests.web.conftest import set_fixed_term

HINDI = "डॉ. अनीता वर्मा"
TAMIL = "முனைவர் கலா"


def test_cli_writes_every_page_with_its_calendar(demo_db_path, tmp_path, capsys):
    from ato_desktop.storage.database import open_database

    db = open_database(demo_db_path)
    try:
        set_fixed_term(db)
        codes = [f["code"] for f in res.list_items(db, "faculty")]
        res.update_item(db, "faculty", codes[0], {"name": HINDI})
        res.update_item(db, "faculty", codes[1], {"name": TAMIL})
        view = timetable_view(db)
    finally:
        db.close()
    out = tmp_path / "site"
    assert main(["publish-site", "--db", str(demo_db_path), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "written to" in printed and "calendar(s)" in printed
    names = {p.name for p in out.iterdir()}
    assert {"index.html", "master.html", SITE_MARKER} <= names
    for kind in ("faculty", "group", "room"):
        for e in view.entities(kind):
            page = out / f"{kind}-{e.code}.html"
            assert page.name in names and f"{kind}-{e.code}.ics" in names, (kind, e.code)
            assert f'href="{kind}-{e.code}.ics"' in page.read_text(encoding="utf-8")
    index = (out / "index.html").read_text(encoding="utf-8")
    for kind in ("faculty", "group", "room"):
        for e in view.entities(kind):
            assert f'href="{kind}-{e.code}.html"' in index
    assert HINDI in index and TAMIL in index  # the names as typed, in UTF-8
    assert HINDI in (out / f"faculty-{codes[0]}.html").read_text(encoding="utf-8")
    for page in out.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert '<meta charset="utf-8">' in text and 'name="viewport"' in text
        assert "@media print" in text and "@media (max-width:700px)" in text
        # nothing from the net: no external script, style sheet, font or image; no fetch()
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), page.name
        assert "@import" not in text and "fetch(" not in text, page.name
        # the only url(): the bundled fonts of the Indian scripts used, beside the pages
        assert set(re.findall(r'url\("([^"]*)"\)', text)) == {
            "fonts/NotoSansDevanagari-Regular.ttf", "fonts/NotoSansDevanagari-Bold.ttf",
            "fonts/NotoSansTamil-Regular.ttf", "fonts/NotoSansTamil-Bold.ttf"}, page.name
    assert sorted(p.name for p in (out / "fonts").iterdir()) == [
        "LICENSE-Noto.txt", "NotoSansDevanagari-Bold.ttf", "NotoSansDevanagari-Regular.ttf",
        "NotoSansTamil-Bold.ttf", "NotoSansTamil-Regular.ttf"]


def test_a_published_version_is_read_from_its_snapshot(demo_db, tmp_path):
    from ato_desktop.services.version_lifecycle import publish_version

    set_fixed_term(demo_db)
    info = publish_version(demo_db, "Reference timetable", force=True, by="test")
    assert info is not None
    fac = timetable_view(demo_db).faculty[0]
    res.update_item(demo_db, "faculty", fac.code, {"name": "Renamed After Publishing"})
    publish_site(demo_db, tmp_path / "site")
    page = (tmp_path / "site" / f"faculty-{fac.code}.html").read_text(encoding="utf-8")
    assert fac.name in page and "Renamed After Publishing" not in page
    assert "(published)" in page


def test_a_failure_leaves_no_half_site(term_db, tmp_path, monkeypatch):
    from ato_desktop.reports import site

    calls = []

    def broken(view, e, *, with_ics, fonts=""):
        calls.append(e.code)
        if len(calls) > 5:
            raise OSError(28, "No space left on device")
        return "<html></html>"

    monkeypatch.setattr(site, "entity_page", broken)
    out = tmp_path / "site"
    with pytest.raises(PublishError, match="No space left"):
        publish_site(term_db, out)
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site")]


def test_republishing_replaces_an_earlier_site_only_when_complete(term_db, tmp_path, monkeypatch):
    out = tmp_path / "site"
    publish_site(term_db, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    from ato_desktop.reports import site

    monkeypatch.setattr(site, "master_page", lambda view, fonts="": (_ for _ in ()).throw(OSError(5, "I/O error")))
    with pytest.raises(PublishError):
        publish_site(term_db, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # the earlier site untouched
    monkeypatch.undo()
    publish_site(term_db, out)
    assert (out / "index.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_folder_with_other_files_is_refused(term_db, tmp_path):
    out = tmp_path / "documents"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(PublishError, match="already holds other files"):
        publish_site(term_db, out)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    a_file = tmp_path / "file.html"
    a_file.write_text("x")
    with pytest.raises(PublishError, match="is a file"):
        publish_site(term_db, a_file)
    with pytest.raises(PublishError, match="does not exist"):
        publish_site(term_db, tmp_path / "missing" / "site")


def test_progress_and_cancel(term_db, tmp_path):
    from ato_desktop.services.publishing import PublishCancelled

    seen = []
    publish_site(term_db, tmp_path / "a", on_progress=lambda p: seen.append(p.fraction))
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
    n = []

    def stop():
        n.append(1)
        return len(n) > 10

    with pytest.raises(PublishCancelled):
        publish_site(term_db, tmp_path / "b", should_stop=stop)
    assert not (tmp_path / "b").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_without_term_dates_the_site_has_no_calendars(demo_db, tmp_path):
    from ato_desktop.storage import models as m

    with demo_db.session() as s:
        s.query(m.TermDay).delete()
        s.query(m.Setting).filter(m.Setting.key.in_(("term_start", "term_end"))).delete()
    result = publish_site(demo_db, tmp_path / "site")
    assert result.calendars == 0 and "term" in result.note
    assert not list((tmp_path / "site").glob("*.ics"))
    page = next((tmp_path / "site").glob("faculty-*.html")).read_text(encoding="utf-8")
    assert '.ics"' not in page
