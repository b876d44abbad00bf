"""Sweep presets: each names the figure it follows, is valid, and runs at a reduced size (the
ends of each axis, one repeat, short runs) through the function a worker runs."""

import numpy as np
import pytest

from physlab.catalog import all_labs
from physlab.core.presets import PresetError
from physlab.core.sweep import DIVERGED, SweepSpec, parse_axis
from physlab.core.sweep.budget import check_budget
from physlab.core.sweep.point import run_point
from physlab.core.sweep.presets import list_sweep_presets, load_sweep_preset

LABS = all_labs()
ALL = [(lab, name) for lab in LABS for name in list_sweep_presets(lab)]
REDUCED = {
    "sharpness": {"steps": 60},
    "kernels": {"steps": 20, "width": 64},
    "collapse": {"repeats": 5},
    "diffusion": {"steps": 20, "n_samples": 8},
}
EXPECTED = {"sharpness": 3, "kernels": 1, "collapse": 1, "diffusion": 1}


def test_the_presets_of_issue_15_exist():
    for lab, count in EXPECTED.items():
        assert len(list_sweep_presets(lab)) >= count, lab


def reduced(lab_name: str, name: str) -> SweepSpec:
    lab = LABS[lab_name]
    preset = load_sweep_preset(lab_name, name, lab.spec)
    axes = [parse_axis(lab.spec, text) for text in preset.grid]
    axes = [type(a)(a.name, (a.values[0], a.values[-1]), a.log) for a in axes]
    base = lab.spec.validate(
        {
            **preset.params,
            **{k: v for k, v in REDUCED[lab_name].items() if k not in [a.name for a in axes]},
        }
    )
    return SweepSpec(lab_name, base, tuple(axes), 1, preset.measures, preset.seed)


@pytest.mark.parametrize("lab,name", ALL)
def test_preset_names_its_figure_and_runs_reduced(lab, name):
    preset = load_sweep_preset(lab, name, LABS[lab].spec)
    assert preset.title and len(preset.description) > 80
    assert any(ch.isdigit() for ch in preset.figure) and len(preset.grid) == 2
    full = SweepSpec(
        lab,
        LABS[lab].spec.validate(preset.params),
        tuple(parse_axis(LABS[lab].spec, g) for g in preset.grid),
        preset.repeats,
        preset.measures,
        preset.seed,
    )
    full.validate()
    check_budget(full, workers=2, local=True)  # the full figure fits a laptop
    spec = reduced(lab, name)
    spec.validate()
    results = [run_point(p, lab, spec.measures) for p in spec.points()]
    assert all(r.status in (0, DIVERGED) for r in results), [r.error for r in results]
    first = spec.measures[0]
    assert any(np.isfinite(r.values[first]) for r in results)


def test_early_training_preset_spans_the_regimes():
    """Corners of the c × depth diagram over the preset's 200 steps: sharpness reduction at
    c = 0.5 (below c_loss ≈ 2), divergence for the deepest net at c = 16 (Kalra & Barkeshli 2023,
    Fig. 1)."""
    short = reduced("sharpness", "kalra-barkeshli-early-training")
    spec = SweepSpec("sharpness", {**short.base, "steps": 200}, short.axes, 1, ("regime",))
    regimes = {
        p.index: run_point(p, "sharpness", ("regime",)).values["regime"] for p in spec.points()
    }
    assert regimes[(0, 0)] == regimes[(0, 1)] == 0 and regimes[(1, 1)] == 2


def test_unknown_sweep_preset_lists_the_known():
    with pytest.raises(PresetError, match="known: .*kalra-barkeshli-early-training"):
        load_sweep_preset("sharpness", "nope", LABS["sharpness"].spec)


def test_overlays_on_the_normalised_phase_diagram():
    lab = LABS["sharpness"]
    spec = reduced("sharpness", "kalra-barkeshli-early-training")
    overlays = lab.sweep_overlays(spec.base, spec.axes)
    assert [o.label for o in overlays][0] == "η·λ0 = 2"
    assert list(overlays[0].x) == [2.0, 2.0] and list(overlays[0].y) == [1.0, 6.0]
    assert list(overlays[1].x) == [4.0, 4.0]
    absolute = reduced("sharpness", "cohen-eos-map")
    assert lab.sweep_overlays(absolute.base, absolute.axes) == []
