"""Fitting a Gaussian to samples of the previous fit, generation after generation.

Shumailov, Shumaylov, Zhao, Papernot, Anderson & Gal, "AI models collapse when trained on recursively
generated data", Nature 2024 (§ "Theoretical intuition", the single-dimensional Gaussian). Start from
N(0, 1); each generation draws M samples from the current fit and refits mean and (unbiased) variance.
Then σ_n² = Π_k χ²_{M−1,k}/(M−1): a multiplicative random walk with E σ_n² = 1 for every n but
E log σ_n² = n·[ψ((M−1)/2) + log(2/(M−1))] < 0 (ψ the digamma function), so almost every run's variance
collapses to 0 while the mean wanders with E(μ_n − μ0)² = n/M.

Repeats run in parallel in numba, one random stream per (generation, repeat).
"""
from __future__ import annotations

import math

from numba import njit, prange

from physlab.core.numba_setup import JIT
from physlab.core.rng import new_state, normal


@njit(parallel=True, **JIT)
def advance(seed, gen0, n_gen, M, mean, var, mean_out, var_out):
    """Take generations gen0+1 … gen0+n_gen for every repeat; write each generation's fit to
    ``mean_out[k, r]``, ``var_out[k, r]`` and leave the last in ``mean``, ``var``."""
    n_rep = mean.size
    for r in prange(n_rep):
        mu, sd = mean[r], math.sqrt(var[r])
        for k in range(n_gen):
            s = new_state(seed, (gen0 + k) * 1_048_576 + r)
            total = 0.0
            total_sq = 0.0
            for _ in range(M):
                x = mu + sd * normal(s)
                total += x
                total_sq += x * x
            mu_new = total / M
            v = max((total_sq - M * mu_new * mu_new) / (M - 1), 0.0)
            mu, sd = mu_new, math.sqrt(v)
            mean_out[k, r] = mu
            var_out[k, r] = v
        mean[r] = mu
        var[r] = sd * sd


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
    x, acc = (M - 1) / 2.0, 0.0
    while x < 6.0:
        acc += 1.0 / (x * x)
        x += 1.0
    inv2 = 1.0 / (x * x)
    return acc + 1.0 / x + 0.5 * inv2 + inv2 / x * (1 / 6 - inv2 * (1 / 30 - inv2 / 42))
