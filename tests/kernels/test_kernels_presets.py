"""Every Kernels and Scaling-laws preset loads and runs to the end without diverging."""

import numpy as np
import pytest

from physlab.catalog import get_lab
from physlab.core.presets import list_presets, load_preset


@pytest.mark.parametrize(
    "lab,name", [(lab, name) for lab in ("kernels", "scaling") for name in list_presets(lab)]
)
def test_preset_runs(lab, name):
    spec = get_lab(lab).spec
    preset = load_preset(lab, name, spec)
    params = dict(preset.params)
    if lab == "kernels":
        params["particles"] = min(params.get("particles", 10000), 2000)
        params["steps"] = min(params["steps"], 40)
    else:
        params["steps"] = min(params["steps"], 500)
    exp = get_lab(lab).build(params, preset.seed or 0)
    exp.advance(10**6)
    assert exp.done and exp.diverged is None
    frame = exp.frame()
    assert np.all(np.isfinite(frame["loss"]))
    if lab == "kernels":
        assert "theory_ntk" in frame  # every kernels preset has a theory


def test_presets_exist():
    assert len(list_presets("kernels")) >= 4 and len(list_presets("scaling")) >= 3


def test_data_limited_preset_is_limited_by_data_alone():
    """The data-limited exponent P^−α·min(β,2) (Bordelon, Atanasov & Pehlevan 2024, §5) holds when
    neither the model size nor the training time limits the curves: N ≫ P and t → ∞ (a lazy
    curve at t = 10⁶ is at its plateau: the closed form's slowest mode is learned by then)."""
    preset = load_preset("scaling", "data-limited", get_lab("scaling").spec)
    p = get_lab("scaling").spec.validate(preset.params)
    assert p["family"] == "samples"
    assert max(p["widths"]) >= 8 * max(p["sample_sizes"])
    assert p["steps"] >= 10**5
