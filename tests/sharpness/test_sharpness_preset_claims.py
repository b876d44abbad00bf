"""Each Sharpness preset and sweep preset does what its note says, run from the preset file
itself (the claims the phenomenon tests in test_phenomena.py, test_losses.py, test_gi_adam.py
and test_central_flow.py do not already check on the preset), and Kalra & Barkeshli's
loss-catapult choice of η_init ("Why Warmup the Learning Rate? Underlying Mechanisms and
Improvements", NeurIPS 2024, §6)."""

import numpy as np
import pytest

from physlab.catalog import get_lab
from physlab.core.presets import load_preset
from physlab.core.sweep.presets import load_sweep_preset
from physlab.sharpness.measures import MEASURES

LAB = get_lab("sharpness")
READ = {m.name: m.read for m in MEASURES}


def preset_params(name: str, **over) -> dict:
    return {**load_preset("sharpness", name, LAB.spec).params, **over}


def run(params: dict, seed: int = 0):
    exp = LAB.build(params, seed)
    exp.advance(exp.total_steps)
    return exp, exp.frame()


# -- warmup-critical and the loss-catapult η_init -------------------------------------------------


def test_warmup_critical_preset_is_stable_but_does_not_train_better():
    """The note: η = 0.8 diverges within a dozen steps cold; through the 500-step warm-up from η_c
    it is stable, the sharpness hovers near 2/η = 2.5 (median of the last 50 measurements
    1.15·2/η), and the loss oscillates between ~0.1 and ~0.5 (median 0.21 over the last 1000
    steps) where constant η = 0.2 reaches 0.014."""
    cold, _ = run(preset_params("warmup-critical", schedule="constant"))
    assert cold.diverged is not None and cold.steps_done <= 12
    warm, f = run(preset_params("warmup-critical"))
    assert warm.diverged is None
    assert np.median(f["sharpness"][-50:]) == pytest.approx(2 / 0.8, rel=0.25)
    late = f["loss"][-1000:]
    assert 0.1 < np.median(late) < 0.4 and late.min() > 0.05
    _, small = run(preset_params("warmup-critical", schedule="constant", lr=0.2))
    assert small["loss"][-1] < 0.02 < 0.1 < np.median(late)


def test_loss_catapult_eta_c_sits_at_c_loss_of_the_phase_diagram():
    """η_c is the learning rate at which one step first raises the loss (the loss catapult).
    Kalra & Barkeshli 2023 ("Phase diagram of early training dynamics", Fig. 1) find it at
    c_loss = η_c·λ0 = 2 for wide, shallow nets (the uv model: exactly 2 as n → ∞), above 2 for
    narrower ones. With the 10 % rise that counts as a catapult, a quadratic's is
    (1 + √1.1) = 2.049; the wide uv model gives that, the Chebyshev net 2.35."""
    uv = LAB.build({"model": "uv", "width": [1000], "lr": 1.5, "schedule": "warmup",
                    "warmup_steps": 5, "steps": 10}, 0)  # fmt: skip
    assert uv.eta_c * uv.lambda0 == pytest.approx(1 + np.sqrt(1.1), rel=0.02)
    net = LAB.build(preset_params("warmup-critical"), 0)
    assert 2.0 < net.eta_c * net.lambda0 < 2.6


def test_warming_up_from_the_loss_catapult_eta_c_saves_warmup_steps():
    """Kalra & Barkeshli 2024, §6: starting the warm-up at η_init = η_c rather than 0 saves warm-up
    steps. On the warmup-critical preset a 400-step warm-up from η_c makes η = 0.8 trainable;
    from 0 the same 400 steps diverge (it needs 500)."""
    from_critical, _ = run(preset_params("warmup-critical", warmup_steps=400))
    from_zero, _ = run(preset_params("warmup-critical", warmup_steps=400, warmup_from="zero"))
    assert from_critical.diverged is None and from_critical.steps_done == 3000
    assert from_zero.diverged is not None
    long_zero, _ = run(preset_params("warmup-critical", warmup_from="zero"))
    assert long_zero.diverged is None
    # not monotone in the warm-up length (the observation): 20 steps from η_c train,
    # 50 and 300 diverge
    trains = [run(preset_params("warmup-critical", warmup_steps=t))[0].diverged is None
              for t in (20, 50, 300)]  # fmt: skip
    assert trains == [True, False, False]


# -- kalra-warmup-adam-digits: the set-up choices its note explains -------------------------------


def test_kalra_adam_preset_init_he_breaks_the_result_and_class_norm_only_rescales():
    """The note's reasons for keeping PyTorch's variance and the per-sample loss: with init = he
    the warm-up run spikes to ~10× its initial loss and ends at a held-out loss of ~0.51 against
    ~0.42 without warm-up; with loss_norm = class the held-out loss is 1.02 × ours/10 (Adam is
    blind to the loss scale but for ε)."""
    _, he_warm = run(preset_params("kalra-warmup-adam-digits", init="he"))
    _, he_cold = run(preset_params("kalra-warmup-adam-digits", init="he", schedule="constant"))
    assert np.max(he_warm["loss"][1:]) > 5 * he_warm["loss"][0]
    assert he_warm["test_loss"][-1] > 1.1 * he_cold["test_loss"][-1]
    _, ours = run(preset_params("kalra-warmup-adam-digits"))
    _, per_class = run(preset_params("kalra-warmup-adam-digits", loss_norm="class"))
    ratio = per_class["test_loss"][-1] / (ours["test_loss"][-1] / 10)
    assert ratio == pytest.approx(1.0, abs=0.05)


def test_gi_adam_without_warmup_avoids_adams_spike_and_ends_lower():
    """Kalra & Barkeshli 2024 (§6): GI-Adam (v0 = g0²) gives Adam benefits similar to a warm-up.
    On the preset at its η = 0.1 without warm-up, Adam's loss spikes from 0.55 to ~3 and ends at a
    held-out 0.28; GI-Adam's never rises and ends at ~0.23 (a real warm-up still does better,
    0.18)."""
    runs = {
        opt: run(preset_params("kalra-warmup-adam-digits", optimizer=opt, schedule="constant"))[1]
        for opt in ("adam", "gi-adam")
    }
    adam, gi = runs["adam"], runs["gi-adam"]
    assert np.max(adam["loss"]) > 3 * adam["loss"][0]
    assert np.max(gi["loss"]) <= gi["loss"][0] * (1 + 1e-9)
    assert gi["test_loss"][-1] < 0.9 * adam["test_loss"][-1]


def test_warmup_from_eta_c_does_not_help_adam_on_the_digits_preset():
    """Adam's η_c (one sign-like first step) is 0.054, half the target 0.1, so warming up from it
    is nearly no warm-up: the loss spikes to ~14× its start (~5× with none, never with the warm-up
    from 0) and the held-out loss ends at ~0.49 against 0.18 from 0."""
    exp, f = run(preset_params("kalra-warmup-adam-digits", warmup_from="critical"))
    assert exp.eta_c == pytest.approx(0.054, rel=0.05)
    assert np.max(f["loss"]) > 5 * f["loss"][0] and f["test_loss"][-1] > 0.3


def test_cross_entropy_on_the_digits_never_nears_the_edge():
    """The README's negative result for item 1: Cohen et al. (ICLR 2021) show EoS under CE too,
    but on the cohen-mlp-digits net with loss = ce the sharpness never comes near 2/η: at η = 2
    η·λ/2 falls from 0.79 at once (0.26 by step 50, 0.12 by 100); at η = 0.1 it rises from 0.04
    to 0.06 by step 50 and falls after."""
    _, large = run(preset_params("cohen-mlp-digits", loss="ce", lr=2.0, steps=100, eig_every=50))
    ratio = large["sharpness"] * 2.0 / 2
    assert ratio[0] == pytest.approx(0.79, abs=0.05) and np.all(np.diff(ratio) < 0)
    assert ratio[-1] < 0.2
    _, small = run(preset_params("cohen-mlp-digits", loss="ce", lr=0.1, steps=100, eig_every=50))
    assert np.max(small["sharpness"] * 0.1 / 2) < 0.1


# -- catapult-uv ----------------------------------------------------------------------------------


def test_catapult_uv_bifurcation_shows_the_lazy_catapult_and_divergent_phases():
    """Lewkowycz et al. 2020 (the large learning rate phase): a wide uv model (n = 1000) trains
    lazily for c = ηλ0 < 2 (late ηλ ≈ c), catapults for 2 < c < 4 (late ηλ below 2) and diverges
    beyond 4. The preset's bifurcation panel must span all three (it once spanned a = η|xy|/√n
    ∈ [0.2, 1.6], η = 6–51, where every run diverged and the panel was empty)."""
    exp = LAB.build(preset_params("catapult-uv", steps=1), 0)
    exp.advance(1)
    f = exp.frame()
    c = f["bifurcation_lr"] * f["sharpness"][0]
    late = f["bifurcation_sharpness"][:, -1]  # ηλ at the last step (NaN where it diverged)
    lazy, catapult, beyond = c < 1.9, (c > 2.1) & (c < 3.9), c > 4.1
    assert lazy.any() and catapult.any() and beyond.any()
    np.testing.assert_allclose(late[lazy], c[lazy], rtol=0.02)
    assert np.all(late[catapult] < 2.0)
    assert np.all(np.isnan(late[beyond]))
    assert c.min() < 1.0 and f["bifurcation_lr"].min() < preset_params("catapult-uv")["lr"]


# -- uv-route-to-chaos ------------------------------------------------------------------------------


def test_uv_route_to_chaos_preset_has_no_stable_minimum_and_doubles_its_period():
    """n = 4, η = 2.3: a = η|xy|/√n = 1.15 > 1, so GD settles on no minimum: the late η·λ
    oscillates around 2 instead of settling below it; the bifurcation diagram over η shows a
    fixed point up to η = 2, 2 values from there, 4 from η ≈ 2.48, then a chaotic band from
    η ≈ 2.6 (Kalra, He & Barkeshli 2023)."""
    p = preset_params("uv-route-to-chaos")
    assert p["lr"] * abs(p["x"] * p["y"]) / np.sqrt(p["width"][0]) > 1.0
    _, f = run(p)
    late = p["lr"] * f["sharpness"][-50:]
    assert late.max() > 2.0 and late.min() < 2.0 and np.ptp(late) > 0.05
    counts = [
        len(np.unique(np.round(row[np.isfinite(row)], 5))) for row in f["bifurcation_sharpness"]
    ]
    first = {k: counts.index(k) for k in (1, 2, 4) if k in counts}
    assert list(first) == [1, 2, 4] and first[1] < first[2] < first[4]
    assert max(counts[first[4] :]) > 16  # (at a = 1 itself, η = 2, convergence is slow)


# -- sweep presets ----------------------------------------------------------------------------------


def sweep_point(name: str, **over) -> dict:
    preset = load_sweep_preset("sharpness", name, LAB.spec)
    exp = LAB.build(LAB.spec.validate({**preset.params, **over}), preset.seed or 0)
    exp.advance(exp.total_steps)
    return {name: read(exp) for name, read in READ.items()}


def test_cohen_eos_map_sits_at_the_edge_below_it_or_diverges():
    """2000 GD steps: where sharpening reaches 2/η the final sharpness·η/2 is 1 (±20 %: the last
    measurement may fall on an overshoot) at η = 0.2, 0.4 and at a flat init (scale 0.5,
    η = 0.3); small η stays below (0.47 at η = 0.1, 0.17 at η = 0.02 and scale 2); η = 0.6 at
    scale 2 diverges."""
    for lr, scale in ((0.2, 1.0), (0.4, 1.0), (0.3, 0.5)):
        point = sweep_point("cohen-eos-map", lr=lr, init_scale=scale)
        assert point["final_sharpness_ratio"] == pytest.approx(1.0, abs=0.2), (lr, scale)
    for lr, scale in ((0.1, 1.0), (0.02, 2.0), (0.02, 0.5)):
        point = sweep_point("cohen-eos-map", lr=lr, init_scale=scale)
        assert point["diverged"] == 0 and point["final_sharpness_ratio"] < 0.6, (lr, scale)
    assert sweep_point("cohen-eos-map", lr=0.6, init_scale=2.0)["diverged"] == 1


@pytest.mark.parametrize("width", [16, 1024])
def test_lewkowycz_uv_phases_at_c_2_and_4(width):
    """Lewkowycz et al. 2020 (Fig. 2): lazy for c < 2 (the sharpness stays at λ0: c·λ_T/λ0/2 =
    c/2), the catapult for 2 < c < 4 (loss spike, sharpness ends below 2/η), divergence beyond
    c_max = 4, at the narrowest and widest widths of the diagram."""
    regimes = []
    for c in (1.0, 1.9, 2.2, 3.0, 3.8, 4.2):
        point = sweep_point("lewkowycz-uv-phase-diagram", lr=c, width=[width])
        regimes.append(point["regime"])
        if c < 2:
            assert point["final_sharpness_ratio"] == pytest.approx(c / 2, rel=0.1)
        elif c < 4:
            assert point["peak_loss_ratio"] > 2 and point["final_sharpness_ratio"] < 1
    assert regimes == [0, 0, 1, 1, 1, 2]


def test_kalra_barkeshli_early_training_c_loss_and_c_max_by_depth():
    """The note's numbers: one and three hidden layers catapult between c = 1.5 and 2.5 (c_loss ≈
    2), one diverges between 11 and 14 (c_max ≈ 12); six layers diverge between 3.5 and 5 (c_max ≈ 4)
    and already catapult (a small rise) at c = 0.8, while c = 0.5 falls from the start."""
    regime = lambda c, depth: sweep_point(  # noqa: E731
        "kalra-barkeshli-early-training", lr=c, depth=depth
    )["regime"]
    assert [regime(c, 1) for c in (1.5, 2.5, 11.0, 14.0)] == [0, 1, 1, 2]
    assert [regime(c, 3) for c in (1.5, 2.5)] == [0, 1]
    assert [regime(c, 6) for c in (0.5, 0.8, 3.5, 5.0)] == [0, 1, 1, 2]
