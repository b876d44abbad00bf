"""dtype = float32: the network in single precision (the batched BLAS kernels) reproduces the
float64 sharpness. Single precision carries ~7 digits, so the estimates agree to ~1e-5 until the
edge of stability's chaotic phase lets the two trajectories part (Cohen et al., ICLR 2021: past
the threshold 2/η the loss oscillates and small differences grow)."""

import numpy as np

from physlab.sharpness.experiment import SharpnessExperiment


def runs(steps, **params):
    out = {}
    for dtype in ("float64", "float32"):
        exp = SharpnessExperiment({**params, "steps": steps, "dtype": dtype}, seed=0)
        exp.advance(steps)
        assert exp.theta.dtype == np.dtype(dtype)
        out[dtype] = exp.frame()
    return out["float64"], out["float32"]


def test_float32_reproduces_the_float64_sharpness_of_the_default_run():
    double, single = runs(1000)  # the default run: Chebyshev net, GD at η = 0.2
    a, b = double["sharpness"], single["sharpness"]
    assert a.max() > 0.95 * 2 / 0.2  # the window reaches the edge of stability, 2/η = 10
    np.testing.assert_array_less(np.abs(b - a) / a, 1e-3)
    assert not np.array_equal(a, b)  # it did run in single precision


def test_float32_wide_net_gradients_and_sharpness_match_float64():
    params = {"dataset": "teacher", "width": [64], "depth": 2, "n_samples": 300, "lr": 0.05}
    double, single = runs(20, **params)
    np.testing.assert_allclose(single["loss"], double["loss"], rtol=1e-5)
    np.testing.assert_allclose(single["sharpness"], double["sharpness"], rtol=1e-4)
