"""Compile the engine's numba kernels ahead of the first optimizer run ("warm-up").

The kernels in :mod:`ato_desktop.engine.kernels` are ``@njit(cache=True)``: the very
first run after an install or an upgrade compiles them (tens of seconds of CPU), every
later run loads numba's on-disk cache in about a second.  :func:`warm_up` does that
first compilation on purpose - from the installer, from ``ato-desktop warm-up`` or
from a background process the desktop app starts - by running every numba entry point
that the optimizer, :class:`~ato_desktop.engine.state.State` and the cost functions
call, on a tiny problem built here.  numba compiles one specialization per argument
*type*; the tiny problem goes through :func:`~ato_desktop.engine.kernels.compile_problem`
and :func:`~ato_desktop.engine.kernels.new_state` exactly like a real one, so the
cached specializations are the ones real runs need (tested: after a warm-up, a real
ITC-2007 run in a new process compiles nothing).

:func:`is_warm` is cheap (no numba import): it compares a marker file, written after a
successful warm-up, with a key made of the engine fingerprint
(:func:`ato_desktop.frozen.engine_fingerprint`), the numba and Python versions, the
source stamp numba itself checks (``kernels.py``'s mtime and size, or the executable's
in a frozen build) and the numba cache folder in use.  Where the marker lives:

* ``$ATO_DESKTOP_WARMUP_DIR`` when set (tests);
* else ``$NUMBA_CACHE_DIR`` when set (a frozen build sets it: the marker lives and dies
  with the cache it describes);
* else ``<user cache dir>/warmup``.

Two processes warming up at once (the installer's post-install step and the app) are
safe: the second waits on an OS file lock (released by the OS even if the holder is
killed), then finds everything in numba's cache and finishes in seconds.  numba writes
its cache files atomically (temporary file + rename), the marker is written the same way.

No Qt, no SQLAlchemy.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from ato_desktop import APP_NAME, __version__

MARKER_DIR_ENV = "ATO_DESKTOP_WARMUP_DIR"
LOCK_WAIT_SECONDS = 1800.0  # longest wait for another process's warm-up before warming up anyway

StepCallback = Callable[[str], None]


# --------------------------------------------------------------------------------------
# where / key
# --------------------------------------------------------------------------------------

def engine_dir() -> Path:
    """The folder of the engine's sources (in a bundle: the one ``frozen.configure_frozen_runtime`` hashes)."""
    return Path(__file__).resolve().parent


def fingerprint() -> str:
    from ato_desktop.frozen import engine_fingerprint

    return engine_fingerprint(engine_dir())


def marker_dir(environ=os.environ) -> Path:
    if environ.get(MARKER_DIR_ENV):
        return Path(environ[MARKER_DIR_ENV])
    if environ.get("NUMBA_CACHE_DIR"):
        return Path(environ["NUMBA_CACHE_DIR"])
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / "warmup"


def _marker_name() -> str:
    """The engine fingerprint and where its kernels live: two installs of one release (two virtual
    environments, a checkout beside a bundle) each keep their own numba cache and so their own marker."""
    import hashlib

    where = hashlib.sha256(str(_source_stamp()[0]).encode()).hexdigest()[:8]
    return f"ato-warm-{fingerprint()}-{where}"


def marker_path(environ=os.environ) -> Path:
    return marker_dir(environ) / f"{_marker_name()}.json"


def _lock_path(environ=os.environ) -> Path:
    return marker_dir(environ) / f"{_marker_name()}.lock"


def _numba_version() -> str:
    try:
        from importlib.metadata import version

        return version("numba")
    except Exception:  # frozen builds may ship no metadata; the fingerprint then covers the release
        return "?"


def _source_stamp() -> list:
    """What numba checks before trusting a cache entry: the source file's (or, frozen, the
    executable's) modification time and size.  In a frozen build that is the running
    executable: on Windows the windowed ``ato-desktop.exe`` and the console
    ``ato-desktop-cli.exe`` differ, and kernels cached by one are recompiled by the other."""
    path = Path(sys.executable).resolve() if getattr(sys, "frozen", False) else engine_dir() / "kernels.py"
    try:
        st = path.stat()
    except OSError:
        return [str(path), None, None]
    return [str(path), st.st_mtime_ns, st.st_size]


def warm_key(environ=os.environ) -> dict:
    """Everything that, when it changes, makes numba's cache (and so the marker) stale."""
    return {
        "app": __version__,
        "fingerprint": fingerprint(),
        "numba": _numba_version(),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "stamp": _source_stamp(),
        "numba_cache_dir": environ.get("NUMBA_CACHE_DIR") or "",
    }


def is_warm(environ=os.environ) -> bool:
    """True when a warm-up with the current key finished (cheap: no numba import)."""
    try:
        data = json.loads(marker_path(environ).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("key") == warm_key(environ)


def _write_marker(seconds: float, environ=os.environ) -> Path:
    path = marker_path(environ)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"key": warm_key(environ), "seconds": round(seconds, 3),
                               "written": time.time()}, indent=1), encoding="utf-8")
    os.replace(tmp, path)
    return path


def forget(environ=os.environ) -> None:
    """Remove the marker (the next :func:`is_warm` is False); numba's cache is left alone."""
    with contextlib.suppress(OSError):
        marker_path(environ).unlink()


# --------------------------------------------------------------------------------------
# an OS file lock (released by the OS when the holder dies)
# --------------------------------------------------------------------------------------

def _try_lock(fd: int) -> bool:
    try:
        if os.name == "nt":
            import msvcrt

            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


def _unlock(fd: int) -> None:
    with contextlib.suppress(OSError):
        if os.name == "nt":
            import msvcrt

            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_UN)


@contextlib.contextmanager
def _exclusive(on_step: StepCallback | None, environ=os.environ,
               wait: float = LOCK_WAIT_SECONDS) -> Iterator[bool]:
    """Hold the warm-up lock (waiting for another process's warm-up); yields False when
    no lock could be had (folder not writable, or waited too long): the warm-up then runs anyway."""
    path = _lock_path(environ)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield False
        return
    try:
        got = _try_lock(fd)
        if not got:
            if on_step is not None:
                on_step("another process is preparing the optimizer; waiting for it")
            deadline = time.monotonic() + wait
            while not got and time.monotonic() < deadline:
                time.sleep(0.25)
                got = _try_lock(fd)
        try:
            yield got
        finally:
            if got:
                _unlock(fd)
    finally:
        os.close(fd)


# --------------------------------------------------------------------------------------
# the tiny problem
# --------------------------------------------------------------------------------------

def tiny_problem():
    """A small department-like problem that touches every kernel branch family: a break
    slot, a two-period session, a session without a room, a sync set, a locked session,
    preferences, availability and per-resource limits."""
    from .problem import DEFAULT_WEIGHTS, RESOURCE_FACULTY, RESOURCE_GROUP, Problem

    D, P = 2, 4
    T = D * P
    usable = np.ones(T, bool)
    usable[2] = False  # a break
    R = 2
    kinds = np.array([RESOURCE_FACULTY, RESOURCE_FACULTY, RESOURCE_GROUP, RESOURCE_GROUP], np.int8)
    Q = len(kinds)
    res_avail = np.ones((Q, T), bool)
    res_avail[0, 7] = False
    res_pref = np.zeros((Q, T), np.int8)
    res_pref[1, 0] = 1
    res_pref[0, 3] = -1
    # sessions: (course, duration, size, resources, needs_room)
    sessions = [
        (0, 1, 30, [0, 2], True),
        (0, 1, 30, [0, 2], True),
        (1, 2, 20, [1, 3], True),   # a two-period lab
        (2, 1, 25, [0, 3], True),   # sync with session 4
        (3, 1, 25, [1, 2], True),
        (1, 1, 20, [1, 3], False),  # field work: no room
    ]
    S = len(sessions)
    indptr = [0]
    indices: list[int] = []
    for _, _, _, res, _ in sessions:
        indices.extend(res)
        indptr.append(len(indices))
    allowed = np.ones((S, R), bool)
    allowed[2, 0] = False  # the lab needs the lab room
    sess_avail = np.ones((S, T), bool)
    sess_avail[1, 4] = False
    sess_pref = np.zeros((S, T), np.int8)
    sess_pref[0, 1] = 1
    locked_start = np.full(S, -1, np.int32)
    locked_room = np.full(S, -1, np.int32)
    locked_start[0], locked_room[0] = 0, 0
    return Problem(
        name="warm-up", n_days=D, periods_per_day=P,
        day_names=("D1", "D2"), period_labels=tuple(f"P{p + 1}" for p in range(P)),
        slot_usable=usable,
        room_names=("R1", "LAB"), room_capacity=np.array([30, 20], np.int32),
        room_available=np.ones((R, T), bool),
        resource_names=("F1", "F2", "G1", "G2"), resource_kind=kinds,
        resource_available=res_avail, resource_pref=res_pref,
        resource_max_daily=np.array([3, 0, 0, 0], np.int32),
        resource_max_consecutive=np.array([2, 0, 0, 0], np.int32),
        resource_max_days=np.array([1, 0, 0, 0], np.int32),
        course_names=("C1", "C2", "C3", "C4"), course_min_days=np.array([2, 1, 0, 0], np.int32),
        session_labels=tuple(f"S{s}" for s in range(S)),
        session_activity=np.array([x[0] for x in sessions], np.int32),
        session_course=np.array([x[0] for x in sessions], np.int32),
        session_duration=np.array([x[1] for x in sessions], np.int32),
        session_size=np.array([x[2] for x in sessions], np.int32),
        res_indptr=np.array(indptr, np.int32), res_indices=np.array(indices, np.int32),
        session_allowed_rooms=allowed, session_available=sess_avail, session_pref=sess_pref,
        session_needs_room=np.array([x[4] for x in sessions], bool),
        sync_sets=(np.array([3, 4], np.int32),),
        locked_start=locked_start, locked_room=locked_room,
        weights=dict(DEFAULT_WEIGHTS),
    )


# --------------------------------------------------------------------------------------
# warm-up
# --------------------------------------------------------------------------------------

# The warm-up's steps, in order, with the share of a cold compile each takes (measured on a 2-core machine;
# only the ratios matter): the progress bar moves by these, and the time left is estimated from them.
STEP_WEIGHTS = (
    ("loading the engine", 1),
    ("compiling the problem tables", 3),
    ("compiling the cost functions", 13),
    ("compiling the incremental state", 35),
    ("compiling the optimizer's search", 47),
    ("checking the explained evaluation", 1),
)


def step_fraction(text: str) -> float | None:
    """The share of the warm-up done when the step ``text`` starts (0.0 … 1.0), None for another line."""
    total = sum(w for _, w in STEP_WEIGHTS)
    done = 0
    for name, weight in STEP_WEIGHTS:
        if text == name:
            return done / total
        done += weight
    return None


def estimate_left(fraction: float, elapsed: float) -> float | None:
    """Seconds left when ``fraction`` of the work took ``elapsed`` seconds (None: too early to say)."""
    if fraction <= 0.03 or elapsed <= 0:
        return None
    return max(0.0, elapsed / fraction - elapsed)


def _run_kernels(step: StepCallback) -> None:
    """Call every numba entry point the app uses, with the argument types real runs use."""
    step("loading the engine")
    from . import kernels as K
    from .evaluate import evaluate
    from .optimizer import OptimizeParams, optimize
    from .problem import Assignment
    from .state import State, full_cost, full_counts

    problem = tiny_problem()
    step("compiling the problem tables")
    K.compile_problem(problem)  # _fill_static_kernel, start_counts

    step("compiling the cost functions")
    a = Assignment.empty(problem)
    a.start[:] = [0, 1, 4, 3, 3, 5]
    a.room[:] = [0, 0, 1, 1, 0, -1]
    full_cost(problem, a)
    full_counts(problem, a)

    step("compiling the incremental state")
    st = State(problem, a)  # load_state
    st.counts()
    st.delta_move(1, 6, 1)
    st.delta_swap(1, 2)
    st.move_grid(2)
    st.move_grid(5)
    st.apply_move(1, 6, 1)
    st.apply_swap(1, 4)

    step("compiling the optimizer's search")
    small = dict(time_limit=None, generations=2, seed=0, population_size=2,
                 init_iterations=300, generation_iterations=300)
    optimize(problem, params=OptimizeParams(**small))
    optimize(problem, start=st.assignment(), params=OptimizeParams(**small, minimal_change=True))

    step("checking the explained evaluation")
    evaluate(problem, a)


def warm_up(on_step: StepCallback | None = None, environ=os.environ) -> float:
    """Compile (or load from numba's cache) every kernel, then write the marker.

    Returns the seconds spent running the kernels (compiling on a cold cache, about a
    second on a warm one).  ``on_step(text)`` is told what is happening.  Raises whatever
    the kernels raise; the marker is then not written.
    """
    def step(text: str) -> None:
        if on_step is not None:
            on_step(text)

    global _loaded
    with _exclusive(on_step, environ):
        t0 = time.perf_counter()
        with _load_lock:
            _run_kernels(step)
            _loaded = True
        seconds = time.perf_counter() - t0
        try:
            _write_marker(seconds, environ)
        except OSError as exc:  # the kernels are cached all the same; only is_warm() stays False
            step(f"could not write the warm-up marker {marker_path(environ)}: {exc.strerror or exc}")
    return seconds


# --------------------------------------------------------------------------------------
# loading the kernels into this process
# --------------------------------------------------------------------------------------

_load_lock = threading.Lock()
_loaded = False


def kernels_loaded() -> bool:
    """True once every kernel is loaded into THIS process (by :func:`load_kernels` or :func:`warm_up`).

    After a warm-up (in another process) numba's on-disk cache holds the compiled kernels,
    but each process still loads them on first use: about half a second to a second of
    work that partly holds the GIL (a GUI thread doing it, or waiting for it, stalls).
    """
    return _loaded


def load_kernels(on_step: StepCallback | None = None) -> float:
    """Load (from numba's cache; compile when it is cold) every kernel the app uses into this
    process, by running them on :func:`tiny_problem` - no lock file, no marker.  Once per
    process; thread-safe (a second caller waits for the first).  Meant for a worker thread
    before the first optimizer run or engine state.  Returns the seconds spent (0.0 when
    already loaded)."""
    global _loaded
    if _loaded:
        return 0.0
    with _load_lock:
        if _loaded:
            return 0.0
        t0 = time.perf_counter()
        _run_kernels(on_step or (lambda _text: None))
        _loaded = True
        return time.perf_counter() - t0


def kernel_cache_stats() -> dict[str, tuple[int, int]]:
    """``{kernel name: (cache hits, cache misses)}`` of this process so far (imports numba).

    A miss is a compilation; after :func:`warm_up` in an earlier process, a real run
    should add hits only."""
    from numba.core.registry import CPUDispatcher

    from . import kernels as K

    out = {}
    for name, obj in vars(K).items():
        if isinstance(obj, CPUDispatcher):
            s = obj.stats
            out[name] = (sum(s.cache_hits.values()), sum(s.cache_misses.values()))
    return out


__all__ = ["STEP_WEIGHTS", "step_fraction", "estimate_left", "warm_up", "is_warm", "load_kernels", "kernels_loaded", "forget", "marker_path", "marker_dir",
           "warm_key", "tiny_problem", "kernel_cache_stats", "MARKER_DIR_ENV"]
