"""The deep nonlinear DMFT by Monte Carlo over the fields (Bordelon & Pehlevan, "Self-Consistent
Dynamical Field Theory of Kernel Evolution in Wide Neural Networks", NeurIPS 2022, §4 and the
appendix's algorithm; the authors' ``deep_nonlinear_DMFT.ipynb``) against wide networks, the
two-layer particle theory and the deep-linear fixed point. Tolerances are about twice the measured
deviations, which are the Monte Carlo error of S samples (O(S^{-1/2})) and the networks' own
O(N^{-1/2}) scatter; for ReLU they are the networks' seed-to-seed scatter itself."""

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
    # measured: 0.025 in Δ (the two networks differ by 0.018), 5.7 % in the NTK (theirs: 4 %)
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
    # measured: 0.006 in Δ and 1.5 % in the NTK, which moved by 2.4× its initial norm
    assert np.max(np.abs(delta[-1] - particles.delta)) < 0.02
    assert rel(ntk[-1], particles.kernels[0]) < 0.05


def test_linear_depth_two_reproduces_the_deep_linear_fixed_point(data):
    """Linear fields are linear in the whitened normals, so every second moment the Monte Carlo
    solver takes (kernels and Stein responses) is exact, whatever S: it must land on the
    deep-linear solver (``Linear_DMFT.ipynb``) up to the O(η²γ0²) curvature of the GD step that
    the deep-linear update drops."""
    Kx, y = data
    delta, ntk, _, _, _ = solve_deep_nonlinear(
        Kx, y, 2, "linear", 0.5, 0.5, STEPS, 1000, np.random.default_rng(1)
    )
    ref_delta, ref_ntk, _, _, _ = solve_deep_linear(Kx, y, 2, 0.5, 0.5, STEPS)
    # measured: 0.002 in Δ, 0.6 % in the NTK (which moved by 70 %), the same for S = 1000-4000
    assert np.max(np.abs(delta[-1] - ref_delta[-1])) < 0.005
    assert rel(ntk[-1], ref_ntk[-1]) < 0.015


def _wide_relu(Kx, y, depth, width, seeds, gamma0=0.5):
    """The mean and the seed-to-seed difference of Δ and of every kernel (NTK, Φ^ℓ, G^ℓ) after
    STEPS steps of two wide ReLU networks."""
    runs = []
    for seed in seeds:
        net = Network(Kx, y, depth, width, "relu", gamma0, gamma0, np.random.default_rng(seed))
        for _ in range(STEPS):
            net.step()
        ntk, phis, gs = net.kernels()
        runs.append([net.delta.copy(), ntk, *phis, *gs])
    mean = [np.mean(pair, axis=0) for pair in zip(*runs)]
    scatter = [np.max(np.abs(runs[0][0] - runs[1][0]))] + [
        rel(a, b) for a, b in zip(runs[0][1:], runs[1][1:])
    ]
    return mean, scatter


def _theory_errors(Kx, y, depth, mean, gamma0=0.5):
    delta, ntk, phis, gs, _ = solve_deep_nonlinear(
        Kx, y, depth, "relu", gamma0, gamma0, STEPS, 2000, np.random.default_rng(1)
    )
    theory = [ntk[-1], *(p[-1] for p in phis), *(g[-1] for g in gs)]
    return [np.max(np.abs(mean[0] - delta[-1]))] + [rel(m, t) for m, t in zip(mean[1:], theory)]


@pytest.mark.parametrize(
    ("depth", "width", "measured"),
    [
        # measured, theory vs the two networks' mean (seed-to-seed scatter in brackets):
        # Δ 0.023 (0.046), NTK 4.8 % (7.7 %), Φ² 5.8 % (7.6 %), G¹ 7.2 % (12 %); the per-sample
        # Jacobian responses that miss δ(h) gave Δ 0.047, NTK 8.8 %, Φ² 12 %, G¹ 15 %: failed
        (2, 3000, "depth 2"),
        # Δ 0.025 (0.11), NTK 7 % (22 %), Φ³ 5 % (20 %), G¹ 15 % (30 %)
        (3, 2000, "depth 3"),
    ],
    ids=["depth2", "depth3"],
)
def test_deep_relu_matches_wide_networks_within_their_own_scatter(data, depth, width, measured):
    """Depth-2 and depth-3 ReLU, γ0 = η = 0.5, P = 8, 15 steps, S = 2000: the Stein responses
    include the δ(h) term of φ'' that per-sample Jacobians miss. The mean of two networks differs
    from N → ∞ by about half their difference, so their difference bounds theory + network error
    with room for the Monte Carlo error of the theory."""
    Kx, y = data
    mean, scatter = _wide_relu(Kx, y, depth, width, (10, 11))
    errors = _theory_errors(Kx, y, depth, mean)
    names = ["Δ", "NTK"] + [f"Φ{i}" for i in range(1, depth + 1)]
    names += [f"G{i}" for i in range(1, depth + 1)]
    for name, err, tol in zip(names, errors, scatter):
        assert err < tol, (name, err, tol, measured)
    # the kernels moved well beyond that scatter (the NTK by 77 % at depth 2), so a theory that
    # missed feature learning would fail
    assert rel(mean[1], init_kernels(Kx, depth, "relu")[0]) > 4 * scatter[1]


def test_bad_sizes_are_refused_with_a_message(data):
    Kx, y = data
    with pytest.raises(ValueError, match="exceeds"):
        solve_deep_nonlinear(Kx, y, 2, "relu", 1.0, 1.0, 500, 100, np.random.default_rng(0))
    with pytest.raises(ValueError, match="multiple of 4"):
        solve_deep_nonlinear(Kx, y, 2, "relu", 1.0, 1.0, 5, 402, np.random.default_rng(0))
    with pytest.raises(ValueError, match="4·T·P"):
        solve_deep_nonlinear(Kx, y, 2, "relu", 1.0, 1.0, 5, 100, np.random.default_rng(0))
