"""Layout polish on a laptop screen (1366x768) and a full-HD one: nothing cut off that has room, the
timetable grid fits without scrolling sideways, splitters remember their sizes, the app icon, and
files the system asks to open (macOS Finder)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QSize, Qt, QTimer
from PySide6.QtGui import QFileOpenEvent, QFontMetrics
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ato_desktop.services import timetables as tts
from ato_desktop.ui.app import StartDialog, app_icon, create_main_window, install_file_open_handler, start_window
from ato_desktop.ui.sizing import COLUMN_CAP
from ato_desktop.ui.timetable.model import VIEW_GROUP, VIEW_MASTER
from ato_desktop.ui.tasks import wait_idle
from tests.ui.layout_settle import settle_layout


def _settle() -> None:
    settle_layout()  # tasks idle, and one more round of events moves no widget (no fixed sleep)


def _new_window(qtbot, path, size=(1366, 768)):
    w = create_main_window(path)
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    _settle()
    return w


def _close(w) -> None:
    wait_idle(20000)
    w.close()


def _drag_handle(qtbot, splitter, index: int, dx: int) -> None:
    """Drag a splitter handle with the mouse, as a user would."""
    handle = splitter.handle(index)
    c = handle.rect().center()
    QTest.mousePress(handle, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, c)
    QTest.mouseMove(handle, c + QPoint(dx // 2, 0))
    QTest.mouseMove(handle, c + QPoint(dx, 0))
    QTest.mouseRelease(handle, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, c + QPoint(dx, 0))
    _settle()


def test_navigation_shows_every_page_title_whole_and_remembers_its_width(qtbot, demo_db_path):
    w = _new_window(qtbot, demo_db_path)
    nav = w.nav
    fm = nav.fontMetrics()
    titles = [nav.item(i).text() for i in range(nav.count())]
    assert {"Departments", "Student groups", "Elective baskets", "Notifications"} <= set(titles)
    widest = max(fm.horizontalAdvance(t) for t in titles)
    assert nav.viewport().width() >= widest + 8
    for i in range(nav.count()):
        assert nav.visualItemRect(nav.item(i)).width() >= fm.horizontalAdvance(nav.item(i).text())
    assert nav.width() < 260  # not more than it needs: the pages get the room
    # it cannot be dragged narrower than its titles
    _drag_handle(qtbot, w.splitter, 1, -200)
    assert nav.width() >= w.nav_width()
    # a wider navigation is remembered for the next window
    _drag_handle(qtbot, w.splitter, 1, 60)
    chosen = w.splitter.sizes()[0]
    assert chosen > w.nav_width() + 30
    _close(w)
    w2 = _new_window(qtbot, demo_db_path)
    assert abs(w2.splitter.sizes()[0] - chosen) <= 2
    _close(w2)


def test_resource_columns_fit_their_contents_with_a_cap_and_the_last_one_stretches(qtbot, demo_db_path):
    w = _new_window(qtbot, demo_db_path)
    page = w.show_page("faculty")
    _settle()
    t = page.table
    model = t.model()
    header = t.horizontalHeader()
    names = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    for col in ("Name", "E-mail"):
        c = names.index(col)
        needed = max(t.sizeHintForColumn(c), header.sectionSizeHint(c))
        assert t.columnWidth(c) >= min(needed, COLUMN_CAP), col  # "Mr. Arjun Ghosh" is not cut
    last = max(c for c in range(model.columnCount()) if not t.isColumnHidden(c))
    for c in range(last):
        if not t.isColumnHidden(c):
            assert t.columnWidth(c) <= COLUMN_CAP
    assert header.stretchLastSection()
    # the list is given the room its columns need (up to about half the page), the form the rest
    assert page.splitter.sizes()[0] >= min(int(sum(page.splitter.sizes()) * 0.35), 400)
    # a page whose columns fit beside the form: the last column fills the row (no empty strip, no scroll bar)
    courses = w.show_page("courses")
    _settle()
    ct = courses.table
    used = sum(ct.columnWidth(c) for c in range(ct.model().columnCount()) if not ct.isColumnHidden(c))
    assert ct.horizontalScrollBar().maximum() == 0  # the form is narrow enough: every course column shows
    assert used >= ct.viewport().width() - 2
    _close(w)


def test_resource_splitter_is_remembered_per_page(qtbot, demo_db_path):
    w = _new_window(qtbot, demo_db_path)
    page = w.show_page("rooms")
    _settle()
    _drag_handle(qtbot, page.splitter, 1, -120)
    chosen = page.splitter.sizes()[0]
    _close(w)
    w2 = _new_window(qtbot, demo_db_path)
    page2 = w2.show_page("rooms")
    _settle()
    assert abs(page2.splitter.sizes()[0] - chosen) <= 2
    _close(w2)


def _open_grid(w):
    page = w.show_page("timetables")
    page.open_timetable(tts.list_timetables(w.database)[0].id)
    page.screen.show_view(VIEW_GROUP, "CSE-5A")
    _settle()
    return page


def test_timetable_grid_fits_a_1366x768_laptop_screen(qtbot, demo_db_path):
    w = _new_window(qtbot, demo_db_path, (1366, 768))
    page = _open_grid(w)
    assert w.width() == 1366 and w.height() == 768  # the page does not push the window wider than the screen
    assert w.minimumSizeHint().width() <= 1366
    sc = page.screen
    grid, scroll = sc.grid, sc.scroll
    P = sc.model.problem.periods_per_day
    assert P >= 7
    assert scroll.horizontalScrollBar().maximum() == 0  # every period visible, no sideways scrolling
    for lane in range(len(grid._lanes)):
        assert grid.cell_rect(lane, P - 1).right() <= scroll.viewport().width()
    assert scroll.verticalScrollBar().maximum() == 0  # and every day of the week
    versions = page.splitter.widget(0)
    assert versions.width() <= 320  # the versions list is narrow; the grid gets the room
    assert page.splitter.sizes()[1] >= 3.5 * page.splitter.sizes()[0]
    # the first column is as wide as the day names need, not a fixed 130 px
    assert grid.LABEL_W < 100
    sc.show_view(VIEW_MASTER)
    _settle()
    fm_needed = max(grid.fontMetrics().horizontalAdvance(ln.label) for ln in grid._lanes)
    assert grid.LABEL_W >= fm_needed  # "Mon  MTECH-CSE-1" is not cut
    assert scroll.horizontalScrollBar().maximum() == 0  # and the master view still fits sideways
    _close(w)


def test_timetable_grid_uses_the_room_on_a_full_hd_screen(qtbot, demo_db_path):
    w = _new_window(qtbot, demo_db_path, (1920, 1080))
    page = _open_grid(w)
    grid = page.screen.grid
    assert grid._col_w > grid.COL_W + 40  # the columns widen when there is room
    assert page.screen.scroll.horizontalScrollBar().maximum() == 0
    t = page.table  # with room to spare, the versions' names and statuses are shown whole
    assert t.columnWidth(0) + t.columnWidth(1) <= t.viewport().width()
    _close(w)


def test_timetables_splitters_are_remembered(qtbot, demo_db_path):
    w = _new_window(qtbot, demo_db_path, (1600, 900))
    page = _open_grid(w)
    _drag_handle(qtbot, page.splitter, 1, 80)
    versions = page.splitter.sizes()[0]
    _drag_handle(qtbot, page.screen.v_splitter, 1, 0)  # nothing moved: nothing changes
    QTest.mousePress(page.screen.v_splitter.handle(1), Qt.MouseButton.LeftButton)
    h = page.screen.v_splitter.handle(1)
    c = h.rect().center()
    QTest.mouseMove(h, c + QPoint(0, -40))
    QTest.mouseRelease(h, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, c + QPoint(0, -40))
    _settle()
    grid_h = page.screen.v_splitter.sizes()[0]
    _close(w)
    w2 = _new_window(qtbot, demo_db_path, (1600, 900))
    page2 = _open_grid(w2)
    assert abs(page2.splitter.sizes()[0] - versions) <= 2
    assert abs(page2.screen.v_splitter.sizes()[0] - grid_h) <= 2
    _close(w2)


def test_the_app_window_and_its_dialogs_have_the_icon(qtbot, demo_db_path):
    icon = app_icon()
    assert icon is not None and not icon.isNull()
    sizes = icon.availableSizes()
    assert QSize(256, 256) in sizes and QSize(512, 512) in sizes
    w = _new_window(qtbot, demo_db_path)
    app = QApplication.instance()
    assert not app.windowIcon().isNull()
    assert not w.windowIcon().isNull()
    box = QMessageBox(w)
    assert not box.windowIcon().isNull()  # dialogs get it from the application
    box.deleteLater()
    assert app.windowIcon().cacheKey() == w.windowIcon().cacheKey()
    _close(w)


def test_a_file_the_system_asks_to_open_is_opened(qtbot, demo_db_path, empty_db_path):
    w = _new_window(qtbot, demo_db_path)
    app = QApplication.instance()
    handler = install_file_open_handler(w, app)
    try:
        ev = QFileOpenEvent(str(empty_db_path))
        assert ev.type() == QEvent.Type.FileOpen
        assert QApplication.sendEvent(app, ev)  # taken by the handler
        qtbot.waitUntil(lambda: w.database is not None and w.database.path == empty_db_path, timeout=10000)
        assert w.windowTitle() == "ATO Desktop — empty.atodb"
        assert handler.received == [empty_db_path]
    finally:
        app.removeEventFilter(handler)
        handler.deleteLater()
    _close(w)


def test_a_file_open_event_at_first_start_replaces_the_start_dialog(qtbot, demo_db_path):
    w = create_main_window()
    qtbot.addWidget(w)
    w.show()
    app = QApplication.instance()
    handler = install_file_open_handler(w, app)
    seen = {}

    def send():
        dlg = QApplication.activeModalWidget()
        if not isinstance(dlg, StartDialog):
            QTimer.singleShot(20, send)
            return
        seen["dialog"] = dlg
        QApplication.sendEvent(app, QFileOpenEvent(str(demo_db_path)))

    try:
        QTimer.singleShot(0, send)
        start_window(w)  # no last file: the start dialog is shown, then closed by the file-open event
        assert "dialog" in seen and not seen["dialog"].isVisible()
        qtbot.waitUntil(lambda: w.database is not None, timeout=10000)
        assert w.database.path == demo_db_path
    finally:
        app.removeEventFilter(handler)
        handler.deleteLater()
    _close(w)


def test_form_rows_stay_together_at_the_top(qtbot, demo_db_path):
    """A tall form area must not push a row (the constraint's JSON parameters) down the page."""
    w = _new_window(qtbot, demo_db_path)
    page = w.show_page("constraints")
    _settle()
    form = page.form
    enabled = form.editors["enabled"]
    params = form.editors["params"]
    gap = params.mapTo(form, QPoint(0, 0)).y() - (enabled.mapTo(form, QPoint(0, 0)).y() + enabled.height())
    assert 0 <= gap <= 30
    _close(w)


def test_availability_headers_show_the_period_times(qtbot, demo_db_path):
    w = _new_window(qtbot, demo_db_path)
    page = w.show_page("faculty")
    _settle()
    grid = page.findChild(QWidget, "availabilityGrid")
    header = grid.horizontalHeader()
    fm = QFontMetrics(header.font())
    for c in range(grid.columnCount()):
        times = grid.horizontalHeaderItem(c).text().split("\n")[1]
        assert header.sectionSize(c) >= fm.horizontalAdvance(times), times  # "09:00–09:50" not cut
        assert grid.horizontalHeaderItem(c).toolTip()
    _close(w)


def test_the_grid_gets_the_height_the_week_needs_and_the_panels_below_the_rest(qtbot, demo_db_path):
    w = _new_window(qtbot, demo_db_path, (1600, 1000))
    page = _open_grid(w)
    sc = page.screen
    grid_h, panel_h = sc.v_splitter.sizes()
    assert sc.scroll.verticalScrollBar().maximum() == 0  # every day shown
    # no big empty strip under Saturday (fitted once, to the first view shown: a day may have had two tracks)
    assert grid_h <= sc.grid.sizeHint().height() + sc.grid.track_h + 30
    assert panel_h >= 300  # the conflicts list / optimizer chart get the rest
    _close(w)
