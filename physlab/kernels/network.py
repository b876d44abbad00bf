"""A finite-width network in the mean-field / μP parameterisation, trained by full-batch GD, with
its kernels measured as it trains.

Bordelon & Pehlevan, "Self-Consistent Dynamical Field Theory of Kernel Evolution in Wide Neural
Networks" (NeurIPS 2022, arXiv:2205.09653), §2:
    h¹ = W⁰x/√D,  h^{ℓ+1} = W^ℓ φ(h^ℓ)/√N,  f = w^L·φ(h^L)/(γ0 N),  all weights N(0, 1),
loss (1/2P)Σ(f − y)², GD with learning rate η γ0² N. Then every parameter moves by O(γ0) and the
residual Δ = y − f obeys Δ(t+1) = Δ(t) − (η/P) K(t) Δ(t) with the NTK
    K = Σ_{ℓ=0}^{L} G^{ℓ+1} ⊙ Φ^ℓ,  Φ^ℓ = φ(h^ℓ)ᵀφ(h^ℓ)/N,  G^ℓ = g^ℓᵀg^ℓ/N,
Φ⁰ = K_x, G^{L+1} = 1, g^ℓ = φ'(h^ℓ) ⊙ z^ℓ, z^L = w^L, z^ℓ = W^ℓᵀg^{ℓ+1}/√N.

Only the training inputs matter, so the first layer is kept as its pre-activations h¹ (N×P): the
GD step of W⁰ moves them by (ηγ0/P)(g¹ ⊙ Δ) K_x, whatever D is. The output is centred (the network
trains f − f(0)) so that f(0) ~ 1/(γ0√N) does not swamp small-γ0 runs; with ``antithetic`` the
readout comes in pairs (w, −w) on equal features instead, which makes f(0) = 0 exactly (used by the
infinite-width particle theory).
"""

from __future__ import annotations

import numpy as np

from .activations import activate


class Network:
    def __init__(
        self,
        Kx: np.ndarray,
        y: np.ndarray,
        depth: int,
        width: int,
        activation: str,
        gamma0: float,
        lr: float,
        rng: np.random.Generator,
        antithetic: bool = False,
    ):
        P = len(y)
        self.Kx, self.y, self.depth, self.width = Kx, y, depth, width
        self.activation, self.gamma0, self.lr = activation, gamma0, lr
        root = np.linalg.cholesky(Kx + 1e-12 * np.eye(P))
        if antithetic:
            half = rng.standard_normal(((width + 1) // 2, P)) @ root.T
            self.h1 = np.concatenate([half, half])[:width]
            w = rng.standard_normal((width + 1) // 2)
            self.w = np.concatenate([w, -w])[:width]
            if width % 2:
                self.w[-1] = 0.0
        else:
            self.h1 = rng.standard_normal((width, P)) @ root.T  # = W⁰X/√D in distribution
            self.w = rng.standard_normal(width)
        self.W = [rng.standard_normal((width, width)) for _ in range(depth - 1)]
        self.h: list[np.ndarray] = [None] * depth  # pre-activations, set by forward()
        self.phi = [np.empty((width, P)) for _ in range(depth)]
        self.dphi = [np.empty((width, P)) for _ in range(depth)]
        self.g = [np.empty((width, P)) for _ in range(depth)]
        self.f0 = 0.0
        self.forward()
        self.f0 = self.f.copy() if not antithetic else np.zeros(P)

    def forward(self) -> None:
        """Pre-activations, output f − f(0) and residual Δ for the current weights."""
        n = self.width
        self.h[0] = self.h1
        for ell in range(self.depth):
            activate(self.h[ell], self.activation, self.phi[ell], self.dphi[ell])
            if ell + 1 < self.depth:
                self.h[ell + 1] = self.W[ell] @ self.phi[ell] / np.sqrt(n)
        self.f = self.w @ self.phi[-1] / (self.gamma0 * n)
        self.delta = self.y - (self.f - self.f0)
        self._g_ready = False

    def backward(self) -> None:
        """Gradient signals g^ℓ = φ'(h^ℓ) ⊙ z^ℓ (N×P each)."""
        n = self.width
        z = np.broadcast_to(self.w[:, None], self.h[-1].shape)
        for ell in range(self.depth - 1, -1, -1):
            np.multiply(self.dphi[ell], z, out=self.g[ell])
            if ell > 0:
                z = self.W[ell - 1].T @ self.g[ell] / np.sqrt(n)
        self._g_ready = True

    def step(self) -> None:
        """One full-batch GD step (all layers from the same pre-step state), then a forward pass."""
        if not self._g_ready:
            self.backward()
        c = self.lr * self.gamma0 / len(self.y)
        delta = self.delta
        n = self.width
        self.w += c * (self.phi[-1] @ delta)
        for ell in range(self.depth - 1):
            # scale the thin N×P factor, not the N×N product (one N×N temporary, not two)
            self.W[ell] += (self.g[ell + 1] * (c / np.sqrt(n) * delta)) @ self.phi[ell].T
        self.h1 = self.h1 + c * ((self.g[0] * delta) @ self.Kx)
        self.forward()

    def loss(self) -> float:
        return 0.5 * float(np.mean(self.delta**2))

    def kernels(self):
        """(NTK, [Φ¹..Φ^L], [G¹..G^L]) at the current weights."""
        if not self._g_ready:
            self.backward()
        n = self.width
        phis = [p.T @ p / n for p in self.phi]
        gs = [g.T @ g / n for g in self.g]
        ntk = self.Kx * gs[0] + phis[-1]
        for ell in range(self.depth - 1):
            ntk = ntk + phis[ell] * gs[ell + 1]
        return ntk, phis, gs
