"""Every Diffusion preset loads and runs (shortened) to a finite result."""

import numpy as np
import pytest

from physlab.core.presets import list_presets, load_preset
from physlab.diffusion import LAB


@pytest.mark.parametrize("name", list_presets("diffusion"))
def test_preset_runs(name):
    preset = load_preset("diffusion", name, LAB.spec)
    params = dict(preset.params)
    params["n_samples"] = min(params.get("n_samples", 64), 4)
    params["steps"] = min(params.get("steps", 200), 10)
    params["frames"] = min(params.get("frames", 60), 10)
    if params.get("denoiser") in ("empirical", "els", "cnn"):
        params["train_size"] = 50
    if params.get("denoiser") == "cnn":
        params["train_steps"], params["channels"] = 10, 4
    exp = LAB.build(params, preset.seed or 0)
    exp.advance(10**6)
    assert exp.done and exp.diverged is None
    assert np.all(np.isfinite(exp.frame()["samples"]))


def test_presets_exist():
    assert len(list_presets("diffusion")) >= 6
