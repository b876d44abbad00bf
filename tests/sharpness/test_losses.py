"""The cross-entropy loss and its exact Hessian-vector product (Pearlmutter's R-operator through
the softmax) against finite differences and a dense Hessian built from loss values only, and the
digits data set on which Cohen et al.'s edge of stability shows ("Gradient Descent on Neural
Networks Typically Occurs at the Edge of Stability", ICLR 2021)."""

import numpy as np
import pytest

from physlab.core.params import ParamError
from physlab.core.presets import load_preset
from physlab.sharpness import LAB, mlp, mlp_blas
from physlab.sharpness.losses import CE, output_layer, output_layer_batch
from physlab.sharpness.models import MLPModel
from physlab.sharpness.params import SPEC


def model(**kw):
    p = SPEC.validate(
        {
            "width": [4, 3],
            "n_samples": 6,
            "dataset": "digits",
            "loss": "ce",
            "init_scale": 1.5,
            **kw,
        }
    )
    rng = np.random.default_rng(5)
    m = MLPModel(p, rng)
    return m, m.init(rng) + 0.1 * rng.standard_normal(m.n_params)


def test_softmax_cross_entropy_of_one_sample():
    f, y = np.array([2.0, -1.0, 0.5]), np.array([0.0, 0.0, 1.0])
    d, rd = np.empty(3), np.empty(3)
    rf = np.array([0.3, -0.2, 0.1])
    value = output_layer(0.0, f, y, rf, 2, CE, d, rd)
    p = np.exp(f) / np.exp(f).sum()
    assert value == pytest.approx(-np.log(p[2]) / 2, rel=1e-14)
    np.testing.assert_allclose(d, (p - y) / 2, rtol=1e-14)
    np.testing.assert_allclose(rd, (np.diag(p) - np.outer(p, p)) @ rf / 2, rtol=1e-13)


@pytest.mark.parametrize("activation", ["tanh", "linear"])
def test_ce_gradient_and_hvp_match_finite_differences(activation):
    m, theta = model(activation=activation)
    grad = np.zeros_like(theta)
    m.loss_grad(theta, grad)
    eps = 1e-6
    for i in np.random.default_rng(0).choice(theta.size, 20, replace=False):
        e = np.zeros_like(theta)
        e[i] = eps
        assert grad[i] == pytest.approx(
            (m.loss(theta + e) - m.loss(theta - e)) / (2 * eps), rel=1e-5, abs=1e-9
        )
    v = np.random.default_rng(2).standard_normal(theta.size)
    gp, gm = np.zeros_like(theta), np.zeros_like(theta)
    m.loss_grad(theta + 1e-5 * v, gp)
    m.loss_grad(theta - 1e-5 * v, gm)
    fd = (gp - gm) / 2e-5
    assert np.linalg.norm(m.hvp(theta, v) - fd) <= 1e-6 * np.linalg.norm(fd)


def test_ce_hvp_is_the_dense_hessian_from_loss_values():
    """H_ij from the four-point second difference of L itself (no gradient code involved): every
    HVP column and the top eigenvalue found by Lanczos agree with it."""
    m, theta = model(width=[3], depth=1, n_samples=5)  # 64·3+3 + 3·10+10 = 235 parameters
    idx = np.random.default_rng(1).choice(theta.size, 12, replace=False)
    h = 1e-4
    H = np.empty((12, 12))
    for a, i in enumerate(idx):
        for b, j in enumerate(idx):

            def at(si, sj):
                t = theta.copy()
                t[i] += si * h
                t[j] += sj * h
                return m.loss(t)

            H[a, b] = (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * h * h)
    cols = np.array([m.hvp(theta, np.eye(theta.size)[i])[idx] for i in idx]).T
    np.testing.assert_allclose(cols, H, atol=2e-6 * np.abs(H).max())
    dense = np.array([m.hvp(theta, e) for e in np.eye(theta.size)])
    assert np.allclose(dense, dense.T, atol=1e-12)
    top = m.top_eigenvalues(theta, np.ones(theta.size), 2)
    np.testing.assert_allclose(top.values, np.linalg.eigvalsh(dense)[::-1][:2], rtol=1e-6)


def test_ce_batched_kernels_equal_the_per_sample_ones():
    m, theta = model(width=[12, 7], n_samples=30)
    v = np.random.default_rng(1).standard_normal(theta.size)
    g1, g2, h1, h2 = (np.zeros_like(theta) for _ in range(4))
    assert mlp.loss_grad(theta, m.X, m.Y, *m._arch, g1) == pytest.approx(
        mlp_blas.loss_grad(theta, m.X, m.Y, *m._arch, g2), rel=1e-13
    )
    mlp.hvp(theta, v, m.X, m.Y, *m._arch, h1)
    mlp_blas.hvp(theta, v, m.X, m.Y, *m._arch, h2)
    np.testing.assert_allclose(g2, g1, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(h2, h1, rtol=1e-10, atol=1e-13)
    value, D, _ = output_layer_batch(np.zeros((3, 10)), np.eye(10)[:3], None, CE)
    assert value == pytest.approx(np.log(10))  # uniform softmax over 10 classes


def test_digits_are_the_shipped_images_one_hot():
    m, _ = model(n_samples=100, loss="mse")
    assert m.X.shape == (100, 64) and m.Y.shape == (100, 10)
    counts = np.bincount(m.Y.argmax(1), minlength=10)
    assert np.all(m.Y.sum(axis=1) == 1) and counts.min() >= 8 and counts.max() <= 12


@pytest.mark.parametrize(
    "params,name",
    [
        ({"dataset": "chebyshev", "loss": "ce"}, "loss"),
        ({"dataset": "digits", "n_samples": 2000}, "n_samples"),
    ],
)
def test_impossible_combinations_are_refused(params, name):
    with pytest.raises(ParamError) as err:
        LAB.build(params, 0)
    assert err.value.name == name


def test_cohen_digits_preset_reaches_the_edge_of_stability():
    """Cohen et al. (ICLR 2021): under full-batch GD the sharpness rises (progressive sharpening)
    and then hovers at 2/η. The preset (500 digits, 64→32→32→10 tanh, MSE on one-hot targets,
    PyTorch-default weight variance 1/(3 fan_in)) starts at about half of 2/η and ends within 5 %
    of it (the Gaussian mixture it replaces stalled at 0.35·2/η)."""
    preset = load_preset("sharpness", "cohen-mlp-digits", LAB.spec)
    exp = LAB.build(dict(preset.params), preset.seed or 0)
    exp.advance(exp.total_steps)
    assert exp.diverged is None
    f = exp.frame()
    threshold = 2.0 / preset.params["lr"]
    late = f["sharpness"][f["sharpness_step"] >= 0.7 * exp.total_steps]
    assert f["sharpness"][0] < 0.6 * threshold  # it sharpens on its way there
    assert np.all(np.abs(late / threshold - 1.0) < 0.05)


def test_held_out_digits_loss_is_recorded_at_each_measurement():
    exp = LAB.build(
        {
            "dataset": "digits",
            "n_samples": 100,
            "n_test": 200,
            "width": [16],
            "steps": 60,
            "eig_every": 20,
            "lr": 0.1,
            "loss": "ce",
        },
        0,
    )
    exp.advance(60)
    f = exp.frame()
    m = exp.model
    assert m.X_test.shape == (200, 64) and len(f["test_loss"]) == len(f["sharpness_step"]) == 4
    assert not (m.X_test[:, None] == m.X[None]).all(-1).any()  # disjoint from the training set
    assert f["test_loss"][-1] == pytest.approx(
        m.kernels.loss(exp.theta, m.X_test, m.Y_test, *m._arch), rel=1e-12
    )
    assert f["test_loss"][-1] > exp.model.loss(exp.theta)  # it generalises worse than it fits
    assert (
        "test_loss" not in LAB.build({"dataset": "digits", "n_samples": 50, "steps": 1}, 0).frame()
    )
