"""The desktop app on a campus database (issue 19): the window opens on a real PostgreSQL server, names the
department and the campus, hides the file-only actions, commits from the Timetables page (a refusal lists
each clash in a dialog, nothing written) and withdraws. Real Qt widgets offscreen, a real server."""

from __future__ import annotations

from sqlalchemy import func, select

from ato_desktop.services import campus
from ato_desktop.storage import models as m
from ato_desktop.storage.models_campus import CommittedOccupancy
from tests.ui.conftest import _isolated_settings, inline_tasks  # noqa: F401  (the UI tests' fixtures)

ECE_LAB = "Seminar Hall is committed by ECE on Tue P3–P4 (ECE-5A Signals Lab)"


def _window(qtbot, url, department=None):
    from ato_desktop.ui import campus as ui_campus
    from ato_desktop.ui.app import create_main_window

    w = create_main_window()
    qtbot.addWidget(w)
    ui_campus.open_campus(w, url, department=department, ask=False)
    qtbot.waitUntil(lambda: w.database is not None, timeout=20_000)
    return w


def _close(w):
    from ato_desktop.ui import tasks

    tasks.wait_idle(20000)
    w.close()


def _rows(db, dept: str) -> int:
    with db.read_session() as s:
        return s.scalar(select(func.count()).select_from(CommittedOccupancy)
                        .join(m.Department, m.Department.id == CommittedOccupancy.department_id)
                        .where(m.Department.code == dept))


def _version_id(db, name: str) -> int:
    with db.read_session() as s:
        return s.scalar(select(m.Timetable.id).where(m.Timetable.name == name))


def test_the_window_opens_on_a_campus_as_the_logins_department(qtbot, pg_server, campus_db, pg_campus_url):
    pg_server.admin("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ece_coord') "
                    "THEN CREATE ROLE ece_coord LOGIN; END IF; END $$")
    campus.grant(campus_db, "ece_coord", "ECE")
    dbname = pg_campus_url.split("@/", 1)[1].split("?", 1)[0]
    w = _window(qtbot, pg_server.url(dbname, user="ece_coord"))
    try:
        assert w.database.is_campus and w.campus_department == "ECE"
        assert "ECE on campus" in w.windowTitle() and dbname in w.windowTitle()
        assert "password" not in w.windowTitle()
        # the file-only actions are hidden; File says how a campus is backed up
        assert not w.act_save_copy.isVisible() and not w.act_restore.isVisible()
        assert w.act_campus_backup.isVisible()
        from ato_desktop.ui.campus import show_backup_note

        assert "campus backup" in show_backup_note(w).text()
        assert w.campus_menu.menuAction().isVisible()
        page = w.show_page("timetables")
        assert page.buttons["CommitCampus"].isVisibleTo(page)
    finally:
        _close(w)


def test_a_campus_administrator_chooses_the_department(qtbot, campus_db, pg_campus_url):
    w = _window(qtbot, pg_campus_url, department="CSE")  # the superuser has no campus_member row
    try:
        assert w.campus_department == "CSE" and "CSE on campus" in w.windowTitle()
    finally:
        _close(w)


def test_an_unreachable_campus_says_so_and_opens_nothing(qtbot, pg_server, inline_tasks):
    from ato_desktop.ui import campus as ui_campus
    from ato_desktop.ui.app import create_main_window

    w = create_main_window()
    qtbot.addWidget(w)
    try:
        ui_campus.open_campus(w, pg_server.url("no_such_campus"), ask=False)
        assert w.database is None
        assert "does not exist" in w.statusBar().currentMessage()
    finally:
        _close(w)


def test_cse_commit_from_the_gui_is_refused_with_the_clash_then_commits_after_ece_withdraws(qtbot, campus_db,
                                                                                              pg_campus_url):
    campus.commit(campus_db, "ECE", "ECE Odd")  # ECE committed the hall first
    w = _window(qtbot, pg_campus_url, department="CSE")
    try:
        page = w.show_page("timetables")
        page.open_timetable(_version_id(campus_db, "CSE Odd"))
        assert page.current_id() == _version_id(campus_db, "CSE Odd")
        assert page.buttons["CommitCampus"].isEnabled()
        page.commit_to_campus(confirm=False)
        box = page.commit_box
        assert box is not None and "was not committed" in box.text() and "Nothing was written" in box.text()
        assert ECE_LAB in box.informativeText()
        assert _rows(campus_db, "CSE") == 0 and _rows(campus_db, "ECE") == 5
        assert w.undo_stack.count() == 0

        campus.withdraw(campus_db, "ECE")
        assert [a.isEnabled() for a in w.campus_actions] == [True, True]  # the Timetables menu: the same actions
        page.commit_to_campus(confirm=False)
        assert "is committed to the campus" in page.commit_box.text()
        assert _rows(campus_db, "CSE") > 0
        page.withdraw_from_campus(confirm=False)
        assert "withdrawn" in page.commit_box.text() and _rows(campus_db, "CSE") == 0
    finally:
        _close(w)


def test_another_departments_commit_reaches_the_window_through_the_one_signal(qtbot, campus_db, pg_campus_url):
    """The live view: ECE commits from another client; CSE's window hears it within seconds (LISTEN/NOTIFY,
    off the UI thread) and announces a "timetable" change, without an undo step, to every page."""
    w = _window(qtbot, pg_campus_url, department="CSE")
    w.show()
    try:
        page = w.show_page("timetables")
        page.open_timetable(_version_id(campus_db, "CSE Odd"))
        qtbot.waitUntil(lambda: getattr(page.screen, "model", None) is not None
                        and page.screen.model.timetable_id == _version_id(campus_db, "CSE Odd"), timeout=20_000)
        assert page.screen.model.committed == ()
        assert w.campus_live.wait_listening(20)
        seen = []
        w.undo_stack.operation_executed.connect(seen.append)
        campus.commit(campus_db, "ECE", "ECE Odd")  # another coordinator's client
        qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
        change = seen[0]
        assert change.concerns("timetable") and not change.can_undo and "ECE committed" in change.summary
        assert w.undo_stack.count() == 0
        # the grid read the version again: ECE's lab is now a grey card of CSE's grid
        qtbot.waitUntil(lambda: [c.department for c in page.screen.model.committed_for("room", "SH")] == ["ECE"],
                        timeout=10_000)
        # our own department's commit is announced by its operation, not a second time by the live view
        campus.withdraw(campus_db, "ECE")
        qtbot.waitUntil(lambda: len(seen) == 2, timeout=10_000)
        campus.commit(campus_db, "CSE", "CSE Odd")
        campus.withdraw(campus_db, "CSE")
        campus.commit(campus_db, "ECE", "ECE Odd")  # a marker after CSE's own two messages
        qtbot.waitUntil(lambda: len(seen) == 3, timeout=10_000)
        assert [c.summary.split(" ")[0] for c in seen] == ["ECE", "ECE", "ECE"]
    finally:
        _close(w)


def test_other_departments_commitments_are_grey_immovable_cards_with_their_owner(qtbot, campus_db):
    """CSE's grid, room view of the Seminar Hall and faculty view of the shared Dr. S. Sharma: ECE's
    committed lab is a grey card "ECE" with the tooltip "Committed by ECE: ECE-5A Signals Lab"; it is not
    a session of CSE's version (it cannot be picked up or dragged); the group view does not show it."""
    from ato_desktop.ui.timetable.grid import TimetableGrid
    from ato_desktop.ui.timetable.model import TimetableModel, fetch

    campus.commit(campus_db, "ECE", "ECE Odd")
    model = TimetableModel(campus_db, loaded=fetch(campus_db, _version_id(campus_db, "CSE Odd"), build_state=False))
    for kind, entity in (("room", "SH"), ("faculty", "SHR")):
        grid = TimetableGrid(model, kind, entity)
        qtbot.addWidget(grid)
        grid.show()
        grid.relayout()
        assert [(c.department, c.tooltip) for c, _ in grid.fixed_items] == [
            ("ECE", "Committed by ECE: ECE-5A Signals Lab")]
        card, rect = grid.fixed_items[0]
        lane = grid.lane_index(card.day)
        assert (card.first, card.last) == (2, 3) and grid._lanes[lane].label.startswith("Tue")
        assert grid.fixed_at(rect.center()) is card and grid.item_at(rect.center()) is None  # not a session
        assert len(grid.shown_sessions()) == 1  # CSE's own lab, beside it (its own track)
        grid.grab()  # paints the grey card
    group_grid = TimetableGrid(model, "group", "CSE-5A")
    qtbot.addWidget(group_grid)
    group_grid.relayout()
    assert group_grid.fixed_items == []
    # nothing committed by others (ECE's own version): no grey cards
    own = TimetableModel(campus_db, loaded=fetch(campus_db, _version_id(campus_db, "ECE Odd"), build_state=False))
    assert own.committed_for("room", "SH") == []


def test_dragging_onto_another_departments_commitment_is_red(qtbot, campus_db):
    """The drag colouring treats the cells other departments committed as occupied: CSE's lab (moved to Wed
    first) dropped on Tue P3 of the Seminar Hall, which ECE committed, is red; on Wed P3 it is not."""
    from ato_desktop.engine.state import State
    from ato_desktop.ui.timetable.grid import TimetableGrid
    from ato_desktop.ui.timetable.model import RED, TimetableModel, fetch

    campus.commit(campus_db, "ECE", "ECE Odd")
    with campus_db.session() as s:
        wed = s.scalar(select(m.Day.id).where(m.Day.short_name == "Wed"))
        p1 = s.scalar(select(m.Period.id).where(m.Period.label == "P1"))
        tid = s.scalar(select(m.Timetable.id).where(m.Timetable.name == "CSE Odd"))
        lab = s.scalar(select(m.SessionAssignment).join(m.Activity).where(
            m.SessionAssignment.timetable_id == tid, m.Activity.kind == "P"))
        lab.day_id, lab.period_id = wed, p1
    model = TimetableModel(campus_db, loaded=fetch(campus_db, tid, build_state=False))
    model.set_state(State(model.problem, model.assignment.copy()))
    grid = TimetableGrid(model, "room", "SH")
    qtbot.addWidget(grid)
    grid.relayout()
    [s] = [i for i in grid.shown_sessions() if model.views[i].kind == "P"]
    tue, wed_lane = grid.lane_index(1), grid.lane_index(2)
    assert grid.drop_info(s, tue, 2)["category"] == RED
    assert grid.drop_info(s, wed_lane, 2)["category"] != RED


def test_create_main_window_takes_a_campus_url_as_the_command_line_does(qtbot, campus_db, pg_campus_url):
    """``ato-desktop --db postgresql://…``: the URL is not a file path (no Path() of it); the superuser has
    no campus_member row and, without asking, edits no department (the title says campus)."""
    from ato_desktop.ui.app import create_main_window

    w = create_main_window(pg_campus_url)
    qtbot.addWidget(w)
    try:
        qtbot.waitUntil(lambda: w.database is not None, timeout=20_000)
        assert w.database.is_campus and w.campus_department is None
        assert w.windowTitle().startswith("ATO Desktop — campus postgresql://postgres@")
        from ato_desktop.ui import settings as st

        assert st.last_file() is None  # a campus is not a recent file
    finally:
        _close(w)


def test_with_several_departments_and_no_row_of_its_own_the_login_chooses(qtbot, campus_db, pg_campus_url,
                                                                           inline_tasks):
    from ato_desktop.ui import campus as ui_campus
    from ato_desktop.ui.app import create_main_window
    from tests.ui.conftest import answer_dialog

    w = create_main_window()
    qtbot.addWidget(w)
    try:
        def pick_cse(dlg):
            assert "coordinates no department" in dlg.labelText()
            assert dlg.comboBoxItems() == ["CSE — Department of CSE", "ECE — Department of ECE"]
            dlg.setTextValue("ECE — Department of ECE")

        answer_dialog(qtbot, lambda: ui_campus.open_campus(w, pg_campus_url, ask=True), inspect=pick_cse)
        assert w.campus_department == "ECE" and "ECE on campus" in w.windowTitle()
    finally:
        _close(w)
