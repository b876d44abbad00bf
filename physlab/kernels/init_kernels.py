"""Infinite-width kernels at initialisation (t = 0), where every layer is a Gaussian process.

The pre-activations of layer ℓ+1 have covariance Φ^ℓ (Φ⁰ = K_x), so
    Φ^ℓ = ⟨φ(u)φ(v)⟩ and Ṫ^ℓ = ⟨φ'(u)φ'(v)⟩ under (u, v) ~ N(0, Φ^{ℓ−1}),
    G^L = Ṫ^L, G^ℓ = Ṫ^ℓ ⊙ G^{ℓ+1},  NTK = Σ_ℓ G^{ℓ+1} ⊙ Φ^ℓ.
ReLU has the arc-cosine closed forms (Cho & Saul, "Kernel Methods for Deep Learning", NeurIPS 2009):
    ⟨φφ⟩ = √(q q')(sin θ + (π − θ) cos θ)/(2π),  ⟨φ'φ'⟩ = (π − θ)/(2π),  cos θ = c/√(q q');
linear nets give Φ^ℓ = K_x and NTK = (L+1) K_x; tanh is integrated by Gauss–Hermite quadrature.
"""

from __future__ import annotations

import numpy as np

_NODES, _WEIGHTS = np.polynomial.hermite_e.hermegauss(48)
_WEIGHTS = _WEIGHTS / _WEIGHTS.sum()


def _gaussian_pair(C: np.ndarray, fn, dfn):
    """⟨fn(u) fn(v)⟩ and ⟨dfn(u) dfn(v)⟩ over (u, v) ~ N(0, [[C_ii, C_ij], [C_ij, C_jj]])."""
    q = np.sqrt(np.clip(np.diag(C), 1e-300, None))
    rho = np.clip(C / np.outer(q, q), -1.0, 1.0)
    z1, z2 = np.meshgrid(_NODES, _NODES, indexing="ij")
    w = np.outer(_WEIGHTS, _WEIGHTS)
    u = q[:, None, None, None] * z1
    v = q[None, :, None, None] * (
        rho[:, :, None, None] * z1 + np.sqrt(1.0 - rho[:, :, None, None] ** 2) * z2
    )
    u = np.broadcast_to(u, v.shape)
    return (
        np.einsum("ijab,ab->ij", fn(u) * fn(v), w),
        np.einsum("ijab,ab->ij", dfn(u) * dfn(v), w),
    )


def _layer(C: np.ndarray, activation: str):
    if activation == "linear":
        return C.copy(), np.ones_like(C)
    if activation == "relu":
        q = np.sqrt(np.diag(C))
        cos = np.clip(C / np.outer(q, q), -1.0, 1.0)
        theta = np.arccos(cos)
        phi = np.outer(q, q) * (np.sin(theta) + (np.pi - theta) * cos) / (2 * np.pi)
        return phi, (np.pi - theta) / (2 * np.pi)
    return _gaussian_pair(C, np.tanh, lambda x: 1.0 - np.tanh(x) ** 2)


def init_kernels(Kx: np.ndarray, depth: int, activation: str):
    """(NTK, [Φ¹..Φ^L], [G¹..G^L]) of the infinite-width network at t = 0."""
    phis, dots = [], []
    C = Kx
    for _ in range(depth):
        phi, dot = _layer(C, activation)
        phis.append(phi)
        dots.append(dot)
        C = phi
    gs = [None] * depth
    g = np.ones_like(Kx)
    for ell in range(depth - 1, -1, -1):
        g = dots[ell] * g
        gs[ell] = g
    ntk = Kx * gs[0] + phis[-1]
    for ell in range(depth - 1):
        ntk = ntk + phis[ell] * gs[ell + 1]
    return ntk, phis, gs
