"""Refitting a discrete distribution to its own samples: replace, accumulate, accumulate-subsample.

The KoyejoLab code's discrete model (Kazdan, Schaeffer et al., "Collapse or Thrive?", 2024,
``src/fit_discrete_distributions/fit_discrete_distributions.py``; Shumailov et al., Nature 2024,
the discrete case of their theoretical intuition): generation 0 is uniform over K outcomes; each
generation fits the empirical proportions of its training set (replace: the M samples of the
previous generation; accumulate: all samples so far; accumulate-subsample: M of them drawn without
replacement) and draws M samples from them — which is drawing uniformly from the training set.

The proportions are the mean of one-hot vectors, whose maximum-likelihood covariance diag(q) − qqᵀ
has trace the Gini–Simpson diversity H = 1 − Σ q_i². The moment recursions of the Gaussian chain
(:func:`.gaussian_theory.moments`, MLE) use only first and second moments, so they hold here
exactly: E H_t/H_0 = v_t (replace: (1 − 1/M)^t, the Wright–Fisher loss of heterozygosity;
accumulate: Π_{k≤t}(1 − 1/(Mk²)) → sin(π/√M)/(π/√M)) and E‖q_t − q_0‖² = H_0·u_t.

The samples are kept as labels (the pool of every generation, R·nM int32), one random stream per
(repeat, generation).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from physlab.core.numba_setup import JIT
from physlab.core.rng import new_state, next_u64

STRATEGIES = ("replace", "accumulate", "accumulate-subsample")
REPLACE, ACCUMULATE, SUBSAMPLE = range(len(STRATEGIES))


@njit(**JIT)
def _below(s, n):
    """A uniform integer in [0, n)."""
    return np.int64(next_u64(s) % np.uint64(n))


@njit(parallel=True, **JIT)
def advance(seed, salt, strategy, gen0, n_gen, M, K, pool, out):
    """Generations gen0+1 … gen0+n_gen of every repeat r (``pool[r]`` holds the labels drawn so
    far: generation t's M samples at t·M…); ``out[k, r]`` = (H, entropy, fraction of outcomes at
    zero, ‖q − q0‖²) of generation gen0+k+1's fit."""
    n_rep = pool.shape[0]
    for r in prange(n_rep):
        counts = np.zeros(K, dtype=np.int64)
        train = np.empty(M, dtype=np.int32)
        idx = np.empty(0, dtype=np.int64)
        for k in range(n_gen):
            t = gen0 + k
            s = new_state(seed, salt + t * 1_048_576 + r)
            lo = t * M
            if t == 0:  # the real data: uniform over the K outcomes
                for i in range(M):
                    pool[r, i] = _below(s, K)
            # generation t + 1 fits its training set
            if strategy == REPLACE:
                first, n = lo, M
            else:
                first, n = 0, lo + M
            if strategy == SUBSAMPLE:
                idx = np.arange(n)
                for i in range(M):  # partial Fisher–Yates: a uniform M-subset of the pool
                    j = i + _below(s, n - i)
                    idx[i], idx[j] = idx[j], idx[i]
                for i in range(M):
                    train[i] = pool[r, idx[i]]
                n = M
            counts[:] = 0
            for i in range(n):
                counts[train[i] if strategy == SUBSAMPLE else pool[r, first + i]] += 1
            sq, ent, zeros, dist = 0.0, 0.0, 0, 0.0
            for c in range(K):
                q = counts[c] / n
                sq += q * q
                dist += (q - 1.0 / K) ** 2
                if counts[c] == 0:
                    zeros += 1
                else:
                    ent -= q * math.log(q)
            out[k, r, 0], out[k, r, 1] = 1.0 - sq, ent
            out[k, r, 2], out[k, r, 3] = zeros / K, dist
            if lo + 2 * M <= pool.shape[1]:  # its M samples: uniform draws from the training set
                for i in range(M):
                    j = _below(s, n)
                    label = train[j] if strategy == SUBSAMPLE else pool[r, first + j]
                    pool[r, lo + M + i] = label
