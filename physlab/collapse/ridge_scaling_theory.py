"""The scaling law of a tuned ridge fit on synthetic data: power-law spectrum, source condition.

Set-up (Dohmatob, Feng & Kempe, "Model Collapse Demystified: The Case of Regression", NeurIPS 2024,
§5 "The case of heavy tails (power law)" and Fig. 1b): x ~ N(0, Σ) with Σ = diag(λᵢ), λᵢ = i^−β
(capacity, β > 1), and a ground truth with the source condition E w0ᵢ² ∝ i^(β−1−2βr), i.e.
λᵢ·E w0ᵢ² ∝ i^−(1+2βr) (r > 0; normalised to E‖w0‖²_Σ = 1, unit signal variance). Generators are
OLS fits on T0 ≥ d + 2 fresh samples each (replace, noise σ0); the measured model is a ridge fit
on T samples labelled by ŵₙ (noise σ), penalty λ = T^−ℓ. With κ the effective regularisation
(:func:`.theory.ridge_kappa`) the clean error is a bias κ^(2r) plus a variance σ²·df/T with
df ≍ κ^(−1/β), so the tuned exponent ℓ_crit = β/(1 + 2βr) balances them into the classical rate

    E_test(ŵ₀) ≍ T^−c,   c = 2βr/(2βr + 1)   (Caponnetto & De Vito 2007; Cui et al. 2021).

The n generations leave the generator an error Δ with E ΔΔᵀ = nσ0²Σ⁻¹/(T0 − d − 1) (exact: inverse
Wishart), which the downstream fit A passes on as nσ0²/(T0 − d − 1)·E tr(ΣAΣ⁻¹Aᵀ) ≍
nσ0²·κ^(−1/β)/(T0(1 − φ0)), φ0 = d/T0. As we read the paper's Theorem 5.1 (its power-law rates):

    E_test(ŵₙ) ≍ T^(−2ℓr) + [σ² + nσ0²/(1 − φ0)·T/T0]·T^−(1 − ℓ/β),

so with the ridge tuned for clean data the error falls as T^−c only up to the crossover
T* ≈ (1 + σ²)(1 − φ0)T0/(nσ0²) and then grows as T^(ℓ/β) (the vanishing ridge lets more of the
generations' noise through) towards the OLS floor nσ0²d/(T0 − d − 1) once df reaches d.

Two theories are given: the paper's rates above (constants set to 1: they fix exponents, not
levels), and the finite-d deterministic equivalent of the same chain (:func:`deterministic_error`,
from :func:`.theory.downstream_terms`), which the simulation meets within a few per cent.
"""

from __future__ import annotations

import numpy as np

from . import theory

RULES = ("tuned", "fixed")


def spectrum(d: int, beta: float) -> np.ndarray:
    """λᵢ = i^−β, i = 1…d (the capacity condition)."""
    return np.arange(1, d + 1, dtype=float) ** -beta


def source_signal(d: int, beta: float, r: float) -> np.ndarray:
    """E w0ᵢ² ∝ i^(β−1−2βr) (the source condition λᵢ E w0ᵢ² ∝ i^−(1+2βr)), with Σᵢ λᵢ E w0ᵢ² = 1."""
    i = np.arange(1, d + 1, dtype=float)
    c2 = i ** (beta - 1.0 - 2.0 * beta * r)
    return c2 / np.sum(spectrum(d, beta) * c2)


def critical_exponent(beta: float, r: float) -> float:
    """ℓ_crit = β/(1 + 2βr): the ridge λ = T^−ℓ_crit that gives the clean rate T^−c."""
    return beta / (1.0 + 2.0 * beta * r)


def ridge_exponent(p: dict) -> float:
    """ℓ of the run's ridge λ = T^−ℓ: ℓ_crit when tuned, 0 for a fixed penalty."""
    return critical_exponent(p["beta"], p["source_exponent"]) if p["ridge_rule"] == "tuned" else 0.0


def ridge_values(T: np.ndarray, p: dict) -> np.ndarray:
    """The ridge penalty at each sample size: T^−ℓ_crit (tuned) or the fixed ``ridge``."""
    T = np.asarray(T, dtype=float)
    if p["ridge_rule"] == "tuned":
        return T ** -ridge_exponent(p)
    return np.full(T.shape, float(p["ridge"]))


def paper_exponents(beta: float, r: float, ell: float) -> tuple[float, float]:
    """The slopes of log E vs log T on both sides of the crossover from the paper's rates:
    −min(2ℓr, 1 − ℓ/β) before it (−c at ℓ = ℓ_crit) and +ℓ/β after it (r is capped at 1, where
    ridge saturates)."""
    r = min(r, 1.0)
    return -min(2.0 * ell * r, 1.0 - ell / beta), ell / beta


def paper_rates(T: np.ndarray, n_values: np.ndarray, p: dict) -> np.ndarray:
    """T^(−2ℓr) + [σ² + nσ0²/(1 − φ0)·T/T0]·T^−(1 − ℓ/β) per generation n (rows), constants 1."""
    T = np.asarray(T, dtype=float)
    beta, r, ell = p["beta"], min(p["source_exponent"], 1.0), ridge_exponent(p)
    phi0 = p["d"] / p["T0"]
    noise = p["sigma"] ** 2 + np.outer(n_values, T) * p["sigma0"] ** 2 / ((1 - phi0) * p["T0"])
    return T ** (-2.0 * ell * r) + noise * T ** -(1.0 - ell / beta)


def deterministic_terms(T: np.ndarray, p: dict) -> tuple[np.ndarray, np.ndarray]:
    """(clean, per_generation) at each T: E_test(ŵₙ) = clean + n·per_generation, with
    per_generation = σ0²/(T0 − d − 1)·E tr(ΣAΣ⁻¹Aᵀ) (deterministic equivalent, finite d)."""
    d = p["d"]
    lam, c2 = spectrum(d, p["beta"]), source_signal(d, p["beta"], p["source_exponent"])
    clean, through = [], []
    for t, ridge in zip(np.asarray(T, dtype=float), ridge_values(T, p)):
        c, factor, _ = theory.downstream_terms(lam, t, p["sigma"], ridge, signal=c2)
        clean.append(float(c))
        through.append(float(factor) * d * p["sigma0"] ** 2 / (p["T0"] - d - 1))
    return np.array(clean), np.array(through)


def deterministic_error(T: np.ndarray, n_values: np.ndarray, p: dict) -> np.ndarray:
    """E_test(ŵₙ) at each (n, T): the finite-d deterministic equivalent (rows = n_values)."""
    clean, through = deterministic_terms(T, p)
    return clean[None, :] + np.asarray(n_values, dtype=float)[:, None] * through[None, :]


def crossover(T: np.ndarray, clean: np.ndarray, collapse: np.ndarray) -> float:
    """T* where the generations' term first equals the clean error (log-interpolated), NaN if it
    stays below it over the grid (or n = 0)."""
    gap = np.log(np.maximum(collapse, 1e-300)) - np.log(clean)
    above = np.flatnonzero(gap >= 0.0)
    if above.size == 0:
        return np.nan
    j = above[0]
    if j == 0:
        return float(T[0])
    x0, x1 = np.log(T[j - 1]), np.log(T[j])
    return float(np.exp(x0 + (x1 - x0) * (-gap[j - 1]) / (gap[j] - gap[j - 1])))


def windows(T: np.ndarray, T_star: float, margin: float = 10.0) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the two sides of the crossover: T ≤ T*/margin (all T when there is none) and
    T ≥ margin·T* (none when there is none)."""
    sizes = np.asarray(T, dtype=float)
    if not np.isfinite(T_star):
        return np.ones(sizes.shape, bool), np.zeros(sizes.shape, bool)
    return sizes <= T_star / margin, sizes >= T_star * margin


def slope(T: np.ndarray, E: np.ndarray, mask: np.ndarray, least: int = 3) -> float:
    """Least-squares slope of log E vs log T over ``mask`` (NaN with fewer than ``least`` finite,
    positive points)."""
    keep = mask & np.isfinite(E) & (E > 0)
    if keep.sum() < least:
        return np.nan
    return float(np.polyfit(np.log(T[keep]), np.log(E[keep]), 1)[0])
