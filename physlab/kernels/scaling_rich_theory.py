"""The infinite-size loss curve of the rich (feature-learning) random-feature model.

Bordelon, Atanasov & Pehlevan, "How Feature Learning Can Improve Neural Scaling Laws" (ICLR 2025,
arXiv:2409.17858), §2: the readout w and the projection A = (I + U) A(0) train together by
projected GD, in readout space (see :mod:`.scaling_model`)
    w ← w + η (I + U) q,   U ← U + ηγ w qᵀ,   u = (I + U)ᵀ w,   q = b − K u.
Under gradient flow, d/dt[(I + U)(I + U)ᵀ − γ w wᵀ] = 0 (the balance of a two-layer linear net), so
    (I + U)(I + U)ᵀ = I + γ w wᵀ   and   |u|² = |w|² + γ |w|⁴.
Then (I + U)ᵀ(I + U) = I + γ|w|² û ûᵀ (the same spectrum, along û = u/|u|), and
    du/dt = (1 + γ|w|²) q + γ|w|² (u·q) u / |u|²,     |w|² = 2|u|² / (1 + √(1 + 4γ|u|²)):
a closed equation in u alone. As N → ∞ (A(0)ᵀA(0)/N → I) u becomes the function-space vector v
(v_k the coefficient of feature k), q = Λ(v* − v) and u·q = v·Λ(v* − v), so the N → ∞ test loss
L(t) = Σ_k λ_k (v*_k − v_k)² follows from M scalar modes coupled through |v|² and v·Λ(v* − v) only:
O(M) per step instead of the O(M²) of the M-dimensional model. (The paper reaches this limit by
DMFT; the closed form here follows from the conservation law. Stepped as GD with the run's η, its
loss is within 0.4 % of the full M-dimensional rich model's over 10⁴ steps at M = 600, γ = 0.1:
GD keeps the conserved quantity only to O(η²) per step; tests/kernels/test_scaling_rich_theory.py.)

Why the time exponent improves on hard tasks (the paper's χ(β), its Fig. 1): the rate 1 + γ|w|²
grows with |v|². Once the modes k < k* are learned, |v|² ≈ Σ_{k<k*} v*_k² ~ k*^{α(1−β)}, which grows
without bound when β < 1 (the target is outside the RKHS). Then γ|w|² ≈ √γ |v| ~ k*^{α(1−β)/2}, modes
are learned when λ_k·γ|w|²·t ~ 1, so k* ~ t^{2/(α(1+β))} and L ~ k*^{−αβ} ~ t^{−2β/(1+β)}. When
β > 1, |v|² tends to the finite |v*|², the rate to a constant, and L ~ t^{−β} as in the lazy model.
At γ = 0 the recursion is v ← v + ηΛ(v* − v), the lazy N → ∞ theory exactly.

GD is stable only while the top mode's rate η·λ_1·(1 + γ|w|²) stays below 2; on a hard task the
rate grows with |v|², so at a fixed η the N → ∞ model leaves the stable range after a finite time
(at the defaults, α = 1.5, β = 0.5, γ = 0.1, η = 0.5, M = 4000, at step 4013; a finite model's
|w|² is smaller, held back by its N-dimensional bottleneck). The curve stops there: NaN from that
step on, and :attr:`RichInfiniteWidth.horizon` says where.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from physlab.core.numba_setup import JIT


@njit(**JIT)
def _rich_modes(lam, target, v, t0, steps, lr, gamma, record, out):
    """GD steps t0 → ``steps`` of the N → ∞ rich model in place on ``v``; writes the loss at each
    recorded step in [t0, steps] into ``out``. Returns the step reached: < ``steps`` where the next
    step would be unstable (η·λ_max·(1 + γ|w|²) ≥ 2) or the loss stopped being finite; ``out``
    keeps NaN from there."""
    M = len(lam)
    top = np.max(lam)
    j = np.searchsorted(record, t0)
    for t in range(t0, steps + 1):
        loss, norm, overlap = 0.0, 0.0, 0.0
        for k in range(M):
            error = target[k] - v[k]
            loss += lam[k] * error * error
            norm += v[k] * v[k]
            overlap += v[k] * lam[k] * error
        if not np.isfinite(loss) or loss > 1e300:
            return t
        while j < len(record) and record[j] == t:
            out[j] = loss
            j += 1
        if t == steps:
            break
        w2 = 2.0 * norm / (1.0 + np.sqrt(1.0 + 4.0 * gamma * norm))
        rate = lr * (1.0 + gamma * w2)
        if rate * top >= 2.0:
            return t
        along = lr * gamma * w2 * overlap / norm if norm > 0.0 else 0.0
        for k in range(M):
            v[k] += rate * lam[k] * (target[k] - v[k]) + along * v[k]
    return steps


class RichInfiniteWidth:
    """The N → ∞ rich model on the run's features (λ_k, v*_k), stepped to the recorded steps."""

    def __init__(self, lam, target, lr: float, gamma: float, record: np.ndarray):
        self.lam, self.target, self.lr, self.gamma = lam, target, lr, gamma
        self.record = record.astype(np.int64)
        self.loss = np.full(len(record), np.nan)
        self.v = np.zeros(len(lam))
        self.t = 0
        self.diverged = False  # stopped before the last recorded step (see :attr:`horizon`)

    def advance_to(self, t: int) -> None:
        """Step on to GD step ``t`` (no further than the last recorded step)."""
        t = min(int(t), int(self.record[-1]))
        if self.diverged or t <= self.t:
            return
        reached = _rich_modes(
            self.lam, self.target, self.v, self.t, t, self.lr, self.gamma, self.record, self.loss
        )
        self.diverged = reached < t
        self.t = reached

    @property
    def horizon(self) -> int:
        """The last step the curve reaches: where GD on the N → ∞ model would turn unstable, or
        the step it has been advanced to."""
        return self.t


def rich_infinite_width_loss(lam, target, lr: float, gamma: float, record: np.ndarray):
    """L(t) of the N → ∞ rich model at the steps ``record`` (increasing, from 0)."""
    theory = RichInfiniteWidth(lam, target, lr, gamma, record)
    theory.advance_to(int(record[-1]))
    return theory.loss
