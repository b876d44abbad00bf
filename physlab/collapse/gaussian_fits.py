"""Refitting a d-dimensional Gaussian under replace, accumulate, accumulate-subsample and mix.

The strategies and their closed forms are in :mod:`.gaussian_theory` (Kazdan, Schaeffer et al.,
"Collapse or Thrive?", 2024, and the KoyejoLab-Collapse-or-Thrive code; Shumailov et al., Nature
2024). Replace, accumulate and mix are drawn exactly in law through sufficient statistics: M
samples of N(μ, Σ = LLᵀ) have mean μ + Lz/√M and scatter L W Lᵀ with W ~ Wishart(M − 1, I)
independent of z (Cochran), W = AAᵀ by Bartlett's decomposition (A lower triangular, A_ii² ~
χ²_{M−i}, A_ij ~ N(0, 1) below). So

- replace: L' = LA/√(M − b) — a product of lower-triangular matrices, no factorisation;
- accumulate: the pooled scatter of N_t = tM points is S_t = D_t Σ_t (D_t = N_t − b), and adding M
  points gives S_{t+1} = L(D_t I + W + c zzᵀ)Lᵀ with c = N_t/(N_t + M): one d×d Cholesky;
- mix: real scatter W_r, synthetic L W_s Lᵀ and the between-group term, one Cholesky.

Σ is carried as e^{2s}·LLᵀ with the log scale s apart, so log det Σ stays finite however far a
replace chain collapses (the float cancellation of issue 18). Accumulate-subsample draws a random
subset of a pool that keeps every earlier point, so it keeps the pool explicitly (memory R·nM·d).
Each (repeat, generation) has its own random stream.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from physlab.core.numba_setup import JIT
from physlab.core.rng import new_state, next_u64, normal

from .gaussian_theory import STRATEGIES
from .wishart import add_gram, bartlett, cholesky, fill_normal, lower_matvec

REPLACE, ACCUMULATE, SUBSAMPLE, MIX = range(len(STRATEGIES))
STREAM = 1_048_576  # repeats per generation in the stream index (as gaussian.advance)


@njit(**JIT)
def _normals(s, d):
    z = np.empty(d)
    fill_normal(s, z)
    return z


@njit(**JIT)
def _lower_product(L, C):
    """L C for lower-triangular L and C (lower triangular again)."""
    d = L.shape[0]
    out = np.zeros((d, d))
    for i in range(d):
        for j in range(i + 1):
            acc = 0.0
            for k in range(j, i + 1):
                acc += L[i, k] * C[k, j]
            out[i, j] = acc
    return out


@njit(**JIT)
def _matvec(L, z):
    out = np.empty(z.size)
    lower_matvec(L, z, out)
    return out


@njit(**JIT)
def _add_outer(G, c, z):
    """G += c zzᵀ."""
    for i in range(z.size):
        for j in range(z.size):
            G[i, j] += c * z[i] * z[j]


@njit(**JIT)
def _factor(G):
    """The lower Cholesky factor of G (positive definite: the fits have M ≥ d + 1)."""
    C = np.zeros(G.shape)
    cholesky(G, C)
    return C


@njit(**JIT)
def _rescale(L, log_scale):
    """Normalise L to unit Frobenius norm per dimension, moving its size into the log scale."""
    d = L.shape[0]
    norm = math.sqrt(np.sum(L * L) / d)
    return L / norm, log_scale + math.log(norm)


@njit(**JIT)
def _log_det(L, log_scale):
    """(1/d) log det Σ for Σ = e^{2s} LLᵀ."""
    d = L.shape[0]
    acc = 0.0
    for i in range(d):
        acc += math.log(abs(L[i, i]))
    return 2.0 * (log_scale + acc / d)


@njit(**JIT)
def _exact_step(s, strategy, t, M, b, n_real, mu, L, log_scale):
    """One generation t → t + 1 of replace, accumulate or mix, exactly in law."""
    d = mu.size
    scale = math.exp(log_scale)
    ones = np.ones(d)
    A = np.empty((d, d))
    if strategy == REPLACE:
        mu += scale * _matvec(L, _normals(s, d)) / math.sqrt(M)
        bartlett(M - 1, ones, s, A)
        return _rescale(_lower_product(L, A) / math.sqrt(M - b), log_scale)
    G = np.zeros((d, d))
    if strategy == ACCUMULATE:
        N = t * M
        z = _normals(s, d)
        mu += (M / (N + M)) * scale * _matvec(L, z) / math.sqrt(M)
        bartlett(M - 1, ones, s, A)
        add_gram(A, G)
        _add_outer(G, N / (N + M), z)
        if N > 0:
            for i in range(d):
                G[i, i] += N - b
        return _rescale(_lower_product(L, _factor(G)) / math.sqrt(N + M - b), log_scale)
    # mix: n_real fresh real samples and m_s = M − n_real from the current fit, in units of e^{2s}
    m_s = M - n_real
    mean_r = _normals(s, d) / math.sqrt(max(n_real, 1))
    mean_s = mu + scale * _matvec(L, _normals(s, d)) / math.sqrt(max(m_s, 1))
    bartlett(max(n_real - 1, 0), ones / scale, s, A)
    add_gram(A, G)
    bartlett(max(m_s - 1, 0), ones, s, A)
    add_gram(_lower_product(L, A), G)
    _add_outer(G, n_real * m_s / M, (mean_r - mean_s) / scale)
    mu[:] = (n_real * mean_r + m_s * mean_s) / M
    return _rescale(_factor(G / (M - b)), log_scale)


@njit(parallel=True, **JIT)
def advance_exact(seed, salt, strategy, gen0, n_gen, M, b, n_real, mean, chol, log_scale, out):
    """Generations gen0+1 … gen0+n_gen of every repeat r; ``out[k, r]`` = ((1/d) log det Σ,
    ‖μ − μ0‖², tr Σ/d) after generation gen0+k+1. State: ``mean[r]``, ``chol[r]``, ``log_scale[r]``."""
    n_rep = mean.shape[0]
    for r in prange(n_rep):
        mu, L, ls = mean[r].copy(), chol[r].copy(), log_scale[r]
        for k in range(n_gen):
            s = new_state(seed, salt + (gen0 + k) * STREAM + r)
            L, ls = _exact_step(s, strategy, gen0 + k, M, b, n_real, mu, L, ls)
            out[k, r, 0] = _log_det(L, ls)
            out[k, r, 1] = np.sum(mu * mu)
            out[k, r, 2] = math.exp(2.0 * ls) * np.sum(L * L) / mu.size
        mean[r], chol[r], log_scale[r] = mu, L, ls


@njit(parallel=True, **JIT)
def advance_subsample(seed, salt, gen0, n_gen, M, b, pool, out):
    """Accumulate-subsample (the KoyejoLab code): generation t fits M points drawn without
    replacement from the pool ``pool[r, :tM]`` (the real points first) and appends M samples of
    its fit. ``out`` as in :func:`advance_exact`."""
    n_rep, _, d = pool.shape
    for r in prange(n_rep):
        for k in range(n_gen):
            t = gen0 + k  # the pool holds (t + 1)M points: the real ones and t batches
            s = new_state(seed, salt + t * STREAM + r)
            N = (t + 1) * M
            if t == 0:
                for i in range(M):
                    for j in range(d):
                        pool[r, i, j] = normal(s)
            idx = np.arange(N)
            for i in range(M):  # partial Fisher–Yates: idx[:M] a uniform M-subset
                j = i + np.int64(next_u64(s) % np.uint64(N - i))
                idx[i], idx[j] = idx[j], idx[i]
            sub = pool[r][idx[:M]]
            mu = np.zeros(d)
            for i in range(M):
                mu += sub[i]
            mu /= M
            cov = np.zeros((d, d))
            for i in range(M):  # two-pass scatter
                _add_outer(cov, 1.0 / (M - b), sub[i] - mu)
            C = _factor(cov)
            out[k, r, 0] = _log_det(C, 0.0)
            out[k, r, 1] = np.sum(mu * mu)
            out[k, r, 2] = np.trace(cov) / d
            if pool.shape[1] >= N + M:
                for i in range(M):
                    pool[r, N + i] = mu + _matvec(C, _normals(s, d))
