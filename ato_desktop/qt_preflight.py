"""Before the window opens on Linux: are the system libraries Qt's X11 (xcb) platform plugin needs there?

When one is missing, Qt aborts the process with "Could not load the Qt platform plugin "xcb"" and, on many
systems, names another library than the one missing (issue 16: two xcb libraries were missing on a fresh
Linux and Qt's message named a third). ``check_xcb()`` asks ``ldd`` about the plugin first and returns one
plain paragraph naming the missing libraries and the Debian/Ubuntu packages that provide them.

No Qt import here: this runs before Qt loads anything.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable, Mapping

# soname -> Debian / Ubuntu package (the README lists the same packages)
DEBIAN_PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb.so.1": "libxcb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
}

_NOT_FOUND = re.compile(r"^\s*(\S+)\s*=>\s*not found\s*$")


def parse_ldd_missing(output: str) -> list[str]:
    """The libraries ``ldd`` reports as "not found", in its order, without repeats."""
    missing: list[str] = []
    for line in output.splitlines():
        m = _NOT_FOUND.match(line)
        if m and m.group(1) not in missing:
            missing.append(m.group(1))
    return missing


def packages_for(libraries: list[str]) -> list[str]:
    """The Debian/Ubuntu packages for ``libraries`` (those it knows), without repeats."""
    out: list[str] = []
    for lib in libraries:
        pkg = DEBIAN_PACKAGES.get(lib)
        if pkg and pkg not in out:
            out.append(pkg)
    return out


def xcb_plugin() -> Path | None:
    """The xcb platform plugin of the PySide6 this process would load (source install or bundle)."""
    import PySide6  # the package only: no Qt library is loaded by this (a declared dependency: always there)

    base = Path(PySide6.__file__).resolve().parent
    for rel in ("Qt/plugins/platforms/libqxcb.so", "plugins/platforms/libqxcb.so"):
        if (base / rel).is_file():
            return base / rel
    return None


def wants_xcb(env: Mapping[str, str]) -> bool:
    """True when Qt will (or may) use the xcb platform: QT_QPA_PLATFORM unset or naming xcb first."""
    platform = env.get("QT_QPA_PLATFORM", "").strip()
    return not platform or platform.split(";")[0].split(":")[0] == "xcb"


def missing_message(missing: list[str], plugin: Path | str) -> str:
    pkgs = packages_for(missing)
    text = (f"ATO Desktop cannot open its window: the system {'library' if len(missing) == 1 else 'libraries'} "
            f"{', '.join(missing)} that Qt's X11 platform plugin ({plugin}) needs "
            f"{'is' if len(missing) == 1 else 'are'} not installed.")
    if pkgs:
        text += f" On Debian or Ubuntu: sudo apt install {' '.join(pkgs)}"
    return text


def check_xcb(env: Mapping[str, str] | None = None, *, plugin: Path | None = None,
              run: Callable[..., subprocess.CompletedProcess] = subprocess.run) -> str | None:
    """A sentence naming the libraries the xcb plugin cannot find, or None (all there, or not applicable:
    not Linux, another platform chosen, no ldd, no PySide6)."""
    env = os.environ if env is None else env
    if not sys.platform.startswith("linux") or not wants_xcb(env):
        return None
    plugin = plugin or xcb_plugin()
    ldd = shutil.which("ldd")
    if plugin is None or ldd is None:
        return None
    try:
        proc = run([ldd, str(plugin)], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    missing = parse_ldd_missing(proc.stdout or "")
    return missing_message(missing, plugin) if missing else None


def preflight(env: Mapping[str, str] | None = None, stderr=None) -> bool:
    """Print the missing-library message if there is one; False when the window cannot open (stop)."""
    env = os.environ if env is None else env
    message = check_xcb(env)
    if message is None:
        return True
    print(message, file=stderr or sys.stderr, flush=True)
    # In a Wayland session with the platform left to Qt, Qt may still open the window through Wayland.
    return bool(env.get("WAYLAND_DISPLAY")) and not env.get("QT_QPA_PLATFORM")
