"""Kernel dynamics against infinite-width theory (Bordelon & Pehlevan, NeurIPS 2022)."""

import numpy as np
import pytest

from physlab.cli import main
from physlab.core.export import read_npz
from physlab.kernels import dmft_deep_nonlinear
from physlab.kernels.data import make_dataset
from physlab.kernels.dmft_deep_linear import solve_deep_linear
from physlab.kernels.dmft_two_layer import TwoLayerLinearExact, TwoLayerParticles
from physlab.kernels.experiment import KernelsExperiment
from physlab.kernels.init_kernels import init_kernels
from physlab.kernels.network import Network
from physlab.kernels.theory import alignment


@pytest.fixture(scope="module")
def data():
    X, Kx, y = make_dataset(8, 16, "random", np.random.default_rng(0))
    return Kx, y


def rel(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(b)


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_linear_ntk_at_init_is_depth_plus_one_times_input_kernel(data, depth):
    Kx, y = data
    ntk, _, _ = init_kernels(Kx, depth, "linear")
    np.testing.assert_allclose(ntk, (depth + 1) * Kx, atol=1e-12)
    N = 4000
    net = Network(Kx, y, depth, N, "linear", 1.0, 1.0, np.random.default_rng(depth))
    # finite-width fluctuations are O(N^-1/2) per entry
    assert rel(net.kernels()[0], (depth + 1) * Kx) < 4 * depth / np.sqrt(N)


def test_relu_kernels_at_init_are_arc_cosine(data):
    Kx, y = data
    q = np.sqrt(np.diag(Kx))
    theta = np.arccos(np.clip(Kx / np.outer(q, q), -1, 1))
    arccos1 = np.outer(q, q) * (np.sin(theta) + (np.pi - theta) * np.cos(theta)) / (2 * np.pi)
    arccos0 = (np.pi - theta) / (2 * np.pi)
    _, phis, gs = init_kernels(Kx, 1, "relu")
    np.testing.assert_allclose(phis[0], arccos1, atol=1e-12)
    np.testing.assert_allclose(gs[0], arccos0, atol=1e-12)
    N = 20000
    net = Network(Kx, y, 1, N, "relu", 1.0, 1.0, np.random.default_rng(1))
    _, sim_phis, sim_gs = net.kernels()
    assert rel(sim_phis[0], arccos1) < 4 / np.sqrt(N)
    assert rel(sim_gs[0], arccos0) < 6 / np.sqrt(N)


def test_tanh_quadrature_matches_a_wide_network_at_init(data):
    Kx, y = data
    for depth, N in ((1, 20000), (2, 1500)):
        ntk, _, _ = init_kernels(Kx, depth, "tanh")
        net = Network(Kx, y, depth, N, "tanh", 1.0, 1.0, np.random.default_rng(2))
        assert rel(net.kernels()[0], ntk) < 6 / np.sqrt(N)


def test_particles_reproduce_the_exact_linear_dmft(data):
    Kx, y = data
    exact = TwoLayerLinearExact(Kx, y, 1.0, 1.0)
    particles = TwoLayerParticles(Kx, y, "linear", 1.0, 1.0, 40000, np.random.default_rng(3))
    for _ in range(40):
        exact.step()
        particles.step()
    assert np.max(np.abs(particles.delta - exact.delta)) < 0.02
    assert rel(particles.kernels[0], exact.kernels[0]) < 0.03


def test_finite_width_error_shrinks_as_inverse_square_root_of_width(data):
    Kx, y = data
    widths = np.array([100, 400, 1600])
    errors = []
    for N in widths:
        runs = []
        for seed in range(6):
            net = Network(Kx, y, 1, int(N), "linear", 1.0, 1.0, np.random.default_rng(seed))
            exact = TwoLayerLinearExact(Kx, y, 1.0, 1.0)
            for _ in range(30):
                net.step()
                exact.step()
            runs.append(rel(net.kernels()[0], exact.kernels[0]))
        errors.append(np.mean(runs))
    slope = np.polyfit(np.log(widths), np.log(errors), 1)[0]
    assert -0.7 < slope < -0.3, (errors, slope)


def test_deep_linear_dmft_matches_wide_networks(data):
    Kx, y = data
    steps, depth, gamma0, lr = 30, 2, 0.5, 0.5
    delta, ntk, _, _, _ = solve_deep_linear(Kx, y, depth, gamma0, lr, steps)
    nets = [
        Network(Kx, y, depth, 3000, "linear", gamma0, lr, np.random.default_rng(s))
        for s in range(3)
    ]
    for net in nets:
        for _ in range(steps):
            net.step()
    mean_delta = np.mean([net.delta for net in nets], axis=0)
    assert np.max(np.abs(mean_delta - delta[-1])) < 0.03
    assert rel(np.mean([net.kernels()[0] for net in nets], axis=0), ntk[-1]) < 0.05
    # the kernels moved (rich), so the agreement is not just the initial kernel's
    assert rel(ntk[-1], ntk[0]) > 0.1


def test_lazy_limit_ntk_change_scales_as_gamma0_squared(data):
    Kx, y = data
    changes = []
    for gamma0 in (0.02, 0.04, 0.08):
        exact = TwoLayerLinearExact(Kx, y, gamma0, 1.0)
        k0 = exact.kernels[0]
        for _ in range(60):
            exact.step()
        changes.append(rel(exact.kernels[0], k0))
    ratios = np.array(changes[1:]) / np.array(changes[:-1])
    np.testing.assert_allclose(ratios, 4.0, rtol=0.1)


def test_alignment_grows_with_richness(data):
    Kx, y = data
    finals = []
    for gamma0 in (0.1, 0.5, 1.0, 2.0):
        theory = TwoLayerParticles(Kx, y, "relu", gamma0, 0.5, 4000, np.random.default_rng(4))
        for _ in range(150):
            theory.step()
        finals.append(alignment(theory.kernels[0], y))
    assert np.all(np.diff(finals) > 0), finals
    assert finals[-1] > finals[0] + 0.1


def test_deep_nonlinear_run_gets_the_monte_carlo_theory_over_what_it_can_afford():
    params = {"depth": 2, "activation": "tanh", "width": 64, "steps": 20, "mc_samples": 400}
    exp = KernelsExperiment({**params, "n_samples": 16, "gamma0": 0.5, "lr": 0.5}, 0)
    exp.advance(20)
    assert "400 Monte Carlo samples" in exp.theory.label
    horizon = 400 // (4 * 16) - 1  # the Stein responses' whitened normals need S ≥ 4·T·P
    note = exp.summary()["theory_note"]
    assert exp.horizon == horizon and f"first {horizon} steps" in note
    assert f"reach {min(20, dmft_deep_nonlinear.MAX_TP // 16 - 1)}" in note
    frame = exp.frame()
    assert np.all(np.isfinite(frame["theory_loss"][: horizon + 1]))
    assert np.all(np.isnan(frame["theory_loss"][horizon + 1 :]))


def test_deep_relu_gets_the_monte_carlo_theory():
    params = {"depth": 2, "activation": "relu", "width": 64, "steps": 3, "n_samples": 8}
    exp = KernelsExperiment({**params, "mc_samples": 256}, 0)
    exp.advance(3)
    assert "depth-2 relu" in exp.theory.label and exp.horizon == 3
    assert "theory_note" not in exp.summary()
    frame = exp.frame()
    assert np.all(np.isfinite(frame["theory_loss"])) and frame["theory_ntk"].shape[1:] == (8, 8)


def test_deep_theory_with_too_few_samples_says_how_many_it_needs():
    params = {"depth": 2, "activation": "relu", "width": 16, "steps": 3, "n_samples": 64}
    exp = KernelsExperiment({**params, "mc_samples": 128}, 0)
    assert exp.theory is None and "mc_samples ≥ 512" in exp.summary()["theory_note"]


def test_diverging_run_stops_with_a_message():
    exp = KernelsExperiment({"lr": 500.0, "width": 64, "steps": 200, "theory": "none"}, 0)
    exp.advance(200)
    assert exp.diverged and "too large" in exp.diverged
    assert np.all(np.isfinite(exp.frame()["loss"]))


def test_cli_export_carries_the_deep_relu_theory(tmp_path):
    out = tmp_path / "deep-relu.npz"
    sets = ["depth=2", "activation=relu", "width=200", "steps=6", "n_samples=8", "mc_samples=256"]
    args = [a for s in sets for a in ("--set", s)]
    assert main(["run", "kernels", *args, "--out", str(out), "--quiet"]) == 0
    data, meta = read_npz(out)
    assert "depth-2 relu" in meta["summary"]["theory"]
    assert np.all(np.isfinite(data["theory_loss"])) and data["theory_ntk"].shape == (7, 8, 8)
    assert data["theory_phi"].shape[:2] == (2, 7) and data["theory_g"].shape[:2] == (2, 7)
