"""The published website in a real headless browser: Debian's ``chromium`` driven by Playwright.

Opened from ``file://``: the search finds a faculty member (also by a name in Devanagari) and leads to
the page; no page kind logs a console error or a script error; at a phone's width (375 px) nothing makes
the page scroll sideways (the week grid becomes a list per day, the master scrolls in its own box) and at
a desktop's width (1280 px) the grid shows. Skipped, with the reason, where the browser is not installed
(``.ci/run`` installs it when it can)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("ATO_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
HINDI = "डॉ. अनीता वर्मा"


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no browser at {CHROMIUM} (apt-get install chromium)")
    pw = sync_api.sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, timeout=60_000)
    except Exception as exc:  # a browser that does not start here: skip with its reason
        pw.stop()
        pytest.skip(f"chromium did not start: {str(exc).splitlines()[0]}")
    yield b
    b.close()
    pw.stop()


@pytest.fixture(scope="module")
def site(tmp_path_factory, _demo_template):
    import shutil

    from ato_desktop.services import resources as res
    from ato_desktop.services.publishing import publish_site, timetable_view
    from ato_desktop.storage.database import open_database

    folder = tmp_path_factory.mktemp("site-browser")
    path = folder / "demo.atodb"
    shutil.copyfile(_demo_template, path)  # the session's demo file (tests/conftest.py)
    db = open_database(path)
    try:
        codes = [e.code for e in timetable_view(db).faculty]
        res.update_item(db, "faculty", codes[1], {"name": HINDI})
        view = timetable_view(db)
        publish_site(db, folder / "site")
    finally:
        db.close()
    return folder / "site", view


class Watch:
    """Console errors and uncaught script errors of one page."""

    def __init__(self, page):
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"script: {e}"))


def _open(browser, url: str, width: int):
    page = browser.new_page(viewport={"width": width, "height": 800})
    watch = Watch(page)
    page.goto(url)
    page.wait_for_load_state("load")
    return page, watch


def test_search_finds_a_faculty_member_and_leads_to_the_page(browser, site):
    folder, view = site
    fac = next(e for e in view.faculty if e.name != HINDI and " " in e.name)
    page, watch = _open(browser, (folder / "index.html").as_uri(), 1280)
    surname = fac.name.split()[-1]
    page.fill("#q", surname.lower())
    hit = page.locator("#results a", has_text=fac.name).first
    hit.wait_for(state="visible", timeout=10_000)
    hit.click()
    page.wait_for_url(f"**/faculty-{fac.code}.html")
    assert fac.name in page.locator("h1").inner_text()
    # the calendar beside the page
    assert page.locator(f'a[href="faculty-{fac.code}.ics"]').count() == 1
    assert not watch.errors, watch.errors
    # a course code finds the course with its groups and teachers; an Indian-script name finds its teacher
    page.goto((folder / "index.html").as_uri())
    course = fac.sessions[0].course_code
    page.fill("#q", course)
    page.locator("#results li", has_text=course).first.wait_for(state="visible", timeout=10_000)
    page.fill("#q", HINDI.split()[-1])
    page.locator("#results a", has_text=HINDI).first.wait_for(state="visible", timeout=10_000)
    page.fill("#q", "zzzz-nothing")
    page.locator("#count", has_text="nothing matches").wait_for(timeout=10_000)
    assert not watch.errors, watch.errors
    page.close()


def test_an_indian_script_name_is_drawn_with_a_real_font(browser, site):
    """The bundled Noto Devanagari (fonts/ beside the pages) loads from file:// for the name as typed; a
    system font that only draws empty boxes for it (as system-ui does here) is not used for it."""
    folder, view = site
    fac = next(e for e in view.faculty if e.name == HINDI)
    page, watch = _open(browser, (folder / f"faculty-{fac.code}.html").as_uri(), 1280)
    assert HINDI in page.locator("h1").inner_text()
    faces = page.evaluate("document.fonts.ready.then(() => [...document.fonts]"
                          ".filter(f => f.family.includes('ATO Indic')).map(f => f.status))")
    assert "loaded" in faces and "error" not in faces, faces
    # a word of the name in the page's heading is as wide as in the bundled font alone (empty boxes are not)
    widths = page.evaluate("""async word => {
        const h1 = document.querySelector('h1'), text = h1.firstChild, at = text.data.indexOf(word);
        const style = getComputedStyle(h1);
        await document.fonts.load(`${style.fontWeight} ${style.fontSize} "ATO Indic"`, word);
        const range = document.createRange();
        range.setStart(text, at);
        range.setEnd(text, at + word.length);
        const b = document.createElement('span');
        b.textContent = word;
        b.style.font = `${style.fontWeight} ${style.fontSize} "ATO Indic"`;
        document.body.append(b);
        return [range.getBoundingClientRect().width, b.getBoundingClientRect().width];
    }""", HINDI.split()[1])  # one word: no Latin full stop or space, which other fonts draw
    assert abs(widths[0] - widths[1]) < 1, widths
    assert not watch.errors, watch.errors
    page.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_every_page_kind_without_errors_and_fits(browser, site, width):
    folder, view = site
    pages = ["index.html", "master.html", f"faculty-{view.faculty[0].code}.html",
             f"group-{view.groups[0].code}.html", f"room-{view.rooms[0].code}.html"]
    for name in pages:
        page, watch = _open(browser, (folder / name).as_uri(), width)
        doc_width = page.evaluate("document.documentElement.scrollWidth")
        body_width = page.evaluate("document.body.scrollWidth")
        assert doc_width <= width and body_width <= width, (name, width, doc_width, body_width)
        if name.startswith(("faculty-", "group-", "room-")):
            grid = page.locator(".grid").first.is_visible()
            days = page.locator(".days").first.is_visible()
            assert (grid, days) == ((False, True) if width == 375 else (True, False)), (name, width)
            if width == 375:  # one day after another, each lesson with its clock times
                assert page.locator(".days h3").count() == len(view.days)
        if name == "master.html" and width == 375:
            box = page.locator(".scroll").first
            assert box.evaluate("e => e.scrollWidth > e.clientWidth")  # the grid scrolls in its box
        assert not watch.errors, (name, watch.errors)
        page.close()
