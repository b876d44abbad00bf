"""The Scaling table's per-N time fits (issue 17, item 3, second bullet) at the defaults (α = 1.5,
β = 0.5): each fit carries its standard error and is shown beside the slope of the N → ∞ theory
over the same window, which is β = 0.5 (Bordelon, Atanasov & Pehlevan, "A Dynamical Model of
Neural Scaling Laws", ICML 2024: L ∝ t^−β as N → ∞), while the finite-N curves, bent by their
plateaus, fit 0.34 / 0.38 / 0.44 at N = 128 / 256 / 512."""

import numpy as np

from physlab.kernels.scaling_experiment import ScalingExperiment


def test_per_n_time_fits_carry_errors_and_the_infinite_width_slope_of_their_window():
    exp = ScalingExperiment({}, seed=0)
    exp.advance(10**9)
    f = exp.frame()
    fitted, error = f["fitted_exponent"], f["fitted_exponent_error"]
    window = f["window_fitted_exponent"]
    has_window = np.isfinite(fitted)
    assert has_window.sum() >= 3
    np.testing.assert_allclose(window[has_window], 0.5, atol=0.02)  # t^−β over the same window
    assert np.all((error[has_window] > 0) & (error[has_window] < 0.02))
    fits = fitted[has_window]
    assert np.all(np.diff(fits) > 0)  # larger N: closer to the N → ∞ slope
    assert np.all(window[has_window] - fits > 10 * error[has_window])  # a real finite-N bend
    np.testing.assert_allclose(fits[-3:], [0.34, 0.38, 0.44], atol=0.02)
