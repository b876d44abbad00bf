"""The frame contract of every lab (core/frames.py, each lab's frame_keys.py): small real runs
give frames that match the declaration at the start, mid-run and at the end; every declared key
shows up in some run (no dead declarations); summary() is JSON; the NPZ export reads back bit for
bit; and the lab's tab paints the frame offscreen."""

import json

import numpy as np
import pytest

from physlab.catalog import all_labs
from physlab.core.export import read_npz
from physlab.core.frames import FrameKey, FrameSpec
from physlab.core.headless import save

LABS = all_labs()
BUILT_IN = ("sharpness", "kernels", "scaling", "diffusion", "collapse")


def test_every_built_in_lab_loads():
    """A lab that fails to import is skipped with a warning in the app; here it is a failure (or
    every test below would pass by leaving it out)."""
    assert set(BUILT_IN) <= set(LABS), sorted(LABS)


# small runs beyond each lab's warm-up configurations, so that every declared key is exercised
EXTRA = {
    "sharpness": [
        {
            "model": "mlp",
            "optimizer": "adam",
            "width": [4],
            "depth": 1,
            "n_samples": 4,
            "steps": 3,
            "eig_every": 1,
            "k_eigs": 2,
        },
        {
            "model": "mlp",
            "optimizer": "gi-adam",
            "dataset": "digits",
            "loss": "ce",
            "width": [4],
            "depth": 1,
            "n_samples": 20,
            "n_test": 10,
            "steps": 3,
            "eig_every": 1,
        },
    ],
    "kernels": [
        {"depth": 2, "activation": "linear", "width": 8, "steps": 2, "n_samples": 4, "snapshots": 2}
    ],
    "scaling": [{"widths": [4, 8, 16], "features": 32, "steps": 10}],
    "diffusion": [
        {"size": 4, "n_samples": 20, "steps": 3, "frames": 3},
        {
            "size": 4,
            "n_samples": 3,
            "steps": 3,
            "frames": 3,
            "condition": "inpaint",
            "basis": "pixel",
            "hole": 2,
        },
        {
            "data": "digits",
            "basis": "pixel",
            "denoiser": "cnn",
            "softness": 1000.0,
            "n_samples": 2,
            "steps": 2,
            "frames": 2,
            "train_size": 4,
            "train_steps": 10,
            "channels": 2,
        },
    ],
    "collapse": [
        {"model": "verify", "repeats": 2},
        {"d": 3, "T": 6, "T0": 6, "repeats": 3, "generations": 2, "strategy": ["mix"]},
    ],
}


def small_runs(name: str) -> list[dict]:
    lab = LABS[name]
    return [dict(p) for p in lab.warmup_params] + EXTRA.get(name, [])


def frames_of(lab, params: dict) -> list[tuple[dict, dict]]:
    """(frame, params) at the start, after one step and at the end of a small run."""
    exp = lab.build(params, seed=1)
    out = [exp.frame()]
    exp.advance(1)
    out.append(exp.frame())
    while not exp.done:
        exp.advance(exp.total_steps)
    out.append(exp.frame())
    return [(frame, exp.params) for frame in out], exp


@pytest.mark.parametrize("name", list(LABS))
def test_frames_keep_the_declaration(name):
    lab = LABS[name]
    seen = set()
    for params in small_runs(name):
        frames, exp = frames_of(lab, params)
        for frame, validated in frames:
            problems = lab.frame_spec.check(frame, validated)
            assert not problems, (name, params, problems)
            seen |= set(frame)
        json.dumps(exp.summary())  # plain JSON: no numpy scalars, no arrays
    assert seen == set(lab.frame_spec.names()), (
        f"declared but never seen: {set(lab.frame_spec.names()) - seen}"
    )


@pytest.mark.parametrize("name", list(LABS))
def test_export_round_trips_and_the_tab_paints(name, tmp_path, qtbot):
    lab = LABS[name]
    params = small_runs(name)[0]
    (_, _, (frame, validated)), exp = frames_of(lab, params)
    path = save(lab, exp, tmp_path / "run.npz", wall_time=0.0)
    data, meta = read_npz(path)
    assert set(data) == set(frame)
    for key, value in frame.items():
        assert data[key].dtype == value.dtype and data[key].shape == value.shape, key
        assert data[key].tobytes() == np.ascontiguousarray(value).tobytes(), key
    assert meta["summary"] == json.loads(json.dumps(exp.summary()))

    from physlab.gui.plots import configure

    configure()
    tab = lab.tab_class()(lab)
    qtbot.addWidget(tab)
    tab.paint(frame, validated)


def test_check_names_each_breach():
    spec = FrameSpec(
        [
            FrameKey("step", ("T",), "int64", "step"),
            FrameKey("x", ("T", "n"), "float64", "x"),
            FrameKey("y", ("n + 1",), "float64", "y", when={"model": ("a",)}),
            FrameKey("z", (2,), "float64", "z", optional=True),
        ]
    )
    good = {"step": np.arange(3), "x": np.zeros((3, 4)), "y": np.zeros(5)}
    assert spec.check(good, {"n": 4, "model": "a"}) == []
    assert spec.check({"step": np.arange(3), "x": np.zeros((3, 4))}, {"n": 4, "model": "b"}) == []
    bad = {"step": np.arange(3.0), "x": np.zeros((2, 5)), "w": np.zeros(1)}
    problems = spec.check(bad, {"n": 4, "model": "a"})
    assert problems == [
        "'w' is not declared",
        "'step' has dtype float64, declared int64",
        "'x' axis 0 has length 2, declared T = 3",
        "'x' axis 1 has length 5, declared n = 4",
        "'y' is missing",
    ]
    assert spec.check(good, {"n": 4, "model": "b"}) == ["'y' is declared only for other parameters"]
