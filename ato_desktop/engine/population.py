"""Small pieces of the optimizer's population search, kept apart from engine/optimizer.py: compiling the
kernels before the clock starts, the population's diversity, and tournament selection."""

from __future__ import annotations

import numpy as np

from . import kernels as K
from . import local_search as SK
from .construct import new_ifs


def warm_up(sr) -> None:
    """Run every kernel once on throw-away data so that numba compiles them (or loads
    them from its on-disk cache) before the optimizer's clock starts."""
    cp = sr.cp
    st = K.new_state(cp)
    empty = np.full(cp.S, -1, np.int32)
    K.load_state(cp, st, empty, empty.copy())
    K.full_cost_kernel(cp, empty, empty.copy())
    rs = np.zeros(1, np.uint64)
    SK.construct(cp, st, rs, np.zeros(0, np.int64), sr.sr, 1.0)
    fpar = np.array([1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], np.float64)
    ipar = np.zeros(4, np.int64)
    bt, br = st.start.copy(), st.room.copy()
    bf = np.zeros(3, np.int64)
    SK.sa_chunk(cp, st, rs, sr.sr, fpar, ipar, 0, bt, br, bf)
    ifs = new_ifs(sr)
    SK.ifs_begin(cp, st, sr.sr, ifs, bt, br)
    SK.ifs_chunk(cp, st, rs, sr.sr, ifs, 0, bt, br)


def spread(pop) -> float:  # the population's diversity: mean share of sessions at another start, over all pairs
    d = [np.mean(a.start != b.start) for i, a in enumerate(pop) for b in pop[i + 1:]]
    return round(float(np.mean(d)), 4) if d else 0.0


def tournament(pop, k, tournsize, rng):
    out = []
    for _ in range(k):
        asp = [pop[rng.randrange(len(pop))] for _ in range(tournsize)]
        out.append(max(asp, key=lambda ind: ind.fitness))
    return out
