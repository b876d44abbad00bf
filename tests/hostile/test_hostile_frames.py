"""The frame declarations (physlab/<lab>/frame_keys.py), as sessions check them, accept every frame the labs really produce — before
the first step, part-way, finished and diverged — so that checking a session never refuses a run
physlab wrote, and they refuse the same frames once broken."""

import numpy as np
import pytest

from physlab.catalog import get_lab
from physlab.core.experiment import drive
from physlab.core.records import RecordError

RUNS = [
    ("sharpness", {"steps": 20}),
    ("sharpness", {"model": "uv", "width": [4], "steps": 20}),
    ("sharpness", {"optimizer": "adam", "steps": 20, "k_eigs": 2}),
    ("sharpness", {"lr": 100.0, "steps": 50}),  # diverges
    ("kernels", {"steps": 5, "width": 50}),
    ("kernels", {"steps": 5, "width": 50, "depth": 2, "activation": "linear"}),
    ("kernels", {"steps": 5, "width": 50, "depth": 2}),
    ("kernels", {"steps": 5, "width": 50, "depth": 4, "activation": "linear", "lr": 1000.0}),
    ("scaling", {"steps": 50, "features": 200, "widths": [16, 32, 64]}),
    (
        "scaling",
        {
            "steps": 50,
            "features": 200,
            "widths": [16, 32],
            "family": "samples",
            "sample_sizes": [8, 16],
        },
    ),
    (
        "scaling",
        {
            "steps": 50,
            "features": 200,
            "widths": [16, 32],
            "rich": True,
            "gamma0": 100.0,
            "lr": 1.9,
        },
    ),  # diverges
    ("diffusion", {"steps": 5, "size": 8, "n_samples": 4, "frames": 3}),
    (
        "diffusion",
        {
            "steps": 5,
            "data": "digits",
            "n_samples": 4,
            "frames": 3,
            "denoiser": "els",
            "basis": "pixel",
            "train_size": 20,
            "patch": 3,
        },
    ),
    ("diffusion", {"steps": 5, "size": 8, "n_samples": 20, "frames": 3, "basis": "pixel"}),
    (
        "diffusion",
        {
            "steps": 5,
            "size": 8,
            "n_samples": 4,
            "frames": 3,
            "basis": "haar",
            "denoiser": "empirical",
            "train_size": 20,
        },
    ),
    (
        "diffusion",
        {
            "steps": 5,
            "size": 8,
            "n_samples": 4,
            "frames": 3,
            "basis": "pca",
            "denoiser": "empirical",
            "train_size": 20,
        },
    ),
    *[
        ("collapse", {"model": m, "repeats": 4})
        for m in ("regression", "tails", "strong", "verify", "gaussian")
    ],
]


@pytest.mark.parametrize("lab,params", RUNS, ids=[f"{r[0]}-{i}" for i, r in enumerate(RUNS)])
def test_real_frames_fit_their_schema_at_every_stage(lab, params):
    spec = get_lab(lab)
    exp = spec.build(params, 0)
    schema = spec.frame_spec
    schema.validate(exp.frame(), exp.params)  # before the first step
    exp.advance(1)
    schema.validate(exp.frame(), exp.params)  # part-way
    drive(exp)
    frame = exp.frame()
    schema.validate(frame, exp.params)  # finished or diverged
    name = next(iter(frame))
    broken = dict(frame, **{name: np.zeros(frame[name].shape + (2,))})
    with pytest.raises(RecordError, match=name):
        schema.validate(broken, exp.params)
