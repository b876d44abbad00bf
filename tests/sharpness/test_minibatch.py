"""Minibatch SGD in the Sharpness lab (issue 17 item 4): the full-batch default is unchanged, the
minibatch loop steps on the batches it draws, the batches are seeded and independent of how the
run is chunked, and the batch sharpness is the mean Rayleigh quotient of the batch Hessians along
the batch gradients (Andreyev & Beneventano, "Edge of Stochastic Stability", 2024,
arXiv:2412.20553)."""

import numpy as np
import pytest

from physlab.core.experiment import drive
from physlab.core.params import ParamError
from physlab.sharpness import mlp
from physlab.sharpness.experiment import SharpnessExperiment
from physlab.sharpness.minibatch import (
    BatchSampler,
    batch_sharpness,
    train_batches,
    train_batches_blas,
)
from physlab.sharpness.optim import OPTIMIZERS

SMALL = {"dataset": "teacher", "n_samples": 24, "input_dim": 3, "width": [6, 5], "steps": 40}


def frame_of(seed=0, **params):
    exp = SharpnessExperiment(params, seed)
    drive(exp)
    return exp, exp.frame()


def kernel_run(exp, steps, lr):
    """The lab's own full-batch loop (mlp.train), run by hand from the experiment's θ0."""
    m = exp.model
    theta, b1, b2 = exp.theta.copy(), np.zeros_like(exp.theta), np.zeros_like(exp.theta)
    losses = np.empty(steps)
    arch = (m.sizes, m.w_off, m.b_off, m.mult, m.act, m.loss_kind)
    mlp.train(theta, m.X, m.Y, *arch, 0, np.full(steps, lr), 0.9, 0.9, 0.999, 1e-8, b1, b2, 0,
              1e300, losses)  # fmt: skip
    return theta, losses


def test_the_default_run_is_the_kernels_full_batch_loop_bit_for_bit():
    """batch = 0 (the default) and sgd with batch = n both take exactly the steps of mlp.train,
    the loop of every run before minibatches existed; the init draws what it drew then."""
    exp0 = SharpnessExperiment({"steps": 30}, 0)
    rng = np.random.default_rng(exp0.seed)
    theta0 = np.zeros_like(exp0.theta)  # the former init: N(0, s²/fan_in) layer by layer
    for l, (d_in, d_out) in enumerate(zip(exp0.model.sizes[:-1], exp0.model.sizes[1:])):
        w = rng.standard_normal(d_in * d_out) / np.sqrt(d_in)
        theta0[exp0.model.w_off[l] : exp0.model.w_off[l] + w.size] = w
    assert np.array_equal(exp0.theta, theta0)
    theta, losses = kernel_run(exp0, 30, 0.2)
    for params in ({"steps": 30}, {"steps": 30, "optimizer": "sgd", "batch": 20}):
        exp, f = frame_of(**params)
        assert exp.sampler is None and "batch_sharpness" not in f
        assert np.array_equal(exp.theta, theta) and np.array_equal(f["loss"], losses)


@pytest.mark.parametrize("loop", [train_batches, train_batches_blas], ids=["numba", "blas"])
def test_the_minibatch_loop_steps_on_the_batches_it_is_given(loop):
    """SGD θ ← θ − η∇L_B(θ) on given batches, against the step written out with the model's own
    batch gradient; momentum's buffer carries over."""
    exp = SharpnessExperiment(dict(SMALL, optimizer="momentum", batch=5), 0)
    m = exp.model
    batches = exp.sampler.draw(6)
    theta, b1, b2 = exp.theta.copy(), np.zeros_like(exp.theta), np.zeros_like(exp.theta)
    losses = np.empty(6)
    arch = (m.sizes, m.w_off, m.b_off, m.mult, m.act, m.loss_kind)
    taken = loop(theta, m.X, m.Y, *arch, batches, 1.0, np.ones_like(theta), OPTIMIZERS["momentum"],
                 np.full(6, 0.05), 0.9, 0.9, 0.999, 1e-8, b1, b2, 0, 1e300, losses)  # fmt: skip
    assert taken == 6
    ref, buf = exp.theta.copy(), np.zeros_like(exp.theta)
    for k, rows in enumerate(batches):
        assert losses[k] == pytest.approx(mlp.loss(ref, m.X[rows], m.Y[rows], *arch), rel=1e-12)
        buf = 0.9 * buf + m.grad_on(ref, rows)
        ref = ref - 0.05 * buf
    np.testing.assert_allclose(theta, ref, rtol=1e-12, atol=1e-14)


def test_batches_are_seeded_and_do_not_depend_on_chunking():
    params = dict(SMALL, optimizer="sgd", batch=5, batching="epochs", eig_every=7, steps=50)
    _, f1 = frame_of(**params)
    exp = SharpnessExperiment(params, 0)
    for n in (1, 3, 11, 2, 40):  # uneven chunks, as the GUI's adaptive runner takes them
        exp.advance(n)
    f2 = exp.frame()
    for key in f1:
        np.testing.assert_array_equal(f1[key], f2[key], err_msg=key)
    _, f3 = frame_of(seed=1, **params)
    assert not np.array_equal(f1["loss"], f3["loss"])


@pytest.mark.parametrize("mode", ["replacement", "epochs"])
def test_the_samplers_draw_what_they_say(mode):
    n, b = 23, 5
    draws = BatchSampler(n, b, mode, np.random.default_rng(3)).draw(4 * (n // b) * 50)
    assert draws.shape[1] == b and draws.min() >= 0 and draws.max() < n
    counts = np.bincount(draws.ravel(), minlength=n)
    if mode == "epochs":  # each epoch: ⌊n/b⌋ batches of distinct examples
        epochs = draws.reshape(-1, (n // b) * b)
        assert all(len(set(e)) == e.size for e in epochs)
    else:  # i.i.d. indices: duplicates within batches happen, every example about equally often
        assert any(len(set(row)) < b for row in draws)
    assert counts.min() > 0.8 * counts.mean() and counts.max() < 1.2 * counts.mean()
    one = BatchSampler(n, b, mode, np.random.default_rng(3))
    chunked = np.concatenate([one.draw(k) for k in (1, 7, 3, 9)])
    np.testing.assert_array_equal(
        chunked, BatchSampler(n, b, mode, np.random.default_rng(3)).draw(20)
    )


def test_batch_sharpness_is_the_rayleigh_quotient_along_the_batch_gradient():
    """On the full batch it is gᵀHg/‖g‖² ≤ λ_max; H_B g_B matches a central difference of the
    batch gradient (the exact R-operator HVP on the batch)."""
    exp = SharpnessExperiment(dict(SMALL, optimizer="sgd", batch=6), 0)
    m, theta = exp.model, exp.theta
    everything = np.arange(SMALL["n_samples"])[None]
    g = m.grad_on(theta, everything[0])
    rq = batch_sharpness(m, theta, everything)
    assert rq == pytest.approx(g @ m.hvp(theta, g) / (g @ g), rel=1e-12)
    assert rq <= exp.lambda0 * (1 + 1e-9)
    rows = exp.sampler.draw(1)[0]
    gb = m.grad_on(theta, rows)
    eps = 1e-6
    fd = (m.grad_on(theta + eps * gb, rows) - m.grad_on(theta - eps * gb, rows)) / (2 * eps)
    np.testing.assert_allclose(m.hvp_on(theta, gb, rows), fd, rtol=1e-5, atol=1e-8)


def test_minibatch_runs_record_the_batch_sharpness_and_the_full_loss():
    exp, f = frame_of(**dict(SMALL, optimizer="sgd", batch=4, eig_every=10))
    assert f["batch_sharpness"].shape == f["sharpness"].shape == (5,)
    assert np.all(np.isfinite(f["batch_sharpness"])) and np.all(f["batch_sharpness"] > 0)
    assert f["full_loss"][0] == pytest.approx(exp.loss0)
    assert f["loss"][0] != pytest.approx(exp.loss0)  # the first step's batch, not the full set


@pytest.mark.parametrize(
    "params,name,text",
    [
        ({"optimizer": "sgd", "batch": 25, "n_samples": 20}, "batch", "more than the 20"),
        ({"dataset": "digits", "loss": "ce", "loss_norm": "class"}, "loss_norm", "loss=mse"),
    ],
)
def test_impossible_minibatch_settings_are_refused(params, name, text):
    with pytest.raises(ParamError, match=text) as err:
        SharpnessExperiment(params, 0)
    assert err.value.name == name


def test_small_batch_sgd_sits_at_the_edge_of_stochastic_stability():
    """Andreyev & Beneventano 2024 (arXiv:2412.20553, Fig. 1 and §4): under minibatch SGD the
    batch sharpness rises to 2/η and hovers there while the full-batch λ_max stays below it.
    Cohen's digits net (500 digits, tanh 64→32→32→10), b = 10, η = 0.8: from step 2000 to 3000
    the batch sharpness is 0.88–0.94 of 2/η and λ_max 0.72–0.75 of it (seed 1: 0.90–1.00 against
    0.76–0.79); λ_max starts at 0.94 and falls."""
    eta = 0.8
    exp, f = frame_of(
        dataset="digits",
        n_samples=500,
        width=[32],
        init_scale=0.577,
        optimizer="sgd",
        batch=10,
        lr=eta,
        steps=3000,
        eig_every=500,
    )
    assert exp.diverged is None
    late = f["sharpness_step"] >= 2000
    batch_ratio = f["batch_sharpness"][late] * eta / 2
    full_ratio = f["sharpness"][late] * eta / 2
    assert np.mean(batch_ratio) == pytest.approx(1.0, abs=0.15)
    assert full_ratio.max() < 0.85
    assert np.all(batch_ratio > full_ratio)
    assert np.mean(batch_ratio) - np.mean(full_ratio) > 0.1
    assert f["full_loss"][-1] < 0.05 * f["full_loss"][0]
