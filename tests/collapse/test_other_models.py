"""Tails, strong collapse, verification and Gaussian refitting against their closed forms."""
import numpy as np
import pytest

from physlab.collapse import gaussian, verify
from physlab.collapse import LAB


def run(seed=2, **params):
    exp = LAB.build(params, seed=seed)
    exp.advance(10 ** 6)
    assert exp.done and exp.diverged is None
    return exp.frame(), exp.summary()


def test_hutter_clean_error_follows_the_power_law_and_the_cut_plateaus():
    T = [100, 300, 1000, 3000, 10_000, 30_000, 100_000]
    f, s = run(model="tails", zipf_exponent=2.0, cutoff=50, narrowed_exponent=4.0,
               clean_fraction=0.2, T_values=T, repeats=20)
    logT = np.log(T)
    clean = np.polyfit(logT, np.log(np.median(f["error_mean"][0][None], axis=0)), 1)[0]
    assert clean == pytest.approx(-(1 - 1 / 2.0), abs=0.04)
    narrowed = np.polyfit(logT[3:], np.log(f["error_mean"][2][3:]), 1)[0]
    assert narrowed == pytest.approx(-(2.0 - 1) / 4.0, abs=0.04)
    assert f["error_mean"][1][-1] == pytest.approx(s["tail_mass_plateau"], rel=0.02)
    # mixing a clean fraction: stuck near the plateau, then a second descent below it
    assert f["error_mean"][3][-1] < 0.5 * s["tail_mass_plateau"]
    se = f["error_std"] / np.sqrt(20)
    assert (np.abs(f["error_mean"] - f["theory"]) <= 5 * se + 1e-4 * f["theory"]).all()


def test_strong_collapse_floors_at_p2_squared_c_squared():
    f, s = run(model="strong", d=20, synthetic_fraction=0.3, shift=1.0, repeats=100)
    assert s["floor_p2sq_c2"] == pytest.approx(0.09)
    assert f["error_mean"][0] == pytest.approx(f["theory"][0], rel=0.08)
    assert f["error_mean"][0][-1] == pytest.approx(0.09, rel=0.05)
    assert f["error_mean"][1][-1] < 0.01  # clean data keeps improving
    assert f["error_mean"][1] == pytest.approx(f["theory"][1], rel=0.08)


def test_verifier_moves_the_phase_transition_to_p_star():
    f, s = run(model="verify", d=10, T=20_000, keep_correct=0.8, keep_wrong=0.4, mu_norm=1.0,
               repeats=20)
    p_star = 0.8 / 1.2
    assert s["critical_flip"] == pytest.approx(p_star)
    x = f["flip_values"]
    for row, expected in ((0, p_star), (1, 0.5)):
        acc = f["accuracy_mean"][row]
        cross = np.interp(0.5, acc[::-1], x[::-1])  # accuracy falls through ½ at the transition
        assert cross == pytest.approx(expected, abs=0.02)
    bayes = verify.normal_cdf(1.0)
    assert f["accuracy_mean"][0][x < p_star - 0.1] == pytest.approx(bayes, abs=0.02)


def test_gaussian_refitting_collapses_with_the_predicted_drift():
    M, n = 10, 30
    f, _ = run(model="gaussian", M=M, generations=n, repeats=4000)
    drift = gaussian.log_variance_drift(M)
    se = f["log_variance_std"][-1] / np.sqrt(4000)
    assert abs(f["log_variance_mean"][-1] - n * drift) < 4 * se
    assert f["log_variance_std"][-1] ** 2 == pytest.approx(n * gaussian.log_variance_spread(M),
                                                         rel=0.1)
    assert np.median(f["variance_paths"][:, -1]) < 0.3  # most runs have collapsed
    assert f["mean_sq_drift"][-1] == pytest.approx(n / M, rel=0.2)
