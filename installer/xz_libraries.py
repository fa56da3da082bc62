"""The spec's step that ships large libraries xz-compressed instead of UPX-packed (Linux; issue 16).

UPX-packed libraries do not compress further in the xz installer: libllvmlite.so is 38 MB in the
tarball as it is but 52 MB once packed, which put the tarball over its 120 MB target. So it is
shipped as ``libllvmlite.so.xz`` (lzma preset 9: about 38 MB in the bundle, and xz leaves it as it
is in the tarball) and ``ato_desktop/frozen.py`` decompresses it into a memory file the first time
llvmlite loads it. Used by ``installer/ato_desktop.spec``; tested by tests/packaging/test_xz_libraries.py.
"""

from __future__ import annotations

import hashlib
import lzma
from pathlib import Path

# bundle destinations of the libraries shipped as ``<name>.xz`` (the run-time loader knows these only)
XZ_LIBRARIES = ("llvmlite/binding/libllvmlite.so",)
XZ_PRESET = 9


def xz_selected(dest: str) -> bool:
    return dest.replace("\\", "/") in XZ_LIBRARIES


def compress(src: Path, target: Path, chunk: int = 1 << 20) -> None:
    """``target`` = ``src`` xz-compressed, written in chunks (the library is 150 MB); atomic."""
    tmp = target.with_name(target.name + ".part")
    compressor = lzma.LZMACompressor(format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64, preset=XZ_PRESET)
    with open(src, "rb") as fin, open(tmp, "wb") as fout:
        fout.writelines(compressor.compress(data) for data in iter(lambda: fin.read(chunk), b""))
        fout.write(compressor.flush())
    tmp.replace(target)


def xz_copies(binaries: list, folder: Path) -> tuple[list, list]:
    """(binaries without the XZ_LIBRARIES, data entries of their ``.xz`` copies made in ``folder``).

    Copies are kept by the hash of their source, so a rebuild compresses only what changed."""
    kept, datas = [], []
    for entry in binaries:
        dest, src = entry[0], entry[1]
        if not xz_selected(dest):
            kept.append(entry)
            continue
        digest = hashlib.sha256()
        with open(src, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        xz_dest = dest.replace("\\", "/") + ".xz"
        target = folder / xz_dest
        stamp = target.with_name(target.name + ".source")
        key = f"{digest.hexdigest()} preset {XZ_PRESET}"
        if not (target.exists() and stamp.exists() and stamp.read_text() == key):
            target.parent.mkdir(parents=True, exist_ok=True)
            stamp.unlink(missing_ok=True)
            compress(Path(src), target)
            stamp.write_text(key)
        print(f"ato_desktop.spec: {dest} shipped xz-compressed: {Path(src).stat().st_size / 1024 / 1024:.1f} MiB "
              f"-> {target.stat().st_size / 1024 / 1024:.1f} MiB ({xz_dest})")
        datas.append((xz_dest, str(target), "DATA"))
    return kept, datas
