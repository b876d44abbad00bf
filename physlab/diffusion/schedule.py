"""The component-wise noise schedule of GUD (Gerdes, Welling & Cheng, "GUD: Generation with Unified
Diffusion", 2024, §3.3, the soft-conditioning schedule) and the exact reverse-step coefficients.

Each component i has an ordering label l_i ∈ [0, 1] and the log-SNR parameter
γ_i(t) = log(σ_i²/α_i²) runs along parallel lines shifted by l_i/s:
    γ_i(t) = γ̃_min + (l_i − 1)/s + t·(γ̃_max − γ̃_min + 1/s),     α_i² = sigmoid(−γ_i), σ_i² = sigmoid(γ_i),
so every component is clean (γ ≤ γ̃_min) at t = 0 and noise (γ ≥ γ̃_max) at t = 1. Large softness s
makes the shifts vanish (standard, simultaneous diffusion); s → 0 spreads them so far apart that
the components are generated one after another in label order (autoregressive). Labels are
normalised to [0, 1] so that s means the same for every ordering.

Reverse step t → u < t, per component (the variational-diffusion algebra): α_{t|u} = α_t/α_u,
σ²_{t|u} = σ_t² − α²_{t|u}σ_u², and x_u ~ N(a x̂0 + b x_t, τ²) with a = α_u σ²_{t|u}/σ_t²,
b = α_{t|u} σ_u²/σ_t², τ² = σ²_{t|u}σ_u²/σ_t² — computed from log-sigmoids so that components far
from their active window (γ of ±hundreds at small s) stay finite. A component already generated
(γ ≪ 0) has x̂0 = x_t up to O(σ_t) and τ ≈ σ_u, so it changes by O(e^{γ/2}): it is frozen.
"""
from __future__ import annotations

import numpy as np

GAMMA_MIN, GAMMA_MAX = -7.0, 7.0
ORDERINGS = ("variance", "raster", "random")


def ordering_labels(ordering: str, variances: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """l_i ∈ [0, 1]: ``variance`` — l = −log λ rescaled (the RG order: large-variance components,
    i.e. coarse scales, first); ``raster`` — the component index; ``random`` — a random order."""
    d = len(variances)
    if ordering == "variance":
        v = -np.log(variances)
    elif ordering == "raster":
        v = np.arange(d, dtype=float)
    else:
        v = rng.permutation(d).astype(float)
    span = v.max() - v.min()
    return (v - v.min()) / span if span > 0 else np.zeros(d)


def log_snr(labels: np.ndarray, softness: float, t) -> np.ndarray:
    """γ_i(t) for components × times."""
    t = np.atleast_1d(np.asarray(t, dtype=float))
    slope = GAMMA_MAX - GAMMA_MIN + 1.0 / softness
    return GAMMA_MIN + (labels[:, None] - 1.0) / softness + t[None, :] * slope


def _log_sigmoid(x: np.ndarray) -> np.ndarray:
    return -np.logaddexp(0.0, -x)


def alpha_sigma2(gamma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """α and σ² of log-SNR γ."""
    return np.exp(0.5 * _log_sigmoid(-gamma)), np.exp(_log_sigmoid(gamma))


def reverse_coefficients(gamma_t: np.ndarray, gamma_u: np.ndarray):
    """(a, b, τ²) of the step from t to u < t for each component."""
    log_s2_t, log_s2_u = _log_sigmoid(gamma_t), _log_sigmoid(gamma_u)
    log_a2_t, log_a2_u = _log_sigmoid(-gamma_t), _log_sigmoid(-gamma_u)
    log_a2_tu = log_a2_t - log_a2_u  # α²_{t|u}
    # σ²_{t|u}/σ_t² = 1 − α²_{t|u} σ_u²/σ_t²
    keep = -np.expm1(np.minimum(log_a2_tu + log_s2_u - log_s2_t, 0.0))
    a = np.exp(0.5 * log_a2_u) * keep
    b = np.exp(0.5 * log_a2_tu + log_s2_u - log_s2_t)
    tau2 = keep * np.exp(log_s2_u)
    return a, b, tau2
