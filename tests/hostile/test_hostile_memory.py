"""Memory guards (issue 14, items 10–11): every lab estimates a run's peak memory before building
it and refuses it above the limit (PHYSLAB_MEMORY_LIMIT) with the estimate; the estimates are
checked against the peak resident memory measured in a subprocess for the largest run each limit
accepts (at a few steps: the peak comes from the arrays, which are all allocated early)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from physlab.catalog import all_labs, get_lab
from physlab.cli import main
from physlab.core.params import MEMORY_ENV, ParamError, memory_limit

PROBE = Path(__file__).with_name("rss_probe.py")
SLACK = 32 << 20  # allocator and interpreter noise around a run

# one run per lab, a few seconds each, whose estimate is a few hundred MB
LARGE_RUNS = [
    (
        "sharpness",
        {
            "width": [500],
            "depth": 2,
            "n_samples": 3,
            "input_dim": 32,
            "dataset": "teacher",
            "steps": 2,
            "eig_every": 1,
        },
        1,
    ),
    ("kernels", {"width": 4000, "depth": 2, "n_samples": 64, "steps": 3, "theory": "none"}, 2),
    ("scaling", {"features": 20000, "widths": [16, 4000], "steps": 10}, 10),
    ("diffusion", {"size": 32, "n_samples": 64}, 3),
    ("collapse", {"repeats": 2000, "d": 100, "strategy": ["replace", "accumulate", "mix"]}, 2),
]


@pytest.mark.parametrize("lab,params,steps", LARGE_RUNS, ids=[r[0] for r in LARGE_RUNS])
def test_the_estimate_bounds_the_measured_peak(lab, params, steps):
    spec = get_lab(lab)
    estimate = spec.memory_estimate(spec.spec.validate(params))
    env = dict(os.environ, **{MEMORY_ENV: str(estimate)})  # the largest run this limit accepts
    out = subprocess.run(
        [sys.executable, str(PROBE), lab, json.dumps(params), str(steps)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout)
    assert result["estimate"] == estimate and result["steps"] >= steps
    assert result["added"] <= 1.1 * estimate + SLACK, result
    assert result["added"] >= 0.4 * estimate, result  # and not wildly above it either


@pytest.mark.parametrize(
    "lab,params",
    [
        ("sharpness", "width=4096 depth=2 n_samples=20000 input_dim=1024 dataset=teacher"),
        ("sharpness", "width=4096 depth=6 n_samples=20000 input_dim=1024 dataset=teacher"),
        ("kernels", "width=11000 depth=2"),
        ("diffusion", "size=64 n_samples=2000"),
        ("diffusion", "size=64 steps=400 frames=400"),
        ("scaling", "features=5000 family=samples sample_sizes=16,100000 widths=16,1000"),
    ],
)
def test_runs_that_peaked_above_1_gib_are_refused_with_the_estimate(
    lab, params, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv(MEMORY_ENV, "1G")
    sets = [a for item in params.split() for a in ("--set", item)]
    out = tmp_path / "x.npz"
    assert main(["run", lab, *sets, "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "would hold about" in err and "limit 1.00 GiB" in err and len(err.splitlines()) == 1
    assert not out.exists()


def test_the_limit_is_a_setting_with_a_default_from_the_machine(monkeypatch):
    monkeypatch.delenv(MEMORY_ENV, raising=False)
    machine = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert memory_limit() == int(0.25 * machine)
    for text, value in [
        ("2G", 2 << 30),
        ("512M", 512 << 20),
        ("1.5g", 3 << 29),
        ("1073741824", 1 << 30),
    ]:
        monkeypatch.setenv(MEMORY_ENV, text)
        assert memory_limit() == value
    for bad in ("lots", "-1G", "10", "nanG"):
        monkeypatch.setenv(MEMORY_ENV, bad)
        with pytest.raises(ParamError, match=f"setting {MEMORY_ENV}"):
            memory_limit()


def test_a_bad_limit_setting_is_one_line_at_the_cli(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(MEMORY_ENV, "lots")
    assert main(["run", "collapse", "--out", str(tmp_path / "x.npz"), "--quiet"]) == 2
    assert capsys.readouterr().err.startswith(f"physlab: setting {MEMORY_ENV}: 'lots'")


def test_every_lab_estimates_its_memory():
    for lab in all_labs().values():
        assert lab.memory_estimate(lab.spec.defaults()) > 0
