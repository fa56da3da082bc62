"""``ato-desktop --self-test``: the steps run the real parts; a failing step is named and gives exit 1."""

from __future__ import annotations

import io
import re
import tempfile
from pathlib import Path

from ato_desktop.selftest import STEPS, Context, SelfTestError, run_self_test

STEP = dict(STEPS)


def _run(steps, **kw) -> tuple[int, str]:
    out = io.StringIO()
    rc = run_self_test(steps=steps, out=out, **kw)
    return rc, out.getvalue()


def _step_lines(text: str) -> list[tuple[str, str]]:
    return re.findall(r"^\[\d+/\d+\] (\S+)\s+(ok|FAILED)", text, re.M)


def test_steps_available_in_main_pass_and_print_timings():
    names = ["environment", "qt", "database", "demo", "window", "engine", "backup"]
    rc, text = _run([(n, STEP[n]) for n in names])
    assert rc == 0, text
    assert _step_lines(text) == [(n, "ok") for n in names]
    assert re.search(r"\[3/7\] database\s+ok\s+\d+\.\d\d s  schema \w+", text), text
    assert re.search(r"demo\s+ok .* (\d+) sessions", text)
    assert "reference timetable: hard 0" in text
    assert "pages shown" in text
    assert "Self-test passed: 7 steps" in text


def test_database_step_creates_a_migrated_wal_file(tmp_path):
    from ato_desktop.storage import migrate
    from ato_desktop.storage.database import open_database

    ctx = Context(workdir=tmp_path)
    detail = STEP["database"](ctx)
    assert migrate.head_revision() in detail
    db = open_database(ctx.db_path, create=False)
    try:
        assert db.revision() == migrate.head_revision()
        assert db.pragma("journal_mode").lower() == "wal"
    finally:
        db.close()


def test_backup_step_writes_a_verified_backup_beside_the_demo(tmp_path):
    from ato_desktop.storage.backup import list_backups

    ctx = Context(workdir=tmp_path)
    STEP["demo"](ctx)
    STEP["backup"](ctx)
    backups = list_backups(ctx.demo_path)
    assert len(backups) == 1 and backups[0].path.exists()


def test_engine_step_fails_when_the_reference_timetable_is_gone():
    """A real failure: the check reads the database, so removing the version makes the step fail."""

    def sabotage(ctx: Context) -> str:
        from ato_desktop.demo import REFERENCE_NAME
        from ato_desktop.services import timetables as tts
        from ato_desktop.storage.database import open_database

        db = open_database(ctx.demo_path)
        try:
            tts.delete_timetable(db, REFERENCE_NAME)
        finally:
            db.close()
        return "reference deleted"

    ran_after = []
    rc, text = _run([("demo", STEP["demo"]), ("sabotage", sabotage), ("engine", STEP["engine"]),
                     ("after", lambda ctx: ran_after.append(1) or "")])
    assert rc == 1
    assert _step_lines(text) == [("demo", "ok"), ("sabotage", "ok"), ("engine", "FAILED")]
    assert "Self-test FAILED at step 'engine'" in text
    assert not ran_after, "steps after a failure must not run"
    assert "Self-test passed" not in text


def test_engine_step_proves_the_score_came_from_compiled_kernels(tmp_path, monkeypatch):
    """A score computed without numba (a Python stand-in, as with NUMBA_DISABLE_JIT) must not pass."""
    from ato_desktop.engine import kernels as K

    ctx = Context(workdir=tmp_path)
    STEP["demo"](ctx)
    detail = STEP["engine"](ctx)
    assert re.search(r"hard 0, soft \d+; numba \d+\.\d+\.\d+ on LLVM \d+\.\d+", detail), detail

    monkeypatch.setattr(K, "full_cost_kernel", lambda cp, start, room: (0, 0))
    rc, text = _run([("demo", STEP["demo"]), ("engine", STEP["engine"])])
    assert rc == 1
    assert "Self-test FAILED at step 'engine': SelfTestError: the scoring kernel is function, not a compiled " \
           "numba kernel" in text


def test_failed_check_message_and_cleanup():
    seen: list[Path] = []

    def bad(ctx: Context) -> str:
        seen.append(ctx.workdir)
        raise SelfTestError("the widget count is 0, expected 3")

    rc, text = _run([("widgets", bad)])
    assert rc == 1
    assert "Self-test FAILED at step 'widgets': SelfTestError: the widget count is 0, expected 3" in text
    assert "Traceback" not in text  # an expected check failing needs no traceback
    assert seen and not seen[0].exists(), "the temporary folder is removed after a failure"


def test_unexpected_exception_prints_traceback():
    def boom(ctx: Context) -> str:
        return {}["missing"]

    rc, text = _run([("boom", boom)])
    assert rc == 1
    assert "Traceback" in text and "KeyError" in text
    assert "Self-test FAILED at step 'boom': KeyError" in text


def test_unwritable_temp_folder_is_reported(monkeypatch, tmp_path):
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    monkeypatch.setattr(tempfile, "tempdir", str(not_a_dir))
    rc, text = _run(STEPS)
    assert rc == 1
    assert "FAILED at step 'setup': cannot create a temporary folder" in text


def test_report_step(tmp_path):
    import pypdf

    ctx = Context(workdir=tmp_path)
    STEP["demo"](ctx)
    detail = STEP["report"](ctx)
    pdfs = list(tmp_path.glob("faculty-*.pdf"))
    assert len(pdfs) == 1
    reader = pypdf.PdfReader(str(pdfs[0]))
    code = pdfs[0].stem.split("-", 1)[1]
    assert code in "".join(page.extract_text() for page in reader.pages)
    assert "KiB" in detail


def test_optimize_step(tmp_path):
    ctx = Context(workdir=tmp_path, optimize_seconds=2.0)
    STEP["demo"](ctx)
    detail = STEP["optimize"](ctx)
    assert ctx.optimized_version is not None
    assert re.search(r"hard \d+, soft \d+", detail)


def test_full_self_test_passes():
    rc, text = _run(None, optimize_seconds=2.0)
    assert rc == 0, text
    assert [n for n, _ in _step_lines(text)] == [n for n, _ in STEPS]
    assert "Self-test passed: 9 steps" in text

