"""Hutter's memorisation model of scaling laws and what synthetic data does to its tail.

Dohmatob, Feng, Yang, Charton & Kempe, "A Tale of Tails: Model Collapse as a Change of Scaling
Laws", ICML 2024 (after M. Hutter, "Learning curve theory", 2021). Inputs are items i = 1…N with
Zipf probabilities p_i ∝ i^{−β} (β > 1), each with a fixed label; a model trained on T draws from a
distribution q knows exactly the items it has seen, so its test error is the p-mass of the unseen
items, E = Σ_i p_i(1 − q_i)^T (Eq. 2). Clean data (q = p) gives E ~ T^{−(1−1/β)}; a generator that
cuts the tail at rank k leaves the plateau Σ_{i>k} p_i; tail narrowing (q ∝ i^{−β'}, β' > β) slows the
exponent to (β−1)/β'; mixing a clean fraction π (q = πp + (1−π)q_cut) gives a plateau then a second
descent once πT is large.

The simulation draws the T samples one by one (Walker's alias method, O(1) per draw), marks the items
seen, and records the unseen mass at each T checkpoint; repeats run in parallel. N = 2^19 items (the
same finite N in theory and simulation).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from physlab.core.numba_setup import JIT
from physlab.core.rng import new_state, next_u64, uniform

N_ITEMS = 1 << 19
CURVES = ("clean", "tail cut at rank k", "tail narrowed to β'", "clean fraction π + cut")
CLEAN, CUT, NARROW, MIXED = range(4)


def zipf(beta: float, n: int = N_ITEMS) -> np.ndarray:
    p = np.arange(1, n + 1, dtype=float) ** -beta
    return p / p.sum()


def generators(beta: float, cutoff: int, narrowed: float) -> dict[int, np.ndarray]:
    """The data distributions q: clean p, p cut at rank k (renormalised), and the narrowed Zipf."""
    p = zipf(beta)
    cut = p.copy()
    cut[cutoff:] = 0.0
    return {CLEAN: p, CUT: cut / cut.sum(), NARROW: zipf(narrowed)}


@njit(**JIT)
def alias_table(q):
    """Walker/Vose alias table: draw i uniformly, keep it with probability prob[i], else alias[i]."""
    n = q.size
    prob = q * n
    alias = np.arange(n).astype(np.int32)
    small = np.empty(n, dtype=np.int32)
    large = np.empty(n, dtype=np.int32)
    ns = nl = 0
    for i in range(n):
        if prob[i] < 1.0:
            small[ns] = i
            ns += 1
        else:
            large[nl] = i
            nl += 1
    while ns > 0 and nl > 0:
        ns -= 1
        s, g = small[ns], large[nl - 1]
        alias[s] = g  # column s: keep s with prob[s], else g
        prob[g] -= 1.0 - prob[s]
        if prob[g] < 1.0:  # g gave away enough to become small itself
            nl -= 1
            small[ns] = g
            ns += 1
    for i in range(ns):
        prob[small[i]] = 1.0
    for i in range(nl):
        prob[large[i]] = 1.0
    return prob, alias


@njit(**JIT)
def _draw(s, prob, alias):
    bits = next_u64(s)
    i = np.int64(bits >> np.uint64(40)) * prob.size >> 24  # top 24 bits pick the column
    coin = (bits & np.uint64(0xFFFFFFFFFF)) * (1.0 / 1099511627776.0)  # low 40 bits: the coin
    return i if coin < prob[i] else alias[i]


@njit(parallel=True, **JIT)
def simulate(
    seed, first, p, tables_prob, tables_alias, mix_table, clean_fraction, T_values, errors
):
    """errors[curve, j, r] = unseen p-mass after T_values[j] draws, for repeats first…first+R−1.
    ``tables_*[c]`` is the alias table of curve c's generator; the mixed curve draws from the clean
    table with probability π and from ``mix_table`` otherwise."""
    n_curves, n_t, n_rep = errors.shape
    for r in prange(n_rep):
        seen = np.zeros(p.size, dtype=np.bool_)
        for c in range(n_curves):
            s = new_state(seed, (first + r) * 8 + c)
            seen[:] = False
            unseen = 1.0
            drawn = 0
            for j in range(n_t):
                while drawn < T_values[j]:
                    if c == MIXED and uniform(s) >= clean_fraction:
                        i = _draw(s, tables_prob[mix_table], tables_alias[mix_table])
                    elif c == MIXED:
                        i = _draw(s, tables_prob[CLEAN], tables_alias[CLEAN])
                    else:
                        i = _draw(s, tables_prob[c], tables_alias[c])
                    if not seen[i]:
                        seen[i] = True
                        unseen -= p[i]
                    drawn += 1
                errors[c, j, r] = max(unseen, 0.0)


@njit(parallel=True, **JIT)
def expected_error(p, q, T_values):
    """Hutter's test error E(T) = Σ_i p_i (1 − q_i)^T for each T."""
    out = np.zeros(T_values.size)
    for j in prange(T_values.size):
        acc = 0.0
        for i in range(p.size):
            if q[i] < 1.0:
                acc += p[i] * math.exp(T_values[j] * math.log1p(-q[i]))
        out[j] = acc
    return out
