"""Full-batch training with the sharpness measured every few steps, in one numba call.

The edge-of-stability runs (Cohen et al., "Gradient Descent on Neural Networks Typically Occurs at
the Edge of Stability", ICLR 2021) measure the top Hessian eigenvalue every ``every`` steps. On the
701-parameter Chebyshev net a step costs ~30 µs and a warm-started Lanczos estimate ~300 µs, so the
Python between them (a chunk of steps, a Lanczos call, recording) cost about as much as the
arithmetic. :func:`train_measured` runs the steps of :func:`physlab.sharpness.mlp.train` and the
estimates of :func:`physlab.sharpness.hessian.lanczos_mlp` in one GIL-free call, with the same
arithmetic in the same order: the run is bitwise the one the chunked loop gives.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from physlab.core.numba_setup import JIT

from .hessian import lanczos_mlp
from .mlp import loss_grad, train


@njit(**JIT)
def gradient_overlap(grad, u):
    """|cos(∇L, u1)| for a unit eigenvector u (NaN at a zero gradient): near 1 at the edge of
    stability, where the gradient is GD's oscillation along u1 (Damian, Nichani & Lee 2023)."""
    gg = 0.0
    gu = 0.0
    for i in range(grad.size):
        gg += grad[i] * grad[i]
        gu += grad[i] * u[i]
    return abs(gu) / np.sqrt(gg) if gg > 0 else np.nan


@njit(**JIT)
def train_measured(
    theta,
    X,
    Y,
    sizes,
    w_off,
    b_off,
    mult,
    act,
    loss_kind,
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
    every,
    kicks,
    top,
    values,
    overlaps,
    max_iter,
    tol,
):
    """``len(lrs)`` optimiser steps from step ``t0`` (as :func:`~.mlp.train`, ``losses[k]`` the
    loss before step k, stopping before a step whose loss is not finite or above ``loss_limit``).
    After each step that ends on a multiple of ``every``, the m-th one measures the top
    ``values.shape[1]`` Hessian eigenvalues into ``values[m]`` by Lanczos warm-started from
    ``top + kicks[m]`` and leaves the new top eigenvector in ``top``, and ``overlaps[m]`` is
    |cos(∇L, u1)| there (the gradient's overlap with that eigenvector). Returns the steps taken."""
    scale = np.ones_like(theta)
    v0 = np.empty_like(theta)
    grad = np.empty_like(theta)
    k = values.shape[1]
    done = 0
    m = 0
    while done < lrs.size:
        step = t0 + done
        chunk = min(lrs.size - done, every - step % every)
        taken = train(
            theta,
            X,
            Y,
            sizes,
            w_off,
            b_off,
            mult,
            act,
            loss_kind,
            opt,
            lrs[done : done + chunk],
            beta,
            beta1,
            beta2,
            eps,
            buf1,
            buf2,
            step,
            loss_limit,
            losses[done : done + chunk],
        )
        done += taken
        if taken < chunk:
            return done
        if (t0 + done) % every == 0:
            for i in range(theta.size):
                v0[i] = top[i] + kicks[m, i]
            lanczos_mlp(
                theta,
                X,
                Y,
                sizes,
                w_off,
                b_off,
                mult,
                act,
                loss_kind,
                scale,
                v0,
                k,
                max_iter,
                tol,
                values[m],
                top,
            )
            loss_grad(theta, X, Y, sizes, w_off, b_off, mult, act, loss_kind, grad)
            overlaps[m] = gradient_overlap(grad, top)
            m += 1
    return done


def measurement_count(start: int, end: int, every: int) -> int:
    """How many of the steps start + 1 … end are multiples of ``every``."""
    return end // every - start // every
