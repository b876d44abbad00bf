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
    exp.advance(10 ** 9)
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
    assert abs(th.fit_time_exponent(steps, loss, 0.5) - beta) < 0.05


def test_wide_model_time_exponent():
    f = run(widths=[1024], steps=2000)
    assert abs(f["fitted_exponent"][0] - 0.5) < TOLERANCE


def test_model_size_and_compute_exponents():
    f = run()
    assert abs(float(f["size_fitted_exponent"]) - th.width_exponent(1.5, 0.5)) < TOLERANCE
    assert abs(float(f["frontier_fitted_exponent"]) -
               th.compute_exponent(1.5, 0.5, False)) < TOLERANCE


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
    exp = ScalingExperiment({"rich": True, "gamma0": 100.0, "lr": 1.9, "widths": [32, 64],
                             "features": 256, "steps": 2000}, 0)
    exp.advance(10 ** 9)
    assert exp.diverged and "unstable" in exp.diverged
    assert np.isfinite(exp.frame()["loss"][0, 0])
