"""Every Collapse preset loads and runs (shortened) and its data matches theory where it ends."""

import numpy as np
import pytest

from physlab.collapse import LAB
from physlab.core.presets import list_presets, load_preset


@pytest.mark.parametrize("name", list_presets("collapse"))
def test_preset_runs(name):
    preset = load_preset("collapse", name, LAB.spec)
    params = dict(preset.params)
    params["repeats"] = min(params.get("repeats", 100), 10)
    if params.get("model") == "gaussian":
        params["generations"] = 50
    exp = LAB.build(params, preset.seed or 0)
    exp.advance(10**6)
    assert exp.done and exp.diverged is None
    frame = exp.frame()
    assert all(np.isfinite(np.asarray(v, dtype=float)).any() for v in frame.values())


def test_collapse_presets_exist():
    assert len(list_presets("collapse")) >= 6
