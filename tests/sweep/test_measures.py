"""Every lab's measures: the names of issue 15 (a contract), and each read-out against the
physics it stands for (run in-process through the same function a worker runs)."""

import math

import pytest

from physlab.catalog import all_labs, get_lab
from physlab.cli import main
from physlab.core.sweep import DIVERGED, DONE, SweepSpec, parse_axis
from physlab.core.sweep.point import run_point

CONTRACT = {
    "sharpness": {
        "lambda0",
        "final_sharpness_ratio",
        "peak_loss_ratio",
        "diverged",
        "eos_step",
        "final_loss",
        "regime",
    },
    "kernels": {"final_loss", "final_alignment", "ntk_change", "theory_error"},
    "scaling": {"time_exponent", "final_loss"},
    "diffusion": {"spectral_error", "nearest_train_distance"},
    "collapse": {
        "error_replace",
        "error_accumulate",
        "error_mix",
        "theory_replace",
        "theory_accumulate",
        "theory_mix",
    },
}


def run(lab_name: str, base: dict, *grids: str, repeats: int = 1):
    lab = get_lab(lab_name)
    spec = SweepSpec(
        lab_name,
        lab.spec.validate(base),
        tuple(parse_axis(lab.spec, g) for g in grids),
        repeats=repeats,
    )
    names = tuple(m.name for m in lab.measures)
    return [run_point(p, lab_name, names) for p in spec.points()]


@pytest.mark.parametrize("lab", sorted(CONTRACT))
def test_measure_names_are_the_contract(lab):
    measures = all_labs()[lab].measures
    assert CONTRACT[lab] <= {m.name for m in measures}
    assert all(m.description for m in measures)


def test_physlab_measures_lists_them(capsys):
    assert main(["measures", "sharpness"]) == 0
    out = capsys.readouterr().out
    assert "final_sharpness_ratio" in out and "[steps]" in out and "1 catapult" in out
    assert "sweep preset: kalra-barkeshli-early-training" in out
    assert main(["measures", "nolab"]) == 2


def test_uv_regimes_at_c_2_and_4():
    """The wide uv model with η = c/λ0 (lr_mode = normalized): lazy for c < 2, the catapult for
    2 < c < 4, divergence beyond c_max = 4 (Lewkowycz et al. 2020, "The large learning rate phase
    of deep learning: the catapult mechanism", §2)."""
    results = run(
        "sharpness",
        {"model": "uv", "width": [1000], "lr_mode": "normalized", "steps": 300},
        "lr=1.5,3,3.8,4.3",
    )
    assert [r.values["regime"] for r in results] == [0, 1, 1, 2]
    assert [r.status for r in results] == [DONE, DONE, DONE, DIVERGED]
    lazy, catapult = results[0].values, results[1].values
    assert lazy["peak_loss_ratio"] == pytest.approx(1.0) and math.isnan(lazy["eos_step"])
    assert catapult["peak_loss_ratio"] > 10 and catapult["final_sharpness_ratio"] < 1
    assert results[3].values["diverged"] == 1 and "diverged" in results[3].error
    # η = c/λ0: the run's own λ0 sets the rate, so c is the same for every seed
    assert lazy["lambda0"] == pytest.approx(2.0, rel=0.1)  # (|u|² + |v|²)x²/n ≈ 2 at init


def test_edge_of_stability_ratio_is_one():
    """GD on the Chebyshev net sharpens progressively until η·λ = 2 and stays there (Cohen et
    al. 2021, "Gradient Descent on Neural Networks Typically Occurs at the Edge of Stability",
    Fig. 1): the final sharpness·η/2 is 1 within a few per cent."""
    (r,) = run("sharpness", {"steps": 3000}, "lr=0.2")
    assert r.values["final_sharpness_ratio"] == pytest.approx(1.0, abs=0.05)
    assert 100 < r.values["eos_step"] < 3000 and r.values["regime"] in (0, 1)


def test_kernel_motion_lazy_vs_rich_and_theory():
    """Bordelon & Pehlevan 2022: the NTK barely moves at γ0 → 0 and moves by O(1) at γ0 ~ 1; the
    DMFT theory follows the width-2000 network to a few per cent."""
    lazy, rich = run(
        "kernels",
        {"steps": 50, "width": 2000, "particles": 2000, "snapshots": 2},
        "gamma0=0.01,0.5",
    )
    assert lazy.values["ntk_change"] < 0.02 < 0.5 < rich.values["ntk_change"]
    assert rich.values["theory_error"] < 0.15
    (none,) = run(
        "kernels", {"steps": 10, "width": 100, "theory": "none", "snapshots": 2}, "gamma0=1"
    )
    assert math.isnan(none.values["theory_error"])


def test_scaling_time_exponent_near_beta():
    """The largest model's loss falls as t^-β in the random-feature model before its plateau
    (Bordelon, Atanasov & Pehlevan 2024, "A Dynamical Model of Neural Scaling Laws", eq. 9)."""
    (r,) = run("scaling", {}, "lr=0.5")
    assert r.values["time_exponent"] == pytest.approx(0.5, abs=0.1)  # β = 0.5
    assert 0 < r.values["final_loss"] < 1


def test_mixing_real_data_bounds_the_error():
    """Dohmatob, Feng & Kempe 2024 ("Model Collapse Demystified", Thm 4.1): replacing data makes
    the error grow linearly in generations; mixing a real fraction keeps it bounded; the
    simulated errors match the closed form."""
    results = run(
        "collapse",
        {
            "model": "regression",
            "strategy": ["replace", "mix"],
            "d": 20,
            "T0": 60,
            "T": 60,
            "repeats": 50,
        },
        "real_fraction=0.5",
        "generations=5,20",
    )
    five, twenty = (r.values for r in results)
    assert twenty["error_replace"] > 3 * five["error_replace"]
    assert twenty["error_mix"] < 1.3 * five["error_mix"]
    for v in (five, twenty):
        assert v["error_mix"] == pytest.approx(v["theory_mix"], rel=0.15)
        assert math.isnan(v["error_accumulate"])  # not selected
    (gauss,) = run("collapse", {"model": "gaussian", "generations": 5, "repeats": 20}, "M=10")
    assert math.isfinite(gauss.values["final_value"])


def test_diffusion_spectra_and_memorisation():
    """The exact denoiser on Gaussian fields reproduces the data's spectrum (GUD, Gerdes et al.
    2024); the optimal empirical denoiser memorises, returning training images (Kamb & Ganguli
    2024, §2), while the Gaussian approximation of the digits does not."""
    (grf,) = run("diffusion", {"steps": 100, "n_samples": 64, "frames": 2}, "softness=1")
    assert grf.values["spectral_error"] < 0.1
    assert math.isnan(grf.values["nearest_train_distance"])  # the fields have no training set
    small = {"data": "digits", "steps": 50, "n_samples": 16, "frames": 2, "train_size": 100}
    (memorised,) = run(
        "diffusion", {**small, "basis": "pixel", "denoiser": "empirical"}, "softness=100"
    )
    (gaussian,) = run("diffusion", {**small, "basis": "pca"}, "softness=100")
    assert memorised.values["nearest_train_distance"] < 0.01
    assert gaussian.values["nearest_train_distance"] > 0.1
