"""Synthetic data with a verifier: the phase transition of Feng, Dohmatob, Yang, Charton & Kempe,
"Beyond Model Collapse: Scaling Up with Synthesized Data Requires Verification", 2024.

Data x | y ~ N(yμ, I_d), y = ±1. A generator produces T samples whose labels are flipped with
probability p; a verifier keeps correct samples with probability ϕ and wrong ones with probability
ψ, so the kept data has label noise p' = pψ/(pψ + (1−p)ϕ). The mean-difference classifier
ŵ = (1/m)Σ y_i x_i on the m kept samples has clean test accuracy Φ(ŵᵀμ/‖ŵ‖) (exact for Gaussian
data). As T → ∞ it tends to Φ(‖μ‖) for p' < ½ and Φ(−‖μ‖) for p' > ½: a sharp transition at
p* = 1/(1 + ψ/ϕ) (p' = ½).

The sample is drawn through its sufficient statistics: with K_c kept correct and K_w kept wrong
samples, Σ y_i x_i = (K_c − K_w)μ + √m·g, g ~ N(0, I_d), exactly. The work is tiny, so NumPy does it.
"""

from __future__ import annotations

import math

import numpy as np

N_FLIPS = 41
CURVES = ("with verifier", "no verifier")


def flip_grid() -> np.ndarray:
    return np.linspace(0.0, 1.0, N_FLIPS)


def normal_cdf(x: np.ndarray) -> np.ndarray:
    erf = np.vectorize(math.erf, otypes=[float])
    return 0.5 * (1.0 + erf(np.asarray(x, dtype=float) / math.sqrt(2.0)))


def kept_noise(p: np.ndarray, keep_correct: float, keep_wrong: float) -> np.ndarray:
    """p' = pψ/(pψ + (1−p)ϕ), the label noise left after verification."""
    kept = p * keep_wrong + (1.0 - p) * keep_correct
    return np.divide(p * keep_wrong, kept, out=np.full_like(p, 0.5), where=kept > 0)


def critical_flip(keep_correct: float, keep_wrong: float) -> float:
    """p* = 1/(1 + ψ/ϕ) = ϕ/(ϕ + ψ): above it the kept labels are more often wrong than right."""
    return keep_correct / (keep_correct + keep_wrong)


def theory_accuracy(
    p: np.ndarray, T: int, d: int, mu_norm: float, keep_correct: float, keep_wrong: float
) -> np.ndarray:
    """Accuracy at typical fluctuations: ŵ ≈ (1−2p')μ + g/√m with m = T(pψ + (1−p)ϕ), so
    ŵᵀμ/‖ŵ‖ ≈ (1−2p')‖μ‖² / √((1−2p')²‖μ‖² + d/m); its T → ∞ limit is the step at p*."""
    a = 1.0 - 2.0 * kept_noise(p, keep_correct, keep_wrong)
    m = np.maximum(T * (p * keep_wrong + (1.0 - p) * keep_correct), 1e-12)
    return normal_cdf(a * mu_norm**2 / np.sqrt(a * a * mu_norm**2 + d / m))


def simulate(
    rng: np.random.Generator,
    p: np.ndarray,
    T: int,
    d: int,
    mu_norm: float,
    keep_correct: float,
    keep_wrong: float,
    repeats: int,
) -> np.ndarray:
    """Test accuracies, shape (repeats, len(p)); a run that keeps no sample scores ½ (a coin)."""
    flipped = rng.binomial(T, np.broadcast_to(p, (repeats, p.size)))
    kept_right = rng.binomial(T - flipped, keep_correct)
    kept_wrong = rng.binomial(flipped, keep_wrong)
    m = kept_right + kept_wrong
    g = rng.standard_normal((repeats, p.size, d))
    along = (kept_right - kept_wrong) * mu_norm + np.sqrt(m) * g[..., 0]  # μ = ‖μ‖ e₁
    norm = np.sqrt(along**2 + m * np.sum(g[..., 1:] ** 2, axis=-1))
    margin = np.divide(along * mu_norm, norm, out=np.zeros(norm.shape), where=norm > 0)
    return np.where(m > 0, normal_cdf(margin), 0.5)
