"""The CLI contract: names, exit statuses, and what is (not) written."""

import json
import subprocess
import sys

import numpy as np
import pytest

from physlab.cli import main
from physlab.core.export import read_npz


def test_version(capsys):
    with pytest.raises(SystemExit) as err:
        main(["--version"])
    assert err.value.code == 0
    assert "physlab 0.1.0" in capsys.readouterr().out


def test_list_and_params(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "sharpness" in out and "preset: eos-chebyshev" in out
    assert main(["params", "sharpness", "--json"]) == 0
    described = json.loads(capsys.readouterr().out)
    lr = next(p for p in described if p["name"] == "lr")
    assert lr["live"] and lr["low"] == 1e-6


def test_run_writes_contract_keys(tmp_path):
    out = tmp_path / "run.npz"
    assert (
        main(["run", "sharpness", "--set", "steps=50", "--seed", "3", "--out", str(out), "--quiet"])
        == 0
    )
    data, meta = read_npz(out)
    assert {"step", "loss", "lr", "sharpness_step", "sharpness", "eigenvalues"} <= set(data)
    assert meta["seed"] == 3 and meta["params"]["steps"] == 50 and meta["diverged"] is False
    assert meta["lab"] == "sharpness" and meta["wall_time"] > 0


def test_preset_and_csv(tmp_path):
    out = tmp_path / "uv.csv"
    assert (
        main(
            [
                "run",
                "sharpness",
                "--preset",
                "catapult-uv",
                "--set",
                "steps=30",
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    lines = out.read_text().splitlines()
    assert lines[0].startswith("# physlab")
    assert lines[1] == "array,i0,i1,value"  # tidy: one row per value (README, "CSV files")
    arrays = {line.split(",")[0] for line in lines[2:]}
    assert {"step", "loss", "lr", "threshold", "f", "ntk", "eigenvalues"} <= arrays
    assert sum(line.startswith("loss,") for line in lines) == 30


@pytest.mark.parametrize(
    "args,needle",
    [
        (["--set", "lr=-1"], "parameter 'lr'"),
        (["--set", "lrr=1"], "unknown parameter"),
        (["--set", "width=30,20,10"], "parameter 'width'"),
        (["--preset", "nope"], "no preset 'nope'"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path, capsys, args, needle):
    out = tmp_path / "x.npz"
    assert main(["run", "sharpness", *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0]
    assert not out.exists()


def test_bad_output_suffix_exits_2(tmp_path, capsys):
    assert main(["run", "sharpness", "--out", str(tmp_path / "x.txt")]) == 2
    assert ".npz or .csv" in capsys.readouterr().err


def test_divergence_exits_3_and_still_writes(tmp_path, capsys):
    out = tmp_path / "div.npz"
    assert main(["run", "sharpness", "--set", "lr=5", "--out", str(out), "--quiet"]) == 3
    assert "diverged at step" in capsys.readouterr().err
    data, meta = read_npz(out)
    assert meta["diverged"] is True and np.all(np.isfinite(data["loss"]))


def test_console_entry_point_runs_as_module(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "physlab", "params", "sharpness"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and "lr" in result.stdout


def test_collapse_rows_follow_the_strategy_param(tmp_path):
    out = tmp_path / "collapse.npz"
    assert (
        main(
            [
                "run",
                "collapse",
                "--set",
                "strategy=accumulate,replace",
                "--set",
                "d=10",
                "--set",
                "T=30",
                "--set",
                "T0=30",
                "--set",
                "repeats=20",
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    data, meta = read_npz(out)
    assert {"generation", "error_mean", "error_std", "theory", "T_values"} <= set(data)
    assert data["error_mean"].shape == (2, 21)
    assert meta["params"]["strategy"] == ["replace", "accumulate"]  # the rows, in this order
    assert "rows" not in meta["summary"]  # what lays out the views is not run data


def test_collapse_refuses_too_few_samples_with_the_rule(tmp_path, capsys):
    out = tmp_path / "x.npz"
    assert main(["run", "collapse", "--set", "T0=50", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "T0 ≥ d + 2 = 102" in err and "unselect accumulate and mix" in err
    assert not out.exists()
    assert main(["run", "collapse", "--set", "T0=100", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "T0 ≥ d + 2 = 102 (OLS generators) or T0 ≤ 98" in err and not out.exists()
    args = ["run", "collapse", "--set", "T0=50", "--set", "strategy=replace", "--set", "d=60"]
    ran = tmp_path / "min-norm.npz"
    assert main([*args, "--set", "repeats=10", "--out", str(ran), "--quiet"]) == 0
    data, _ = read_npz(ran)  # minimum-norm generators (T0 < d) run: (1 − r) + v + σ²d/(T−d−1)
    assert data["theory"][0][1] == pytest.approx(1 / 6 + 50 / 9 + 60 / 139)
    assert (
        main(
            [
                "run",
                "collapse",
                "--set",
                "repeats=100000",
                "--set",
                "d=500",
                "--set",
                "T0=600",
                "--set",
                "T=600",
                "--out",
                str(out),
            ]
        )
        == 2
    )
    assert "GiB" in capsys.readouterr().err and not out.exists()


def test_kernels_and_scaling_runs_write_their_contract_keys(tmp_path):
    out = tmp_path / "kernels.npz"
    assert (
        main(
            [
                "run",
                "kernels",
                "--set",
                "steps=5",
                "--set",
                "width=64",
                "--set",
                "particles=500",
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    data, meta = read_npz(out)
    assert {
        "step",
        "loss",
        "alignment",
        "ntk_step",
        "ntk",
        "phi",
        "theory_loss",
        "theory_ntk",
    } <= set(data)
    assert data["ntk"].shape[1:] == (16, 16) and meta["params"]["width"] == 64
    out = tmp_path / "scaling.npz"
    assert (
        main(
            [
                "run",
                "scaling",
                "--set",
                "widths=16,32,64",
                "--set",
                "steps=500",
                "--set",
                "features=500",
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    data, _ = read_npz(out)
    assert {"step", "widths", "loss", "fitted_exponent", "theory_exponent"} <= set(data)
    assert data["loss"].shape == (3, len(data["step"]))


def test_diffusion_run_writes_its_contract_keys(tmp_path):
    out = tmp_path / "diffusion.npz"
    assert (
        main(
            [
                "run",
                "diffusion",
                "--set",
                "size=8",
                "--set",
                "steps=10",
                "--set",
                "n_samples=4",
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    data, _ = read_npz(out)
    assert {
        "samples",
        "frames",
        "x0_frames",
        "t",
        "log_snr",
        "spectrum_k",
        "spectrum_data",
        "spectrum_samples",
    } <= set(data)
    assert data["samples"].shape == (4, 8, 8) and data["log_snr"].shape[0] == 64
