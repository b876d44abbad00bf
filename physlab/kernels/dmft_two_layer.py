"""Infinite-width (DMFT) dynamics of two-layer networks, stepped in time with the simulation.

Bordelon & Pehlevan, "Self-Consistent Dynamical Field Theory of Kernel Evolution in Wide Neural
Networks" (NeurIPS 2022), §4: as N → ∞ the neurons become independent samples of one single-site
process, and the kernels are averages over it. With c = ηγ0/P a neuron's state (h ∈ ℝᴾ, a) moves by
    a ← a + c φ(h)·Δ,   h ← h + c K_x (φ'(h) a ⊙ Δ),   f = ⟨a φ(h)⟩/γ0,  Δ = y − f.
"""

from __future__ import annotations

import numpy as np

from .network import Network


class TwoLayerLinearExact:
    """The linear two-layer case is exactly solvable: s = (h, a) evolves linearly,
    s_{t+1} = A_t s_t with A_t = [[I, c K_x Δ_t], [c Δ_tᵀ, 1]]. Propagating M_t = A_t M_{t−1} gives
    Cov(s_t) = M_t diag(K_x, 1) M_tᵀ, hence f = ⟨a h⟩/γ0, Φ¹ = ⟨h hᵀ⟩ and G¹ = ⟨a²⟩ exactly,
    at O((P+1)³) per step."""

    label = "DMFT, exact (two-layer linear)"

    def __init__(self, Kx: np.ndarray, y: np.ndarray, gamma0: float, lr: float):
        P = len(y)
        self.Kx, self.y, self.gamma0 = Kx, y, gamma0
        self.c = lr * gamma0 / P
        self.M = np.eye(P + 1)
        self.S0 = np.zeros((P + 1, P + 1))
        self.S0[:P, :P] = Kx
        self.S0[P, P] = 1.0
        self._update()

    def _update(self) -> None:
        P = len(self.y)
        cov = self.M @ self.S0 @ self.M.T
        self.f = cov[:P, P] / self.gamma0
        self.delta = self.y - self.f
        phi = cov[:P, :P]
        g = np.full((P, P), cov[P, P])
        self.kernels = (self.Kx * g + phi, [phi], [g])

    def step(self) -> None:
        P = len(self.y)
        A = np.eye(P + 1)
        A[:P, P] = self.c * (self.Kx @ self.delta)
        A[P, :P] = self.c * self.delta
        self.M = A @ self.M
        self._update()


class TwoLayerParticles:
    """Nonlinear two-layer networks: the single-site process sampled by M ≫ N particles (a network
    of width M with antithetic readout, so f(0) = 0 exactly); its error is O(M^{-1/2})."""

    def __init__(
        self,
        Kx: np.ndarray,
        y: np.ndarray,
        activation: str,
        gamma0: float,
        lr: float,
        particles: int,
        rng: np.random.Generator,
    ):
        self.label = f"DMFT, {particles:,} particles (two-layer {activation})"
        self.net = Network(Kx, y, 1, particles, activation, gamma0, lr, rng, antithetic=True)
        self._update()

    def _update(self) -> None:
        self.delta = self.net.delta
        self.kernels = self.net.kernels()

    def step(self) -> None:
        self.net.step()
        self._update()
