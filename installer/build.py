"""Build the ATO Desktop bundle for this platform with PyInstaller and print its size.

    python installer/build.py                  # build dist/ato-desktop (or dist/ATO Desktop.app)
    python installer/build.py --self-test      # ... then run the bundle's --self-test
    python installer/build.py --startup 3      # ... then time 3 starts of the bundle to its first window
    python installer/build.py --no-build --self-test --startup 3   # check an existing bundle

Run it from any folder with the Python environment that has the app's dependencies and
PyInstaller (``pip install -e ".[build]"``). The bundle is one folder (fast start-up):
the installers (installer/windows, installer/macos, installer/linux) package that folder.

Start-up is measured from launching the executable to the line ``first-window <seconds>``
that the app prints when ``ATO_STARTUP_PROBE=1`` is set (it then exits at once); the
first run after a build is the cold one. Exit code: 0 when everything asked for passed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "installer" / "ato_desktop.spec"
STARTUP_TARGET_S = 3.0
BUNDLE_TARGET_BYTES = 250_000_000  # issue 16: the Linux bundle (the installed folder) at most 250 MB


def bundle_paths(dist: Path) -> tuple[Path, Path, Path]:
    """(bundle folder or .app to ship, GUI executable, console executable) for this platform."""
    if sys.platform == "darwin":
        app = dist / "ATO Desktop.app"
        exe = app / "Contents" / "MacOS" / "ato-desktop"
        return app, exe, exe
    folder = dist / "ato-desktop"
    if sys.platform == "win32":
        return folder, folder / "ato-desktop.exe", folder / "ato-desktop-cli.exe"
    return folder, folder / "ato-desktop", folder / "ato-desktop"


def folder_size(path: Path) -> tuple[int, int]:
    total = files = 0
    for f in path.rglob("*"):
        if f.is_file() and not f.is_symlink():
            total += f.stat().st_size
            files += 1
    return total, files


def is_upx_packed(path: Path) -> bool:
    """A file UPX packed: UPX writes its pack header, starting "UPX!", at the end of the file."""
    try:
        with open(path, "rb") as fh:
            fh.seek(max(0, path.stat().st_size - 4096))
            return b"UPX!" in fh.read()
    except OSError:
        return False


def upx_summary(bundle: Path) -> tuple[int, int]:
    """(files, bytes on disk) of the bundle's UPX-packed libraries."""
    files = total = 0
    for f in bundle.rglob("*.so*"):
        if f.is_file() and not f.is_symlink() and is_upx_packed(f):
            files += 1
            total += f.stat().st_size
    return files, total


def xz_summary(bundle: Path) -> list[tuple[str, int]]:
    """(path in the bundle, bytes on disk) of the libraries shipped xz-compressed (``*.so.xz``, Linux:
    unpacked into memory when first loaded, see installer/xz_libraries.py)."""
    return sorted((f.relative_to(bundle).as_posix(), f.stat().st_size) for f in bundle.rglob("*.so.xz")
                  if f.is_file() and not f.is_symlink())


def package_of(rel: Path) -> str:
    """The package a bundle file belongs to, for the size breakdown (``rel`` is relative to the bundle)."""
    parts = list(rel.parts)
    for root in (["_internal"], ["Contents", "Frameworks"], ["Contents", "Resources"], ["Contents", "MacOS"]):
        if parts[:len(root)] == root and len(parts) > len(root):
            parts = parts[len(root):]
            break
    if len(parts) == 1:
        name = parts[0]
        if name.startswith(("libpython", "python3")):
            return "Python runtime"
        if name.startswith("ato-desktop"):
            return "ato-desktop executable (Python modules archive)"
        if name == "base_library.zip":
            return "Python standard library (base_library.zip)"
        return "other top-level files"
    head = parts[0]
    if head == "PySide6" and len(parts) > 2 and parts[1] == "Qt":
        if parts[2] == "lib":
            return "PySide6/Qt/lib (Qt libraries)"
        if parts[2] == "plugins" and len(parts) > 3:
            return "PySide6/Qt/plugins/" + parts[3]
        return "PySide6/Qt/" + parts[2]
    if head == "PySide6":
        return "PySide6 (Python bindings)"
    if head == "lib-dynload":
        return "Python standard library (extension modules)"
    return head


def size_breakdown(bundle: Path) -> list[tuple[str, int, int]]:
    """(package, bytes, files) for every package in the bundle, largest first."""
    sizes: dict[str, list[int]] = {}
    for f in bundle.rglob("*"):
        if f.is_file() and not f.is_symlink():
            entry = sizes.setdefault(package_of(f.relative_to(bundle)), [0, 0])
            entry[0] += f.stat().st_size
            entry[1] += 1
    return sorted(((k, v[0], v[1]) for k, v in sizes.items()), key=lambda t: (-t[1], t[0]))


def print_breakdown(bundle: Path, top: int = 25) -> None:
    rows = size_breakdown(bundle)
    total = sum(r[1] for r in rows) or 1
    print("size by package:", flush=True)
    for name, size, files in rows[:top]:
        print(f"  {size / 1024 / 1024:8.1f} MiB {100 * size / total:5.1f} %  {files:4d} files  {name}")
    rest = rows[top:]
    if rest:
        print(f"  {sum(r[1] for r in rest) / 1024 / 1024:8.1f} MiB         {sum(r[2] for r in rest):4d} files  "
              f"({len(rest)} smaller packages)", flush=True)


def build(dist: Path, work: Path, clean: bool) -> float:
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
           "--distpath", str(dist), "--workpath", str(work), str(SPEC)]
    if clean:
        cmd.insert(3, "--clean")
    print("$ " + " ".join(cmd), flush=True)
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True)
    return time.perf_counter() - t0


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    # No PYTHONPATH or venv leaking into the bundle: it must run on its own.
    for key in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):
        env.pop(key, None)
    if sys.platform.startswith("linux") and not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return env


def run_self_test(exe: Path, timeout: float) -> int:
    print(f"$ {exe} --self-test", flush=True)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ato-bundle-") as cwd:  # not the source tree: no stray imports
        proc = subprocess.run([str(exe), "--self-test"], cwd=cwd, env=child_env(), timeout=timeout)
    print(f"bundle self-test: exit {proc.returncode} in {time.perf_counter() - t0:.1f} s", flush=True)
    return proc.returncode


def measure_startup(exe: Path, runs: int, timeout: float, demo: bool = False) -> list[float] | None:
    """Wall-clock seconds from launch to the app's 'first-window' line, per run; None if not supported.

    Each run opens a new database file, or with ``demo`` a fresh copy of the demo department
    (made by the bundle's own ``demo create``), so the window shows a real timetable.
    """
    times = []
    with tempfile.TemporaryDirectory(prefix="ato-startup-") as tmp:
        env = child_env()
        template = Path(tmp) / "demo-template.atodb"
        if demo:
            made = subprocess.run([str(exe), "demo", "create", str(template)], cwd=tmp, env=env,
                                  capture_output=True, text=True, timeout=timeout)
            if made.returncode != 0:
                print(f"start-up probe: the bundle could not create the demo: {made.stderr[-1000:]}")
                return None
        env["ATO_STARTUP_PROBE"] = "1"
        for i in range(runs):
            db = Path(tmp) / f"probe-{i}.atodb"
            if demo:
                shutil.copyfile(template, db)
            t0 = time.perf_counter()
            proc = subprocess.Popen([str(exe), "--db", str(db)], cwd=tmp, env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
            seen = None
            assert proc.stdout is not None
            for line in proc.stdout:
                m = re.match(r"first-window\s+([\d.]+)", line.strip())
                if m:
                    seen = time.perf_counter() - t0
                    reported = float(m.group(1))
                    break
            try:
                _, err = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                _, err = proc.communicate()
            if seen is None:
                print(f"start-up probe: no 'first-window' line (exit {proc.returncode}); stderr:\n{err[-2000:]}")
                return None
            label = ("cold" if i == 0 else "warm") + (", demo department" if demo else ", new database")
            print(f"start-up run {i + 1} ({label}): {seen:.2f} s to first window "
                  f"(app reports {reported:.2f} s after its own start)", flush=True)
            times.append(seen)
    return times


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Build the ATO Desktop bundle for this platform.")
    ap.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder (default: dist/)")
    ap.add_argument("--work", type=Path, default=ROOT / "build", help="PyInstaller work folder (default: build/)")
    ap.add_argument("--clean", action="store_true", help="empty PyInstaller's cache first")
    ap.add_argument("--no-build", action="store_true", help="use the existing bundle")
    ap.add_argument("--self-test", action="store_true", help="run the bundle's --self-test")
    ap.add_argument("--startup", type=int, default=0, metavar="N", help="time N starts to the first window")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds allowed for the self-test")
    args = ap.parse_args(argv)

    dist, work = args.dist.resolve(), args.work.resolve()
    bundle, gui_exe, cli_exe = bundle_paths(dist)
    if not args.no_build:
        if bundle.exists():
            shutil.rmtree(bundle)
        seconds = build(dist, work, args.clean)
        print(f"built in {seconds:.0f} s", flush=True)
    if not cli_exe.exists():
        print(f"error: no bundle at {bundle} (executable {cli_exe} missing)", file=sys.stderr)
        return 1
    size, files = folder_size(bundle)
    print(f"bundle: {bundle}", flush=True)
    print(f"bundle size: {size / 1024 / 1024:.1f} MiB ({size / 1e6:.1f} MB) in {files} files", flush=True)
    print_breakdown(bundle)
    packed, packed_bytes = upx_summary(bundle)
    print(f"UPX-packed libraries: {packed} ({packed_bytes / 1024 / 1024:.1f} MiB on disk)", flush=True)
    for rel, xz_bytes in xz_summary(bundle):
        print(f"xz-compressed library (unpacked into memory at first load): {rel} "
              f"({xz_bytes / 1024 / 1024:.1f} MiB on disk)", flush=True)
    if sys.platform.startswith("linux"):
        verdict = "OK" if size <= BUNDLE_TARGET_BYTES else "OVER TARGET"
        print(f"bundle size {size / 1e6:.1f} MB (target <= {BUNDLE_TARGET_BYTES / 1e6:.0f} MB): {verdict}",
              flush=True)
    print(f"executable: {gui_exe}", flush=True)

    status = 0
    if args.self_test and run_self_test(cli_exe, args.timeout) != 0:
        print("error: the bundle's self-test failed", file=sys.stderr)
        status = 1
    for demo in ((False, True) if args.startup else ()):
        times = measure_startup(cli_exe, args.startup, timeout=120.0, demo=demo)
        what = "demo department" if demo else "new database"
        if times is None:
            print(f"start-up ({what}) not measured: no 'first-window' line from this build")
            continue
        cold = times[0]
        warm = statistics.median(times[1:]) if len(times) > 1 else None
        verdict = "OK" if max(cold, warm or 0) < STARTUP_TARGET_S else "OVER TARGET"
        print(f"start-up to first window ({what}): cold {cold:.2f} s"
              + (f", warm median {warm:.2f} s" if warm is not None else "")
              + f" (target < {STARTUP_TARGET_S:.0f} s): {verdict}", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
