"""Gaussian refitting under replace, accumulate, accumulate-subsample and mix (issue 18 item 7)
against the closed forms of :mod:`physlab.collapse.gaussian_theory` and the KoyejoLab code's own
numbers (Kazdan, Schaeffer et al., "Collapse or Thrive?", 2024)."""

import hashlib
import math

import numpy as np
import pytest

import physlab
from physlab.collapse import LAB, gaussian_theory
from physlab.core.params import ParamError
from physlab.core.presets import load_preset


def run(seed=4, **params):
    exp = LAB.build({"model": "gaussian", **params}, seed=seed)
    exp.advance(10**6)
    assert exp.done and exp.diverged is None
    return exp.frame(), exp.summary()


def digest(a) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()[:16]


# sha256 prefixes of the arrays before the Gaussian strategies were added (main at b00cee0)
DEFAULT_REGRESSION = {
    "error_mean": "edd08eb465f60cde",
    "theory": "c7216cb1fb914359",
    "sweep_error_mean": "c6072845fcffeb83",
    "sweep_theory": "d72e33ce585130d4",
}
DEFAULT_GAUSSIAN = {
    "log_variance_mean": "e9d537c9113b98fb",
    "log_variance_median": "61cd526ea618d447",
    "log_variance_paths": "16f5c5ba3ba5b300",
    "mean_sq_drift": "fed5ca57b3112668",
    "theory_log_variance": "46a737fe9a7619ea",
    "theory_mean_drift": "60bf77076ae1c728",
}


def test_default_runs_are_bit_identical_to_before():
    """The default regression run and the default (replace-only, 1-D, unbiased) Gaussian run
    give the same bits as before the strategies existed; the Gaussian arrays gained a row axis."""
    reg = physlab.run("collapse", seed=3)
    assert {k: digest(reg[k]) for k in DEFAULT_REGRESSION} == DEFAULT_REGRESSION
    gau = physlab.run("collapse", seed=3, model="gaussian", generations=200, repeats=500)
    rows = {k: gau[k][0] if k != "log_variance_paths" else gau[k] for k in DEFAULT_GAUSSIAN}
    assert {k: digest(v) for k, v in rows.items()} == DEFAULT_GAUSSIAN


# The KoyejoLab code's runs (sweep k3mipjqi, notebooks/00_gaussian_fitting/data/
# sweeps=k3mipjqi_runs_histories.parquet: src/fit_gaussians/fit_gaussians.py, d = 1, σ² = 1,
# np.cov(bias=True), ~100 seeds): mean and standard error over seeds at iteration 100.
KOYEJO = {  # (setting, samples per iteration): (‖μ − μ0‖², s.e., fitted σ², s.e.)
    ("accumulate", 10): (0.1600, 0.0199, 0.8658, 0.0506),
    ("accumulate", 32): (0.0514, 0.0064, 0.9601, 0.0296),
    ("replace", 10): (0.9556, 0.1828, 0.0, 0.01),
    ("replace", 32): (0.7458, 0.1267, 0.0772, 0.0461),
}


@pytest.mark.parametrize("key", sorted(KOYEJO))
def test_closed_forms_meet_the_koyejolab_runs(key):
    strategy, M = key
    mse, mse_se, var, var_se = KOYEJO[key]
    v, u = gaussian_theory.moments(strategy, M, 100, unbiased=False)
    assert abs(u[100] - mse) < 2.5 * mse_se
    assert abs(v[100] - var) < 2.5 * var_se


def test_accumulate_keeps_the_variance_and_the_mean_bounded():
    """MLE accumulate, M = 10: E σ_t² = Π_{k≤t}(1 − 1/(Mk²)) → sin(π/√M)/(π/√M) = 0.8434 and
    E(μ_t − μ0)² = 1/M + Σ E σ_k²/(M(k+1)²) → 0.156 (the KoyejoLab runs: 0.160 ± 0.020 at t = 100);
    E log σ_t² converges (closed form by quadrature, −0.344 at t = 100; the KoyejoLab runs
    −0.307 ± 0.059). Simulation against theory at every generation."""
    M, n, R = 10, 100, 3000
    f, s = run(
        gaussian_strategy=["replace", "accumulate"],
        variance_fit="mle",
        M=M,
        generations=n,
        repeats=R,
    )
    assert s["accumulate_variance_limit"] == pytest.approx(0.843436, abs=1e-6)
    v = f["theory_variance"][1]
    assert v[-1] == pytest.approx(np.prod(1 - 1 / (M * np.arange(1, n + 1) ** 2)), rel=1e-12)
    assert v[-1] > s["accumulate_variance_limit"] and v[-1] - v[-50] < 2e-3  # it has converged
    assert f["theory_mean_drift"][1][-1] == pytest.approx(0.1557, abs=5e-4)
    assert f["theory_log_variance"][1][-1] == pytest.approx(-0.344, abs=2e-3)
    assert abs(f["theory_log_variance"][1][-1] - -0.307) < 2 * 0.059
    se = lambda key: f[key + "_std"][1] / np.sqrt(R)  # noqa: E731
    for key, theory in (
        ("variance", "theory_variance"),
        ("log_variance", "theory_log_variance"),
    ):
        gap = np.abs(f[key + "_mean"][1] - f[theory][1])[1:]
        assert (gap < 4.5 * se(key)[1:]).all(), key
    drift_se = f["mean_sq_drift_std"][1] / np.sqrt(R)
    assert (
        np.abs(f["mean_sq_drift"][1] - f["theory_mean_drift"][1]) < 4.5 * drift_se + 1e-12
    ).all()
    # replace collapses meanwhile: E σ² = 0.9ⁿ, E log σ² = n[ψ(4.5) + log(2/10)] = −22.06
    assert f["theory_variance"][0][-1] == pytest.approx(0.9**100)
    assert f["theory_log_variance"][0][-1] == pytest.approx(-22.06, abs=0.01)
    assert abs(f["log_variance_mean"][0][-1] + 22.06) < 4.5 * f["log_variance_std"][0][
        -1
    ] / np.sqrt(R)


@pytest.mark.parametrize("dim", [1, 3])
def test_subsample_and_mix_follow_their_moment_recursions(dim):
    """Accumulate-subsample (the KoyejoLab variant) and mix (Shumailov et al.'s kept fraction of
    original data) against the exact recursions of E tr Σ/d and E‖μ − μ0‖²."""
    M, n, R = 12, 40, 2000
    f, _ = run(
        gaussian_strategy=["accumulate-subsample", "mix"],
        M=M,
        dim=dim,
        generations=n,
        repeats=R,
        original_fraction=0.25,
    )
    for row in (0, 1):
        for key, theory in (
            ("variance", "theory_variance"),
            ("mean_sq_drift", "theory_mean_drift"),
        ):
            mean = f[key + "_mean" if key == "variance" else key][row]
            se = f[key + "_std"][row] / np.sqrt(R)
            assert (np.abs(mean - f[theory][row]) < 5 * se + 1e-12).all(), (row, key)
    assert np.isnan(f["theory_log_variance"]).all()  # no closed form drawn
    # mixing real data: E σ² settles at a fixed point instead of collapsing
    v_mix = gaussian_theory.moments("mix", M, 400, n_real=3)[0]
    assert v_mix[-1] == pytest.approx(v_mix[-2], rel=1e-6) and v_mix[-1] > 0.5


def test_multivariate_replace_log_det_drifts_by_bartlett():
    """d = 3 replace: E (1/d) log det Σ_n = (n/d)Σ_{i≤d}[ψ((M−i)/2) + log(2/(M−1))]
    (Shumailov et al.'s multivariate Gaussian; Bartlett's decomposition)."""
    M, d, n, R = 8, 3, 60, 3000
    f, _ = run(M=M, dim=d, generations=n, repeats=R)
    expected = (
        n / d * sum(gaussian_theory.digamma((M - i) / 2) + math.log(2 / (M - 1)) for i in (1, 2, 3))
    )
    assert f["theory_log_variance"][0][-1] == pytest.approx(expected)
    se = f["log_variance_std"][0] / np.sqrt(R)
    assert (
        np.abs(f["log_variance_mean"][0] - f["theory_log_variance"][0])[1:] < 4.5 * se[1:]
    ).all()
    assert f["theory_mean_drift"][0][-1] == pytest.approx(n * d / M)
    # Var (1/d) log det Σ_n = n Σ_i ψ'((M−i)/2)/d²
    sd = f["theory_log_variance_std"][0][-1]
    assert sd**2 == pytest.approx(
        n * sum(gaussian_theory.trigamma((M - i) / 2) for i in (1, 2, 3)) / d**2
    )
    assert f["log_variance_std"][0][-1] == pytest.approx(sd, rel=0.06)


def test_too_few_samples_for_the_dimension_is_refused():
    with pytest.raises(ParamError, match="M ≥ dim \\+ 1 = 6"):
        LAB.spec.validate({"model": "gaussian", "dim": 5, "M": 5})


def test_kazdan_preset_shows_accumulate_bounded_and_replace_collapsing():
    """The preset of Kazdan et al.'s Gaussian panels: replace's mean error climbs towards 1 and
    its variance vanishes; accumulate stays bounded; accumulate-subsample lies in between."""
    preset = load_preset("collapse", "kazdan-gaussian-accumulate", LAB.spec)
    params = {**preset.params, "repeats": 400}
    f, _ = run(seed=preset.seed or 0, **params)
    rows = list(params["gaussian_strategy"])
    assert rows == ["replace", "accumulate", "accumulate-subsample"]
    mse, var = f["mean_sq_drift"][:, -1], f["variance_mean"][:, -1]
    assert mse[0] > 0.6 and mse[1] < 0.2 and mse[1] < mse[2] < mse[0]
    assert var[0] < 1e-3 and var[1] > 0.75 and var[0] < var[2] < var[1]
