"""Issue 16: on Linux, a missing system library of Qt's xcb plugin is named (found with ldd) before Qt aborts."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from ato_desktop import qt_preflight as qp

# what ldd printed on a fresh Debian 12 without two of the xcb libraries (abridged)
FAKE_LDD = """\
\tlinux-vdso.so.1 (0x00007ffd5a1e2000)
\tlibQt6XcbQpa.so.6 => /opt/ato/PySide6/Qt/plugins/platforms/../../lib/libQt6XcbQpa.so.6 (0x00007f3c1c5d5000)
\tlibxkbcommon-x11.so.0 => /lib/x86_64-linux-gnu/libxkbcommon-x11.so.0 (0x00007f3c1c5c8000)
\tlibxcb-cursor.so.0 => not found
\tlibxcb-icccm.so.4 => /lib/x86_64-linux-gnu/libxcb-icccm.so.4 (0x00007f3c1c5c1000)
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-cursor.so.0 => not found
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f3c1b800000)
\t/lib64/ld-linux-x86-64.so.2 (0x00007f3c1c60b000)
"""


def test_parse_ldd_output_names_each_missing_library_once():
    assert qp.parse_ldd_missing(FAKE_LDD) == ["libxcb-cursor.so.0", "libxcb-keysyms.so.1"]
    assert qp.parse_ldd_missing("\tlibc.so.6 => /lib/libc.so.6 (0x1)\n") == []
    assert qp.packages_for(["libxcb-cursor.so.0", "libxcb-keysyms.so.1", "libunknown.so.9"]) == \
        ["libxcb-cursor0", "libxcb-keysyms1"]


def fake_run(output: str):
    def run(cmd, **_kw):
        assert cmd[-1].endswith("libqxcb.so")
        return subprocess.CompletedProcess(cmd, 0, stdout=output, stderr="")
    return run


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb plugin is Linux only")
def test_check_names_the_missing_libraries_and_their_packages(tmp_path, monkeypatch):
    plugin = tmp_path / "libqxcb.so"
    plugin.write_bytes(b"")
    monkeypatch.setattr(qp.shutil, "which", lambda name: "/usr/bin/ldd")
    msg = qp.check_xcb({}, plugin=plugin, run=fake_run(FAKE_LDD))
    assert msg is not None
    assert "libxcb-cursor.so.0, libxcb-keysyms.so.1" in msg and str(plugin) in msg
    assert msg.endswith("sudo apt install libxcb-cursor0 libxcb-keysyms1")
    # nothing missing, or another platform chosen: nothing to say
    assert qp.check_xcb({}, plugin=plugin, run=fake_run("\tlibc.so.6 => /lib/libc.so.6 (0x1)\n")) is None
    assert qp.check_xcb({"QT_QPA_PLATFORM": "offscreen"}, plugin=plugin, run=fake_run(FAKE_LDD)) is None
    assert qp.check_xcb({"QT_QPA_PLATFORM": "xcb"}, plugin=plugin, run=fake_run(FAKE_LDD)) is not None
    # the start-up check prints it and stops (no Wayland to fall back on)
    monkeypatch.setattr(qp, "check_xcb", lambda env: msg)
    err = io.StringIO()
    assert qp.preflight({}, stderr=err) is False and "libxcb-cursor.so.0" in err.getvalue()
    assert qp.preflight({"WAYLAND_DISPLAY": "wayland-0"}, stderr=io.StringIO()) is True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb plugin is Linux only")
def test_real_plugin_of_this_install_is_found_and_checked():
    plugin = qp.xcb_plugin()
    assert plugin is not None and plugin.name == "libqxcb.so"
    # on this machine the libraries are there (CI installs them): no message
    assert qp.check_xcb({}) is None or "not installed" in qp.check_xcb({})
