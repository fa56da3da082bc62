"""Numba search kernels: private RNG, greedy constructor, simulated annealing chunks.

All randomness comes from a splitmix64 state array owned by the caller, so a run is
reproducible and independent of numpy's / numba's global generators.  The SA runs in
chunks of a given number of iterations; its full state (temperature, counters, RNG,
incumbent) lives in arrays, so cutting a run into chunks never changes its result.

The kernels themselves are defined at the end of :mod:`ato_desktop.engine.kernels`
(one file, so that numba's on-disk cache never mixes an old copy of the delta code
with a new search loop); this module is their public name.
"""

from __future__ import annotations

from .kernels import (  # noqa: F401
    F_ALPHA, F_PCROOM, F_PFOCUS, F_PKEMPE, F_PROOM, F_PSWAP, F_PSYNC, F_TEMP, F_W, I_ACC, I_IMPR, I_ITER, I_SKIP,
    construct, course_room_move, focus_move, kempe_rooms, rnd_float, rnd_int, rnd_next, sa_chunk,
)
