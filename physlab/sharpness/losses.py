"""The losses of the Sharpness lab's networks at the output layer, with what the exact
Hessian-vector product needs: the per-sample gradient ∂ℓ/∂f and its R-operator R{∂ℓ/∂f} = (∂²ℓ/∂f²)·R{f}
(Pearlmutter, "Fast exact multiplication by the Hessian", Neural Computation 1994). Both losses are
averaged over the n samples, as in Cohen et al., "Gradient Descent on Neural Networks Typically
Occurs at the Edge of Stability" (ICLR 2021), who show the edge of stability under both:

- ``mse``: ℓ = ½‖f − y‖², ∂ℓ/∂f = f − y, ∂²ℓ/∂f² = I;
- ``ce``: cross-entropy of the softmax p = softmax(f) against targets y (one-hot, Σy = 1):
  ℓ = Σ_c y_c (log Σ_k e^{f_k} − f_c), ∂ℓ/∂f = (Σy)·p − y, ∂²ℓ/∂f² = (Σy)(diag p − p pᵀ), so
  R{∂ℓ/∂f} = (Σy)·p ⊙ (R{f} − pᵀR{f}) — the softmax's Jacobian applied to R{f}.

:func:`output_layer` is the per-sample numba version, :func:`output_layer_batch` the NumPy one for
all samples at once (the BLAS network).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from physlab.core.numba_setup import JIT

MSE, CE = 0, 1
LOSSES = {"mse": MSE, "ce": CE}


@njit(**JIT)
def output_layer(acc, f, y, rf, n, kind, d, rd):
    """Returns ``acc`` + ℓ(f, y)/n for one sample and writes d = (∂ℓ/∂f)/n, rd = R{∂ℓ/∂f}/n
    (rf = R{f}; zeros give rd = 0)."""
    C = f.size
    if kind == MSE:
        for c in range(C):
            r = f[c] - y[c]
            acc += 0.5 * r * r / n
            d[c] = r / n
            rd[c] = rf[c] / n
        return acc
    top = f[0]
    for c in range(1, C):
        top = max(top, f[c])
    total = 0.0
    for c in range(C):
        total += math.exp(f[c] - top)
    log_z = top + math.log(total)
    sy = 0.0
    p_rf = 0.0
    for c in range(C):
        sy += y[c]
        acc += y[c] * (log_z - f[c]) / n
        p = math.exp(f[c] - log_z)
        d[c] = p  # p for now
        p_rf += p * rf[c]
    for c in range(C):
        p = d[c]
        rd[c] = sy * p * (rf[c] - p_rf) / n
        d[c] = (sy * p - y[c]) / n
    return acc


def output_layer_batch(F: np.ndarray, Y: np.ndarray, RF: np.ndarray | None, kind: int):
    """(mean loss, D = (∂ℓ/∂F)/n, RD = R{∂ℓ/∂F}/n or None) for all samples (rows) at once."""
    n = len(F)
    if kind == MSE:
        residual = F - Y
        value = 0.5 * float(np.sum(residual * residual)) / n
        return value, residual / n, (RF / n if RF is not None else None)
    top = F.max(axis=1, keepdims=True)
    log_z = top + np.log(np.exp(F - top).sum(axis=1, keepdims=True))
    P = np.exp(F - log_z)
    sy = Y.sum(axis=1, keepdims=True)
    value = float(np.sum(Y * (log_z - F))) / n
    RD = None
    if RF is not None:
        RD = sy * P * (RF - np.sum(P * RF, axis=1, keepdims=True)) / n
    return value, (sy * P - Y) / n, RD
