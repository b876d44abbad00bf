"""The deep nonlinear DMFT by Monte Carlo over the fields (Bordelon & Pehlevan, "Self-Consistent
Dynamical Field Theory of Kernel Evolution in Wide Neural Networks", NeurIPS 2022; the authors'
``deep_nonlinear_DMFT.ipynb``) against wide networks, the two-layer particle theory and the
deep-linear fixed point. Tolerances are about twice the measured deviations, which are the Monte
Carlo error of S samples (O(S^{-1/2})) and the networks' own O(N^{-1/2}) scatter."""

import numpy as np
import pytest

from physlab.kernels.data import make_dataset
from physlab.kernels.dmft_deep_linear import solve_deep_linear
from physlab.kernels.dmft_deep_nonlinear import solve_deep_nonlinear
from physlab.kernels.dmft_two_layer import TwoLayerParticles
from physlab.kernels.init_kernels import init_kernels
from physlab.kernels.network import Network

STEPS = 15


@pytest.fixture(scope="module")
def data():
    _, Kx, y = make_dataset(8, 16, "random", np.random.default_rng(0))
    return Kx, y


def rel(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(b)


def test_depth_two_tanh_matches_wide_networks_in_the_rich_regime(data):
    Kx, y = data
    gamma0 = lr = 1.0
    delta, ntk, _, _, _ = solve_deep_nonlinear(
        Kx, y, 2, "tanh", gamma0, lr, STEPS, 1000, np.random.default_rng(1)
    )
    nets = [Network(Kx, y, 2, 3000, "tanh", gamma0, lr, np.random.default_rng(s)) for s in (10, 11)]
    for net in nets:
        for _ in range(STEPS):
            net.step()
    net_delta = np.mean([net.delta for net in nets], axis=0)
    net_ntk = np.mean([net.kernels()[0] for net in nets], axis=0)
    # measured: 0.030 in Δ (the two networks differ by 0.018), 4 % in the NTK (theirs: 4 %)
    assert np.max(np.abs(net_delta - delta[-1])) < 0.06
    assert rel(net_ntk, ntk[-1]) < 0.08
    # the kernels moved (NTK by 2.8× its initial norm), so the frozen-kernel (lazy) prediction
    # is far off: 0.61 in Δ
    lazy = y.copy()
    k0 = init_kernels(Kx, 2, "tanh")[0]
    for _ in range(STEPS):
        lazy = lazy - lr / len(y) * k0 @ lazy
    assert np.max(np.abs(net_delta - lazy)) > 0.3
    assert rel(ntk[-1], ntk[0]) > 1.0


def test_depth_one_matches_the_two_layer_particle_theory(data):
    """At depth 1 there are no response functions; the fields are the single-site process of
    the authors' ``two_layer_nonlinear_DMFT.ipynb`` that :class:`TwoLayerParticles` samples."""
    Kx, y = data
    delta, ntk, _, _, _ = solve_deep_nonlinear(
        Kx, y, 1, "relu", 1.0, 1.0, STEPS, 2000, np.random.default_rng(1)
    )
    particles = TwoLayerParticles(Kx, y, "relu", 1.0, 1.0, 40000, np.random.default_rng(3))
    for _ in range(STEPS):
        particles.step()
    # measured: 0.008 in Δ and 2 % in the NTK, which moved by 2.4× its initial norm
    assert np.max(np.abs(delta[-1] - particles.delta)) < 0.02
    assert rel(ntk[-1], particles.kernels[0]) < 0.05


def test_linear_depth_two_reproduces_the_deep_linear_fixed_point(data):
    """Linear fields are Gaussian and every sample's Jacobian is the same, so the Monte Carlo
    solver must land on the deep-linear solver (``Linear_DMFT.ipynb``) up to its sampling error
    and the O(η²γ0²) curvature of the GD step that the deep-linear update drops."""
    Kx, y = data
    delta, ntk, _, _, _ = solve_deep_nonlinear(
        Kx, y, 2, "linear", 0.5, 0.5, STEPS, 1000, np.random.default_rng(1)
    )
    ref_delta, ref_ntk, _, _, _ = solve_deep_linear(Kx, y, 2, 0.5, 0.5, STEPS)
    # measured: 0.030 in Δ, 6 % in the NTK (which moved by 70 %)
    assert np.max(np.abs(delta[-1] - ref_delta[-1])) < 0.06
    assert rel(ntk[-1], ref_ntk[-1]) < 0.12


def test_bad_sizes_are_refused_with_a_message(data):
    Kx, y = data
    with pytest.raises(ValueError, match="exceeds"):
        solve_deep_nonlinear(Kx, y, 2, "relu", 1.0, 1.0, 500, 100, np.random.default_rng(0))
    with pytest.raises(ValueError, match="even"):
        solve_deep_nonlinear(Kx, y, 2, "relu", 1.0, 1.0, 5, 101, np.random.default_rng(0))
