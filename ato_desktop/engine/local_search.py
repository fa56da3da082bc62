"""The optimizer's local search, in numba: private RNG, greedy constructor, simulated-annealing chunks and their moves.

All randomness comes from a splitmix64 state array owned by the caller, so a run is
reproducible and independent of numpy's / numba's global generators.  The SA runs in
chunks of a given number of iterations; its full state (temperature, counters, RNG,
incumbent) lives in arrays, so cutting a run into chunks never changes its result.
The search's arrays travel as one :class:`SR` bundle; ``fpar`` / ``ipar`` follow the
``F_*`` / ``I_*`` layouts.

The kernels themselves are defined at the end of :mod:`ato_desktop.engine.kernels`
(see the note there on why that file is not split); this module is their public name.
"""

from __future__ import annotations

from .kernels import (  # noqa: F401
    F_ALPHA, F_PCROOM, F_PFOCUS, F_PKEMPE, F_PROOM, F_PSWAP, F_PSYNC, F_TEMP, F_W, I_ACC, I_IMPR, I_ITER, I_SKIP,
    SR, construct, course_room_move, focus_move, kempe_rooms, rnd_float, rnd_int, rnd_next, sa_chunk,
    IFS, ifs_begin, ifs_chunk,
)
