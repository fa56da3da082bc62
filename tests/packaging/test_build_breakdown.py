"""installer/build.py's size report, on a bundle made of small files (no PyInstaller build)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def build():
    spec = importlib.util.spec_from_file_location("ato_installer_build", ROOT / "installer" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _file(root: Path, rel: str, size: int, tail: bytes = b"") -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\0" * (size - len(tail)) + tail)


LINUX_BUNDLE = {
    "ato-desktop": 700,
    "_internal/base_library.zip": 300,
    "_internal/libpython3.11.so.1.0": 400,
    "_internal/libstdc++.so.6": 50,
    "_internal/llvmlite/binding/libllvmlite.so": 5000,
    "_internal/llvmlite/__init__.py": 10,
    "_internal/PySide6/Qt/lib/libQt6Core.so.6": 900,
    "_internal/PySide6/Qt/lib/libicudata.so.73": 800,
    "_internal/PySide6/Qt/plugins/platforms/libqxcb.so": 60,
    "_internal/PySide6/Qt/plugins/platforms/libqoffscreen.so": 40,
    "_internal/PySide6/Qt/plugins/imageformats/libqsvg.so": 30,
    "_internal/PySide6/QtCore.abi3.so": 200,
    "_internal/numpy.libs/libscipy_openblas64_.so": 1000,
    "_internal/lib-dynload/_ssl.so": 20,
}


def test_breakdown_groups_files_by_package_largest_first(build, tmp_path):
    bundle = tmp_path / "ato-desktop"
    for rel, size in LINUX_BUNDLE.items():
        _file(bundle, rel, size)
    os.symlink("libstdc++.so.6", bundle / "_internal" / "libstdc++.so")  # links are not counted twice

    rows = build.size_breakdown(bundle)
    assert rows[0] == ("llvmlite", 5010, 2)
    assert dict((name, (size, files)) for name, size, files in rows) == {
        "llvmlite": (5010, 2),
        "PySide6/Qt/lib (Qt libraries)": (1700, 2),
        "numpy.libs": (1000, 1),
        "ato-desktop executable (Python modules archive)": (700, 1),
        "Python runtime": (400, 1),
        "Python standard library (base_library.zip)": (300, 1),
        "PySide6 (Python bindings)": (200, 1),
        "PySide6/Qt/plugins/platforms": (100, 2),
        "other top-level files": (50, 1),
        "PySide6/Qt/plugins/imageformats": (30, 1),
        "Python standard library (extension modules)": (20, 1),
    }
    assert [r[1] for r in rows] == sorted((r[1] for r in rows), reverse=True)
    assert build.folder_size(bundle) == (sum(LINUX_BUNDLE.values()), len(LINUX_BUNDLE))
    assert sum(r[1] for r in rows) == build.folder_size(bundle)[0]


def test_breakdown_of_a_macos_app_strips_the_bundle_folders(build, tmp_path):
    app = tmp_path / "ATO Desktop.app"
    _file(app, "Contents/MacOS/ato-desktop", 100)
    _file(app, "Contents/Frameworks/llvmlite/binding/libllvmlite.dylib", 300)
    _file(app, "Contents/Frameworks/PySide6/Qt/lib/QtCore.framework/QtCore", 200)
    _file(app, "Contents/Resources/ato_desktop/resources/icons/ato-desktop.png", 5)
    names = {name: size for name, size, _ in build.size_breakdown(app)}
    assert names == {"llvmlite": 300, "PySide6/Qt/lib (Qt libraries)": 200,
                     "ato-desktop executable (Python modules archive)": 100, "ato_desktop": 5}


def test_printed_breakdown_has_the_total_share_and_folds_the_small_packages(build, tmp_path, capsys):
    bundle = tmp_path / "ato-desktop"
    for rel, size in LINUX_BUNDLE.items():
        _file(bundle, rel, size * 1024)
    build.print_breakdown(bundle, top=3)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "size by package:"
    assert lines[1].split() == ["4.9", "MiB", "52.7", "%", "2", "files", "llvmlite"]
    assert "PySide6/Qt/lib (Qt libraries)" in lines[2] and "numpy.libs" in lines[3]
    assert lines[4].split()[:4] == ["1.8", "MiB", "9", "files"] and "(8 smaller packages)" in lines[4]
    assert len(lines) == 5


def test_upx_packed_libraries_are_told_by_their_pack_header(build, tmp_path):
    bundle = tmp_path / "ato-desktop"
    _file(bundle, "_internal/llvmlite/binding/libllvmlite.so", 50_000, tail=b"UPX!" + b"\0" * 32)
    _file(bundle, "_internal/PySide6/Qt/lib/libQt6Core.so.6", 9_000, tail=b"UPX!" + b"\0" * 32)
    _file(bundle, "_internal/numpy.libs/libscipy_openblas64_.so", 20_000)  # refused by UPX: as it was
    _file(bundle, "_internal/base_library.zip", 3_000, tail=b"UPX!")  # not a library
    assert build.is_upx_packed(bundle / "_internal/llvmlite/binding/libllvmlite.so")
    assert not build.is_upx_packed(bundle / "_internal/numpy.libs/libscipy_openblas64_.so")
    assert build.upx_summary(bundle) == (2, 59_000)


def test_xz_compressed_libraries_are_listed(build, tmp_path):
    bundle = tmp_path / "ato-desktop"
    _file(bundle, "_internal/llvmlite/binding/libllvmlite.so.xz", 38_000)
    _file(bundle, "_internal/base_library.zip", 3_000)
    _file(bundle, "_internal/PySide6/Qt/lib/libQt6Core.so.6", 9_000)
    assert build.xz_summary(bundle) == [("_internal/llvmlite/binding/libllvmlite.so.xz", 38_000)]
    assert {n: s for n, s, _ in build.size_breakdown(bundle)}["llvmlite"] == 38_000
