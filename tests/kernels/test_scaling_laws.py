"""The random-feature model's scaling laws against theory (Bordelon, Atanasov & Pehlevan 2024, 2025).
Tolerances: fitted exponents within 0.1 of the predicted ones at these sizes (finite N bends the
curves near their plateau; the fits are over the power-law window only)."""

import numpy as np
import pytest

from physlab.kernels import scaling_theory as th
from physlab.kernels.scaling_experiment import ScalingExperiment
from physlab.kernels.scaling_model import FeatureSpace, RichRun, lazy_readouts

TOLERANCE = 0.1


def run(**params):
    exp = ScalingExperiment(params, seed=0)
    exp.advance(10**9)
    return exp.frame()


def test_lazy_closed_form_equals_stepping_with_frozen_features():
    space = FeatureSpace(1.5, 0.5, 300, 40, 0, np.random.default_rng(0))
    _, _, K_hat, b_hat = space.readout_problem(40, 0)
    steps = np.array([0, 1, 5, 50, 200])
    closed = lazy_readouts(K_hat, b_hat, 0.5, steps)
    stepped = RichRun(K_hat, b_hat, 0.5, 0.0)
    for i, t in enumerate(steps):
        np.testing.assert_allclose(stepped.advance_to(int(t)), closed[:, i], atol=1e-10)


@pytest.mark.parametrize("beta", [0.4, 0.7])
def test_infinite_width_loss_decays_as_t_to_minus_beta(beta):
    space = FeatureSpace(1.5, beta, 200_000, 1, 0, np.random.default_rng(0))
    steps = np.geomspace(1, 3000, 60).round()
    loss = space.infinite_width_loss(0.5, steps)
    assert abs(th.fit_time_exponent(steps, loss, 0.5)[0] - beta) < 0.05


def test_wide_model_time_exponent():
    f = run(widths=[1024], steps=2000)
    assert abs(f["fitted_exponent"][0] - 0.5) < TOLERANCE


def test_model_size_and_compute_exponents():
    f = run()
    assert abs(float(f["size_fitted_exponent"]) - th.width_exponent(1.5, 0.5)) < TOLERANCE
    assert (
        abs(float(f["frontier_fitted_exponent"]) - th.compute_exponent(1.5, 0.5, False)) < TOLERANCE
    )


def test_easy_task_frontier_formula():
    assert th.compute_exponent(1.5, 2.5, False) == pytest.approx(3.75 / 4.75)
    assert th.compute_exponent(1.5, 2.5, True) == pytest.approx(3.75 / 4.75)  # easy: unchanged
    # rich hard task: C^−2αβ/(α(1+β)+2) (Bordelon, Atanasov & Pehlevan, ICLR 2025)
    assert th.compute_exponent(1.5, 0.5, True) == pytest.approx(2 * 1.5 * 0.5 / (1.5 * 1.5 + 2))


@pytest.mark.parametrize("beta, expected", [(0.5, 0.3), (1.5, 2.25 / 3.25)])
def test_compute_optimal_exponent_on_both_sides_of_beta_1(beta, expected):
    """Hard tasks (β < 1): L* ~ C^−αβ/(1+α). Easy tasks (β > 1): the frontier is set by t^−β
    against the finite-width term N^−1·t^−(1−1/α) of Paquette et al. ("4+3 Phases of
    Compute-Optimal Neural Scaling Laws", NeurIPS 2024, their F_ac), L* ~ C^−αβ/(1+αβ) — not the
    C^−a_N·β/(a_N+β) = 0.75 (β = 1.5) the plateau balance would give. Measured on the interior of
    the frontier (where the optimal size is inside the family), α = 1.5."""
    assert th.compute_exponent(1.5, beta, False) == pytest.approx(expected)
    f = run(beta=beta)
    fitted, error = float(f["frontier_fitted_exponent"]), float(f["frontier_fitted_exponent_error"])
    assert abs(fitted - expected) < 0.08, (fitted, error)
    assert 0 < error < 0.05
    if beta > 1:  # the plateau balance is measurably wrong
        assert (
            abs(
                fitted - th.width_exponent(1.5, beta) * beta / (th.width_exponent(1.5, beta) + beta)
            )
            > 0.05
        )


def test_easy_task_curves_turn_to_the_finite_width_exponent():
    """β > 1: after t× = N^{1/(β−1+1/α)} a finite-N curve decays as t^−(1−1/α) (α = 1.5: 1/3),
    much slower than t^−β — why the fitted time exponents of easy tasks sit far below β."""
    f = run(beta=2.5, widths=[1024], steps=100_000, features=8000)
    assert float(f["late_exponent"]) == pytest.approx(1 / 3)
    fitted = f["fitted_exponent"][0]
    assert abs(fitted - 1 / 3) < 0.12 and fitted < 2.5 / 2
    assert (
        f["window_fitted_exponent"][0] > 2.0
    )  # the N → ∞ theory over the same window is still ≈ β


def test_feature_learning_speeds_up_hard_tasks():
    lazy = run(widths=[512], steps=2000)["fitted_exponent"][0]
    rich = run(widths=[512], steps=2000, rich=True, gamma0=0.1)["fitted_exponent"][0]
    assert rich > lazy + 0.04, (lazy, rich)
    assert th.time_exponent(0.5, True) == pytest.approx(2 / 3)
    assert th.time_exponent(1.5, True) == 1.5  # easy tasks are unchanged


def test_widths_must_stay_below_the_features():
    with pytest.raises(ValueError, match="must stay below"):
        ScalingExperiment({"widths": [100, 3000], "features": 2000}, 0)


def test_unstable_feature_learning_stops_with_a_message():
    exp = ScalingExperiment(
        {
            "rich": True,
            "gamma0": 100.0,
            "lr": 1.9,
            "widths": [32, 64],
            "features": 256,
            "steps": 2000,
        },
        0,
    )
    exp.advance(10**9)
    assert exp.diverged and "unstable" in exp.diverged
    assert np.isfinite(exp.frame()["loss"][0, 0])
