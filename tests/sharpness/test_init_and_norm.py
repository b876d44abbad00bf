"""The papers' initialisations and loss normalisations (issue 17 item 5), and the sizes of their
phase diagrams: PyTorch's uniform init with biases (Cohen et al. 2021), σ_w² = 2 hidden / 1 last
without biases and the per-class mean loss (Kalra & Barkeshli, "Phase diagram of early training
dynamics in deep neural networks", NeurIPS 2023), depth up to 8."""

import numpy as np
import pytest

from physlab.cli import main
from physlab.core.experiment import drive
from physlab.core.params import MEMORY_ENV, ParamError
from physlab.sharpness.experiment import SharpnessExperiment
from physlab.sharpness.params import SPEC, memory_estimate

WIDE = {"dataset": "teacher", "input_dim": 200, "n_samples": 4, "width": [300], "depth": 2}


def layers(exp):
    m = exp.model
    for l, (d_in, d_out) in enumerate(zip(m.sizes[:-1], m.sizes[1:])):
        w = exp.theta[m.w_off[l] : m.w_off[l] + d_in * d_out]
        yield l, d_in, w, exp.theta[m.b_off[l] : m.b_off[l] + d_out]


def test_uniform_init_is_pytorchs_linear_default():
    """nn.Linear: W, b ~ U(−1/√fan_in, 1/√fan_in), so Var W = 1/(3·fan_in)."""
    exp = SharpnessExperiment(dict(WIDE, init="uniform"), 0)
    for _, d_in, w, b in layers(exp):
        bound = 1 / np.sqrt(d_in)
        assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
        if w.size > 10_000:  # 200·300 and 300·300 weights: the variance to ±2 %
            assert w.var() == pytest.approx(1 / (3 * d_in), rel=0.02)
            assert np.abs(w).max() > 0.99 * bound
        assert np.any(b != 0)


def test_he_init_has_variance_two_in_hidden_layers_one_in_the_last_and_no_biases():
    exp = SharpnessExperiment(dict(WIDE, init="he", width=[300, 300]), 0)
    last = len(exp.model.sizes) - 2
    for l, d_in, w, b in layers(exp):
        if w.size > 10_000:
            assert w.var() == pytest.approx((1 if l == last else 2) / d_in, rel=0.02)
        assert not np.any(b)
    assert exp.summary()["n_trained"] == exp.model.n_params - sum(exp.model.sizes[1:])


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_absent_biases_stay_zero_and_the_hessian_is_that_of_the_weights(optimizer):
    params = dict(WIDE, init="he", width=[8], input_dim=3, n_samples=12, steps=30)
    exp = SharpnessExperiment(dict(params, optimizer=optimizer, batch=4, lr=0.01), 0)
    drive(exp)
    for _, _, _, b in layers(exp):
        assert not np.any(b)
    # λ_max against the dense Hessian of the weights alone, built column by column
    m, theta = exp.model, exp.theta
    weights = np.flatnonzero(m.mask)
    H = np.stack([m.hvp(theta, np.eye(m.n_params)[i]) for i in weights])[:, weights]
    assert np.allclose(H, H.T, atol=1e-10)
    top = m.top_eigenvalues(theta, np.random.default_rng(0).standard_normal(m.n_params), 2)
    np.testing.assert_allclose(top.values, np.linalg.eigvalsh(H)[::-1][:2], rtol=1e-7)


def test_the_per_class_mean_sharpness_is_ours_over_k_exactly():
    """Kalra & Barkeshli's loss is ½·mean over samples and the k outputs: L/k, so their sharpness
    is ours/k, and GD on it with η is GD on ours with η/k."""
    base = {"dataset": "digits", "n_samples": 60, "width": [12], "eig_every": 10, "steps": 20}
    ours, f_ours = SharpnessExperiment(dict(base, lr=0.5), 0), None
    theirs = SharpnessExperiment(dict(base, lr=5.0, loss_norm="class"), 0)
    k = 10
    assert theirs.loss0 == pytest.approx(ours.loss0 / k, rel=1e-15)
    assert theirs.lambda0 == pytest.approx(ours.lambda0 / k, rel=1e-9)
    drive(ours)
    drive(theirs)
    f_ours, f_theirs = ours.frame(), theirs.frame()
    np.testing.assert_allclose(f_theirs["loss"], f_ours["loss"] / k, rtol=1e-11)
    np.testing.assert_allclose(f_theirs["sharpness"], f_ours["sharpness"] / k, rtol=1e-7)
    np.testing.assert_allclose(theirs.theta, ours.theta, rtol=1e-10, atol=1e-13)


def test_phase_diagram_depths_are_accepted_and_too_big_nets_refused(monkeypatch):
    assert SPEC["depth"].high == 8
    p = SPEC.validate({"depth": 8, "width": [64], "activation": "relu", "init": "he"})
    exp = SharpnessExperiment(p, 0)
    assert len(exp.model.sizes) == 10
    with pytest.raises(ParamError, match="depth"):
        SPEC.validate({"depth": 9})
    monkeypatch.setenv(MEMORY_ENV, "4G")
    big = {"depth": 8, "width": [2048], "activation": "relu", "dataset": "digits",
           "n_samples": 500}  # fmt: skip
    estimate = memory_estimate(SPEC.validate(dict(big, width=[512])))
    assert estimate < 4 << 30  # width 512 fits ...
    with pytest.raises(ParamError, match="would hold about .* lower width, depth or n_samples"):
        SPEC.validate(big)  # ... 2048 (29 million parameters, 70 Lanczos vectors) does not


def test_the_memory_estimate_counts_the_digits_dimensions():
    """64 inputs and 10 outputs, not input_dim and 1."""
    p = SPEC.validate({"dataset": "digits", "n_samples": 10, "width": [1000], "depth": 1})
    n_params = 64 * 1000 + 1000 + 1000 * 10 + 10
    assert memory_estimate(p) >= 8 * 70 * n_params


def test_a_too_big_net_is_one_line_at_the_cli(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(MEMORY_ENV, "1G")
    out = tmp_path / "x.npz"
    sets = ["--set", "depth=8", "--set", "width=2048", "--set", "activation=relu"]
    assert main(["run", "sharpness", *sets, "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "would hold about" in err and len(err.splitlines()) == 1 and not out.exists()
