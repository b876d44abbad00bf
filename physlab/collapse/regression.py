"""Linear regression trained recursively on its own labels: the numba kernels.

Set-up (Dohmatob, Feng & Kempe, "Model Collapse Demystified: The Case of Regression", NeurIPS 2024):
x ~ N(0, Σ) in ℝ^d, clean labels y = xᵀw0 + noise. A chain of generators ŵ_0 = w0, ŵ_1, …: generation
k fits OLS on T0 fresh samples whose labels come from ŵ_{k−1} with noise σ0, under a strategy

- replace: only the new synthetic samples;
- accumulate: every sample so far, real and synthetic (Gerstgrasser et al., "Is Model Collapse
  Inevitable?", 2024). Since ŵ_{k−1} is the OLS fit of the older samples, the pooled fit is exactly
  ŵ_k = ŵ_{k−1} + P_k⁻¹X_kᵀε_k with P_k the pooled Gram matrix;
- mix: a fraction of the T0 samples is fresh real data (labels from w0), the rest synthetic.

With T0 < d (the over-parameterised regime of Dohmatob, Feng & Kempe 2024) the generators are
minimum-norm (pseudo-inverse) fits, ŵ_k = X_k⁺y_k = P_k ŵ_{k−1} + X_k⁺ε_k with P_k the projection
onto the span of the k-th samples: each fit keeps only that part of the signal. Replace runs with a
fresh or a fixed design; accumulate with the fixed one, where the pooled min-norm fit of k copies
of X is ŵ_k = P ŵ_{k−1} + X⁺ε_k/k (the KoyejoLab code's ``np.linalg.pinv`` set-up).

The design of replace and accumulate is either fresh (new inputs X_k every generation) or fixed: one
X drawn at generation 1 and reused by every generation, as in Gerstgrasser et al.'s theorem and the
KoyejoLab code (only the label noise is new). The model we measure at generation n is either the
downstream fit (OLS or ridge λ) on T samples labelled by ŵ_n with noise σ (Dohmatob et al.) or the
chain's generator ŵ_n itself (Gerstgrasser et al.); its test error is ‖ŵ − w0‖²_Σ. Every fit is
drawn through its sufficient statistics (:mod:`.wishart`), repeats run in parallel, and each (generation, part, repeat) has its own random
stream, so the numbers do not depend on threads or on which other strategies are selected.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from physlab.core.numba_setup import JIT
from physlab.core.rng import new_state

from .wishart import (
    add_gram,
    bartlett,
    cholesky,
    cholesky_solve,
    fill_normal,
    lower_matvec,
    lower_t_matvec,
    min_norm_fit,
    solve_upper_t,
)

STRATEGIES = ("replace", "accumulate", "mix")
REPLACE, ACCUMULATE, MIX = 0, 1, 2
_PART_DESIGN, _PART_MIX, _PART_DOWNSTREAM = 0, 1, 2


@njit(**JIT)
def stream_id(index, part, repeat):
    """A distinct random stream per (generation or sweep point, part, repeat)."""
    return ((index * 4 + part) << 24) + repeat


@njit(**JIT)
def _scratch(d):
    """Per-repeat work space: four d×d matrices and four d-vectors."""
    mats = np.empty((4, d, d))
    vecs = np.empty((4, d))
    return mats[0], mats[1], mats[2], mats[3], vecs[0], vecs[1], vecs[2], vecs[3]


@njit(**JIT)
def sq_error(w, w0, lam):
    """‖w − w0‖²_Σ for Σ = diag(lam)."""
    acc = 0.0
    for i in range(w.size):
        diff = w[i] - w0[i]
        acc += lam[i] * diff * diff
    return acc


@njit(**JIT)
def downstream_errors(s, W, w0, scale, T, sigma, ridge, C, G, L, z, tmp, tmp2, out):
    """Test errors of downstream fits on T samples labelled by each row of W (the same design and
    noise for every row), written to ``out``. OLS when ridge = 0 (needs T ≥ d), else ridge with
    penalty T·λ‖w‖²."""
    d = w0.size
    lam = scale * scale
    bartlett(T, scale, s, C)
    fill_normal(s, z)
    if ridge == 0.0:
        solve_upper_t(C, z, tmp)  # OLS: ŵ = w + σ C⁻ᵀ z
        for k in range(W.shape[0]):
            for i in range(d):
                tmp2[i] = W[k, i] + sigma * tmp[i]
            out[k] = sq_error(tmp2, w0, lam)
        return
    G[:, :] = 0.0
    add_gram(C, G)
    for i in range(d):
        G[i, i] += T * ridge
    cholesky(G, L)
    for k in range(W.shape[0]):  # ŵ = (G + Tλ)⁻¹(G w + σ C z)
        lower_t_matvec(C, W[k], tmp)
        for i in range(d):
            tmp[i] += sigma * z[i]
        lower_matvec(C, tmp, tmp2)
        cholesky_solve(L, tmp2, tmp, G[0])  # G's first row is free scratch once factored
        out[k] = sq_error(G[0], w0, lam)


@njit(**JIT)
def _mixture_step(s, w_real, w, scale, n_real, n_syn, sigma, Cr, Cs, G, L, z, tmp, tmp2, rhs):
    """w ← OLS fit on n_real samples labelled by w_real and n_syn labelled by w (noise σ each):
    w + G⁻¹(G_r(w_real − w) + h)."""
    d = w.size
    bartlett(n_real, scale, s, Cr)
    bartlett(n_syn, scale, s, Cs)
    G[:, :] = 0.0
    add_gram(Cr, G)
    add_gram(Cs, G)
    for i in range(d):
        tmp[i] = w_real[i] - w[i]
    lower_t_matvec(Cr, tmp, tmp2)
    fill_normal(s, z)
    for i in range(d):
        tmp2[i] += sigma * z[i]
    lower_matvec(Cr, tmp2, rhs)
    fill_normal(s, z)
    lower_matvec(Cs, z, tmp)
    for i in range(d):
        rhs[i] += sigma * tmp[i]
    cholesky(G, L)
    cholesky_solve(L, rhs, tmp, tmp2)
    for i in range(d):
        w[i] += tmp2[i]


@njit(parallel=True, **JIT)
def chain_step(
    gen,
    seed,
    active,
    w0,
    scale,
    T0,
    sigma0,
    n_real,
    T,
    sigma,
    ridge,
    W,
    P,
    errors,
    fixed,
    Cf,
    chain,
):
    """Advance every repeat's generators to generation ``gen`` (≥ 1; gen = 0 only measures) and
    write the test error of each active strategy to ``errors[strategy, repeat]``: of the
    downstream fit, or of the generator itself when ``chain``.

    W: (3, R, d) generator weights per strategy; P: (R, d, d) pooled Gram matrices (accumulate);
    Cf: (R, d, d) the fixed design's Bartlett factor when ``fixed`` (drawn at generation 1).
    """
    n_rep, d = w0.shape
    lam = scale * scale
    for r in prange(n_rep):
        C, C2, G, L, z, tmp, tmp2, rhs = _scratch(d)
        if gen > 0:
            if active[REPLACE] or active[ACCUMULATE]:
                s = new_state(seed, stream_id(gen, _PART_DESIGN, r))
                X = C  # replace and accumulate share the design
                if fixed:
                    X = Cf[r]
                if not fixed or gen == 1:
                    bartlett(T0, scale, s, X)
                fill_normal(s, z)
                if d > T0:  # minimum-norm generators: w ← P w + X⁺ε (accumulate: fixed X only)
                    M, Lm, a, b = G[:T0, :T0], L[:T0, :T0], tmp[:T0], tmp2[:T0]
                    for k in range(2):
                        if active[k]:
                            noise = sigma0 / gen if k == ACCUMULATE else sigma0
                            min_norm_fit(X, T0, W[k, r], noise, z, M, Lm, a, b, W[k, r])
                elif active[REPLACE]:
                    solve_upper_t(X, z, tmp)
                    for i in range(d):
                        W[REPLACE, r, i] += sigma0 * tmp[i]
                if active[ACCUMULATE] and d <= T0:
                    add_gram(X, P[r])
                    lower_matvec(X, z, rhs)
                    cholesky(P[r], L)
                    cholesky_solve(L, rhs, tmp, tmp2)
                    for i in range(d):
                        W[ACCUMULATE, r, i] += sigma0 * tmp2[i]
            if active[MIX]:
                s = new_state(seed, stream_id(gen, _PART_MIX, r))
                _mixture_step(
                    s,
                    w0[r],
                    W[MIX, r],
                    scale,
                    n_real,
                    T0 - n_real,
                    sigma0,
                    C,
                    C2,
                    G,
                    L,
                    z,
                    tmp,
                    tmp2,
                    rhs,
                )
        out = np.zeros(3)
        if chain:
            for k in range(3):
                out[k] = sq_error(W[k, r], w0[r], lam)
        else:
            s = new_state(seed, stream_id(gen, _PART_DOWNSTREAM, r))
            downstream_errors(
                s, W[:, r, :], w0[r], scale, T, sigma, ridge, C, G, L, z, tmp, tmp2, out
            )
        for k in range(3):
            errors[k, r] = out[k] if active[k] else np.nan


@njit(parallel=True, **JIT)
def sample_size_sweep(seed, index0, W, w0, scale, T_values, sigma, ridges, errors):
    """The scaling-law view: downstream test error at each sample size T_j, with ridge penalty
    ``ridges[j]``, for generator weights W (rows × R × d); ``errors[row, j, repeat]``. ``index0``
    offsets the random streams (point j uses stream ``index0 + j``)."""
    rows, n_rep, d = W.shape
    for r in prange(n_rep):
        C, _, G, L, z, tmp, tmp2, _ = _scratch(d)
        out = np.empty(rows)
        for j in range(T_values.size):
            s = new_state(seed, stream_id(index0 + j, _PART_DOWNSTREAM, r))
            downstream_errors(
                s,
                W[:, r, :],
                w0[r],
                scale,
                T_values[j],
                sigma,
                ridges[j],
                C,
                G,
                L,
                z,
                tmp,
                tmp2,
                out,
            )
            for k in range(rows):
                errors[k, j, r] = out[k]


@njit(parallel=True, **JIT)
def strong_sweep(seed, first, w1, shift, n_values, p_syn, sigma, errors):
    """Strong model collapse (Dohmatob, Feng, Subramonian & Kempe, ICLR 2025): OLS on n samples, a
    fraction p_syn of them labelled by w2 = w1 + Δ. ``errors[0, j, r]`` with the shift,
    ``errors[1, j, r]`` on the same data with clean labels; repeats ``first…first+R−1``."""
    n_rep, d = w1.shape
    scale = np.ones(d)
    for r in prange(n_rep):
        Cr, Cs, G, L, z, tmp, tmp2, rhs = _scratch(d)
        w = np.empty(d)
        for j in range(n_values.size):
            n_syn = int(round(p_syn * n_values[j]))
            for row in range(2):  # the same design and noise, labels shifted (row 0) or clean
                s = new_state(seed, stream_id(j, _PART_MIX, first + r))
                for i in range(d):  # ŵ − w1 = G⁻¹(G_s Δ + h), or G⁻¹h when clean
                    w[i] = w1[r, i] + (shift[r, i] if row == 0 else 0.0)
                _mixture_step(
                    s,
                    w1[r],
                    w,
                    scale,
                    n_values[j] - n_syn,
                    n_syn,
                    sigma,
                    Cr,
                    Cs,
                    G,
                    L,
                    z,
                    tmp,
                    tmp2,
                    rhs,
                )
                errors[row, j, r] = sq_error(w, w1[r], scale)
