"""Set-up for a frozen (PyInstaller) build, run by the bundle's runtime hook before any app import.

numba caches compiled kernels (``cache=True``). In a bundle the app folder may be
read-only (Program Files, a signed macOS .app), so the cache goes to a per-user
folder: ``<user cache dir>/numba/<fingerprint>``, where the fingerprint hashes the
engine's source files shipped in the bundle. numba stamps its cache entries of a
frozen program with the executable, which is the same launcher in every release;
the fingerprint makes sure an upgraded app never loads kernels compiled from an
older engine. Folders of other fingerprints are removed.

On Linux the bundle ships LLVM (``llvmlite/binding/libllvmlite.so``, 150 MB) xz-compressed as
``libllvmlite.so.xz`` (38 MB: issue 16, the bundle and its installer). When llvmlite first loads
it, it is decompressed into an anonymous memory file (``memfd_create``) and loaded from there by
its ``/proc/self/fd`` path: the same library, mapped from memory instead of the disk.

Nothing here imports Qt or numba (or llvmlite: its import loads LLVM, so the loader is hooked in
when llvmlite imports it).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.abc
import lzma
import os
import shutil
import sys
import threading
from pathlib import Path

from ato_desktop import APP_NAME, __version__


def engine_fingerprint(engine_dir: Path) -> str:
    h = hashlib.sha256(__version__.encode())
    for f in sorted(engine_dir.glob("*.py")):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def numba_cache_root() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / "numba"


def configure_numba_cache(engine_dir: Path, root: Path | None = None, environ=os.environ) -> Path | None:
    """Point NUMBA_CACHE_DIR at a writable per-user folder (unless the user set one); returns it."""
    if environ.get("NUMBA_CACHE_DIR"):
        return Path(environ["NUMBA_CACHE_DIR"])
    root = root or numba_cache_root()
    target = root / engine_fingerprint(engine_dir)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # numba falls back to its own user-wide cache folder
    try:
        for old in root.iterdir():
            if old.is_dir() and old != target:
                shutil.rmtree(old, ignore_errors=True)
    except OSError:
        pass
    environ["NUMBA_CACHE_DIR"] = str(target)
    return target


class BundledLibraryError(OSError):
    """A compressed library of the bundle cannot be unpacked; its message is the one sentence to show."""


_memfds: dict[str, int] = {}  # .xz path -> its memory file, open for the life of the process
_memfd_lock = threading.Lock()


def memfd_from_xz(xz_path: Path, chunk: int = 1 << 20) -> str:
    """Decompress ``xz_path`` into an anonymous memory file once per process; returns its
    ``/proc/self/fd/N`` path, which ``dlopen`` loads like any file. The file stays open (and the
    library mapped from it) until the process exits. Raises BundledLibraryError, with one plain
    sentence naming the file, when the file is missing, damaged or cannot be unpacked."""
    key = str(xz_path)
    with _memfd_lock:
        if key not in _memfds:
            fd = -1
            try:
                fd = os.memfd_create(xz_path.name.removesuffix(".xz"), os.MFD_CLOEXEC)
                decompressor = lzma.LZMADecompressor(format=lzma.FORMAT_XZ)
                with open(xz_path, "rb") as src, os.fdopen(os.dup(fd), "wb", buffering=0) as dst:
                    while not decompressor.eof:
                        data = src.read(chunk) if decompressor.needs_input else b""
                        if decompressor.needs_input and not data:
                            raise EOFError("the file ends too soon")
                        out = decompressor.decompress(data, max_length=4 * chunk)
                        if out:
                            dst.write(out)
            except (OSError, lzma.LZMAError, EOFError, MemoryError) as exc:
                if fd >= 0:
                    os.close(fd)
                reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
                raise BundledLibraryError(f"ATO Desktop cannot unpack its compressed library {xz_path} "
                                          f"({reason}); reinstall ATO Desktop.") from None
            _memfds[key] = fd
        return f"/proc/self/fd/{_memfds[key]}"


def _llvmlite_resource_path(original, xz_path: Path):
    """llvmlite.binding.ffi's ``_importlib_resources_path``, giving the memory file for LLVM's library."""
    from llvmlite.utils import get_library_name

    def resource_path(package, resource):
        if resource == get_library_name():
            return contextlib.nullcontext(memfd_from_xz(xz_path))
        return original(package, resource)

    return resource_path


class _PatchAfterImport(importlib.abc.MetaPathFinder):
    """Runs ``patch(module)`` right after the module ``name`` is executed (before anything uses it)."""

    def __init__(self, name: str, patch):
        self.name, self.patch = name, patch

    def find_spec(self, fullname, path, target=None):
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)
        import importlib.util

        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        loader, patch = spec.loader, self.patch

        class Loader(importlib.abc.Loader):
            def create_module(self, spec):
                return loader.create_module(spec)

            def exec_module(self, module):
                module.__loader__ = loader
                loader.exec_module(module)
                patch(module)

            def __getattr__(self, attr):
                return getattr(loader, attr)

        spec.loader = Loader()
        return spec


def install_xz_llvmlite(binding_dir: Path) -> bool:
    """When the bundle has ``libllvmlite.so.xz`` and no ``libllvmlite.so`` in ``binding_dir``, make
    llvmlite load the library from the decompressed memory file. Returns whether it was hooked in."""
    xz_path = binding_dir / "libllvmlite.so.xz"
    if not sys.platform.startswith("linux") or not xz_path.is_file() or (binding_dir / "libllvmlite.so").exists():
        return False
    if "llvmlite.binding.ffi" in sys.modules:  # too late for a hook: patch it now (it has not loaded LLVM yet
        ffi = sys.modules["llvmlite.binding.ffi"]  # unless something called it)
        ffi._importlib_resources_path = _llvmlite_resource_path(ffi._importlib_resources_path, xz_path)
        return True

    def patch(ffi):
        ffi._importlib_resources_path = _llvmlite_resource_path(ffi._importlib_resources_path, xz_path)

    sys.meta_path.insert(0, _PatchAfterImport("llvmlite.binding.ffi", patch))
    return True


def configure_frozen_runtime() -> None:
    """Called from the PyInstaller runtime hook (``installer/rthook_ato_desktop.py``)."""
    base = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parents[1]))
    configure_numba_cache(base / "ato_desktop" / "engine")
    install_xz_llvmlite(base / "llvmlite" / "binding")
