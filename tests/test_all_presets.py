"""Every preset of every lab names the published figure it reproduces and is valid; the Sharpness
presets run (the other labs' preset tests run theirs: tests/<lab>/test_*presets.py)."""

import numpy as np
import pytest

from physlab.catalog import all_labs
from physlab.core.presets import list_presets, load_preset

LABS = all_labs()
ALL = [(lab, name) for lab in LABS for name in list_presets(lab)]


def test_every_lab_has_presets():
    assert all(list_presets(lab) for lab in LABS)


@pytest.mark.parametrize("lab,name", ALL)
def test_preset_names_its_figure(lab, name):
    preset = load_preset(lab, name, LABS[lab].spec)
    assert preset.title and len(preset.description) > 40
    assert preset.figure and any(ch.isdigit() for ch in preset.figure)  # paper year at least


@pytest.mark.parametrize("name", list_presets("sharpness"))
def test_sharpness_preset_runs(name):
    lab = LABS["sharpness"]
    preset = load_preset("sharpness", name, lab.spec)
    params = dict(preset.params)
    warmup = (
        params.get("warmup_steps", 0) if params.get("schedule", "constant") != "constant" else 0
    )
    params["steps"] = min(params.get("steps", 300), warmup + 300)  # shortened, past any warm-up
    params = lab.spec.validate(params)
    exp = lab.build(params, preset.seed or 0)
    exp.advance(params["steps"])
    assert exp.diverged is None and exp.steps_done == params["steps"]
    frame = exp.frame()
    assert np.all(np.isfinite(frame["loss"])) and len(frame["sharpness_step"])
