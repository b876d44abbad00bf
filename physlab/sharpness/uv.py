"""The two-layer linear "uv model": numba kernels for its training and its closed (f, λ) map.

f = vᵀu·x/√n with u, v ∈ ℝⁿ, one example (x, y), L = ½ r², r = f − y. Its neural tangent kernel is
λ = x²(‖u‖² + ‖v‖²)/n. Under GD the pair (f, λ) obeys a closed two-dimensional map

    f' = f − ηλr + (η²x²/n)·r²·f
    λ' = λ + (ηx²r/n)·(ηλr − 4f)

(Kalra, He & Barkeshli, "Universal Sharpness Dynamics in Neural Network Training: Fixed Point
Analysis, Edge of Stability, and Route to Chaos", 2023, arXiv:2311.02076, eqs. for the uv model),
which reproduces progressive sharpening, sharpness reduction, the edge of stability and, as η
grows, a period-doubling cascade to chaos.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from physlab.core.numba_setup import JIT

from .optim import optimizer_step


@njit(**JIT)
def observables(theta, x):
    """(f, λ) of the parameters θ = (u, v)."""
    n = theta.size // 2
    dot = 0.0
    sq = 0.0
    for i in range(n):
        dot += theta[i] * theta[n + i]
        sq += theta[i] * theta[i] + theta[n + i] * theta[n + i]
    return x * dot / np.sqrt(n), x * x * sq / n


@njit(**JIT)
def loss_grad(theta, x, y, grad):
    """L = ½ r² and its gradient ∂L/∂u = (x r/√n) v, ∂L/∂v = (x r/√n) u; also returns f, λ."""
    n = theta.size // 2
    f, lam = observables(theta, x)
    r = f - y
    scale = x * r / np.sqrt(n)
    for i in range(n):
        grad[i] = scale * theta[n + i]
        grad[n + i] = scale * theta[i]
    return 0.5 * r * r, f, lam


@njit(**JIT)
def train(
    theta,
    x,
    y,
    opt,
    lrs,
    beta,
    beta1,
    beta2,
    eps,
    buf1,
    buf2,
    t0,
    loss_limit,
    losses,
    f_out,
    ntk_out,
):
    """Parameter-space training of (u, v) for ``len(lrs)`` steps, recording L, f and λ *before*
    each step. Stops early when L is not finite or exceeds ``loss_limit``; returns steps taken."""
    grad = np.zeros_like(theta)
    for k in range(lrs.size):
        value, f, lam = loss_grad(theta, x, y, grad)
        losses[k] = value
        f_out[k] = f
        ntk_out[k] = lam
        if not np.isfinite(value) or value > loss_limit:
            return k
        optimizer_step(theta, grad, opt, lrs[k], beta, beta1, beta2, eps, buf1, buf2, t0 + k + 1)
    return lrs.size


@njit(**JIT)
def closed_map(f, lam, eta, x, y, n):
    """One GD step of the uv model in (f, λ) coordinates (exact)."""
    r = f - y
    f_new = f - eta * lam * r + (eta * eta * x * x / n) * r * r * f
    lam_new = lam + (eta * x * x * r / n) * (eta * lam * r - 4.0 * f)
    return f_new, lam_new


@njit(parallel=True, **JIT)
def bifurcation(etas, f0, lam0, x, y, n, steps, keep, out):
    """Late-time ηλ of the closed map for each η in ``etas`` (in parallel over η).

    Every η starts from (f0, λ0) and runs ``steps`` steps; ``out[i]`` receives ηλ at the last
    ``keep`` steps (NaN where the run diverged). A fixed point gives one value, a period-p orbit p
    values, chaos a smear: the bifurcation diagram of Kalra, He & Barkeshli (2023), Fig. 1.
    """
    for i in prange(etas.size):
        eta = etas[i]
        f, lam = f0, lam0
        for t in range(steps):
            f, lam = closed_map(f, lam, eta, x, y, n)
            if not (np.abs(f) < 1e6 and np.abs(lam) < 1e6):
                break
            if t >= steps - keep:
                out[i, t - (steps - keep)] = eta * lam
        if not (np.abs(f) < 1e6 and np.abs(lam) < 1e6):
            out[i, :] = np.nan
