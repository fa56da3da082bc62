"""Readers take only regular files of bounded size, and a .ctt header cannot ask for absurd arrays.

Importing from a FIFO used to hang forever, from /dev/zero to end in MemoryError; a .ctt with
'Rooms: 0' crashed solve-ctt (ZeroDivisionError) and a 255-byte .ctt within the reader's limits made
it allocate gigabytes.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from ato_desktop.cli import main
from ato_desktop.io import ctt, tabular
from ato_desktop.io.files import InputFileError, read_regular_file


def _fifo(tmp_path: Path) -> Path:
    p = tmp_path / "pipe.csv"
    os.mkfifo(p)
    return p


class _Watchdog:
    """Opens the FIFO for writing after a while: a reader blocked in open() then returns, and the test fails."""

    def __init__(self, path: Path, seconds: float = 20):
        self.fired = False
        self.timer = threading.Timer(seconds, self._fire, args=(path,))

    def _fire(self, path):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:
            return
        self.fired = True
        os.close(fd)

    def __enter__(self):
        self.timer.start()
        return self

    def __exit__(self, *exc):
        self.timer.cancel()


def test_read_regular_file_refuses_fifo_device_folder_and_big_files(tmp_path):
    fifo = _fifo(tmp_path)
    with _Watchdog(fifo) as w, pytest.raises(InputFileError, match="not a regular file"):
        read_regular_file(fifo)
    assert not w.fired
    with pytest.raises(InputFileError, match="not a regular file"):
        read_regular_file("/dev/zero")
    with pytest.raises(InputFileError, match="is a folder"):
        read_regular_file(tmp_path)
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * 2048)
    with pytest.raises(InputFileError, match=r"too large \(2 KB; at most 1 KB"):
        read_regular_file(big, limit=1024)
    assert read_regular_file(big, limit=4096) == b"x" * 2048


@pytest.mark.parametrize("source", ["fifo", "/dev/zero", "folder"])
def test_table_import_refuses_non_regular_files(tmp_path, source):
    path = _fifo(tmp_path) if source == "fifo" else (tmp_path if source == "folder" else Path(source))
    with _Watchdog(path) as w, pytest.raises(tabular.TabularError) as e:
        tabular.read_table(path)
    assert not w.fired
    assert "not a regular file" in str(e.value) or "is a folder" in str(e.value)


@pytest.mark.parametrize("source", ["fifo", "/dev/zero", "folder"])
def test_import_command_on_non_regular_files_says_so_and_leaves_nothing(empty_db_path, tmp_path, capsys, source):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    path = _fifo(inputs) if source == "fifo" else (inputs if source == "folder" else Path(source))
    before = sorted(p.name for p in tmp_path.rglob("*"))
    with _Watchdog(path) as w:
        rc = main(["import", "--db", str(empty_db_path), "--entity", "faculty", str(path)])
    err = capsys.readouterr().err
    assert not w.fired
    assert rc == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_import_size_cap_is_stated(empty_db_path, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(tabular, "MAX_FILE_BYTES", 1024)
    f = tmp_path / "big.csv"
    f.write_text("code,name\n" + "X,Y\n" * 1000)
    assert main(["import", "--db", str(empty_db_path), "--entity", "faculty", str(f)]) == 2
    assert "too large" in capsys.readouterr().err


TOY = """Name: Toy
Courses: {courses}
Rooms: {rooms}
Days: {days}
Periods_per_day: {ppd}
Curricula: 0
Constraints: 0

COURSES:
{course_lines}

ROOMS:
{room_lines}

CURRICULA:

UNAVAILABILITY_CONSTRAINTS:

END.
"""


def _instance(courses, rooms=1, days=5, ppd=4) -> str:
    return TOY.format(courses=len(courses), rooms=rooms, days=days, ppd=ppd,
                      course_lines="\n".join(f"c{i} {t} {n} 1 10" for i, (t, n) in enumerate(courses)),
                      room_lines="\n".join(f"r{i} 100" for i in range(rooms)))


def test_ctt_rooms_zero_is_refused_with_a_sentence(tmp_path, capsys):
    f = tmp_path / "r0.ctt"
    f.write_text(_instance([("t1", 1)], rooms=0))
    rc = main(["solve-ctt", str(f), "--time-limit", "1", "--out", str(tmp_path / "r0.sol"), "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2 and "'Rooms' between 1 and 2000, got 0" in err and "Traceback" not in err
    assert not (tmp_path / "r0.sol").exists()


@pytest.mark.parametrize("courses, days, ppd, words", [
    ([("t1", 2976)] * 6, 31, 96, "lectures x periods"),  # 255 bytes that once asked for 5 GiB
    ([("t1", 720)], 31, 32, "pairs of lectures that share a teacher"),
])
def test_ctt_header_products_are_bounded(tmp_path, courses, days, ppd, words):
    f = tmp_path / "big.ctt"
    f.write_text(_instance(courses, days=days, ppd=ppd))
    assert f.stat().st_size < 1024
    with pytest.raises(ctt.CttFormatError, match=words):
        ctt.read_ctt(f)


def test_ctt_rooms_times_slots_bounded(tmp_path):
    f = tmp_path / "rooms.ctt"
    f.write_text(_instance([("t1", 1)], rooms=200, days=31, ppd=96))
    with pytest.raises(ctt.CttFormatError, match="rooms x days x periods"):
        ctt.read_ctt(f)


def test_ctt_reader_refuses_fifo_and_devices(tmp_path):
    fifo = tmp_path / "pipe.ctt"
    os.mkfifo(fifo)
    with _Watchdog(fifo) as w, pytest.raises(ctt.CttFormatError, match="not a regular file"):
        ctt.read_ctt(fifo)
    assert not w.fired
    with pytest.raises(ctt.CttFormatError, match="not a regular file"):
        ctt.read_ctt("/dev/zero")


def _workbook_with_a_huge_comment(path: Path, megabytes: int) -> Path:
    """A real workbook (openpyxl) whose worksheet XML then gets a whitespace XML comment of ``megabytes``
    MB, written streamed: about 1 KB of zip per MB of spaces."""
    import zipfile

    import openpyxl

    plain = path.with_name("plain.xlsx")
    wb = openpyxl.Workbook()
    wb.active.append(["code", "name", "email"])
    wb.active.append(["ZZ1", "Dr. Test", "zz1@example.org"])
    wb.save(plain)
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info.filename, data)
                continue
            head, sep, rest = data.partition(b"?>")
            with dst.open(info.filename, "w") as w:
                w.write(head + sep + b"<!--")
                for _ in range(megabytes):
                    w.write(b" " * 2**20)
                w.write(b"-->" + rest)
    return path


def test_an_xlsx_with_a_huge_xml_comment_is_refused_in_a_moment(tmp_path, empty_db_path, capsys):
    """194 KB of zip holding a 190 MB whitespace comment in the worksheet: expat (fed 16 KB at a time by
    openpyxl's iterparse) re-scans an unfinished token at every feed, so parsing it took hours."""
    import time

    f = _workbook_with_a_huge_comment(tmp_path / "comment.xlsx", 190)
    assert f.stat().st_size < 400 * 1024
    t0 = time.perf_counter()
    with pytest.raises(tabular.TabularError, match="single XML element, comment or text of more than 256 KB"):
        tabular.read_table(f)
    assert time.perf_counter() - t0 < 5
    assert main(["import", "--db", str(empty_db_path), "--entity", "faculty", "--dry-run", str(f)]) == 2
    assert "xl/worksheets/sheet1.xml" in capsys.readouterr().err


def test_an_xlsx_with_a_small_comment_still_imports(tmp_path):
    f = _workbook_with_a_huge_comment(tmp_path / "fine.xlsx", 0)
    assert [list(r.cells) for r in tabular.read_table(f).rows] == [["ZZ1", "Dr. Test", "zz1@example.org"]]


@pytest.mark.parametrize("chunk", [1, 2, 5, 64, 1 << 20])
def test_the_xml_token_scanner_is_the_same_whatever_the_chunks(monkeypatch, chunk):
    import io

    monkeypatch.setattr(tabular, "_XML_CHUNK", chunk)
    cases = {b"<a><b>text</b></a>": 6, b"<!--" + b"<" * 1000 + b"-->": 1007, b"<a>" + b"x" * 500 + b"</a>": 502,
             b"<?xml v?><a/>": 9, b"<![CDATA[" + b"<" * 300 + b"]]>": 312, b"<!-- open " + b" " * 50: 60,
             b"<a b='1'>" + b"y" * 30 + b"<!--c-->" + b"z" * 5: 38}
    for xml, longest in cases.items():
        assert tabular._longest_xml_token(io.BytesIO(xml), 10**9) == longest, xml[:20]
