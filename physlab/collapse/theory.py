"""Closed forms the Collapse tab overlays on its simulations (no Qt, plain NumPy).

Regression chain (see :mod:`.regression` for the set-up). With v_down(T) the clean error of the
downstream fit and e_n = E‖ŵ_n − w0‖²_Σ the error the generator chain has built up:

- OLS downstream, exact for any Σ (Dohmatob, Feng & Kempe 2024, Thm 4.1):
  E_test(n) = σ²d/(T−d−1) + e_n;
- replace: e_n = n·σ0²d/(T0−d−1) (exact, linear in n);
- accumulate: e_n = σ0² Σ_{k≤n} d/(k(kT0−d−1)) (exact for fresh designs: the k-th synthetic set's
  noise is seen through the pooled Gram of k·T0 rows; bounded by (π²/6)σ0²d/(T0−d−1), Gerstgrasser
  et al., "Is Model Collapse Inevitable?", 2024);
- mix with synthetic fraction α: e_k = ρe_{k−1} + σ0²d/(T0−d−1), ρ = α² + α(1−α)φ/(1−φ), φ = d/T0
  (proportional limit d, T0 → ∞);
- ridge downstream (penalty Tλ‖w‖²): the deterministic equivalent with κ solving
  κ − λ = (κ/T)·tr Σ(Σ+κ)⁻¹ and df₂ = tr Σ²(Σ+κ)⁻²: clean risk
  [κ²·tr Σ(Σ+κ)⁻²/d + σ²df₂/T]/(1 − df₂/T) for ‖w0‖² = 1 drawn isotropically, plus the chain's
  error passed through the fit, (e_n/d)·[d − 2κ·tr(Σ+κ)⁻¹ + κ²tr(Σ+κ)⁻²/(1 − df₂/T)]
  (e.g. Bach, "High-dimensional analysis of double descent…", 2024; Atanasov, Zavatone-Veth &
  Pehlevan, "Scaling and renormalization in high-dimensional regression", 2024).

Strong model collapse (Dohmatob, Feng, Subramonian & Kempe, ICLR 2025, Thm 1, isotropic OLS):
E = σ²d/(n−d−1) + c²[p2² + p1p2·φ/(1−φ)], φ = d/n; the floor p2²c² as n → ∞.
"""
from __future__ import annotations

import numpy as np


def ols_variance(d: int, T: np.ndarray | float) -> np.ndarray:
    """E tr Σ(XᵀX)⁻¹ = d/(T−d−1): the error per unit noise variance of an OLS fit on T samples."""
    T = np.asarray(T, dtype=float)
    return np.where(T > d + 1, d / np.maximum(T - d - 1, 1e-300), np.inf)


def chain_increment(strategy: str, k: int, d: int, T0: int, sigma0: float,
                    synthetic_fraction: float, previous: float) -> float:
    """e_k from e_{k−1} for one generation k ≥ 1 of a strategy."""
    v = sigma0 ** 2 * float(ols_variance(d, T0))
    if strategy == "replace":
        return previous + v
    if strategy == "accumulate":
        return previous + sigma0 ** 2 * d / (k * (k * T0 - d - 1))
    a, phi = synthetic_fraction, d / T0
    rho = a * a + a * (1.0 - a) * phi / (1.0 - phi)
    return rho * previous + v


def ridge_kappa(lam: np.ndarray, T: float, ridge: float) -> float:
    """The effective regularisation κ: κ − λ = (κ/T)·Σ_i λ_i/(λ_i + κ) (unique root, bisection)."""
    lo, hi = ridge, ridge + lam.sum() / T
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid - ridge - mid * np.sum(lam / (lam + mid)) / T > 0.0:
            hi = mid
        else:
            lo = mid
    return 0.5 * (lo + hi)


def downstream_terms(lam: np.ndarray, T: np.ndarray | float, sigma: float,
                     ridge: float) -> tuple[np.ndarray, np.ndarray]:
    """(clean, factor) with E_test = clean + factor·chain_error for the downstream fit on T samples:
    the error stays linear in the generator chain's error, so the T-dependent part (a root search
    for ridge) is computed once per run rather than at every frame."""
    d = lam.size
    T = np.asarray(T, dtype=float)
    if ridge == 0.0:
        return sigma ** 2 * ols_variance(d, T), np.ones_like(T)
    clean, factor = [], []
    for t in np.atleast_1d(T):
        kappa = ridge_kappa(lam, t, ridge)
        inv = 1.0 / (lam + kappa)
        df2 = np.sum((lam * inv) ** 2)
        amplify = 1.0 / (1.0 - df2 / t)
        clean.append((kappa ** 2 * np.sum(lam * inv ** 2) / d + sigma ** 2 * df2 / t) * amplify)
        factor.append((d - 2.0 * kappa * inv.sum() + kappa ** 2 * np.sum(inv ** 2) * amplify) / d)
    return np.reshape(clean, T.shape), np.reshape(factor, T.shape)


def downstream_error(lam: np.ndarray, T: np.ndarray | float, sigma: float, ridge: float,
                     chain_error: float | np.ndarray) -> np.ndarray:
    """E‖ŵ − w0‖²_Σ of the downstream fit on T samples labelled by a generator whose own error is
    ``chain_error`` (0 = clean labels). Exact for OLS; deterministic equivalent for ridge."""
    clean, factor = downstream_terms(lam, T, sigma, ridge)
    return clean + factor * np.asarray(chain_error)


def strong_error(n: np.ndarray, d: int, sigma: float, shift: float, p_syn: float) -> np.ndarray:
    """Strong collapse: σ²d/(n−d−1) + c²[p2² + p1p2φ/(1−φ)], φ = d/n (isotropic OLS)."""
    n = np.asarray(n, dtype=float)
    phi = d / n
    p1 = 1.0 - p_syn
    return sigma ** 2 * ols_variance(d, n) + shift ** 2 * (p_syn ** 2 + p1 * p_syn * phi / (1 - phi))
