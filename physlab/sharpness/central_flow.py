"""The central flow of gradient descent: the smooth path GD follows at the edge of stability.

Damian, Nichani & Lee ("Self-Stabilization: The Implicit Bias of Gradient Descent at the Edge of
Stability", ICLR 2023, §4) show that GD at the edge of stability oscillates along the top Hessian
eigenvector u around the *constrained trajectory* — projected gradient descent on the stable set
{S(θ) ≤ 2/η} — and that the oscillation x = u·(θ − θ†) is what keeps the sharpness S at 2/η: the
cubic term of the loss turns x² into a step along −∇S (self-stabilisation). Cohen, Damian,
Talwalkar, Kolter & Lee ("Understanding Optimization in Deep Learning with Central Flows", 2024,
§3) write the time-averaged GD as an ODE, the *central flow* (time t in steps):

    dw/dt = −η [∇L(w) + ½ Σ_ij X_ij ∇(u_iᵀ H u_j)(w)],

with u_i the top eigenvectors of H(w) and X ⪰ 0 the covariance of GD's oscillation in their span,
fixed by the complementarity problem (an SDCP) X ⪰ 0, 2/η − UᵀHU ⪰ 0 (to first order in dt),
⟨X, 2/η − UᵀHU⟩ = 0: no oscillation while every eigenvalue is below 2/η; at the edge the
variance that holds the sharpness at 2/η. With one eigenvalue at the edge this is Damian et al.'s
projected flow, X = σ² = 2⟨−∇L, ∇S⟩/‖∇S‖². The time-averaged GD loss is then predicted as
L(w) + ½⟨UᵀHU, X⟩ = L(w) + ½ Σ_i λ_i X_ii (the authors' ``make_pred``), not L(w): GD's
oscillation costs loss.

This follows the authors' code (``alex-damian/central_flows_jax``, ``flows.py``:
``central_flow_substep``, Euler substeps, and ``make_pred``): there the SDCP is solved with CVXOPT;
here, for the few eigenvalues near the edge, by projected accelerated gradient
(:func:`solve_sdcp`). Third derivatives ∇(u_iᵀ H u_j) = D³L[u_i, u_j] are forward differences of
exact HVPs; the top eigenvectors are tracked by a warm-started block Krylov Rayleigh–Ritz step per
substep. On the Chebyshev net 2 substeps per step give the losses of 4 (the authors' default)
to 0.5 %. The flow stops (its rows turn NaN) where all :data:`TRACKED` eigenvalues reach 2/η —
more may have, unseen — or its loss is no longer finite.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from physlab.core.numba_setup import JIT

SUBSTEPS = 2  # Euler substeps per GD step
TRACKED = 3  # top eigenvectors tracked
NEAR_EDGE = 0.9  # eigenvalues above this fraction of 2/η enter the complementarity problem
FD_STEP = 1e-5  # forward-difference step for D³L[u_i, u_j] (unit u_j)
EDGE_TOLERANCE = 0.999  # with all TRACKED eigenvalues this close to 2/η the flow stops (NaN)
START_ITERATIONS = 30  # Rayleigh–Ritz steps that converge the tracked eigenvectors at the start


@njit(**JIT)
def _sym_eigh(A):
    """Eigenvalues and eigenvectors (columns) of a small symmetric matrix by cyclic Jacobi
    rotations (Golub & Van Loan §8.5; numba's eigh would need SciPy)."""
    n = A.shape[0]
    a = A.copy()
    v = np.eye(n)
    for _ in range(50):
        off = 0.0
        for p in range(n):
            for q in range(p + 1, n):
                off += a[p, q] * a[p, q]
        if off <= 1e-30 * max(1e-300, np.sum(a * a)):
            break
        for p in range(n):
            for q in range(p + 1, n):
                if a[p, q] == 0.0:
                    continue
                tau = (a[q, q] - a[p, p]) / (2.0 * a[p, q])
                t = np.sign(tau) / (abs(tau) + np.sqrt(1.0 + tau * tau)) if tau != 0.0 else 1.0
                c = 1.0 / np.sqrt(1.0 + t * t)
                s = t * c
                for k in range(n):
                    akp, akq = a[k, p], a[k, q]
                    a[k, p], a[k, q] = c * akp - s * akq, s * akp + c * akq
                for k in range(n):
                    apk, aqk = a[p, k], a[q, k]
                    a[p, k], a[q, k] = c * apk - s * aqk, s * apk + c * aqk
                for k in range(n):
                    vkp, vkq = v[k, p], v[k, q]
                    v[k, p], v[k, q] = c * vkp - s * vkq, s * vkp + c * vkq
    return np.diag(a).copy(), v


@njit(**JIT)
def _project_psd(A):
    w, v = _sym_eigh(0.5 * (A + A.T))
    out = np.zeros_like(A)
    for i in range(w.size):
        if w[i] > 0.0:
            out += w[i] * np.outer(v[:, i], v[:, i])
    return out


@njit(**JIT)
def solve_sdcp(Q, G, X0, iterations, tol):
    """X ⪰ 0 minimising ½⟨X, 𝒢X⟩ + ⟨Q, X⟩, (𝒢X)_ij = Σ_kl G[i, j, k, l] X_kl (𝒢 ⪰ 0): the
    semidefinite complementarity problem X ⪰ 0, M = Q + 𝒢X ⪰ 0, ⟨X, M⟩ = 0 of the central flow,
    by FISTA with projection onto the PSD cone (Beck & Teboulle 2009), warm-started at ``X0``."""
    k = Q.shape[0]
    lip = np.sqrt(np.sum(G * G))  # ≥ the largest eigenvalue of 𝒢
    if lip == 0.0:
        return np.zeros_like(Q)
    X = X0.copy()
    Y = X0.copy()
    t = 1.0
    for _ in range(iterations):
        M = Q.copy()
        for i in range(k):
            for j in range(k):
                M[i, j] += np.sum(G[i, j] * Y)
        X_new = _project_psd(Y - M / lip)
        t_new = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
        Y = X_new + ((t - 1.0) / t_new) * (X_new - X)
        change = np.sqrt(np.sum((X_new - X) ** 2))
        X = X_new
        t = t_new
        if change <= tol * max(np.sqrt(np.sum(X * X)), 1e-300):
            break
    return X


@dataclass
class FlowPoint:
    """The central flow at the start of a step: what the views and tests read."""

    loss: float  # L(w)
    predicted_loss: float  # L(w) + ½ Σ λ_i X_ii: the time-averaged GD loss it predicts
    sharpness: float  # λ1(H(w))
    variance: float  # tr X: predicted mean square of GD's oscillation around w
    displacement: float  # x = u1·(θ − w) of the GD iterate θ given to :meth:`CentralFlow.step`


class CentralFlow:
    """The central flow of GD (``constrained=True``) or plain gradient flow dw/dt = −η∇L
    (``constrained=False``, X = 0: what GD would follow without self-stabilisation), integrated
    from θ0 in GD's time units by :data:`SUBSTEPS` Euler substeps per step, on a model with
    ``loss_grad`` and ``hvp`` (:class:`~.models.MLPModel`)."""

    def __init__(
        self,
        model,
        theta0: np.ndarray,
        rng: np.random.Generator,
        constrained: bool = True,
        substeps: int = SUBSTEPS,
    ):
        self.model = model
        self.substeps = substeps
        self.constrained = constrained
        self.w = theta0.copy()
        self.rng = rng
        self.grad = np.empty_like(self.w)
        self.U = np.linalg.qr(rng.standard_normal((self.w.size, TRACKED)))[0]
        self.HU = self._hvps(self.w, self.U)
        self.values = np.zeros(TRACKED)
        for _ in range(START_ITERATIONS):
            self._track()
        self.X = np.zeros((0, 0))
        self.active = np.zeros(0, dtype=np.int64)
        self.failed = False  # stopped: a non-finite loss, or more eigenvalues at 2/η than tracked
        solve_sdcp(np.eye(2), np.zeros((2, 2, 2, 2)), np.zeros((2, 2)), 1, 0.0)  # compile here

    def _hvps(self, w: np.ndarray, V: np.ndarray) -> np.ndarray:
        return np.stack([self.model.hvp(w, v) for v in V.T], axis=1)

    def _track(self) -> None:
        """One Rayleigh–Ritz step on span{U, H U, r} (r a fresh random probe, so that an
        eigenvalue rising into the top from outside the tracked block is found)."""
        probe = self.rng.standard_normal((self.w.size, 1))
        basis = np.linalg.qr(np.hstack([self.U, self.HU, probe]))[0]
        H_basis = self._hvps(self.w, basis)
        ritz, vectors = np.linalg.eigh(0.5 * (basis.T @ H_basis + H_basis.T @ basis))
        top = vectors[:, ::-1][:, :TRACKED]
        previous = self.U[:, 0].copy()
        self.values = ritz[::-1][:TRACKED]
        self.U = basis @ top
        self.HU = H_basis @ top
        if self.U[:, 0] @ previous < 0:  # keep u1's sign continuous
            self.U[:, 0] *= -1.0
            self.HU[:, 0] *= -1.0

    def _third(self, i: int, j: int) -> np.ndarray:
        """D³L(w)[u_i, u_j] = ∇(u_iᵀ H u_j) by a forward difference (H(w + ε u_j) − H(w)) u_i
        (H(w) u_i is the tracked HU: one HVP a pair)."""
        plus = self.model.hvp(self.w + FD_STEP * self.U[:, j], self.U[:, i])
        return (plus - self.HU[:, i]) / FD_STEP

    def _variance(self, eta: float, dt: float) -> tuple[np.ndarray, np.ndarray, list]:
        """(active indices, X, the vectors D³L[u_i, u_j] of the active pairs)."""
        active = np.flatnonzero(self.values >= NEAR_EDGE * 2.0 / eta)
        k = active.size
        if not self.constrained or k == 0:
            return active[:0], np.zeros((0, 0)), []
        T = [[None] * k for _ in range(k)]
        for a in range(k):
            for b in range(a, k):
                T[a][b] = T[b][a] = self._third(active[a], active[b])
        Q = np.diag(2.0 / eta - self.values[active])
        G = np.empty((k, k, k, k))
        for a in range(k):
            for b in range(k):
                Q[a, b] += dt * eta * (T[a][b] @ self.grad)
                for c in range(k):
                    for d in range(k):
                        G[a, b, c, d] = 0.5 * dt * eta * (T[a][b] @ T[c][d])
        if np.linalg.eigvalsh(Q).min() >= 0.0:
            X = np.zeros((k, k))
        elif k == 1:
            X = np.array([[max(0.0, -Q[0, 0] / G[0, 0, 0, 0])]])
        else:
            same = self.X.shape == (k, k) and np.array_equal(self.active, active)
            X = solve_sdcp(Q, G, self.X if same else np.zeros((k, k)), 5000, 1e-10)
        return active, X, T

    def step(self, eta: float, theta: np.ndarray | None = None) -> FlowPoint:
        """Advance by one GD step of time (learning rate ``eta``); returns the flow at its start
        (with the displacement of the GD iterate ``theta`` of that step, NaN without one)."""
        dt = 1.0 / self.substeps
        point = None
        for _ in range(self.substeps):
            loss = self.model.loss_grad(self.w, self.grad) if not self.failed else np.nan
            if not np.isfinite(loss) or not np.all(np.isfinite(self.grad)):
                self.failed = True  # from here on the flow's rows are NaN
                return FlowPoint(np.nan, np.nan, np.nan, np.nan, np.nan)
            self._track()
            if self.constrained and self.values[-1] >= EDGE_TOLERANCE * 2.0 / eta:
                self.failed = True  # all tracked eigenvalues at the edge: more may be, unseen
                return FlowPoint(np.nan, np.nan, np.nan, np.nan, np.nan)
            active, X, T = self._variance(eta, dt)
            self.active, self.X = active, X
            velocity = -eta * self.grad
            for a in range(active.size):
                for b in range(active.size):
                    velocity -= 0.5 * eta * X[a, b] * T[a][b]
            if point is None:
                point = FlowPoint(
                    loss=float(loss),
                    predicted_loss=float(loss + 0.5 * np.sum(self.values[active] * np.diag(X))),
                    sharpness=float(self.values[0]),
                    variance=float(np.trace(X)) if X.size else 0.0,
                    displacement=np.nan
                    if theta is None
                    else float(self.U[:, 0] @ (theta - self.w)),
                )
            self.w += dt * velocity
        return point
