"""Optimisers and learning-rate schedules, and the stability thresholds that go with them.

- GD: θ ← θ − η g; linearly unstable along curvature λ > 2/η.
- SGD: the GD step on the gradient of a minibatch (:mod:`.minibatch`); same update, same code.
- Heavy-ball momentum: b ← β b + g, θ ← θ − η b; threshold (2 + 2β)/η.
- Nesterov momentum in PyTorch's form (``SGD(nesterov=True)``, the one Cohen et al. 2021 run):
  b ← β b + g, θ ← θ − η (g + β b). On a quadratic of curvature λ, with a = ηλ and c = ηb, the
  state (θ, c) evolves by [[1 − a(1+β), −β²], [a, β]], whose trace is 1 + β − a(1+β) and
  determinant β(1 − a). An eigenvalue crosses −1 where 1 + trace + det = 2 + 2β − a(1 + 2β) = 0,
  so the step is stable for λ < (2 + 2β)/(η(1 + 2β)) (the |det| < 1 bound, a < 1 + 1/β, lies
  beyond it) — the threshold Cohen et al. ("Gradient Descent on Neural Networks Typically Occurs
  at the Edge of Stability", ICLR 2021, appendix on momentum) give for Nesterov.
- Adam (Kingma & Ba 2015) with bias correction; the *preconditioned* sharpness λ1(P⁻¹H),
  P = (1 − β1ᵗ)·diag(√v̂ + ε), sits near (2 + 2β1)/(η(1 − β1)) (Cohen et al., "Adaptive Gradient
  Methods at the Edge of Stability", 2022, arXiv:2207.14484, §2).
- GI-Adam (Kalra & Barkeshli, "Why Warmup the Learning Rate?", NeurIPS 2024, §6): Adam, bias
  correction included, with the second moment initialised from the first gradient, v0 = g0²
  instead of 0. Then v̂_t = v_t/(1 − β2ᵗ) ≈ g²/(1 − β2ᵗ) while the gradients stay near g0, so
  the step is Adam's times √(1 − β2ᵗ): the first one √(1 − β2) ≈ 1/32 of Adam's, growing to it
  over ~1/(1 − β2) steps — a built-in warm-up, and an initial preconditioned sharpness ~30×
  below Adam's (the paper's "two orders of magnitude" at their β2).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from physlab.core.numba_setup import JIT

OPTIMIZERS = {"gd": 0, "sgd": 0, "momentum": 1, "nesterov": 4, "adam": 2, "gi-adam": 3}
ADAM_LIKE = ("adam", "gi-adam")  # optimisers with Adam's preconditioner and thresholds
MOMENTUM_LIKE = ("momentum", "nesterov")  # optimisers with a momentum β
FULL_BATCH = ("gd",)  # the optimisers that always step on the whole training set


@njit(**JIT)
def optimizer_step(theta, g, opt, lr, beta, beta1, beta2, eps, buf1, buf2, t):
    """Apply one update in place. ``t`` is the 1-based Adam step; buf1/buf2 hold momentum or
    Adam's first and second moments."""
    if opt == 0:
        for i in range(theta.size):
            theta[i] -= lr * g[i]
    elif opt == 1:
        for i in range(theta.size):
            buf1[i] = beta * buf1[i] + g[i]
            theta[i] -= lr * buf1[i]
    elif opt == 4:
        for i in range(theta.size):
            buf1[i] = beta * buf1[i] + g[i]
            theta[i] -= lr * (g[i] + beta * buf1[i])
    else:
        c1 = 1.0 - beta1**t
        c2 = 1.0 - beta2**t
        for i in range(theta.size):
            if opt == 3 and t == 1:
                buf2[i] = g[i] * g[i]  # GI-Adam: v0 = g0²
            buf1[i] = beta1 * buf1[i] + (1.0 - beta1) * g[i]
            buf2[i] = beta2 * buf2[i] + (1.0 - beta2) * g[i] * g[i]
            theta[i] -= lr * (buf1[i] / c1) / (np.sqrt(buf2[i] / c2) + eps)


def adam_preconditioner(
    buf2: np.ndarray, t: int, beta1: float, beta2: float, eps: float
) -> np.ndarray:
    """Diagonal of P = (1 − β1ᵗ)(√v̂ + ε): Adam's (and GI-Adam's) update is θ ← θ − η P⁻¹ m."""
    t = max(t, 1)
    v = buf2 / (1.0 - beta2**t)
    return (1.0 - beta1**t) * (np.sqrt(v) + eps)


def stability_factor(optimizer: str, momentum: float, beta1: float) -> float:
    """c such that the stability threshold is c/η: 2 (GD, SGD), 2+2β (momentum),
    (2+2β)/(1+2β) (Nesterov), (2+2β1)/(1−β1) (Adam, for the preconditioned sharpness)."""
    if optimizer == "momentum":
        return 2.0 + 2.0 * momentum
    if optimizer == "nesterov":
        return (2.0 + 2.0 * momentum) / (1.0 + 2.0 * momentum)
    if optimizer in ADAM_LIKE:
        return (2.0 + 2.0 * beta1) / (1.0 - beta1)
    return 2.0


def lr_schedule(
    steps: np.ndarray, schedule: str, lr: float, total: int, warmup_steps: int, lr_start: float
) -> np.ndarray:
    """η_t at the given steps.

    constant: η. warmup: linear from ``lr_start`` to η over ``warmup_steps`` (Kalra & Barkeshli,
    "Why Warmup the Learning Rate?", NeurIPS 2024: start at the critical η_c, found by forward
    passes, rather than at 0). cosine: the same warm-up, then η·½(1 + cos(π·τ)) with τ the fraction
    of the remaining steps.
    """
    t = np.asarray(steps, dtype=float)
    eta = np.full_like(t, lr)
    if schedule in ("warmup", "cosine") and warmup_steps > 0:
        start = min(lr_start, lr)
        ramp = t < warmup_steps
        eta[ramp] = start + (lr - start) * t[ramp] / warmup_steps
    if schedule == "cosine":
        decay = t >= warmup_steps
        span = max(total - warmup_steps, 1)
        eta[decay] = (
            lr * 0.5 * (1.0 + np.cos(np.pi * np.minimum((t[decay] - warmup_steps) / span, 1)))
        )
    return eta
