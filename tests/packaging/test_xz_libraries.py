"""installer/xz_libraries.py, the spec's step that ships libllvmlite.so as libllvmlite.so.xz (no build)."""

from __future__ import annotations

import importlib.util
import lzma
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def xzl():
    spec = importlib.util.spec_from_file_location("ato_installer_xz", ROOT / "installer" / "xz_libraries.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_only_libllvmlite_is_swapped_for_its_xz_copy(xzl, tmp_path, capsys):
    src = tmp_path / "src"
    src.mkdir()
    entries = []
    for dest in ("llvmlite/binding/libllvmlite.so", "libpython3.11.so.1.0", "PySide6/Qt/lib/libQt6Core.so.6",
                 "numba/core/typeconv/_typeconv.cpython-311-x86_64-linux-gnu.so", "llvmlite/binding/other.so"):
        f = src / dest.replace("/", "_")
        f.write_bytes(dest.encode() * 1000)
        entries.append((dest, str(f), "BINARY"))
    kept, datas = xzl.xz_copies(entries, tmp_path / "xz")
    assert kept == [e for e in entries if e[0] != "llvmlite/binding/libllvmlite.so"]
    assert len(datas) == 1
    dest, path, kind = datas[0]
    assert (dest, kind) == ("llvmlite/binding/libllvmlite.so.xz", "DATA")
    assert lzma.decompress(Path(path).read_bytes()) == b"llvmlite/binding/libllvmlite.so" * 1000
    assert "libllvmlite.so shipped xz-compressed" in capsys.readouterr().out

    mtime = Path(path).stat().st_mtime_ns
    assert xzl.xz_copies(entries, tmp_path / "xz")[1] == datas
    assert Path(path).stat().st_mtime_ns == mtime, "unchanged source: not compressed again"
    Path(entries[0][1]).write_bytes(b"a newer llvmlite")
    xzl.xz_copies(entries, tmp_path / "xz")
    assert lzma.decompress(Path(path).read_bytes()) == b"a newer llvmlite"


def test_windows_style_destination_is_selected_too(xzl):
    assert xzl.xz_selected("llvmlite\\binding\\libllvmlite.so")
    assert not xzl.xz_selected("llvmlite/binding/libllvmlite.so.xz")
