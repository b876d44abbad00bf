"""The sufficient-statistics sampler is exactly the law of (XᵀX, Xᵀε) for Gaussian data."""

import numpy as np
from numba import njit

from physlab.collapse.wishart import add_gram, bartlett, cholesky, cholesky_solve
from physlab.core.numba_setup import JIT
from physlab.core.rng import new_state


@njit(**JIT)
def _moments(dof, scale, n):
    d = scale.size
    C = np.empty((d, d))
    G = np.empty((d, d))
    L = np.empty((d, d))
    mean = np.zeros((d, d))
    inv_trace = 0.0
    e = np.zeros(d)
    tmp = np.empty(d)
    x = np.empty(d)
    for k in range(n):
        s = new_state(3, k)
        bartlett(dof, scale, s, C)
        G[:, :] = 0.0
        add_gram(C, G)
        mean += G / n
        if dof > d + 1:
            cholesky(G, L)
            for i in range(d):  # tr Σ G⁻¹ = Σ_i λ_i (G⁻¹)_ii
                e[:] = 0.0
                e[i] = 1.0
                cholesky_solve(L, e, tmp, x)
                inv_trace += scale[i] ** 2 * x[i] / n
    return mean, inv_trace


def test_gram_mean_is_T_sigma_and_inverse_trace_is_d_over_T_minus_d_minus_1():
    scale = np.sqrt(np.array([1.0, 0.5, 0.25, 2.0]))
    for dof in (2, 12):  # singular (T < d) and regular
        mean, inv_trace = _moments(dof, scale, 40_000)
        assert np.allclose(mean, dof * np.diag(scale**2), atol=0.06 * dof)
        if dof == 12:
            assert abs(inv_trace - 4 / (12 - 4 - 1)) < 0.02
