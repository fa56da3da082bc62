"""The bundle's loader for libraries shipped xz-compressed (libllvmlite.so.xz on Linux, issue 16):
decompressed into a memory file and dlopen-ed from its /proc/self/fd path; a damaged file gives one
plain sentence naming it. Uses a real shared library of the venv (reportlab's small _rl_accel)."""

from __future__ import annotations

import ctypes
import lzma
import os
import sys
from pathlib import Path

import pytest

from ato_desktop import frozen
from ato_desktop.frozen import BundledLibraryError, install_xz_llvmlite, memfd_from_xz

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="memfd_create: Linux only")


@pytest.fixture
def real_library(tmp_path) -> tuple[Path, Path]:
    """(a real shared library, its .xz copy in tmp_path)."""
    import _rl_accel

    so = Path(_rl_accel.__file__)
    xz = tmp_path / "lib_rl_accel.so.xz"
    xz.write_bytes(lzma.compress(so.read_bytes(), format=lzma.FORMAT_XZ))
    return so, xz


@pytest.fixture(autouse=True)
def fresh_memfds(monkeypatch):
    monkeypatch.setattr(frozen, "_memfds", {})


def _open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


def test_xz_library_is_dlopened_from_a_memory_file(real_library):
    so, xz = real_library
    path = memfd_from_xz(xz, chunk=4096)  # many chunks: the streaming path
    assert path.startswith("/proc/self/fd/")
    assert Path(path).read_bytes() == so.read_bytes()
    assert os.readlink(path).startswith("/memfd:lib_rl_accel.so")
    lib = ctypes.CDLL(path)
    assert lib.PyInit__rl_accel  # a symbol of the library: it is loaded
    assert memfd_from_xz(xz) == path, "decompressed once per process; the memory file stays open"
    os.close(int(path.rsplit("/", 1)[1]))


@pytest.mark.parametrize("damage", ["garbage", "truncated", "missing"])
def test_damaged_xz_gives_one_sentence_naming_the_file_and_leaks_nothing(real_library, damage):
    _, xz = real_library
    if damage == "garbage":
        xz.write_bytes(b"this is not xz data" * 100)
    elif damage == "truncated":
        xz.write_bytes(xz.read_bytes()[: xz.stat().st_size // 2])
    else:
        xz.unlink()
    before = _open_fds()
    with pytest.raises(BundledLibraryError) as caught:
        memfd_from_xz(xz)
    message = str(caught.value)
    assert str(xz) in message and "\n" not in message and message.endswith("reinstall ATO Desktop.")
    assert _open_fds() == before
    assert frozen._memfds == {}

    from ato_desktop.cli import user_message

    assert user_message(caught.value) == message  # what the command line prints, as it is


def test_llvmlite_loader_hook_gives_the_memory_file_for_its_library_only(real_library, tmp_path, monkeypatch):
    """The hook is installed only when the folder has the .xz and no plain library, and patches
    llvmlite's resource lookup (which loads no LLVM itself) for the one library name."""
    from llvmlite.utils import get_library_name

    _, xz = real_library
    binding = tmp_path / "binding"
    binding.mkdir()
    assert not install_xz_llvmlite(binding)
    (binding / "libllvmlite.so.xz").write_bytes(xz.read_bytes())
    (binding / "libllvmlite.so").write_bytes(b"")
    assert not install_xz_llvmlite(binding), "a plain library wins"
    (binding / "libllvmlite.so").unlink()
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))
    monkeypatch.delitem(sys.modules, "llvmlite.binding.ffi", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    assert install_xz_llvmlite(binding)
    assert isinstance(sys.meta_path[0], frozen._PatchAfterImport) and sys.meta_path[0].name == "llvmlite.binding.ffi"

    seen = []
    resource_path = frozen._llvmlite_resource_path(lambda pkg, res: seen.append((pkg, res)) or "orig", xz)
    with resource_path("llvmlite.binding", get_library_name()) as path:
        assert path.startswith("/proc/self/fd/") and Path(path).read_bytes()[:4] == b"\x7fELF"
    assert resource_path("llvmlite.binding", "other.txt") == "orig"
    assert seen == [("llvmlite.binding", "other.txt")]


def test_patch_runs_when_the_module_is_first_imported(tmp_path, monkeypatch):
    pkg = tmp_path / "xzhookpkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("from . import ffi\nLOADED_WITH = ffi.where()\n")
    (pkg / "ffi.py").write_text("def _path():\n    return 'on disk'\n\ndef where():\n    return _path()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    hook = frozen._PatchAfterImport("xzhookpkg.ffi", lambda m: setattr(m, "_path", lambda: "in memory"))
    monkeypatch.setattr(sys, "meta_path", [hook, *sys.meta_path])
    try:
        import xzhookpkg

        assert xzhookpkg.LOADED_WITH == "in memory", "patched before the package's next line ran"
        assert hook not in sys.meta_path
        assert xzhookpkg.ffi.__loader__.__class__.__name__ != "Loader"
    finally:
        sys.modules.pop("xzhookpkg.ffi", None)
        sys.modules.pop("xzhookpkg", None)
