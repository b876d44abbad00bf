"""Sweep descriptions: axes from the CLI syntax, validation before anything runs, seeds that
depend only on (sweep seed, point, repeat), and the up-front refusal of impossible sweeps."""

import numpy as np
import pytest

from physlab.catalog import get_lab
from physlab.core.params import ParamError
from physlab.core.sweep import SweepSpec, parse_axis, point_seed
from physlab.core.sweep.budget import SweepTooLarge, check_budget

SHARPNESS = get_lab("sharpness")


def test_range_and_list_axes():
    spec = SHARPNESS.spec
    lr = parse_axis(spec, "lr=0.01:2:24:log")
    assert len(lr) == 24 and lr.log and lr.values[0] == pytest.approx(0.01)
    assert lr.values[-1] == pytest.approx(2.0)
    assert np.allclose(np.diff(np.log(lr.values)), np.log(200) / 23)
    width = parse_axis(spec, "width=16,32,64,128")
    assert width.values == ([16], [32], [64], [128]) and list(width.numeric()) == [16, 32, 64, 128]
    depth = parse_axis(spec, "depth=1:6:6")
    assert depth.values == (1, 2, 3, 4, 5, 6) and not depth.log
    model = parse_axis(spec, "model=mlp,uv")
    assert model.numeric().dtype.kind == "U"


@pytest.mark.parametrize(
    "text,words",
    [
        ("lr=0:1:3:log", "positive ends"),
        ("lr=1,200", "[1e-06, 100]"),
        ("lr=1:2", "start:stop:count"),
        ("lr=1:2:3:lin", "start:stop:count"),
        ("nope=1,2", "unknown parameter"),
        ("depth=1:2:5", "repeat after rounding"),
        ("lr=0.1,0.1", "repeats a value"),
        ("optimizer=0:1:3", "numeric parameter"),
        ("lr", "NAME=start:stop:count"),
    ],
)
def test_bad_axes_are_one_line_errors(text, words):
    with pytest.raises(ParamError) as err:
        parse_axis(SHARPNESS.spec, text)
    assert words in str(err.value) and "\n" not in str(err.value)


def test_validate_names_the_bad_point():
    base = SHARPNESS.spec.validate({"schedule": "warmup", "warmup_steps": 100, "steps": 500})
    spec = SweepSpec("sharpness", base, (parse_axis(SHARPNESS.spec, "steps=50,1000"),))
    with pytest.raises(ParamError) as err:
        spec.validate()
    assert "warmup_steps" in str(err.value) and "steps = 50" in str(err.value)
    with pytest.raises(ParamError, match="no measure 'sharp'"):
        SweepSpec("sharpness", base, spec.axes, measures=("sharp",)).validate()


def test_points_row_major_with_seeds_from_index_and_repeat():
    base = SHARPNESS.spec.validate({})
    axes = (parse_axis(SHARPNESS.spec, "lr=0.1,0.2,0.3"), parse_axis(SHARPNESS.spec, "depth=1,2"))
    spec = SweepSpec("sharpness", base, axes, repeats=2, seed=7)
    points = spec.points()
    assert spec.shape() == (3, 2, 2) and len(points) == 12
    assert [(p.index, p.repeat) for p in points[:3]] == [((0, 0), 0), ((0, 0), 1), ((0, 1), 0)]
    assert points[5].params["lr"] == 0.2 and points[5].params["depth"] == 1
    seeds = [p.seed for p in points]
    assert len(set(seeds)) == 12  # every (point, repeat) its own stream
    assert seeds == [p.seed for p in spec.points()]  # and always the same one
    assert points[3].seed == point_seed(7, 1, 1)
    other = SweepSpec("sharpness", base, axes, repeats=2, seed=8)
    assert not set(seeds) & {p.seed for p in other.points()}


def test_too_large_sweeps_are_refused_with_the_estimate():
    base = SHARPNESS.spec.validate(
        {"width": [512], "depth": 6, "steps": 10_000_000, "n_samples": 2000}
    )
    spec = SweepSpec("sharpness", base, (parse_axis(SHARPNESS.spec, "lr=0.01:1:100:log"),))
    with pytest.raises(SweepTooLarge) as err:
        check_budget(spec, workers=2, local=True)
    assert "100 points" in str(err.value) and "--scheduler" in str(err.value)
    assert check_budget(spec, workers=2, local=False).startswith("100 points")  # remote: told
    small = SweepSpec("sharpness", SHARPNESS.spec.validate({"steps": 100}), spec.axes)
    assert "100 points" in check_budget(small, workers=2, local=True)


def test_memory_beyond_a_worker_is_refused(monkeypatch):
    import physlab.core.sweep.budget as budget

    monkeypatch.setattr(budget, "worker_memory", lambda workers: 1e4)  # a 10 kB worker
    spec = SweepSpec(
        "sharpness",
        SHARPNESS.spec.validate({"steps": 100}),
        (parse_axis(SHARPNESS.spec, "lr=0.1,0.2"),),
    )
    with pytest.raises(SweepTooLarge, match="more than a worker's"):
        check_budget(spec, workers=2, local=True)
