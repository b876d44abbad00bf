"""The published phenomena, reproduced: edge of stability, catapult, warm-up, Adam's
preconditioned threshold; plus divergence handling, reproducibility and live η changes."""

import numpy as np
import pytest

from physlab.core.experiment import drive
from physlab.core.presets import load_preset
from physlab.sharpness.experiment import SharpnessExperiment, estimate_critical_lr


def run(seed=0, **params):
    exp = SharpnessExperiment(params, seed)
    drive(exp)
    return exp, exp.frame()


def preset(name: str) -> dict:
    """The preset's parameters: the phenomenon tests below check the presets' notes."""
    return dict(load_preset("sharpness", name, SharpnessExperiment.spec).params)


def test_edge_of_stability_on_chebyshev_net():
    """Cohen et al. 2021: under GD the sharpness rises to 2/η and hovers there (the preset
    eos-chebyshev: the 701-parameter net, from ~6 to 2/η = 10)."""
    exp, f = run(**preset("eos-chebyshev"))
    eta = exp.params["lr"]
    s = f["sharpness"]
    assert exp.diverged is None and exp.theta.size == 701
    assert s[0] == pytest.approx(6.0, abs=0.5)  # well below 2/η: progressive sharpening
    late = s[len(s) * 6 // 10 :]
    assert np.median(late) == pytest.approx(2 / eta, rel=0.05)
    assert late.max() < 1.2 * 2 / eta
    loss = f["loss"]
    assert loss[-1] < 0.1 * loss[0]
    assert np.any(np.diff(loss[len(loss) // 2 :]) > 0)  # non-monotone at the edge


def test_catapult_in_uv_model():
    """Lewkowycz et al. 2020: 2 < ηλ0 < 4 → the loss spikes, then converges with λ < 2/η."""
    exp, f = run(**preset("catapult-uv"))
    eta_lambda0 = 1.5 * f["sharpness"][0]
    assert 2.0 < eta_lambda0 < 4.0
    assert f["loss"].max() > 50 * f["loss"][0]
    assert f["sharpness"][-1] < 2 / 1.5
    assert f["loss"][-1] < 1e-8


def test_small_learning_rate_converges_without_catapult():
    exp, f = run(model="uv", width=[1000], init_scale=1.0, lr=0.5, steps=300)
    assert 0.5 * f["sharpness"][0] < 2.0
    assert f["loss"].max() <= f["loss"][0] * (1 + 1e-9)


def test_critical_lr_on_a_quadratic_matches_closed_form():
    """L = ½hθ²: one step along g = hθ scales L by (1−ηh)², so L rises by 1+δ exactly at
    η_c = (1 + √(1+δ))/h."""
    h = 3.0
    loss = lambda th: 0.5 * h * float(th @ th)  # noqa: E731
    theta = np.array([0.7, -0.2])
    eta_c = estimate_critical_lr(loss, theta, h * theta, delta=0.1)
    assert eta_c == pytest.approx((1 + np.sqrt(1.1)) / h, rel=1e-4)


def test_warmup_from_critical_lr_makes_large_lr_stable():
    """Kalra & Barkeshli 2024: η = 0.8 diverges cold but is reached through warm-up."""
    cold, _ = run(lr=0.8, steps=500)
    assert cold.diverged is not None
    warm, f = run(lr=0.8, steps=1500, schedule="warmup", warmup_steps=500)
    assert warm.diverged is None
    assert warm.eta_c == pytest.approx(f["lr"][0])
    assert f["lr"][500:] == pytest.approx(0.8)
    assert np.median(f["sharpness"][-50:]) < 1.2 * 2 / 0.8


def test_adam_preconditioned_sharpness_reaches_its_threshold():
    """Cohen et al. 2022: λ1(P⁻¹H) rises to (2+2β1)/(η(1−β1)) = 38/η."""
    exp, f = run(**preset("adam-preconditioned"))
    eta = exp.params["lr"]
    pre = f["precond_sharpness"]
    assert np.isnan(pre[0])  # no preconditioner before the first step
    assert np.nanmedian(pre[len(pre) * 2 // 3 :]) == pytest.approx(38 / eta, rel=0.15)


def test_divergence_stops_and_says_so():
    exp, f = run(lr=5.0, steps=1000)
    assert exp.diverged is not None and "diverged at step" in exp.diverged
    assert exp.steps_done < 50
    assert np.all(np.isfinite(f["loss"]))


def test_runs_are_reproducible_from_params_and_seed():
    _, a = run(seed=3, steps=200, dataset="teacher")
    _, b = run(seed=3, steps=200, dataset="teacher")
    _, c = run(seed=4, steps=200, dataset="teacher")
    for key in ("loss", "sharpness"):
        np.testing.assert_array_equal(a[key], b[key])
    assert not np.allclose(a["loss"], c["loss"])


def test_live_lr_change_applies_from_next_chunk():
    exp = SharpnessExperiment({"steps": 400}, 0)
    exp.advance(200)
    exp.update("lr", 0.05)
    exp.advance(200)
    f = exp.frame()
    assert f["lr"][199] == pytest.approx(0.2) and f["lr"][200] == pytest.approx(0.05)
    assert f["threshold"][-1] == pytest.approx(2 / 0.05)


def test_contract_keys():
    _, f = run(steps=20, k_eigs=2, eig_every=5)
    for key in ("step", "loss", "lr", "sharpness_step", "sharpness", "eigenvalues"):
        assert key in f
    assert f["eigenvalues"].shape == (5, 2)
    np.testing.assert_array_equal(f["sharpness_step"], [0, 5, 10, 15, 20])
    _, g = run(model="uv", width=[10], steps=20)
    assert {"f", "ntk", "bifurcation_lr", "bifurcation_sharpness"} <= set(g)
    assert len(g["f"]) == len(g["step"]) == 20
