"""The scaling-law crossover of a tuned ridge fit on synthetic data, against Dohmatob, Feng & Kempe,
"Model Collapse Demystified: The Case of Regression" (NeurIPS 2024, §5, Fig. 1b): power-law
spectrum λᵢ = i^−β, source condition λᵢ E w0ᵢ² ∝ i^−(1+2βr), ridge λ = T^−ℓcrit with
ℓcrit = β/(1 + 2βr). The paper's rates: E ≍ T^−c, c = 2βr/(2βr + 1), with clean labels; after n
generations the generations' term nσ0²/(1−φ0)·(T/T0)·T^−(1−ℓ/β) takes over beyond a crossover
T* ∝ T0/n and the error grows as T^(ℓ/β)."""

import numpy as np
import pytest

from physlab.cli import main
from physlab.collapse import LAB
from physlab.collapse import ridge_scaling_theory as rst
from physlab.collapse.ridge_scaling import shown_generations
from physlab.core.params import ParamError
from physlab.core.presets import load_preset

PRESET = "dohmatob-fig1b-tuned-ridge-scaling"
BETA, R_SOURCE = 2.0, 0.75  # the preset's: ℓcrit = 0.5, c = 0.75, ℓ/β = 0.25


def run(params: dict, seed: int = 0) -> dict:
    exp = LAB.build(params, seed)
    exp.advance(exp.total_steps)
    assert exp.done and exp.diverged is None
    return exp.frame()


@pytest.fixture(scope="module")
def preset_frame():
    preset = load_preset("collapse", PRESET, LAB.spec)
    return dict(preset.params), run(dict(preset.params), preset.seed or 0)


def test_the_papers_exponents_and_the_source_normalisation():
    assert rst.critical_exponent(BETA, R_SOURCE) == pytest.approx(0.5)  # β/(1 + 2βr)
    assert rst.paper_exponents(BETA, R_SOURCE, 0.5) == pytest.approx((-0.75, 0.25))
    assert rst.paper_exponents(1.5, 0.5, rst.critical_exponent(1.5, 0.5)) == pytest.approx(
        (-0.6, 0.4)  # c = 2βr/(2βr + 1) = 0.6 at β = 1.5, r = 0.5
    )
    assert rst.paper_exponents(BETA, R_SOURCE, 0.0) == (0.0, 0.0)  # a fixed ridge: floors
    lam, c2 = rst.spectrum(50, BETA), rst.source_signal(50, BETA, R_SOURCE)
    assert np.sum(lam * c2) == pytest.approx(1.0)  # unit signal variance E‖w0‖²_Σ
    assert lam * c2 / (lam[0] * c2[0]) == pytest.approx(np.arange(1, 51) ** -(1 + 2 * 2 * 0.75))
    assert list(shown_generations(16)) == [0, 1, 2, 4, 8, 16]
    assert list(shown_generations(5)) == [0, 1, 2, 4, 5]


def test_simulation_meets_the_deterministic_equivalent(preset_frame):
    _, f = preset_frame
    reps = 100
    se = f["error_std"] / np.sqrt(reps)
    z = (f["error_mean"] - f["theory"]) / se
    assert np.all(np.abs(z) < 4.0)
    assert abs(np.mean(np.log(f["error_mean"] / f["theory"]))) < 0.03  # no bias beyond 3 %


def test_measured_exponents_on_both_sides_of_the_crossover_match_the_paper(preset_frame):
    """Paper: −c = −0.75 before T*, +ℓ/β = 0.25 after. Tolerance 0.07 before (the deterministic
    equivalent's own pre-asymptotic slopes over T = 10…T*/10 are −0.67…−0.73) and 0.05 after."""
    _, f = preset_frame
    before, after = f["exponent_paper"]
    assert (before, after) == pytest.approx((-0.75, 0.25))
    measured = f["exponent_measured"]
    assert np.all(np.isfinite(measured[:, 0]))
    assert np.all(np.abs(measured[:, 0] - before) < 0.07)
    late = f["n_values"] >= 1  # n = 0 has no crossover: its second side is NaN
    assert np.all(np.isnan(measured[~late, 1]))
    assert np.all(np.abs(measured[late, 1] - after) < 0.05)
    # and the deterministic equivalent's: n = 16 fits one decade (T ≤ 111) at 7–12 % noise
    assert np.all(np.abs(measured - f["exponent_theory"])[late] < 0.08)


def test_the_crossover_moves_as_T0_over_n(preset_frame):
    """T* ≈ (1 + σ²)(1 − φ0)T0/(nσ0²) from the paper's rates (clean constant 1 + σ² at ℓcrit):
    19,800 for the preset; the deterministic equivalent's T* within 15 %."""
    p, f = preset_frame
    n, T_star = f["n_values"][1:], f["crossover_T"][1:]
    paper = (1 + p["sigma"] ** 2) * (1 - p["d"] / p["T0"]) * p["T0"] / (n * p["sigma0"] ** 2)
    assert T_star == pytest.approx(paper, rel=0.15)
    assert np.isnan(f["crossover_T"][0])


def test_preset_shows_what_fig1b_shows(preset_frame):
    """Fig. 1b: with λ = T^−ℓcrit the error grows with n at every large T; the clean curve keeps
    falling, the synthetic ones bottom out near T* and rise again."""
    _, f = preset_frame
    E, T = f["error_mean"], f["T_values"]
    assert np.all(np.diff(E[:, -1]) > 0)  # more generations, more error, at T = 10⁶
    assert np.all(np.diff(E[0]) < 0.1 * E[0][:-1])  # the clean curve falls (up to noise)
    assert E[0][-1] < E[0][0] / 300
    last = E[-1]
    low = int(np.argmin(last))
    assert 0 < low < T.size - 1 and last[-1] > 2 * last[low]
    assert f["crossover_T"][-1] / 10 < T[low] < 10 * f["crossover_T"][-1]


def test_without_tuning_or_without_generations_the_exponents_differ(preset_frame):
    """What the exponent test would see with a fixed ridge (the clean error stalls at the ridge's
    bias, no T^−c) or without synthetic generations (no turn to +ℓ/β)."""
    p, f = preset_frame
    T = f["T_values"]
    _, after = rst.windows(T, f["crossover_T"][-1])
    clean_late = rst.slope(T, f["error_mean"][0], after)
    assert abs(clean_late - f["exponent_paper"][1]) > 0.7  # n = 0: still ≈ −0.75, not +0.25
    fixed = run({**p, "ridge_rule": "fixed", "ridge": 1e-3, "repeats": 40})
    assert np.all(fixed["exponent_paper"] == 0.0)
    before, after = f["exponent_paper"]
    assert abs(fixed["exponent_measured"][0, 0] - before) > 0.1  # beyond the 0.07 tolerance
    late = fixed["exponent_measured"][2:, 1]  # n ≥ 2: flat at the floor nσ0²E tr(ΣAΣ⁻¹Aᵀ)/(T0−d−1)
    assert np.all(np.abs(late) < 0.05) and np.all(np.abs(late - after) > 0.2)


def test_bad_input_is_refused_with_the_rule():
    with pytest.raises(ParamError, match=r"T0 ≥ d \+ 2 = 102"):
        LAB.build({"model": "ridge-scaling", "d": 100, "T0": 50}, 0)
    with pytest.raises(ParamError, match="fixed ridge must be > 0"):
        LAB.build({"model": "ridge-scaling", "ridge_rule": "fixed", "ridge": 0.0}, 0)


def test_cli_exports_the_scaling_law(tmp_path, capsys):
    out = tmp_path / "ridge.npz"
    args = ["run", "collapse", "--set", "model=ridge-scaling", "--set", "d=20"]
    args += ["--set", "T0=400", "--set", "generations=4", "--set", "repeats=8"]
    assert main([*args, "--out", str(out), "--quiet"]) == 0
    with np.load(out) as data:  # plain NumPy opens it
        names = set(data.files)
        assert {"T_values", "error_mean", "theory", "rate_theory", "exponent_measured"} <= names
        assert data["error_mean"].shape == (4, 21)  # n = 0, 1, 2, 4
        assert data["exponent_paper"] == pytest.approx((-0.75, 0.25))
    bad = tmp_path / "bad.npz"
    refused = ["run", "collapse", "--set", "model=ridge-scaling", "--set", "beta=9"]
    assert main([*refused, "--out", str(bad)]) == 2
    assert "beta" in capsys.readouterr().err and not bad.exists()


def test_generations_are_read_when_the_run_starts():
    """``generations`` is a live parameter of the Collapse lab; this model keeps its rows (the
    frame says which n it shows) and its frames stay valid when it changes mid-run."""
    exp = LAB.build({"model": "ridge-scaling", "d": 10, "T0": 40, "generations": 4}, 0)
    exp.advance(2)
    exp.update("generations", 30)
    exp.advance(10**6)
    f = exp.frame()
    assert exp.done and list(f["n_values"]) == [0, 1, 2, 4]
    LAB.frame_spec.validate(f, exp.params)
