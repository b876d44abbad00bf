"""Hutter's memorisation model over several generations, with temperature and top-p sampling
(Dohmatob, Feng, Yang, Charton & Kempe, "A Tale of Tails", ICML 2024; issue 18 item 8)."""

import numpy as np
import pytest

from physlab.collapse import LAB
from physlab.core.presets import load_preset

T = [10, 100, 1000, 10_000, 100_000, 1_000_000]


def run(seed=5, **params):
    exp = LAB.build({"model": "tails-chain", "T_values": T, **params}, seed=seed)
    exp.advance(10**6)
    assert exp.done and exp.diverged is None
    return exp.frame(), exp.summary()


def test_the_plateau_moves_up_each_generation_and_meets_the_mean_field():
    """β = 2, T0 = 10⁴: one generation cuts the tail near the paper's k ~ T0^{1/β} = 100 (the
    mean-field rank kept with probability ½ is 93); its plateau is the lost tail mass, ≈ k^{−(β−1)}
    /ζ(β)·… = 0.007, and each further generation loses items near the cut again: the cut-off
    shrinks and the plateau rises. Clean data keeps E ~ T^{−(1−1/β)}."""
    R = 12
    f, s = run(zipf_exponent=2.0, tail_T0=10_000, tail_generations=4, repeats=R)
    k = f["cutoff_rank"]
    assert s["one_generation_cutoff_T0_power"] == pytest.approx(100.0)
    assert 0.8 * 100 < k[1] < 1.05 * 100 and (np.diff(k[1:]) < 0).all()
    plateau, theory = f["plateau_mean"], f["theory_plateau"]
    assert plateau[0] == 0.0 and (np.diff(plateau) > 0).all() and (np.diff(theory) > 0).all()
    assert theory[1] == pytest.approx(0.0069, abs=3e-4) and theory[4] > 1.3 * theory[1]
    se = f["plateau_std"] / np.sqrt(R)
    assert (np.abs(plateau - theory)[1:] < 5 * se[1:] + 2e-4).all()
    err_se = f["error_std"] / np.sqrt(R)
    assert (np.abs(f["error_mean"] - f["theory"]) < 5 * err_se + 0.02 * f["theory"]).all()
    # at large T each generation's error sits on its plateau, the real data keeps decaying
    assert f["error_mean"][1:, -1] == pytest.approx(plateau[1:], rel=0.03)
    clean = np.polyfit(np.log(T[1:]), np.log(f["theory"][0][1:]), 1)[0]
    assert clean == pytest.approx(-(1 - 1 / 2.0), abs=0.05)


def test_top_p_cuts_a_fixed_mass_and_temperature_narrows_the_tail():
    """top-p = 0.9 drops the ≈ 10 % tail at once (then again each generation, on the renormalised
    head); τ = 0.8 narrows Zipf β to β/τ each generation: the generators' q_i fall as i^{−β/τ^g}."""
    f, _ = run(tail_T0=10**6, tail_generations=2, top_p=0.9, repeats=4)
    assert 0.09 < f["theory_plateau"][1] < 0.1 and f["theory_plateau"][2] > 0.15
    assert f["plateau_mean"] == pytest.approx(f["theory_plateau"], abs=1e-3)
    f, _ = run(tail_T0=10**7, tail_generations=2, temperature=0.8, repeats=2)
    logT = np.log(T[1:5])  # T = 10²…10⁵: before the (tiny) plateaus
    for g, beta in ((0, 2.0), (1, 2.5), (2, 3.125)):  # exponent (β − 1)/β' (narrowed tail)
        slope = np.polyfit(logT, np.log(f["error_mean"][g][1:5]), 1)[0]
        assert slope == pytest.approx(-(2.0 - 1) / beta, abs=0.04), g
    assert f["plateau_mean"] == pytest.approx(f["theory_plateau"], abs=2e-3)


def test_tails_generations_preset_shows_the_rising_plateau():
    preset = load_preset("collapse", "dohmatob-tails-generations", LAB.spec)
    exp = LAB.build({**preset.params, "repeats": 4}, preset.seed or 0)
    exp.advance(10**6)
    f = exp.frame()
    assert list(f["cutoff_rank"][1:]) == [93, 70, 62, 57, 54]
    assert (np.diff(f["plateau_mean"]) > 0).all()
    assert f["error_mean"][5, -1] > 1.4 * f["error_mean"][1, -1]
