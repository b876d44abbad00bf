"""The uv model: closed (f, λ) map vs parameter-space GD, closed-form Hessian spectrum vs a dense
Hessian, and the bifurcation diagram's first period doubling at a = η|xy|/√n = 1."""

import numpy as np
import pytest

from physlab.sharpness import uv
from physlab.sharpness.theory import uv_attractor_map, uv_hessian_eigenvalues


def test_closed_map_equals_parameter_space_gd():
    n, x, y, eta = 50, 1.3, 0.7, 0.4
    theta = np.random.default_rng(0).standard_normal(2 * n) * 0.8
    steps = 40
    lrs = np.full(steps, eta)
    losses, f_tr, ntk_tr = np.zeros(steps), np.zeros(steps), np.zeros(steps)
    z = np.zeros(2 * n)
    uv.train(
        theta,
        x,
        y,
        0,
        lrs,
        0.0,
        0.9,
        0.999,
        1e-8,
        z.copy(),
        z.copy(),
        0,
        1e30,
        losses,
        f_tr,
        ntk_tr,
    )
    f, lam = f_tr[0], ntk_tr[0]
    for t in range(steps):
        assert f == pytest.approx(f_tr[t], rel=1e-9, abs=1e-12)
        assert lam == pytest.approx(ntk_tr[t], rel=1e-9)
        f, lam = uv.closed_map(f, lam, eta, x, y, float(n))


@pytest.mark.parametrize("x,y", [(1.0, 1.0), (-0.7, 2.0)])
def test_closed_form_hessian_spectrum_matches_dense(x, y):
    n = 6
    rng = np.random.default_rng(1)
    u, v = rng.standard_normal(n), rng.standard_normal(n)
    f = x * u @ v / np.sqrt(n)
    lam = x * x * (u @ u + v @ v) / n
    r, a = f - y, x / np.sqrt(n)
    w = np.concatenate([v, u])
    J = np.block([[np.zeros((n, n)), np.eye(n)], [np.eye(n), np.zeros((n, n))]])
    H = a * a * np.outer(w, w) + a * r * J
    exact = np.sort(np.linalg.eigvalsh(H))[::-1][:4]
    np.testing.assert_allclose(uv_hessian_eigenvalues(f, lam, x, y, n, 4), exact, atol=1e-10)


def late_values(a, n=4.0):
    """Distinct late-time ηλ of the closed map at a = η/√n (x = y = 1), from a state near u = v."""
    eta = a * np.sqrt(n)
    out = np.full((1, 64), np.nan)
    uv.bifurcation(np.array([eta]), 0.3, 1.2, 1.0, 1.0, n, 4000, 64, out)
    return np.unique(np.round(out[0], 6))


def test_bifurcation_fixed_point_below_a1_and_period_two_above():
    below = late_values(0.8)
    assert len(below) == 1 and below[0] <= 2.0 + 1e-6  # converged to a stable minimum
    above = late_values(1.1)
    assert len(above) == 2  # first period doubling


def test_attractor_map_fixed_point_loses_stability_at_a_equals_one():
    for a, stable in ((0.9, True), (1.1, False)):
        g = 1.0 + 1e-6
        for _ in range(2000):
            g = uv_attractor_map(g, a)
        assert (abs(g - 1.0) < 1e-8) == stable
