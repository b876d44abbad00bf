"""The component-wise noise schedule of GUD (Gerdes, Welling & Cheng, "GUD: Generation with Unified
Diffusion", 2024, §3.3, the soft-conditioning schedule) and the exact reverse-step coefficients.

Each component i has an ordering label l_i ∈ [0, 1] and the log-SNR parameter
γ_i(t) = log(σ_i²/α_i²) runs along parallel lines shifted by l_i/s:
    γ_i(t) = γ̃_min + (l_i − 1)/s + t·(γ̃_max − γ̃_min + 1/s),     α_i² = sigmoid(−γ_i), σ_i² = sigmoid(γ_i),
so every component is clean (γ ≤ γ̃_min) at t = 0 and noise (γ ≥ γ̃_max) at t = 1. Large softness s
makes the shifts vanish (standard, simultaneous diffusion); s → 0 spreads them so far apart that
the components are generated one after another in label order (autoregressive). Labels are
normalised to [0, 1] so that s means the same for every ordering.

The reference code (``soft_conditioning_schedule`` in ``gud/schedules.py``) shifts by the raw
labels v_i (−log λ_i for the variance order), so its softness is s_GUD = s·(v_max − v_min)
(:func:`gud_softness`); its defaults are γ̃_min = −7, γ̃_max = 3 (physlab's γ̃_max = 7 starts the
reverse process nearer pure noise). Its ``variance_adjusted_schedule`` (the paper's eq. 13) adds the
log data variance to every label, γ_min,i = γ̃_min + log Σ_i + (v_i − v_max)/s_GUD: then the SNR
including the data variance, Σ_i e^{−γ_i}, is set by the labels alone, s_GUD = 1 with the variance
order is standard diffusion (one γ for all), and s_GUD → ∞ gives every component the same SNR.

Reverse step t → u < t, per component (the variational-diffusion algebra): α_{t|u} = α_t/α_u,
σ²_{t|u} = σ_t² − α²_{t|u}σ_u², and x_u ~ N(a x̂0 + b x_t, τ²) with a = α_u σ²_{t|u}/σ_t²,
b = α_{t|u} σ_u²/σ_t², τ² = σ²_{t|u}σ_u²/σ_t² — computed from log-sigmoids so that components far
from their active window (γ of ±hundreds at small s) stay finite. A component already generated
(γ ≪ 0) has x̂0 = x_t up to O(σ_t) and τ ≈ σ_u, so it changes by O(e^{γ/2}): it is frozen.
"""

from __future__ import annotations

import numpy as np

GAMMA_MIN, GAMMA_MAX = -7.0, 7.0
ORDERINGS = ("variance", "raster", "rows", "columns", "random")


SCHEDULES = ("soft", "variance_adjusted", "sequential")


def raw_labels(ordering: str, variances: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The ordering variables v_i of the reference code: ``variance`` — v = −log λ (the RG order:
    large-variance components, i.e. coarse scales, first); ``raster`` — the component index;
    ``rows`` / ``columns`` — the pixel's row / column (the reference code's row and column
    schedules: top to bottom, left to right); ``random`` — a random order."""
    d = len(variances)
    index = np.arange(d)
    side = int(round(np.sqrt(d)))
    if ordering == "variance":
        return -np.log(variances)
    if ordering == "raster":
        return index.astype(float)
    if ordering == "rows":
        return (index // side).astype(float)
    if ordering == "columns":
        return (index % side).astype(float)
    return rng.permutation(d).astype(float)


def normalised_labels(v: np.ndarray) -> np.ndarray:
    """l_i = (v_i − v_min)/(v_max − v_min) ∈ [0, 1] (all 0 when the v_i are equal)."""
    span = v.max() - v.min()
    return (v - v.min()) / span if span > 0 else np.zeros(len(v))


def ordering_labels(ordering: str, variances: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """l_i ∈ [0, 1] of :func:`raw_labels`."""
    return normalised_labels(raw_labels(ordering, variances, rng))


def gud_softness(softness: float, v: np.ndarray, schedule: str = "soft") -> float:
    """The reference code's softness for physlab's ``softness`` and raw labels v: s·(v_max − v_min)
    for the soft and variance-adjusted schedules; 1 + s for the sequential one (the reference's
    ``sequential_offsets`` has τ_max = 1/softness, physlab's τ_max = 1/(1 + s))."""
    if schedule == "sequential":
        return float(1.0 + softness)
    return float(softness * (v.max() - v.min()))


def log_snr(
    labels: np.ndarray,
    softness: float,
    t,
    gamma_min: float = GAMMA_MIN,
    gamma_max: float = GAMMA_MAX,
    log_variance: np.ndarray | None = None,
) -> np.ndarray:
    """γ_i(t) for components × times: the soft-conditioning schedule with normalised labels, or,
    given ``log_variance`` (log Σ_i), the variance-adjusted one on effective labels
    L_i = l_i/s + log Σ_i (softness 1): γ_i(t) = γ̃_min + (L_i − L_max) + t·(γ̃_max − γ̃_min +
    L_max − L_min)."""
    t = np.atleast_1d(np.asarray(t, dtype=float))
    if log_variance is None:
        offset = (labels - labels.max()) / softness
        span = (labels.max() - labels.min()) / softness
    else:
        effective = labels / softness + log_variance
        offset, span = effective - effective.max(), effective.max() - effective.min()
    slope = gamma_max - gamma_min + span
    return gamma_min + offset[:, None] + t[None, :] * slope


def sequential_log_snr(
    labels: np.ndarray,
    softness: float,
    t,
    gamma_min: float = GAMMA_MIN,
    gamma_max: float = GAMMA_MAX,
) -> np.ndarray:
    """The reference code's clipped ``SequentialSchedule`` (its row and column schedules,
    ``offsets_to_linear_schedule``): γ_i(t) = clip(γ̃_min + (t − τ_i)·(γ̃_max − γ̃_min)/(1 − τ_max),
    γ̃_min, γ̃_max), each component active only in a window of length 1 − τ_max. τ_max = 1/(1 + s):
    a large s is simultaneous and s → 0 one component after another, as everywhere in physlab;
    the reference's own softness is 1/τ_max = 1 + s (its softness 1 is fully sequential, and
    larger also means more overlap). Offsets τ_i = (1 − l_i)·τ_max, so that, as in the soft
    schedule, low labels (the top row, the left column) are generated first. The reference's
    ``row_schedule`` / ``column_schedule`` give row/column r the offset r/(n − 1)·τ_max instead,
    which, read literally, generates the *last* row/column first (their docstrings say top to
    bottom, left to right); physlab's is theirs with the rows/columns reversed (tested)."""
    t = np.atleast_1d(np.asarray(t, dtype=float))
    tau_max = 1.0 / (1.0 + softness)
    tau = (1.0 - labels) * tau_max
    slope = (gamma_max - gamma_min) / max(1.0 - tau_max, 1e-6)
    return np.clip(gamma_min + (t[None, :] - tau[:, None]) * slope, gamma_min, gamma_max)


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
