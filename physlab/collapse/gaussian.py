"""Fitting a Gaussian to samples of the previous fit, generation after generation.

Shumailov, Shumaylov, Zhao, Papernot, Anderson & Gal, "AI models collapse when trained on recursively
generated data", Nature 2024 (§ "Theoretical intuition", the single-dimensional Gaussian). Start from
N(0, 1); each generation draws M samples from the current fit and refits mean and (unbiased) variance.
Then σ_n² = Π_k χ²_{M−1,k}/(M−1): a multiplicative random walk with E σ_n² = 1 for every n but
E log σ_n² = n·[ψ((M−1)/2) + log(2/(M−1))] < 0 (ψ the digamma function), so almost every run's variance
collapses to 0 while the mean wanders with E(μ_n − μ0)² = Σ_k E σ_k²/M = n/M.

The chain is drawn exactly in law, not sample by sample: for M draws x = μ + σz, the sample mean is
μ + σ·z̄ with z̄ ~ N(0, 1/M) and the unbiased variance is σ²·χ²_{M−1}/(M−1), independent of z̄
(Cochran's theorem). So one generation costs one normal and one χ² variate whatever M is, and the
scale is carried as log σ²: summing M samples x ≈ μ in float64 loses σ once σ/|μ| ≈ 1e-8 (the
one-pass variance then cancels to 0 and log σ² to −∞ after ~150 generations at M = 10), while
log σ² itself only drifts linearly and stays finite for any number of generations.

Repeats run in parallel in numba, one random stream per (generation, repeat).
"""

from __future__ import annotations

import math

from numba import njit, prange

from physlab.core.numba_setup import JIT
from physlab.core.rng import chisquare, new_state, normal


@njit(parallel=True, **JIT)
def advance(seed, gen0, n_gen, M, mean, log_var, mean_out, log_var_out):
    """Take generations gen0+1 … gen0+n_gen for every repeat; write each generation's fit to
    ``mean_out[k, r]``, ``log_var_out[k, r]`` (log σ²) and leave the last in ``mean``,
    ``log_var``."""
    n_rep = mean.size
    inv_sqrt_m = 1.0 / math.sqrt(M)
    for r in prange(n_rep):
        mu, lv = mean[r], log_var[r]
        for k in range(n_gen):
            s = new_state(seed, (gen0 + k) * 1_048_576 + r)
            mu += math.exp(0.5 * lv) * inv_sqrt_m * normal(s)
            lv += math.log(chisquare(s, M - 1) / (M - 1))
            mean_out[k, r] = mu
            log_var_out[k, r] = lv
        mean[r] = mu
        log_var[r] = lv


def repeats_reach(M: int, repeats: int) -> float:
    """The generation up to which ``repeats`` runs can show E σ_n² = 1 (and so E(μ_n − μ0)² = n/M).

    log σ_n² is close to normal with variance V = n·ψ'((M−1)/2); E σ_n² = 1 is carried by runs
    within about one standard deviation of √V above the typical one, and the largest of R draws
    reaches about √(2 ln R) of them. Beyond V ≈ (√(2 ln R) − 1)² the sample mean falls below n/M
    although the law does not: the heavy tail, not a bias of the simulation."""
    return (math.sqrt(2.0 * math.log(max(repeats, 2))) - 1.0) ** 2 / log_variance_spread(M)


def digamma(x: float) -> float:
    """ψ(x) for x > 0: recurrence up to x ≥ 6, then the asymptotic series."""
    acc = 0.0
    while x < 6.0:
        acc -= 1.0 / x
        x += 1.0
    inv2 = 1.0 / (x * x)
    return acc + math.log(x) - 0.5 / x - inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 / 252))


def log_variance_drift(M: int) -> float:
    """E log(χ²_{M−1}/(M−1)) = ψ((M−1)/2) + log(2/(M−1)): the mean change of log σ² per generation."""
    return digamma((M - 1) / 2.0) + math.log(2.0 / (M - 1))


def log_variance_spread(M: int) -> float:
    """Var log(χ²_{M−1}/(M−1)) = ψ'((M−1)/2), by the trigamma series (per generation)."""
    return trigamma((M - 1) / 2.0)


def trigamma(x: float) -> float:
    """ψ'(x) for x > 0: recurrence up to x ≥ 6, then the asymptotic series."""
    acc = 0.0
    while x < 6.0:
        acc += 1.0 / (x * x)
        x += 1.0
    inv2 = 1.0 / (x * x)
    return acc + 1.0 / x + 0.5 * inv2 + inv2 / x * (1 / 6 - inv2 * (1 / 30 - inv2 / 42))
