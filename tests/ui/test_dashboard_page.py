"""The Dashboard page: reachable from the navigation, computed in a worker, five charts, each saved as
a PNG, fitting a 1366×768 laptop screen."""

from __future__ import annotations

from PySide6.QtGui import QImage

from ato_desktop.demo import REFERENCE_NAME


def test_dashboard_page_shows_five_charts_and_saves_each_as_png(qtbot, window, tmp_path):
    window.resize(1366, 768)
    rows = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert "Dashboard" in rows
    window.nav.setCurrentRow(rows.index("Dashboard"))
    page = window.pages["dashboard"]
    assert window.stack.currentWidget() is page
    qtbot.waitUntil(lambda: page.data is not None, timeout=60_000)
    data = page.data
    assert data.version == REFERENCE_NAME
    assert set(page.boxes) == {"faculty", "rooms", "soft", "groups", "trend"}
    assert sum(c for _, _, c in data.soft_rules) == data.soft
    assert "hard 0" in page.summary.text()
    for key, box in page.boxes.items():
        out = tmp_path / f"{key}.png"
        assert box.save_png(str(out))
        img = QImage(str(out))
        assert not img.isNull() and img.width() > 100 and img.height() > 80, key
    # fits a 1366×768 screen: the window needs no more than that
    hint = window.minimumSizeHint()
    assert hint.width() <= 1366 and hint.height() <= 768
    assert page.width() <= 1366 and page.height() <= 768


def test_dashboard_follows_the_current_version_and_survives_its_deletion(qtbot, window):
    from ato_desktop.services import version_lifecycle as versions

    db = window.database
    other = versions.copy_to_draft(db, REFERENCE_NAME, "Other")
    page = window.show_page("dashboard")
    qtbot.waitUntil(lambda: page.data is not None and not page.busy(), timeout=60_000)
    page.current.set(other.id)  # opened on the Timetables page
    qtbot.waitUntil(lambda: page.data.version == "Other" and not page.busy(), timeout=60_000)
    assert page.version.currentText() == "Other"
    from ato_desktop.services import version_edits

    assert window.undo_stack.run(lambda d: version_edits.remove_version(d, timetable=other.id))  # the one signal
    qtbot.waitUntil(lambda: page.data.version == REFERENCE_NAME and not page.busy(), timeout=60_000)
    assert [page.version.itemText(i) for i in range(page.version.count())] == [REFERENCE_NAME]


def test_png_button_saves_the_chart_where_the_user_chose(qtbot, window, tmp_path, monkeypatch):
    from ato_desktop.ui import dashboard_page

    page = window.show_page("dashboard")
    qtbot.waitUntil(lambda: page.data is not None, timeout=60_000)
    out = tmp_path / "soft.png"
    asked = []
    monkeypatch.setattr(dashboard_page.QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (asked.append(a[2]) or str(out), "PNG picture (*.png)")))
    page.boxes["soft"].png.click()
    assert asked == ["soft.png"] and out.exists() and not QImage(str(out)).isNull()
    assert "Chart saved to" in window.statusBar().currentMessage()
