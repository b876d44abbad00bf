"""Nesterov momentum (PyTorch's form, as Cohen et al. 2021 run it) and its stability threshold
λ < (2 + 2β)/(η(1 + 2β)) (Cohen et al., "Gradient Descent on Neural Networks Typically Occurs at
the Edge of Stability", ICLR 2021, appendix on momentum; derived in physlab/sharpness/optim.py)."""

import numpy as np
import pytest

from physlab.core.experiment import drive
from physlab.sharpness.experiment import SharpnessExperiment
from physlab.sharpness.optim import OPTIMIZERS, optimizer_step, stability_factor


def quadratic_growth(lam, eta, beta, steps=4000):
    """|θ| after ``steps`` Nesterov steps on L = ½λθ² from θ = 1."""
    theta, buf1, buf2 = np.ones(1), np.zeros(1), np.zeros(1)
    for t in range(steps):
        optimizer_step(theta, lam * theta, OPTIMIZERS["nesterov"], eta, beta, 0, 0, 0, buf1,
                       buf2, t + 1)  # fmt: skip
    return abs(theta[0])


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9])
def test_nesterov_on_a_quadratic_is_stable_exactly_below_its_threshold(beta):
    eta = 0.1
    threshold = stability_factor("nesterov", beta, 0.0) / eta
    assert threshold == pytest.approx((2 + 2 * beta) / (eta * (1 + 2 * beta)))
    assert quadratic_growth(0.999 * threshold, eta, beta) < 1.0
    assert quadratic_growth(1.001 * threshold, eta, beta) > 1.0
    # the iteration matrix on (θ, ηb) has spectral radius 1 at the threshold
    a = eta * threshold
    M = np.array([[1 - a * (1 + beta), -(beta**2)], [a, beta]])
    assert np.abs(np.linalg.eigvals(M)).max() == pytest.approx(1.0, abs=1e-12)


def test_nesterov_without_momentum_is_gd():
    a = SharpnessExperiment({"optimizer": "nesterov", "momentum": 0.0, "steps": 50}, 0)
    b = SharpnessExperiment({"optimizer": "gd", "steps": 50}, 0)
    drive(a)
    drive(b)
    np.testing.assert_array_equal(a.frame()["loss"], b.frame()["loss"])


def test_nesterov_reaches_its_own_edge_of_stability_on_the_chebyshev_net():
    """Cohen et al. 2021 (appendix): under Nesterov momentum the sharpness rises to
    (2 + 2β)/(η(1 + 2β)), here with β = 0.9 and η chosen so that the threshold is 10."""
    beta = 0.9
    eta = stability_factor("nesterov", beta, 0.0) / 10.0
    exp = SharpnessExperiment(
        {"optimizer": "nesterov", "momentum": beta, "lr": eta, "steps": 3000}, 0
    )
    drive(exp)
    f = exp.frame()
    assert exp.diverged is None and f["threshold"][-1] == pytest.approx(10.0)
    s = f["sharpness"]
    assert s[0] < 0.7 * 10.0
    assert np.median(s[len(s) * 6 // 10 :]) == pytest.approx(10.0, rel=0.05)
