"""`physlab sweep` as users run it: a preset diagram (the same arrays as the engine the GUI
drives), bad input refused up front with one line and nothing written, Ctrl+C / SIGTERM writing
what finished (exit 130) and --resume finishing it, and `run --from SWEEP --point` re-running one
point with the same numbers."""

import json
import os
import re
import signal
import subprocess
import sys
import threading

import numpy as np
import pytest

from physlab.cli import main
from physlab.core.export import read_npz
from physlab.core.sweep import DONE, NOT_RUN, SweepResult, SweepRun, shutdown_local_cluster
from physlab.core.sweep.point import run_point

REDUCED = ["--grid", "lr=0.5,3,16", "--grid", "depth=1,6", "--repeats", "1", "--set", "steps=100"]


@pytest.fixture(scope="module", autouse=True)
def cluster():
    """One local cluster for the in-process commands of this file (each command shuts it down
    when run for real: the subprocess test below does)."""
    patch = pytest.MonkeyPatch()
    patch.setattr("physlab.core.sweep.shutdown_local_cluster", lambda: None)
    yield
    patch.undo()
    shutdown_local_cluster()


def test_preset_diagram_matches_the_engine(tmp_path):
    out = tmp_path / "phase.npz"
    assert (
        main(
            [
                "sweep",
                "sharpness",
                "--preset",
                "kalra-barkeshli-early-training",
                *REDUCED,
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    with np.load(out) as z:
        meta = json.loads(str(z["meta"]))
        assert z["regime"].shape == (3, 2, 1) and list(z["grid_depth"]) == [1, 6]
        assert z["regime"][0, 0, 0] == 0 and z["regime"][2, 1, 0] == 2
        assert meta["base"]["lr_mode"] == "normalized" and meta["axes"][0]["name"] == "lr"
    saved = SweepResult.load(out)
    run = SweepRun(saved.spec, workers=2)  # what the GUI's Sweep view drives
    run.start()
    assert run.join(120) and run.state == "finished"
    for name, array in run.result.arrays.items():
        assert np.array_equal(saved.arrays[name], array, equal_nan=True), name
    csv = tmp_path / "phase.csv"
    assert (
        main(
            [
                "sweep",
                "sharpness",
                "--preset",
                "kalra-barkeshli-early-training",
                *REDUCED,
                "--measure",
                "regime",
                "--out",
                str(csv),
                "--quiet",
            ]
        )
        == 0
    )
    assert len(csv.read_text().splitlines()) == 2 + 6


def test_run_from_a_sweep_point_reproduces_it(tmp_path, capsys):
    sweep = tmp_path / "s.npz"
    assert (
        main(
            [
                "sweep",
                "sharpness",
                "--set",
                "steps=80",
                "--grid",
                "lr=0.05,0.1",
                "--repeats",
                "2",
                "--out",
                str(sweep),
                "--quiet",
            ]
        )
        == 0
    )
    single = tmp_path / "one.npz"
    assert (
        main(
            [
                "run",
                "sharpness",
                "--from",
                str(sweep),
                "--point",
                "1",
                "--repeat",
                "1",
                "--out",
                str(single),
                "--quiet",
            ]
        )
        == 0
    )
    data, meta = read_npz(single)
    with np.load(sweep) as z:
        assert data["loss"][-1] == z["final_loss"][1, 1] and meta["seed"] == z["seeds"][1, 1]
    assert meta["params"]["lr"] == 0.1
    assert main(["run", "sharpness", "--from", str(sweep), "--out", str(single)]) == 2
    assert "choose one with --point" in capsys.readouterr().err
    assert (
        main(["run", "sharpness", "--from", str(sweep), "--point", "2", "--out", str(single)]) == 2
    )
    assert "not in the sweep's grid (0..1)" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args,words",
    [
        (
            ["sharpness", "--grid", "lr=0.1,0.2", "--grid", "depth=1,2", "--grid", "width=3,4"],
            "one or two axes",
        ),
        (["sharpness"], "give one or two axes"),
        (["sharpness", "--grid", "lr=0.1,0.2", "--measure", "sharp"], "no measure 'sharp'"),
        (["sharpness", "--grid", "lr=0.1,1000"], "[1e-06, 100]"),
        (["sharpness", "--grid", "lr=0.1", "--repeats", "0"], "repeats"),
        (["sharpness", "--grid", "lr=0.1", "--preset", "nope"], "no sweep preset 'nope'"),
        (["sharpness", "--grid", "lr=0.1", "--workers", "0"], "--workers 0"),
        (["nolab", "--grid", "lr=0.1"], "unknown lab"),
        ([], "name the lab"),
        (
            [
                "sharpness",
                "--set",
                "width=512",
                "--set",
                "depth=6",
                "--set",
                "steps=10000000",
                "--set",
                "n_samples=2000",
                "--grid",
                "lr=0.01:1:100:log",
            ],
            "--scheduler",
        ),
    ],
)
def test_bad_input_is_refused_up_front(tmp_path, capsys, args, words):
    out = tmp_path / "x.npz"
    assert main(["sweep", *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert words in err and len(err.splitlines()) == 1 and not out.exists()


def test_resume_refuses_a_changed_sweep(tmp_path, capsys):
    sweep = tmp_path / "s.npz"
    assert (
        main(
            [
                "sweep",
                "sharpness",
                "--set",
                "model=uv",
                "--set",
                "width=8",
                "--grid",
                "lr=0.1,0.2",
                "--out",
                str(sweep),
                "--quiet",
            ]
        )
        == 0
    )
    assert main(["sweep", "--resume", str(sweep), "--grid", "lr=1,2"]) == 2
    assert "takes no --preset" in capsys.readouterr().err
    assert main(["sweep", "kernels", "--resume", str(sweep)]) == 2
    assert "is a sweep of lab 'sharpness'" in capsys.readouterr().err
    assert main(["sweep", "--resume", str(sweep), "--quiet"]) == 0  # nothing left to run


def test_sigterm_writes_what_finished_and_resume_finishes(tmp_path):
    """SIGTERM (and Ctrl+C, which raises the same KeyboardInterrupt in the command's loop)."""
    out = tmp_path / "cut.npz"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "physlab",
            "sweep",
            "sharpness",
            "--set",
            "steps=1500",
            "--grid",
            "lr=0.05:0.2:16",
            "--measure",
            "final_loss",
            "--workers",
            "2",
            "--out",
            str(out),
        ],
        stderr=subprocess.PIPE,
        env=env,
    )
    seen = bytearray()
    progressed = threading.Event()

    def read():
        while chunk := proc.stderr.read1(256):
            seen.extend(chunk)
            if re.search(rb" [1-9]\d*/16 points", seen):
                progressed.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert progressed.wait(120), seen.decode(errors="replace")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) == 130
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    reader.join(5)
    text = seen.decode(errors="replace")
    assert "interrupted; wrote what finished" in text and "--resume" in text
    status = SweepResult.load(out).arrays["status"]
    assert (status == DONE).any() and (status == NOT_RUN).any()
    assert main(["sweep", "--resume", str(out), "--quiet"]) == 0
    resumed = SweepResult.load(out)
    assert (resumed.arrays["status"] == DONE).all()
    last = resumed.spec.point((15,), 0)
    assert (
        resumed.arrays["final_loss"][15, 0]
        == run_point(last, "sharpness", ("final_loss",)).values["final_loss"]
    )
