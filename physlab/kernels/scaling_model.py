"""The random-feature model of neural scaling laws, lazy and rich, with its exact test loss.

Bordelon, Atanasov & Pehlevan, "A Dynamical Model of Neural Scaling Laws" (ICML 2024,
arXiv:2402.01092), §2: features ψ_k (k = 1..M) with power-law spectrum λ_k = k^{−α} (capacity α)
and a target with λ_k v*_k² = k^{−(1+αβ)} (source β). The model f = w·Aψ/√N (A an N×M Gaussian
projection, M ≫ N) predicts with v = Aᵀw/√N, and its test loss is exact in the eigenbasis:
    L = Σ_k λ_k (v*_k − v_k)² = c − 2 b·u + uᵀ K_A u,
with c = Σλv*², b = AΛv*/√N, K_A = AΛAᵀ/N and u the readout seen through A (u = w when A is fixed).
Training uses P samples (Λ̂ = ΨΨᵀ/P; P = 0 means the population gradient, Λ̂ = Λ): the gradient in
readout space is q = b̂ − K̂ u with K̂ = AΛ̂Aᵀ/N, b̂ = AΛ̂v*/√N.

Lazy (A fixed): w ← w + η q is linear, so w_t = Σ_i (1 − (1 − ηκ_i)^t) (b̂·e_i/κ_i) e_i over the
eigenpairs (κ_i, e_i) of K̂ — exact at any t without stepping.

Rich (Bordelon, Atanasov & Pehlevan, "How Feature Learning Can Improve Neural Scaling Laws",
ICLR 2025, arXiv:2409.17858, §2): A trains too, at relative rate γ, by gradient descent projected
on the row space of A(0) (the step of A is multiplied by A(0)ᵀA(0)/N), so the model keeps its
N-dimensional bottleneck. Then A = (I + U) A(0) and
    u = (I + U)ᵀ w,   w ← w + η (I + U) q,   U ← U + ηγ w qᵀ,
all O(N²) per step in readout space. (γ multiplies the projected step of A by N, the mean-field
scaling: the feature-learning term then stays O(γ) as N grows instead of vanishing like 1/N.)
"""

from __future__ import annotations

import numba
import numpy as np
from numba import njit, prange

from physlab.core.numba_setup import JIT


class FeatureSpace:
    """The spectrum, target, projection and (optionally) training samples shared by all curves."""

    def __init__(
        self,
        alpha: float,
        beta: float,
        features: int,
        max_width: int,
        samples: int,
        rng: np.random.Generator,
    ):
        k = np.arange(1, features + 1, dtype=float)
        self.lam = k**-alpha
        self.target = np.sqrt(k ** -(1.0 + alpha * beta) / self.lam)
        self.c = float(np.sum(self.lam * self.target**2))
        self.A = rng.standard_normal((max_width, features))
        self.samples = samples
        if samples:
            self.psi = np.sqrt(self.lam)[:, None] * rng.standard_normal((features, samples))
            self.labels = self.psi.T @ self.target

    def readout_problem(self, width: int, samples: int):
        """(K_A, b, K̂, b̂) of a model of width N trained on the first P samples (0 = population)."""
        A = self.A[:width]
        K = (A * self.lam) @ A.T / width
        b = A @ (self.lam * self.target) / np.sqrt(width)
        if not samples:
            return K, b, K, b
        F = A @ self.psi[:, :samples] / np.sqrt(width)
        return K, b, F @ F.T / samples, F @ self.labels[:samples] / samples

    def test_loss(self, K: np.ndarray, b: np.ndarray, u: np.ndarray) -> np.ndarray:
        """L = c − 2 b·u + uᵀ K u for each column of ``u`` (N×T)."""
        return self.c - 2.0 * (b @ u) + np.einsum("it,it->t", u, K @ u)

    def infinite_width_loss(self, lr: float, steps: np.ndarray) -> np.ndarray:
        """Lazy, N → ∞ and P → ∞: L(t) = Σ_k λ_k v*_k² (1 − ηλ_k)^{2t}."""
        decay = np.abs(1.0 - lr * self.lam)[None, :] ** (2.0 * steps[:, None])
        return decay @ (self.lam * self.target**2)


def lazy_readouts(K_hat: np.ndarray, b_hat: np.ndarray, lr: float, steps: np.ndarray):
    """u(t) = w(t) for each recorded step (N×T), from the eigen-decomposition of K̂."""
    kappa, E = np.linalg.eigh(K_hat)
    coeff = E.T @ b_hat
    t = steps[None, :].astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        grow = np.where(
            np.abs(kappa)[:, None] > 1e-14,
            (1.0 - (1.0 - lr * kappa[:, None]) ** t) / kappa[:, None],
            lr * t,
        )
    return E @ (grow * coeff[:, None])


@njit(parallel=True, **JIT)
def _rich_steps(K_hat, b_hat, U, w, u, n, lr, gamma, chunks):
    """``n`` rich GD steps in place, every update from the pre-step state.

    The steps are memory-bound (N×N matrices read per step), so each step makes one pass over K̂
    (q = b̂ − K̂u) and one fused pass over U: row i gives (Uq)_i, hence w_i's step, then is updated
    (U_i· += ηγ w_i q) and adds its share U_ij w_new,i to the next readout u, accumulated per
    chunk of rows and summed after the pass.
    """
    N = len(w)
    q = np.empty(N)
    partial = np.zeros((chunks, N))
    size = (N + chunks - 1) // chunks
    for _ in range(n):
        for i in prange(N):
            acc = b_hat[i]
            for j in range(N):
                acc -= K_hat[i, j] * u[j]
            q[i] = acc
        for c in prange(chunks):
            part = partial[c]
            part[:] = 0.0
            for i in range(c * size, min((c + 1) * size, N)):
                acc = q[i]
                for j in range(N):
                    acc += U[i, j] * q[j]
                s = lr * gamma * w[i]
                w_new = w[i] + lr * acc
                for j in range(N):
                    U[i, j] += s * q[j]
                    part[j] += U[i, j] * w_new
                w[i] = w_new
        for j in prange(N):
            acc = w[j]
            for c in range(chunks):
                acc += partial[c, j]
            u[j] = acc


class RichRun:
    """One rich model stepped through the recorded steps."""

    def __init__(self, K_hat, b_hat, lr, gamma):
        N = len(b_hat)
        self.K_hat, self.b_hat, self.lr, self.gamma = K_hat, b_hat, lr, gamma
        self.U = np.zeros((N, N))
        self.w = np.zeros(N)
        self.u = np.zeros(N)
        self.t = 0

    def advance_to(self, t: int) -> np.ndarray:
        chunks = max(1, min(numba.get_num_threads() * 4, len(self.w)))
        _rich_steps(
            self.K_hat, self.b_hat, self.U, self.w, self.u, t - self.t, self.lr, self.gamma, chunks
        )
        self.t = t
        return self.u.copy()
