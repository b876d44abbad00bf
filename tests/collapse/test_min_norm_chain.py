"""Over-parameterised generators (T0 < d, minimum-norm fits, Σ = I) against their closed forms
(Dohmatob, Feng & Kempe, "Model Collapse Demystified: The Case of Regression", NeurIPS 2024, the
over-parametrized regime; derivation in physlab/collapse/theory.py): with r = T0/d and
v = σ0²T0/(d−T0−1), fresh designs give e_n = (1 − rⁿ)(1 + v/(1 − r)) — exponentially fast collapse
to ‖w0‖² = 1 even without noise —, a fixed design (1 − r) + n·v (replace) or (1 − r) + v·Σ 1/k²
(accumulate, the KoyejoLab code's pinv set-up). Every check is within 4 Monte Carlo standard
errors, and each has an alternative the data must reject."""

import numpy as np
import pytest

from physlab.collapse import LAB, theory
from physlab.core.params import ParamError

BASE = {"d": 40, "T0": 10, "T": 100, "generations": 8, "strategy": ["replace"], "measure": "chain"}


def run(repeats, **params):
    exp = LAB.build({**BASE, "repeats": repeats, **params}, seed=7)
    exp.advance(10**6)
    assert exp.done and exp.diverged is None
    f = exp.frame()
    return f, f["error_std"] / np.sqrt(repeats)


def test_noiseless_fresh_chain_keeps_a_fraction_r_per_generation():
    """σ0 = 0: E‖ŵ_n − w0‖² = ‖w0‖²(1 − (T0/d)ⁿ), exactly (E P = rI, E‖Pu‖² = r‖u‖²)."""
    f, se = run(3000, sigma0=0.0)
    n = np.arange(BASE["generations"] + 1)
    assert f["theory"][0] == pytest.approx(1 - 0.25**n)
    assert (np.abs(f["error_mean"][0] - f["theory"][0]) <= 4 * se[0] + 1e-12).all()
    wrong = 1 - 0.75**n  # keeping 1 − T0/d instead: far off from generation 1 on
    assert (np.abs(f["error_mean"][0][1:] - wrong[1:]) > 10 * se[0][1:]).all()


def test_noisy_fresh_chain_is_exact_at_small_d():
    """d = 8, T0 = 3: r = 3/8, v = 3/4 (σ0 = 1); e_n = (1 − rⁿ)(1 + v/(1 − r)) → 2.2 at finite d,
    not only in a proportional limit."""
    R = 20_000
    f, se = run(R, d=8, T0=3, T=20, sigma0=1.0, generations=6)
    n = np.arange(7)
    exact = (1 - 0.375**n) * (1 + 0.75 / 0.625)
    assert f["theory"][0] == pytest.approx(exact)
    assert (np.abs(f["error_mean"][0] - exact) <= 4 * se[0] + 1e-12).all()
    noiseless = 1 - 0.375**n
    assert (f["error_mean"][0][1:] - noiseless[1:] > 10 * se[0][1:]).all()


def test_fixed_design_loses_the_unseen_part_once_then_adds_noise():
    """The KoyejoLab set-up (one X, np.linalg.pinv) at T0 < d: replace (1 − r) + n·v, accumulate
    (1 − r) + v·Σ_{k≤n} 1/k²; here d = 40, T0 = 20, σ0 = 1: r = 1/2, v = 20/19."""
    R = 3000
    f, se = run(
        R, T0=20, sigma0=1.0, design="fixed", strategy=["replace", "accumulate"], generations=10
    )
    n = np.arange(11)
    v = 20 / 19
    replace = np.where(n > 0, 0.5, 0.0) + n * v
    accumulate = np.where(n > 0, 0.5, 0.0) + v * np.cumsum(np.r_[0.0, 1.0 / n[1:] ** 2])
    assert f["theory"] == pytest.approx(np.array([replace, accumulate]))
    assert (np.abs(f["error_mean"] - f["theory"]) <= 4 * se + 1e-12).all()
    fresh = (1 - 0.5**n) * (1 + v / 0.5)  # the fixed span never loses more than 1 − r
    assert f["error_mean"][1][-1] < fresh[-1] - 10 * se[1][-1]


def test_closed_forms_against_a_dense_pseudo_inverse_chain():
    """The closed forms, independently of the sufficient-statistics sampler: NumPy's pinv on
    explicit Gaussian data (d = 12, T0 = 5, σ0 = 0.7)."""
    d, T0, n, R, s0 = 12, 5, 4, 4000, 0.7
    rng = np.random.default_rng(0)
    err = np.zeros((3, R, n + 1))
    for i in range(R):
        w0 = rng.standard_normal(d) / np.sqrt(d)
        X = rng.standard_normal((T0, d))
        w = np.repeat(w0[None], 3, axis=0)
        labels = []
        for k in range(1, n + 1):
            Xk = rng.standard_normal((T0, d))
            w[0] = np.linalg.pinv(Xk) @ (Xk @ w[0] + s0 * rng.standard_normal(T0))
            w[1] = np.linalg.pinv(X) @ (X @ w[1] + s0 * rng.standard_normal(T0))
            labels.append(X @ w[2] + s0 * rng.standard_normal(T0))
            w[2] = np.linalg.pinv(np.vstack([X] * k)) @ np.concatenate(labels)
            err[:, i, k] = np.sum((w - w0) ** 2, axis=1)
    mean, se = err.mean(axis=1), err.std(axis=1, ddof=1) / np.sqrt(R)
    for row, (strategy, fixed) in enumerate(
        [("replace", False), ("replace", True), ("accumulate", True)]
    ):
        e = [0.0]
        for k in range(1, n + 1):
            e.append(theory.chain_increment(strategy, k, d, T0, s0, 0, e[-1], fixed))
        assert (np.abs(mean[row] - np.array(e)) <= 4 * se[row] + 1e-12).all(), strategy


def test_ridge_downstream_sees_the_generators_bias():
    """A ridge fit on labels from a biased generator (E ŵ_n = rⁿw0): E_test = clean + factor·e_n +
    cross·b_n with cross = −2 E tr(AᵀA − A)/d; without the cross term the theory is 30 % low."""
    R = 2000
    f, se = run(R, d=60, T0=30, T=120, sigma0=0.0, ridge=0.3, generations=5, measure="downstream")
    assert (np.abs(f["error_mean"][0] - f["theory"][0]) <= 4 * se[0] + 1e-12).all()
    n = np.arange(6)
    clean, factor, cross = theory.downstream_terms(np.ones(60), 120, 1.0, 0.3)
    assert cross > 0.3
    without = clean + factor * (1 - 0.5**n)
    assert (f["error_mean"][0][2:] - without[2:] > 10 * se[0][2:]).all()
    assert f["sweep_error_mean"] == pytest.approx(f["sweep_theory"], rel=0.03)


@pytest.mark.parametrize(
    ("params", "key", "text"),
    [
        ({"T0": 39, "sigma0": 1.0}, "T0", "T0 ≤ 38"),
        ({"T0": 40, "sigma0": 0.0}, "T0", "T0 ≥ d + 2 = 42"),
        ({"strategy": ["replace", "mix"]}, "strategy", "unselect mix"),
        ({"strategy": ["accumulate"]}, "strategy", "accumulate (fixed design)"),
        ({"covariance": "powerlaw"}, "covariance", "isotropic"),
    ],
)
def test_what_minimum_norm_generators_refuse_says_what_is_allowed(params, key, text):
    with pytest.raises(ParamError, match=key) as info:
        LAB.build({**BASE, "repeats": 2, **params}, seed=0)
    assert text in str(info.value)


def test_noiseless_chain_may_go_up_to_d_minus_1():
    f, _ = run(2, T0=39, sigma0=0.0, generations=2)
    assert f["theory"][0] == pytest.approx(1 - (39 / 40) ** np.arange(3))


def test_the_overparameterised_preset_forgets_w0_exponentially():
    """The preset dohmatob-overparameterised-collapse: d = 100, T0 = 50, σ0 = 0, chain measure:
    e_n = 1 − 2⁻ⁿ, within 4 s.e. at every generation, and 1 − 2⁻²⁰ ≈ 1 at the end."""
    from physlab.core.presets import load_preset

    preset = load_preset("collapse", "dohmatob-overparameterised-collapse", LAB.spec)
    exp = LAB.build(dict(preset.params), preset.seed or 0)
    exp.advance(10**6)
    f, R = exp.frame(), preset.params["repeats"]
    n = np.arange(21)
    assert f["theory"][0] == pytest.approx(1 - 0.5**n)
    se = f["error_std"][0] / np.sqrt(R)
    assert (np.abs(f["error_mean"][0] - f["theory"][0]) <= 4 * se + 1e-12).all()
    assert f["error_mean"][0][-1] > 0.95  # collapsed: ŵ₂₀ has lost w0
