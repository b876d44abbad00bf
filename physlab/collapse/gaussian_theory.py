"""Closed forms of Gaussian refitting under replace, accumulate, accumulate-subsample and mix.

Set-up (Kazdan, Schaeffer et al., "Collapse or Thrive? Perils and Promises of Synthetic Data in a
Self-Generating World", 2024, and their code KoyejoLab-Collapse-or-Thrive
``src/fit_gaussians/fit_gaussians.py``; Shumailov et al., "AI models collapse when trained on
recursively generated data", Nature 2024): generation 0 is N(0, I_d); generation t ≥ 1 fits a mean
and a covariance (divisor N − b: b = 1 unbiased, b = 0 the maximum-likelihood fit of the KoyejoLab
code, ``np.cov(bias=True)``) to its training set, and draws M samples from the fit for the next one:

- replace: the M samples of generation t − 1 only;
- accumulate: all data so far, N_t = tM points (the real M and every synthetic batch);
- accumulate-subsample: M points drawn without replacement from that pool (the KoyejoLab code);
- mix: a fraction of fresh real samples, the rest from generation t − 1 (Shumailov et al. keep a
  fraction of the original data).

Σ0 = I is rotation invariant, so E Σ_t = v_t I and E‖μ_t‖² = d·u_t; v_t and u_t follow linear
recursions, exact for every d (the per-coordinate scatter S and the pool mean, with the
finite-population moments of a subsample: E s²_sub = S/(N − 1), E(μ_sub − μ_pool)² =
(S/(N − 1))(1/M − 1/N)). Accumulate: v_t = Π_{k≤t} (1 − M/(kM·(kM − b))) → for the MLE fit
Π_k (1 − 1/(Mk²)) = sin(π/√M)/(π/√M) > 0, and u_t = u_{t−1} + v_{t−1}/(M t²): bounded, Σ 1/t².
Replace: v_t = ((M − 1)/(M − b))^t and u_t = Σ_{k<t} v_k/M (n/M for the unbiased fit).

E log σ² (the typical run; σ² = (det Σ)^{1/d}): replace, any d: t·(1/d)Σ_{i≤d}[ψ((M − i)/2) +
log(2/(M − b))] (Bartlett). Accumulate, d = 1: S_{t+1} = S_t(1 + (A + c_t B)/D_t), A ~ χ²_{M−1},
B ~ χ²_1 independent, c_t = N_t/(N_t + M), D_t = N_t − b, so E log σ²_t = E log χ²_{M−1} +
Σ E log(1 + (A + c_k B)/D_k) − log D_t, each term a one-dimensional integral (Frullani:
E log(1 + X) = ∫_0^∞ e^{−s}(1 − E e^{−sX})/s ds, by Gauss–Laguerre quadrature); it converges as
t → ∞: the variance of a typical run stays bounded away from 0. No closed form is drawn for the
others (accumulate at d > 1, mix, accumulate-subsample).
"""

from __future__ import annotations

import math

import numpy as np

from .gaussian import digamma, trigamma

STRATEGIES = ("replace", "accumulate", "accumulate-subsample", "mix")
_NODES, _WEIGHTS = np.polynomial.laguerre.laggauss(80)


def moments(
    strategy: str, M: int, generations: int, unbiased: bool = True, n_real: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """(v, u) for t = 0…generations: E Σ_t = v_t I and E‖μ_t − μ0‖² = d·u_t (exact, any d).
    ``n_real``: the fresh real samples of each generation (mix)."""
    b = 1.0 if unbiased else 0.0
    v, u = np.ones(generations + 1), np.zeros(generations + 1)
    scatter, pool_mean_sq = 0.0, 0.0  # accumulate-subsample: E S of the pool, E μ_pool²
    for t in range(generations):
        N = t * M  # points in the pool before generation t + 1 (accumulate)
        if strategy == "replace" or (strategy == "mix" and n_real == 0):
            v[t + 1] = v[t] * (M - 1) / (M - b)
            u[t + 1] = u[t] + v[t] / M
        elif strategy == "accumulate":
            c, D = N / (N + M), (N - b if N else 0.0)
            v[t + 1] = (v[t] * (D + M - 1 + c)) / (N + M - b)
            u[t + 1] = u[t] + (M / (N + M)) ** 2 * v[t] / M
        elif strategy == "accumulate-subsample":
            if t == 0:
                scatter, pool_mean_sq = M - 1.0, 1.0 / M  # the real data
            else:  # generation t's fit (a subsample of the pool) drew M points into it
                V = scatter / (N - 1)
                fit, off = (M - 1) / (M - b) * V, V * (1 / M - 1 / N)
                scatter += (M - 1) * fit + N * M / (N + M) * (off + fit / M)
                pool_mean_sq += (M / (N + M)) ** 2 * (off + fit / M)
            N1 = (t + 1) * M
            V = scatter / (N1 - 1)
            v[t + 1] = (M - 1) / (M - b) * V
            u[t + 1] = pool_mean_sq + (V * (1 / M - 1 / N1) if N1 > M else 0.0)
        else:  # mix: n_real fresh real samples, m_s from generation t
            r, s = n_real, M - n_real
            S = (
                max(r - 1, 0)
                + max(s - 1, 0) * v[t]
                + (s / M if r > 0 else 0.0)
                + (r / M) * v[t] * (s > 0)
                + r * s / M * u[t]
            )
            v[t + 1] = S / (M - b)
            u[t + 1] = r / M**2 + (s / M) ** 2 * u[t] + s * v[t] / M**2
    return v, u


def accumulate_limit(M: int) -> float:
    """lim E σ_t² of the maximum-likelihood accumulate chain: Π_k (1 − 1/(Mk²)) = sinc(π/√M)."""
    x = math.pi / math.sqrt(M)
    return math.sin(x) / x


def _log1p_mean(dof_a: float, c: float, D: float) -> float:
    """E log(1 + (A + cB)/D), A ~ χ²_{dof_a}, B ~ χ²_1 (Frullani, Gauss–Laguerre)."""
    s = _NODES
    mgf = (1 + 2 * s / D) ** (-dof_a / 2) * (1 + 2 * c * s / D) ** -0.5
    return float(np.sum(_WEIGHTS * (1 - mgf) / s))


def log_variance(
    strategy: str, M: int, dim: int, generations: int, unbiased: bool = True
) -> np.ndarray:
    """E (1/d) log det Σ_t for t = 0…generations where a closed form exists, else NaN."""
    b = 1.0 if unbiased else 0.0
    t = np.arange(generations + 1, dtype=float)
    if strategy == "replace":
        per = sum(digamma((M - i) / 2) + math.log(2 / (M - b)) for i in range(1, dim + 1))
        return t * per / dim
    if strategy != "accumulate" or dim != 1:
        return np.full(generations + 1, np.nan)
    out = np.zeros(generations + 1)
    log_s = digamma((M - 1) / 2) + math.log(2.0)  # E log S_1, S_1 ~ χ²_{M−1}
    for k in range(1, generations + 1):
        out[k] = log_s - math.log(k * M - b)
        N = k * M
        log_s += _log1p_mean(M - 1, N / (N + M), N - b)
    return out


def log_variance_sd(strategy: str, M: int, dim: int, generations: int) -> np.ndarray:
    """sd (1/d) log det Σ_t of replace: √(t·Σ_{i≤d} ψ'((M − i)/2))/d (Bartlett); NaN otherwise."""
    if strategy != "replace":
        return np.full(generations + 1, np.nan)
    per = sum(trigamma((M - i) / 2) for i in range(1, dim + 1))
    return np.sqrt(np.arange(generations + 1) * per) / dim
