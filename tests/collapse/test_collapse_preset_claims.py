"""Each Collapse preset named after a paper follows the paper's set-up and does what its note
says, at the preset's own parameters (fewer repeats or generations where the claim allows). The
tails presets are tested in test_tail_chain.py / test_other_models.py, the over-parameterised and
Kazdan presets in test_min_norm_chain.py / test_gaussian_strategies.py."""

import numpy as np
import pytest

from physlab.collapse import LAB, gaussian
from physlab.core.presets import load_preset
from physlab.core.sweep.presets import load_sweep_preset


def preset(name: str, **changes) -> dict:
    return {**load_preset("collapse", name, LAB.spec).params, **changes}


def finished(params: dict, seed: int = 0):
    exp = LAB.build(params, seed)
    exp.advance(10**9)
    assert exp.done and exp.diverged is None
    return exp.frame(), exp.summary()


def test_dohmatob_preset_is_a_straight_line_on_theorem_4_1():
    """Dohmatob, Feng & Kempe 2024 (Model collapse demystified), Thm 4.1: with d = 100,
    T0 = T = 200, σ = σ0 = 1, E = σ²d/(T−d−1) + n·σ0²d/(T0−d−1) = (1 + n)·100/99: 31.31 at
    n = 30."""
    params = preset("dohmatob-linear-collapse", repeats=40)
    f, _ = finished(params)
    n = f["generation"]
    assert f["theory"][0] == pytest.approx((1 + n) * 100 / 99)
    assert f["theory"][0][-1] == pytest.approx(31.31, abs=0.01)
    se = f["error_std"][0] / np.sqrt(40)
    assert (np.abs(f["error_mean"][0] - f["theory"][0])[1:] < 4 * se[1:]).all()
    slope = np.polyfit(n, f["error_mean"][0], 1)[0]
    assert slope == pytest.approx(100 / 99, rel=0.15)


def test_gerstgrasser_preset_is_the_papers_set_up_and_meets_its_numbers():
    """Gerstgrasser et al. 2024 (Is model collapse inevitable?), Thm 2 and the KoyejoLab code's
    set-up: one fixed X (T0 = 40, d = 20), the chain's own model; replace n·σ²d/(T0−d−1) = 31.58
    at n = 30, accumulate σ²d/(T0−d−1)·Σ 1/i² = 1.697 (KoyejoLab: 1.710 ± 0.036)."""
    params = preset("gerstgrasser-accumulate-vs-replace")
    assert (params["design"], params["measure"], params["d"], params["T0"]) == (
        "fixed",
        "chain",
        20,
        40,
    )
    f, _ = finished(params)
    assert f["theory"][0][-1] == pytest.approx(31.58, abs=0.01)
    assert f["theory"][1][-1] == pytest.approx(1.697, abs=5e-4)
    se = f["error_std"][:, -1] / np.sqrt(params["repeats"])
    assert (np.abs(f["error_mean"][:, -1] - f["theory"][:, -1]) < 4 * se).all()
    assert f["error_mean"][1][-1] < 1.697 * 1.1 < 0.1 * f["error_mean"][0][-1]


def test_feng_preset_moves_the_transition_to_p_star_0_75():
    """Feng et al. 2024 (Beyond model collapse), Fig. 2: ϕ = 0.9, ψ = 0.3 put the transition at
    p* = 1/(1 + ψ/ϕ) = 0.75, against ½ without the verifier; below it the accuracy stays near
    Bayes, Φ(‖μ‖) = 0.841."""
    f, s = finished(preset("feng-verifier-transition", repeats=20))
    assert s["critical_flip"] == pytest.approx(0.75)
    x = f["flip_values"]
    for row, expected in ((0, 0.75), (1, 0.5)):
        acc = f["accuracy_mean"][row]
        assert np.interp(0.5, acc[::-1], x[::-1]) == pytest.approx(expected, abs=0.02)
    assert f["accuracy_mean"][0][x < 0.6] == pytest.approx(0.841, abs=0.02)


def test_shumailov_preset_drifts_at_the_closed_form_and_states_its_reach():
    """Shumailov et al. 2024 (Nature), the single-Gaussian setting, M = 100: E log σ² drifts by
    ψ((M−1)/2) + log(2/(M−1)) = −0.0101 a generation; 20 000 repeats reach
    (√(2 ln R) − 1)²/ψ′((M−1)/2) = 583 generations of E(μₙ−μ₀)² = n/M (the full run is
    test_other_models.py's)."""
    params = preset("shumailov-gaussian-collapse")
    assert (params["M"], params["generations"], params["repeats"]) == (100, 2000, 20_000)
    assert gaussian.log_variance_drift(100) == pytest.approx(-0.0101, abs=5e-5)
    R = 2000
    f, s = finished({**params, "generations": 300, "repeats": R})
    assert s["repeats_reach_generation"] == pytest.approx(
        (np.sqrt(2 * np.log(R)) - 1) ** 2 / gaussian.log_variance_spread(100)
    )
    se = f["log_variance_std"][0][-1] / np.sqrt(R)
    assert abs(f["log_variance_mean"][0][-1] - 300 * -0.010135) < 4 * se
    full = (np.sqrt(2 * np.log(20_000)) - 1) ** 2 / gaussian.log_variance_spread(100)
    assert full == pytest.approx(583, abs=1)


def test_strong_collapse_preset_floors_at_0_04():
    """Dohmatob et al. 2025 (Strong model collapse), Fig. 1: 20 % of the data from a model
    shifted by c = 1 floors the error at p2²c² = 0.04 however large n; clean data keeps falling
    as d/n."""
    f, s = finished(preset("strong-collapse-floor", repeats=30))
    assert s["floor_p2sq_c2"] == pytest.approx(0.04)
    se = f["error_std"] / np.sqrt(30)
    assert (np.abs(f["error_mean"] - f["theory"]) < 4 * se + 0.02 * f["theory"]).all()
    assert f["error_mean"][0][-1] == pytest.approx(0.04, rel=0.1)
    assert f["error_mean"][1][-1] < 0.1 * f["error_mean"][0][-1]


def test_mixing_sweep_bounds_the_error_and_the_bound_falls_with_the_real_fraction():
    """gerstgrasser-mixing-stops-collapse: with no real data (replace) the error grows linearly in
    n; a fixed real fraction bounds it, at the fixed point v/(1 − ρ_d) (theory.mix_contraction),
    lower the larger the fraction. Checked at its corners with the sweep's base set-up."""
    sweep = load_sweep_preset("collapse", "gerstgrasser-mixing-stops-collapse", LAB.spec)
    assert sweep.grid == ("real_fraction=0:0.9:10", "generations=1:40:8")
    last = {}
    for fraction in (0.0, 0.5, 0.9):
        f, _ = finished({**sweep.params, "real_fraction": fraction, "generations": 40})
        theory, mean = f["theory"][0], f["error_mean"][0]
        se = f["error_std"][0] / np.sqrt(sweep.params["repeats"])
        assert (np.abs(mean - theory)[1:] < 4 * se[1:] + 1e-9).all()
        last[fraction] = theory
    v = 50 / 149  # σ²d/(T−d−1), the downstream fit's own error, and each generation's
    assert last[0.0] == pytest.approx((1 + np.arange(41)) * v)  # replace: linear in n
    for fraction in (0.5, 0.9):
        assert last[fraction][-1] - last[fraction][-11] < 1e-3 * last[fraction][-1]  # bounded
    assert last[0.9][-1] < last[0.5][-1] < 0.1 * last[0.0][-1]
