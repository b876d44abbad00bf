"""Hutter's memorisation model over several generations, with temperature and top-p sampling
(Dohmatob, Feng, Yang, Charton & Kempe, "A Tale of Tails", ICML 2024; issue 18 item 8)."""

import math

import numpy as np
import pytest

from physlab.collapse import LAB, tail_chain, tails
from physlab.core.presets import load_preset

T = [10, 100, 1000, 10_000, 100_000, 1_000_000]


def run(seed=5, T_values=T, **params):
    exp = LAB.build({"model": "tails-chain", "T_values": T_values, **params}, seed=seed)
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


def test_hutter_constant_and_the_generation_factor():
    """C_β = Γ(1 − 1/β)/(β ζ(β)^{1/β}) (Hutter, "Learning curve theory", 2021): 0.691 at β = 2;
    S_n = Σ_k (−1)^{k+1} C(n, k) k^{−c}: S_1 = 1, S_2 = 2 − 2^{−c}, S_n ≤ n (the union bound),
    and it grows like (ln n)^c, far below n."""
    assert tail_chain.hutter_constant(2.0, 10**7) == pytest.approx(
        math.sqrt(math.pi) / (2 * math.pi / math.sqrt(6)), rel=1e-6
    )
    S = tail_chain.generation_factor(30, 0.5)
    assert S[0] == 0.0 and S[1] == pytest.approx(1.0) and S[2] == pytest.approx(2 - 2**-0.5)
    assert (np.diff(S) > 0).all() and (np.arange(31) >= S).all() and S[30] < 2.5


@pytest.mark.parametrize("beta, T0", [(2.0, 1000), (2.0, 100_000), (3.0, 10_000)])
def test_the_plateau_after_n_generations_is_C_S_n_T0_to_the_minus_c(beta, T0):
    """Dohmatob et al. 2024: finite sampling cuts the tail at k ≍ T0^{1/β} (eq. 6), so one generation
    leaves the plateau ≍ T0^{−c} (Thm 2.1), c = 1 − 1/β: the simulation meets C_β·T0^{−c} at n = 1.
    Over n generations the plateau is C_β·S_n·T0^{−c} (ours, module docstring), within 4 %: the
    one-generation formula misses it from n = 2 on, and the quoted n·T0^{−c} is only its bound."""
    R, n = 24, 6
    f, _ = run(
        zipf_exponent=beta, tail_T0=T0, tail_generations=n, repeats=R, T_values=[10], seed=11
    )
    plateau, se = f["plateau_mean"][1:], f["plateau_std"][1:] / np.sqrt(R)
    one = tail_chain.hutter_constant(beta, tails.N_ITEMS) * T0 ** -(1 - 1 / beta)
    assert plateau[0] == pytest.approx(one, rel=0.04)  # the paper's one-generation law
    law = f["plateau_law"][1:]
    assert (np.abs(plateau - law) < 3 * se + 0.04 * law).all()
    assert (plateau[1:] > 1.2 * one).all()  # the one-generation formula misses n ≥ 2
    paper = f["paper_law"][1:, 0] - f["paper_law"][0, 0]  # its plateau n·C_β·T0^{−c}
    assert paper[0] == pytest.approx(one) and (plateau[2:] < 0.7 * paper[2:]).all()


def test_the_paper_law_meets_the_error_far_from_the_cut():
    """E ≍ T^{−c} + T0^{−c} (Dohmatob et al. 2024, Thm 2.1 with k ≍ T0^{1/β}) is a sum of two
    asymptotes: for T ≥ 100·T0 the error of the first generation is within 12 % of
    C_β(T^{−c} + T0^{−c}) (the overlap of the two terms is C_β T^{−c}, 10 % there); real data
    (n = 0) follows C_β T^{−c} to within 5 % at T ≥ 100."""
    R = 8
    T_big = [100, 1000, 100_000, 1_000_000]
    f, _ = run(zipf_exponent=2.0, tail_T0=1000, tail_generations=2, repeats=R, T_values=T_big)
    paper, err = f["paper_law"], f["error_mean"]
    assert err[0, 1:] == pytest.approx(paper[0, 1:], rel=0.05)
    assert err[1, 2:] == pytest.approx(paper[1, 2:], rel=0.12)
    assert (err[2, 2:] < 0.75 * paper[2, 2:]).all()  # n = 2: below the quoted 2·T0^{−c}


def test_tails_generations_preset_shows_the_rising_plateau():
    """The preset: β = 2, T0 = 10⁴, n = 5 — the plateau moves up 0.0069 → 0.0114 (C_β·S_n·T0^{−c})
    under the paper's line C_β(T^{−c} + n·T0^{−c}), whose plateau it meets at n = 1."""
    preset = load_preset("collapse", "dohmatob-tails-generations", LAB.spec)
    exp = LAB.build({**preset.params, "repeats": 4}, preset.seed or 0)
    exp.advance(10**6)
    f = exp.frame()
    assert list(f["cutoff_rank"][1:]) == [93, 70, 62, 57, 54]
    assert (np.diff(f["plateau_mean"]) > 0).all()
    assert f["error_mean"][5, -1] > 1.4 * f["error_mean"][1, -1]
    assert f["plateau_law"][1:] == pytest.approx([0.0069, 0.0089, 0.0101, 0.0108, 0.0114], abs=1e-4)
    one = f["paper_law"][1, -1] - f["paper_law"][0, -1]  # the paper's plateau C_β·T0^{−c}
    se = f["error_std"][1, -1] / np.sqrt(4)
    assert abs(f["error_mean"][1, -1] - one) < 4 * se + 0.03 * one  # T = 100·T0: on the plateau
    assert (f["error_mean"][2:, -1] < 0.75 * f["paper_law"][2:, -1]).all()


def test_the_paper_law_is_not_drawn_for_temperature_or_top_p():
    """The n-generation law is stated for plain sampling: with τ ≠ 1 or top-p < 1 it is NaN."""
    for extra in ({"temperature": 0.8}, {"top_p": 0.9}):
        exp = LAB.build(
            {"model": "tails-chain", "T_values": [10], "tail_generations": 1, **extra}, seed=0
        )
        assert (
            np.isnan(exp.frame()["paper_law"]).all() and np.isnan(exp.frame()["plateau_law"]).all()
        )
