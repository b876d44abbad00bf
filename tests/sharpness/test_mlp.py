"""The MLP kernels against finite differences (gradient of the loss, HVP as a difference of
gradients) for every activation and parameterisation."""

import numpy as np
import pytest

from physlab.sharpness.models import MLPModel
from physlab.sharpness.params import SPEC


def model(**kw):
    p = SPEC.validate({"width": [5, 4], "n_samples": 7, **kw})
    rng = np.random.default_rng(1)
    m = MLPModel(p, rng)
    # biases start at 0; move them off 0 so that no ReLU sits exactly on its kink (a dead layer
    # makes z = b = 0), where finite differences straddle the jump
    return m, m.init(rng) + 0.1 * rng.standard_normal(m.n_params)


@pytest.mark.parametrize("activation", ["tanh", "relu", "linear"])
@pytest.mark.parametrize("param", ["sp", "mup"])
def test_gradient_matches_finite_differences(activation, param):
    m, theta = model(activation=activation, param=param, dataset="teacher", input_dim=3)
    grad = np.zeros_like(theta)
    m.loss_grad(theta, grad)
    eps = 1e-6
    for i in np.random.default_rng(0).choice(theta.size, 15, replace=False):
        e = np.zeros_like(theta)
        e[i] = eps
        fd = (m.loss(theta + e) - m.loss(theta - e)) / (2 * eps)
        assert grad[i] == pytest.approx(fd, rel=1e-5, abs=1e-9)


def gradient_difference(m, theta, v, eps):
    """(∇L(θ + εv) − ∇L(θ − εv)) / 2ε, the finite-difference HVP."""
    g_plus, g_minus = np.zeros_like(theta), np.zeros_like(theta)
    m.loss_grad(theta + eps * v, g_plus)
    m.loss_grad(theta - eps * v, g_minus)
    return (g_plus - g_minus) / (2 * eps)


@pytest.mark.parametrize("activation", ["tanh", "linear"])
@pytest.mark.parametrize("dataset", ["chebyshev", "gaussmix"])
def test_hvp_matches_difference_of_gradients(activation, dataset):
    m, theta = model(activation=activation, dataset=dataset, input_dim=3, n_classes=3)
    v = np.random.default_rng(2).standard_normal(theta.size)
    fd = gradient_difference(m, theta, v, 1e-5)
    hv = m.hvp(theta, v)
    assert np.linalg.norm(hv - fd) <= 1e-6 * np.linalg.norm(fd)


def test_relu_hvp_is_gauss_newton_plus_exact_residual_term():
    """ReLU has φ'' = 0 almost everywhere: the HVP still matches gradient differences away from
    kinks (small ε)."""
    m, theta = model(activation="relu", dataset="teacher", input_dim=3)
    v = np.random.default_rng(3).standard_normal(theta.size)
    fd = gradient_difference(m, theta, v, 1e-7)
    assert np.linalg.norm(m.hvp(theta, v) - fd) <= 1e-5 * np.linalg.norm(fd)


def test_chebyshev_default_net_has_701_parameters():
    m, _ = model(width=[30, 20], n_samples=20)
    assert m.n_params == 701


@pytest.mark.parametrize("activation,param", [("tanh", "sp"), ("relu", "mup"), ("linear", "sp")])
def test_batched_blas_kernels_equal_the_per_sample_ones(activation, param):
    from physlab.sharpness import mlp, mlp_blas
    from physlab.sharpness.experiment import SharpnessExperiment

    exp = SharpnessExperiment(
        {
            "dataset": "gaussmix",
            "width": [12, 7],
            "depth": 2,
            "n_samples": 30,
            "activation": activation,
            "param": param,
        },
        0,
    )
    m, theta = exp.model, exp.theta
    arch = m._arch
    v = np.random.default_rng(1).standard_normal(theta.size)
    g1, g2, h1, h2 = (np.zeros_like(theta) for _ in range(4))
    assert mlp.loss_grad(theta, m.X, m.Y, *arch, g1) == pytest.approx(
        mlp_blas.loss_grad(theta, m.X, m.Y, *arch, g2), rel=1e-13
    )
    mlp.hvp(theta, v, m.X, m.Y, *arch, h1)
    mlp_blas.hvp(theta, v, m.X, m.Y, *arch, h2)
    np.testing.assert_allclose(g2, g1, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(h2, h1, rtol=1e-10, atol=1e-13)
