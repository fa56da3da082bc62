"""Numba search kernels: private RNG, greedy constructor, simulated annealing chunks.

All randomness comes from a splitmix64 state array owned by the caller, so a run is
reproducible and independent of numpy's / numba's global generators.  The SA runs in
chunks of a given number of iterations; its full state (temperature, counters, RNG,
incumbent) lives in arrays, so cutting a run into chunks never changes its result.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .kernels import NC, commit_moves, delta_moves_i as delta_moves

# fpar layout (float64): temperature, per-iteration cooling factor, hard weight W,
#   p_sync, p_swap, p_room, p_kempe
F_TEMP, F_ALPHA, F_W, F_PSYNC, F_PSWAP, F_PROOM, F_PKEMPE = range(7)
# ipar layout (int64): iterations done, accepted, improving
I_ITER, I_ACC, I_IMPR = range(3)


@njit(cache=True, nogil=True)
def rnd_next(rs):
    rs[0] += np.uint64(0x9E3779B97F4A7C15)
    z = rs[0]
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit(cache=True, nogil=True)
def rnd_int(rs, n):
    return np.int64(rnd_next(rs) % np.uint64(n))


@njit(cache=True, nogil=True)
def rnd_float(rs):
    return np.float64(rnd_next(rs) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True, nogil=True)
def _pick_room(cp, rs, s):
    a = cp.ar_ptr[s]
    n = cp.ar_ptr[s + 1] - a
    if n == 0:
        return rnd_int(rs, cp.R)
    return cp.ar_idx[a + rnd_int(rs, n)]


@njit(cache=True, nogil=True)
def construct(cp, st, rs, units, u_ptr, u_idx, u_fixed, cs_ptr, cs_idx, W):
    """Greedily place each unit (in the given order) where W*hard + soft rises least.

    A unit is one session or a sync set (all members share the start).  Ties are
    broken at random.  Start slots come from the session's candidate list.
    """
    tmp = np.zeros(NC, np.int64)
    kmax = cp.kmax
    ms = np.zeros(kmax, np.int64)
    mt = np.zeros(kmax, np.int64)
    mr = np.zeros(kmax, np.int64)
    bt = np.zeros(kmax, np.int64)
    br = np.zeros(kmax, np.int64)
    for ui in range(len(units)):
        u = units[ui]
        a = u_ptr[u]
        k = u_ptr[u + 1] - a
        s0 = u_idx[a]
        best = np.inf
        ties = 0
        fixed = u_fixed[u]
        if fixed >= 0:
            nt = 1
        else:
            nt = cs_ptr[s0 + 1] - cs_ptr[s0]
        for ti in range(nt):
            t = fixed if fixed >= 0 else cs_idx[cs_ptr[s0] + ti]
            if k == 1:
                s = s0
                ms[0] = s
                mt[0] = t
                if cp.needs_room[s] and cp.lock_r[s] < 0:
                    na = cp.ar_ptr[s + 1] - cp.ar_ptr[s]
                    nr = na if na > 0 else cp.R
                else:
                    nr = 1
                for ri in range(nr):
                    if cp.needs_room[s] and cp.lock_r[s] < 0:
                        na = cp.ar_ptr[s + 1] - cp.ar_ptr[s]
                        mr[0] = cp.ar_idx[cp.ar_ptr[s] + ri] if na > 0 else ri
                    elif cp.lock_r[s] >= 0:
                        mr[0] = cp.lock_r[s]
                    else:
                        mr[0] = -1
                    dh, ds, dp = delta_moves(cp, st, ms, mt, mr, 1, tmp)
                    f = W * dh + ds + dp
                    if f < best:
                        best = f
                        ties = 1
                        bt[0] = t
                        br[0] = mr[0]
                    elif f == best:
                        ties += 1
                        if rnd_int(rs, ties) == 0:
                            bt[0] = t
                            br[0] = mr[0]
            else:
                for i in range(k):
                    s = u_idx[a + i]
                    ms[i] = s
                    mt[i] = t
                    if cp.lock_r[s] >= 0:
                        mr[i] = cp.lock_r[s]
                    elif not cp.needs_room[s]:
                        mr[i] = -1
                    else:
                        # first allowed room free over the session's slots and not taken by an earlier member
                        chosen = -1
                        for j in range(cp.ar_ptr[s], cp.ar_ptr[s + 1]):
                            r = cp.ar_idx[j]
                            ok = True
                            for v in range(t, min(t + cp.dur[s], cp.T)):
                                if st.rocc[r, v] > 0:
                                    ok = False
                                    break
                            if ok:
                                for m in range(i):
                                    if mr[m] == r:
                                        ok = False
                                        break
                            if ok:
                                chosen = r
                                break
                        mr[i] = chosen if chosen >= 0 else _pick_room(cp, rs, s)
                dh, ds, dp = delta_moves(cp, st, ms, mt, mr, k, tmp)
                f = W * dh + ds + dp
                take = False
                if f < best:
                    best = f
                    ties = 1
                    take = True
                elif f == best:
                    ties += 1
                    take = rnd_int(rs, ties) == 0
                if take:
                    for i in range(k):
                        bt[i] = t
                        br[i] = mr[i]
        for i in range(k):
            ms[i] = u_idx[a + i]
            mt[i] = bt[i]
            mr[i] = br[i]
        dh, ds, dp = delta_moves(cp, st, ms, mt, mr, k, tmp)
        commit_moves(cp, st, ms, mt, mr, k, dh, ds, dp)


@njit(cache=True, nogil=True)
def _better(h, s, bh, bs):
    return h < bh or (h == bh and s < bs)


@njit(cache=True, nogil=True)
def _kempe(cp, st, rs, s, t2, chain, in_chain, ms, mt, mr, cap):
    """Kempe chain between the start of s (t1) and t2 over sessions sharing a resource.

    Only duration-1, individually movable sessions (in_chain marks) take part; returns
    the number of sessions in the chain (0 if it would exceed cap or touch a fixed one).
    """
    t1 = st.start[s]
    n = 1
    chain[0] = s
    in_chain[s] = 1
    head = 0
    ok = True
    while head < n and ok:
        x = chain[head]
        head += 1
        tx = st.start[x]
        other = t2 if tx == t1 else t1
        for j in range(st.slot_n[other]):
            y = st.slot_list[other, j]
            if in_chain[y] != 0 or not cp.conf[x, y]:
                continue
            if in_chain[y] == 0 and st.start[y] == other and cp.dur[y] == 1:
                pass
            else:
                ok = False
                break
            if n >= cap:
                ok = False
                break
            chain[n] = y
            in_chain[y] = 1
            n += 1
    for i in range(n):
        in_chain[chain[i]] = 0
    if not ok:
        return 0
    for i in range(n):
        y = chain[i]
        ms[i] = y
        mt[i] = t2 if st.start[y] == t1 else t1
        mr[i] = st.room[y]
    return n


@njit(cache=True, nogil=True)
def sa_chunk(cp, st, rs, mov, rmov, syu, u_ptr, u_idx, kempe_ok, cs_ptr, cs_idx,
             fpar, ipar, n_iter, best_t, best_r, best_f, ms, mt, mr, chain, in_chain):
    """Run n_iter simulated-annealing iterations on st (minimising W*hard + soft + penalty).

    Neighbourhoods: move one session (new start and maybe new room), room-only change,
    swap two sessions (exchange starts, and rooms half of the time), move a whole sync
    set to a new start, Kempe chain between two start slots.  The best (hard, soft+pen)
    seen is copied into best_t / best_r / best_f.
    """
    tmp = np.zeros(NC, np.int64)
    temp = fpar[F_TEMP]
    alpha = fpar[F_ALPHA]
    W = fpar[F_W]
    p_sync = fpar[F_PSYNC] if len(syu) > 0 else 0.0
    p_swap = fpar[F_PSWAP] if len(mov) > 1 else 0.0
    p_room = fpar[F_PROOM] if len(rmov) > 0 else 0.0
    p_kempe = fpar[F_PKEMPE] if len(mov) > 1 else 0.0
    nmov = len(mov)
    cap = len(ms)
    for _ in range(n_iter):
        u = rnd_float(rs)
        k = 0
        if u < p_sync:
            un = syu[rnd_int(rs, len(syu))]
            a = u_ptr[un]
            k = u_ptr[un + 1] - a
            s0 = u_idx[a]
            nc = cs_ptr[s0 + 1] - cs_ptr[s0]
            t = cs_idx[cs_ptr[s0] + rnd_int(rs, nc)] if nc > 0 else rnd_int(rs, cp.T)
            for i in range(k):
                s = u_idx[a + i]
                ms[i] = s
                mt[i] = t
                mr[i] = st.room[s]
                if cp.needs_room[s] and cp.lock_r[s] < 0 and (st.room[s] < 0 or rnd_float(rs) < 0.3):
                    mr[i] = _pick_room(cp, rs, s)
        elif u < p_sync + p_swap:
            x = mov[rnd_int(rs, nmov)]
            y = mov[rnd_int(rs, nmov)]
            if x == y or st.start[x] == st.start[y]:
                continue
            k = 2
            ms[0] = x
            ms[1] = y
            mt[0] = st.start[y]
            mt[1] = st.start[x]
            if rnd_float(rs) < 0.5:
                mr[0] = st.room[y] if cp.lock_r[x] < 0 else st.room[x]
                mr[1] = st.room[x] if cp.lock_r[y] < 0 else st.room[y]
            else:
                mr[0] = st.room[x]
                mr[1] = st.room[y]
        elif u < p_sync + p_swap + p_room:
            s = rmov[rnd_int(rs, len(rmov))]
            if st.start[s] < 0:
                continue
            r = _pick_room(cp, rs, s)
            if r == st.room[s]:
                continue
            k = 1
            ms[0] = s
            mt[0] = st.start[s]
            mr[0] = r
        elif u < p_sync + p_swap + p_room + p_kempe:
            s = mov[rnd_int(rs, nmov)]
            if not kempe_ok[s] or st.start[s] < 0:
                continue
            nc = cs_ptr[s + 1] - cs_ptr[s]
            if nc == 0:
                continue
            t2 = cs_idx[cs_ptr[s] + rnd_int(rs, nc)]
            if t2 == st.start[s]:
                continue
            k = _kempe(cp, st, rs, s, t2, chain, in_chain, ms, mt, mr, cap)
            if k == 0:
                continue
            # every chain member must be individually movable
            okm = True
            for i in range(k):
                if not kempe_ok[ms[i]]:
                    okm = False
                    break
            if not okm:
                continue
        else:
            s = mov[rnd_int(rs, nmov)]
            nc = cs_ptr[s + 1] - cs_ptr[s]
            t = cs_idx[cs_ptr[s] + rnd_int(rs, nc)] if nc > 0 else rnd_int(rs, cp.T)
            r = st.room[s]
            if cp.needs_room[s] and cp.lock_r[s] < 0 and (r < 0 or rnd_float(rs) < 0.5):
                r = _pick_room(cp, rs, s)
            if t == st.start[s] and r == st.room[s]:
                continue
            k = 1
            ms[0] = s
            mt[0] = t
            mr[0] = r
        dh, ds, dp = delta_moves(cp, st, ms, mt, mr, k, tmp)
        f = W * dh + ds + dp
        ipar[I_ITER] += 1
        if f <= 0 or rnd_float(rs) < np.exp(-f / temp):
            commit_moves(cp, st, ms, mt, mr, k, dh, ds, dp)
            ipar[I_ACC] += 1
            if f < 0:
                ipar[I_IMPR] += 1
            h = st.tot[0]
            sp = st.tot[1] + st.tot[2]
            if _better(h, sp, best_f[0], best_f[1]):
                best_f[0] = h
                best_f[1] = sp
                best_f[2] = st.tot[1]
                best_t[:] = st.start
                best_r[:] = st.room
        temp *= alpha
    fpar[F_TEMP] = temp
