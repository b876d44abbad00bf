"""Hutter's memorisation model over several generations, with temperature and top-p sampling.

Dohmatob, Feng, Yang, Charton & Kempe, "A Tale of Tails: Model Collapse as a Change of Scaling
Laws", ICML 2024 (§ on tail cutting and iterated generations; after M. Hutter, "Learning curve
theory", 2021). Items i ~ p_i ∝ i^{−β}. Generation 0 is the real distribution p. Generation g ≥ 1
is a memoriser trained on T0 draws from generation g − 1: it knows the items it has seen with the
probabilities it was trained on and never produces the others, and it samples with temperature τ
and nucleus (top-p) truncation:

    q_g ∝ (q_{g−1, i}·1[i seen among the T0 draws])^{1/τ}, then only the smallest head of mass ≥ top_p.

After one generation the tail is cut where T0·p_k ≈ 1, k ~ T0^{1/β} (the paper's cut-off), so the
test error E(T) = Σ_i p_i(1 − q_i)^T of a model trained on T draws of q_g gains a plateau, the mass
of the lost tail (their tail-cutting law E ≍ T^{−(1−1/β)} + k^{−(β−1)}). Each further generation
loses items near the cut again (an item survives a generation with probability 1 − (1 − q_i)^{T0}):
the cut-off k_g shrinks and the plateau moves up; τ < 1 narrows the tail to β/τ per generation
(exponent (β − 1)τ^g/β), top-p < 1 cuts the mass 1 − top_p at once.

The paper's law (:func:`paper_law`): finite sampling cuts the tail at k ≍ T0^{1/β} (their eq. 6), so
one generation gives E ≍ T^{−c} + T0^{−c}, c = 1 − 1/β (their Thm 2.1 with that k); over n
generations the law is quoted as E ≍ T^{−c} + n·T0^{−c} (we could not read the theorem's own text,
so no equation number). The constant of ≍ is Hutter's, C_β = Γ(1 − 1/β)/(β·Z^{1/β}) for
p_i = i^{−β}/Z (Σ_i p_i e^{−T p_i} → C_β T^{−c}). Ours (:func:`generation_factor`): in this chain
the plateau after n generations is C_β·S_n·T0^{−c} with S_n = Σ_{k=1}^{n} (−1)^{k+1} C(n, k) k^{−c}
(item i survives n generations with probability ≈ (1 − e^{−T0 p_i})^n; expand and integrate). S_1 = 1
and S_n ≤ n (the union bound): the quoted n·T0^{−c} is the bound, reached only at n = 1; S_n grows
like (ln n)^c (1.29, 1.46, 1.57, 1.65 for β = 2, n = 2…5).

The expectation drawn against the simulation is the mean-field one (:func:`expected_chain`):
survival events independent across items with the normalisation Z_g replaced by its mean, which is
a sum over 2^19 items and concentrates. The simulation draws every generator's T0 samples and the
downstream T samples one by one (alias tables of :mod:`.tails`), one random stream per
(repeat, generation).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from physlab.core.numba_setup import JIT
from physlab.core.rng import new_state

from .tails import _draw, alias_table


@njit(**JIT)
def next_generator(q, seen, temperature, top_p):
    """q_g from q_{g−1} and the items its memoriser saw: temperature on the seen support, then
    the top-p head (ranks are in decreasing order of q, as Zipf's are and stay)."""
    out = np.zeros(q.size)
    total = 0.0
    for i in range(q.size):
        if seen[i] and q[i] > 0.0:
            out[i] = math.exp(math.log(q[i]) / temperature)
            total += out[i]
    out /= total
    if top_p < 1.0:
        acc = 0.0
        for i in range(q.size):
            if acc >= top_p:
                out[i] = 0.0
            acc += out[i]
        out /= out.sum()
    return out


@njit(parallel=True, **JIT)
def simulate(seed, first, p, T0, n_gen, temperature, top_p, T_values, errors, lost):
    """errors[g, j, r]: unseen p-mass after T_values[j] draws from generation g (g = 0…n_gen), and
    lost[g, r] the p-mass generation g never produces, for repeats first…first+R−1."""
    n_rep = errors.shape[2]
    for r in prange(n_rep):
        q = p.copy()
        prob, alias = alias_table(q)
        seen = np.zeros(p.size, dtype=np.bool_)
        for g in range(n_gen + 1):
            s = new_state(seed, (first + r) * 64 + g)
            if g > 0:  # the memoriser of generation g trains on T0 draws of generation g − 1
                seen[:] = False
                for _ in range(T0):
                    seen[_draw(s, prob, alias)] = True
                q = next_generator(q, seen, temperature, top_p)
                prob, alias = alias_table(q)
            acc = 0.0
            for i in range(p.size):
                if q[i] == 0.0:
                    acc += p[i]
            lost[g, r] = acc
            seen[:] = False
            unseen, drawn = 1.0, 0
            for j in range(T_values.size):
                while drawn < T_values[j]:
                    i = _draw(s, prob, alias)
                    if not seen[i]:
                        seen[i] = True
                        unseen -= p[i]
                    drawn += 1
                errors[g, j, r] = max(unseen, 0.0)


def expected_chain(
    p: np.ndarray, T0: int, n_gen: int, temperature: float, top_p: float
) -> tuple[np.ndarray, np.ndarray]:
    """Mean-field (q̄_g, P_g) for g = 0…n_gen: the generator's probability of item i given it
    survives, and the probability P_g,i that it survives (is produced at all) in generation g."""
    qs, survive = [p.copy()], [np.ones_like(p)]
    w, P = p.copy(), np.ones_like(p)
    for _ in range(n_gen):
        q_bar = w / np.sum(w * P)  # the previous generator's q_i given i survives
        with np.errstate(divide="ignore"):  # q_i = 1: a generator left with one item
            P = P * -np.expm1(T0 * np.log1p(-np.minimum(q_bar, 1.0)))
        w = np.exp(np.log(w) / temperature)
        if top_p < 1.0:  # the head of expected mass ≥ top_p
            mass = np.cumsum(w * P) / np.sum(w * P)
            P = np.where(np.concatenate([[0.0], mass[:-1]]) < top_p, P, 0.0)
        qs.append(w / np.sum(w * P))
        survive.append(P.copy())
    return np.array(qs), np.array(survive)


def expected_error(
    p: np.ndarray, q_bar: np.ndarray, survive: np.ndarray, T_values: np.ndarray
) -> np.ndarray:
    """E(T) = Σ_i p_i[1 − P_i(1 − (1 − q̄_i)^T)] per generation (rows) and T (columns)."""
    out = np.empty((q_bar.shape[0], len(T_values)))
    for g, (q, P) in enumerate(zip(q_bar, survive)):
        with np.errstate(divide="ignore"):  # q_i = 1: a generator left with one item
            log_miss = np.log1p(-np.minimum(q, 1.0))
        for j, T in enumerate(T_values):
            out[g, j] = 1.0 - np.sum(p * P * -np.expm1(float(T) * log_miss))
    return out


def cutoff_rank(survive: np.ndarray) -> np.ndarray:
    """The mean-field cut-off k_g: the last rank produced with probability ≥ ½ (g ≥ 1)."""
    return np.array([int(np.flatnonzero(P >= 0.5).max()) + 1 for P in survive])


def hutter_constant(beta: float, n: int) -> float:
    """C_β of Σ_i p_i e^{−T p_i} → C_β T^{−(1−1/β)} for p_i = i^{−β}/Z on n items (Hutter,
    "Learning curve theory", 2021): C_β = Γ(1 − 1/β)/(β·Z^{1/β})."""
    z = float(np.sum(np.arange(1, n + 1, dtype=float) ** -beta))
    return math.gamma(1.0 - 1.0 / beta) / (beta * z ** (1.0 / beta))


def paper_law(beta: float, T0: int, n_gen: int, T_values: np.ndarray, n: int) -> np.ndarray:
    """The paper's law per generation g = 0…n_gen (rows) and T (columns):
    C_β(T^{−c} + g·T0^{−c}), c = 1 − 1/β (Dohmatob et al. 2024: Thm 2.1 with k ≍ T0^{1/β}, eq. 6;
    g·T0^{−c} as quoted for n generations). Generation 0 is the clean law."""
    c = 1.0 - 1.0 / beta
    g = np.arange(n_gen + 1, dtype=float)[:, None]
    T = np.asarray(T_values, dtype=float)[None, :]
    return hutter_constant(beta, n) * (T**-c + g * float(T0) ** -c)


def plateau_law(beta: float, T0: int, n_gen: int, n: int) -> np.ndarray:
    """Our plateau C_β·S_g·T0^{−c} per generation g = 0…n_gen (:func:`generation_factor`)."""
    c = 1.0 - 1.0 / beta
    return hutter_constant(beta, n) * generation_factor(n_gen, c) * float(T0) ** -c


def generation_factor(n_gen: int, c: float) -> np.ndarray:
    """S_g = Σ_{k=1}^{g} (−1)^{k+1} C(g, k) k^{−c} for g = 0…n_gen (ours): the plateau after g
    generations is C_β·S_g·T0^{−c}. The alternating sum loses ~C(30, 15)·ε ≈ 3e−8 at g = 30."""
    return np.array(
        [
            sum((-1) ** (k + 1) * math.comb(g, k) * k**-c for k in range(1, g + 1))
            for g in range(n_gen + 1)
        ]
    )
