"""Closed forms the Collapse tab overlays on its simulations (no Qt, plain NumPy).

Regression chain (see :mod:`.regression` for the set-up). With v_down(T) the clean error of the
downstream fit and e_n = E‖ŵ_n − w0‖²_Σ the error the generator chain has built up:

- OLS downstream, exact for any Σ (Dohmatob, Feng & Kempe 2024, Thm 4.1):
  E_test(n) = σ²d/(T−d−1) + e_n;
- replace: e_n = n·σ0²d/(T0−d−1) (exact, linear in n, fresh or fixed design);
- accumulate, fresh design: e_n = σ0² Σ_{k≤n} d/(k(kT0−d−1)) (exact: the k-th synthetic set's noise
  is seen through the pooled Gram of k·T0 rows);
- accumulate, fixed design (Gerstgrasser et al., "Is Model Collapse Inevitable?", 2024, Thm 2: one
  X reused, pooled Gram kXᵀX): e_n = σ0²d/(T0−d−1)·Σ_{k≤n} 1/k² ≤ (π²/6)σ0²d/(T0−d−1);
- mix with m = T0 − n_real synthetic rows: e_k = ρ_d e_{k−1} + σ0²d/(T0−d−1) with the exact
  finite-d contraction ρ_d of :func:`mix_contraction`; its proportional limit (d, T0 → ∞,
  α = m/T0, φ = d/T0) is ρ = α² + α(1−α)φ/(1−φ), 48 % off the simulation at d = 10, T0 = 15;
- ridge downstream (penalty Tλ‖w‖²): the deterministic equivalent with κ solving
  κ − λ = (κ/T)·tr Σ(Σ+κ)⁻¹ and df₂ = tr Σ²(Σ+κ)⁻²: clean risk
  [κ²·tr Σ(Σ+κ)⁻²/d + σ²df₂/T]/(1 − df₂/T) for ‖w0‖² = 1 drawn isotropically, plus the chain's
  error passed through the fit, (e_n/d)·[d − 2κ·tr(Σ+κ)⁻¹ + κ²tr(Σ+κ)⁻²/(1 − df₂/T)]
  (e.g. Bach, "High-dimensional analysis of double descent…", 2024; Atanasov, Zavatone-Veth &
  Pehlevan, "Scaling and renormalization in high-dimensional regression", 2024).

Over-parameterised generators (T0 < d, minimum-norm fits, Σ = I; exact at finite d, T0): a fit
ŵ = X⁺(Xw + ε) is P w + X⁺ε with P the projection onto the rows' span, uniformly random of rank T0,
so E P = r·I and E‖P u‖² = r‖u‖² for any fixed u, r = T0/d; the noise has E‖X⁺ε‖² =
σ0²·E tr(XXᵀ)⁻¹ = σ0²T0/(d−T0−1) (inverse Wishart of XXᵀ ~ W_T0(I, d)). With ‖w0‖² = 1:

- replace, fresh design (Dohmatob, Feng & Kempe 2024, the over-parametrized regime):
  e_k = r·e_{k−1} + (1 − r) + σ0²T0/(d−T0−1), so e_n = (1 − rⁿ)·[1 + σ0²T0/((d−T0−1)(1 − r))]:
  exponentially fast collapse to ‖w0‖² even without noise (e_n = 1 − rⁿ at σ0 = 0);
- replace, fixed design: e_n = (1 − r) + n·σ0²T0/(d−T0−1) (P is idempotent);
- accumulate, fixed design (k copies of X; KoyejoLab's ``pinv``): e_n = (1 − r) +
  σ0²T0/(d−T0−1)·Σ_{k≤n} 1/k².

The generators are biased, E[ŵ_n | w0] = (1 − b_n)w0 with b_n = 1 − rⁿ (fresh) or 1 − r (fixed),
so a ridge downstream fit A = (G + Tλ)⁻¹G adds the cross term −2b_n·E tr(AᵀA − A)/d to the error
(:func:`downstream_terms`; zero for OLS, where A = I).

Strong model collapse (Dohmatob, Feng, Subramonian & Kempe, ICLR 2025, Thm 1, isotropic OLS):
E = σ²d/(n−d−1) + c²[p2² + p1p2·φ/(1−φ)], φ = d/n; the floor p2²c² as n → ∞.
"""

from __future__ import annotations

import numpy as np


def ols_variance(d: int, T: np.ndarray | float) -> np.ndarray:
    """E tr Σ(XᵀX)⁻¹ = d/(T−d−1): the error per unit noise variance of an OLS fit on T samples."""
    T = np.asarray(T, dtype=float)
    return np.where(d + 1 < T, d / np.maximum(T - d - 1, 1e-300), np.inf)


def min_norm_variance(d: int, T0: int) -> float:
    """E tr(XXᵀ)⁻¹ = T0/(d−T0−1) for X of T0 < d − 1 isotropic Gaussian rows: the error per unit
    noise variance of a minimum-norm fit (XXᵀ ~ Wishart_T0(I, d), E (XXᵀ)⁻¹ = I/(d−T0−1))."""
    return T0 / (d - T0 - 1) if d - 1 > T0 else np.inf


def retained(d: int, T0: int) -> float:
    """r = E‖Pu‖²/‖u‖² = T0/d: the fraction of a signal a minimum-norm fit on T0 < d isotropic
    samples keeps (1 for OLS, T0 ≥ d)."""
    return min(T0 / d, 1.0)


def chain_bias(strategy: str, n: np.ndarray, d: int, T0: int, fixed: bool = False) -> np.ndarray:
    """b_n with E[ŵ_n | w0] = (1 − b_n)·w0: 1 − rⁿ for min-norm generators on fresh designs,
    1 − r (n ≥ 1) on a fixed one, 0 for OLS and mix (T0 ≥ d + 2, unbiased)."""
    n = np.asarray(n, dtype=float)
    if d <= T0 or strategy == "mix":
        return np.zeros_like(n)
    r = retained(d, T0)
    return np.where(n > 0, 1.0 - r, 0.0) if fixed else 1.0 - r**n


def chain_increment(
    strategy: str,
    k: int,
    d: int,
    T0: int,
    sigma0: float,
    n_real: int,
    previous: float,
    fixed: bool = False,
) -> float:
    """e_k from e_{k−1} for one generation k ≥ 1 of a strategy (``fixed``: one design reused);
    T0 < d: minimum-norm generators (replace; accumulate with ``fixed``), Σ = I, ‖w0‖² = 1."""
    if d > T0:
        r = retained(d, T0)
        v = sigma0**2 * min_norm_variance(d, T0) if sigma0 > 0 else 0.0
        lost = 1.0 - r if k == 1 else 0.0  # what the fixed span never sees, lost at once
        if strategy == "mix" or (strategy == "accumulate" and not fixed):
            return np.nan  # no closed form (the lab refuses these runs)
        if not fixed:  # replace: e_k = r·e_{k−1} + (1 − r) + v
            return r * previous + (1.0 - r) + v
        return previous + lost + (v if strategy == "replace" else v / k**2)
    v = sigma0**2 * float(ols_variance(d, T0)) if sigma0 > 0 else 0.0
    if strategy == "replace":
        return previous + v
    if strategy == "accumulate":
        return previous + (v / k**2 if fixed else sigma0**2 * d / (k * (k * T0 - d - 1)))
    return mix_contraction(d, T0, T0 - n_real) * previous + v


def mix_contraction(d: int, T0: int, m: int) -> float:
    """ρ_d = E tr(G_s G⁻² G_s)/d, exact: how much of the previous generator's error e_{k−1} an OLS
    fit on T0 = N rows, m of them labelled by it (Gram G_s) and N − m by w0, passes on (G the Gram
    of all N rows, x ~ N(0, Σ), any Σ). With the SVD X = USVᵀ, U Haar on the Stiefel manifold and
    independent of S, and P = UᵀDU (D selects the m synthetic rows): tr(G_sG⁻²G_s) =
    Σ_ij S_i⁻²S_j² P_ij²; the orthogonal-group moments E P_ii² = m(m+2)/(N(N+2)),
    E P_ij² = m(N−m)/((N−1)N(N+2)) and E tr G·tr G⁻¹ = d(Nd−2)/(N−d−1) (G/tr G is independent of
    tr G ~ χ²_{Nd}) give ρ_d = E P_ii² + E P_ij²·[(Nd−2)/(N−d−1) − 1]."""
    N = T0
    diag = m * (m + 2) / (N * (N + 2))
    off = m * (N - m) / ((N - 1) * N * (N + 2))
    return diag + off * ((N * d - 2) / (N - d - 1) - 1.0)


def mix_contraction_limit(d: int, T0: int, m: int) -> float:
    """The proportional limit (d, T0 → ∞) of :func:`mix_contraction`: α² + α(1−α)φ/(1−φ) with
    α = m/T0, φ = d/T0 (Dohmatob, Feng & Kempe 2024)."""
    a, phi = m / T0, d / T0
    return a * a + a * (1.0 - a) * phi / (1.0 - phi)


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


def downstream_terms(
    lam: np.ndarray,
    T: np.ndarray | float,
    sigma: float,
    ridge: float,
    signal: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(clean, factor, cross) with E_test = clean + factor·e_n + cross·b_n for the downstream fit on
    T samples labelled by a generator with error e_n and bias b_n (:func:`chain_bias`): the error
    stays linear in both, so the T-dependent part (a root search for ridge) is computed once per
    run rather than at every frame. With A = (G + Tλ)⁻¹G the fit's shrinkage, factor =
    E tr(AᵀA)/d and cross = −2E tr(AᵀA − A)/d (derived for Σ = I, where b_n can be non-zero).
    ``signal``: E w0ᵢ² per eigendirection (default 1/d: ‖w0‖² = 1 drawn isotropically), which
    sets the ridge bias κ²·Σᵢ λᵢ E w0ᵢ²/(λᵢ + κ)²."""
    d = lam.size
    signal = np.full(d, 1.0 / d) if signal is None else signal
    T = np.asarray(T, dtype=float)
    if ridge == 0.0:
        return sigma**2 * ols_variance(d, T), np.ones_like(T), np.zeros_like(T)
    clean, factor, cross = [], [], []
    for t in np.atleast_1d(T):
        kappa = ridge_kappa(lam, t, ridge)
        inv = 1.0 / (lam + kappa)
        df2 = np.sum((lam * inv) ** 2)
        amplify = 1.0 / (1.0 - df2 / t)
        clean.append((kappa**2 * np.sum(lam * signal * inv**2) + sigma**2 * df2 / t) * amplify)
        shrunk = kappa**2 * np.sum(inv**2) * amplify  # E tr(AᵀA) = d − 2κ tr R + shrunk
        factor.append((d - 2.0 * kappa * inv.sum() + shrunk) / d)
        cross.append(2.0 * (kappa * inv.sum() - shrunk) / d)  # E tr A = d − κ tr R
    return np.reshape(clean, T.shape), np.reshape(factor, T.shape), np.reshape(cross, T.shape)


def downstream_error(
    lam: np.ndarray,
    T: np.ndarray | float,
    sigma: float,
    ridge: float,
    chain_error: float | np.ndarray,
    chain_bias: float | np.ndarray = 0.0,
) -> np.ndarray:
    """E‖ŵ − w0‖²_Σ of the downstream fit on T samples labelled by a generator whose own error is
    ``chain_error`` (0 = clean labels) and bias ``chain_bias``. Exact for OLS; deterministic
    equivalent for ridge."""
    clean, factor, cross = downstream_terms(lam, T, sigma, ridge)
    return clean + factor * np.asarray(chain_error) + cross * np.asarray(chain_bias)


def strong_error(n: np.ndarray, d: int, sigma: float, shift: float, p_syn: float) -> np.ndarray:
    """Strong collapse: σ²d/(n−d−1) + c²[p2² + p1p2φ/(1−φ)], φ = d/n (isotropic OLS)."""
    n = np.asarray(n, dtype=float)
    phi = d / n
    p1 = 1.0 - p_syn
    return sigma**2 * ols_variance(d, n) + shift**2 * (p_syn**2 + p1 * p_syn * phi / (1 - phi))
