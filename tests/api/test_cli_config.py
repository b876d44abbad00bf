"""`physlab run --config`, `physlab --info` and `physlab --reset-settings`, run as commands."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

import physlab

ROOT = Path(__file__).resolve().parents[2]


def physlab_cmd(*args, env=None, cwd=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT), **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "physlab", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
    )


def test_config_from_the_api_reruns_identically_on_the_cli(tmp_path):
    run = physlab.run("collapse", seed=7, generations=3, repeats=6)
    out = tmp_path / "c.npz"
    result = physlab_cmd("run", "collapse", "--config", run.config(), "--out", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    again = physlab.load(out)
    assert again.seed == 7 and again.params == run.params
    assert all(np.array_equal(again[k], run[k], equal_nan=True) for k in run)


def test_config_errors_are_one_line_with_status_2(tmp_path):
    for text, words in [
        ("physlab:collapse?d=3&zzz=1", "unknown parameter 'zzz'"),
        ("physlab:sharpness?lr=0.1", "for lab 'sharpness', not 'collapse'"),
        ("collapse?d=3", "starts with 'physlab:'"),
    ]:
        result = physlab_cmd("run", "collapse", "--config", text, "--out", str(tmp_path / "x.npz"))
        assert result.returncode == 2 and words in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "x.npz").exists()


def test_info_names_versions_cache_settings_and_threading_layer(tmp_path):
    result = physlab_cmd("--info", env={"XDG_CONFIG_HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    for field in (
        "physlab:",
        "numpy:",
        "numba:",
        "numba cache:",
        "threading layer:",
        f"settings: {tmp_path}/physlab/physlab.conf",
    ):
        assert field in result.stdout, result.stdout
    assert "threading layer: omp" in result.stdout or "threading layer: tbb" in result.stdout


def test_reset_settings_removes_the_settings_file(tmp_path):
    conf = tmp_path / "physlab" / "physlab.conf"
    conf.parent.mkdir()
    conf.write_text("[General]\ntheme=dark\n")
    result = physlab_cmd("--reset-settings", env={"XDG_CONFIG_HOME": str(tmp_path)})
    assert result.returncode == 0 and "removed" in result.stdout and not conf.exists()
    again = physlab_cmd("--reset-settings", env={"XDG_CONFIG_HOME": str(tmp_path)})
    assert again.returncode == 0 and "no settings saved" in again.stdout
