"""Arguments, pipes, encodings and signals at the command line (issue 14, items 5, 6, 8, 9, 12,
13): run as users run it, in subprocesses where the terminal matters."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from physlab.cli import main
from physlab.core.eta import Eta, duration
from physlab.core.export import read_npz

CMD = [sys.executable, "-m", "physlab"]
LABS = ("sharpness", "kernels", "scaling", "diffusion", "collapse")


@pytest.mark.parametrize("lab", LABS)
@pytest.mark.parametrize(
    "seed", ["-1", "18446744073709551616", "9223372036854775808", "1.5", "abc", "inf", ""]
)
def test_seeds_outside_0_to_2_63_are_refused_like_a_parameter(lab, seed, tmp_path, capsys):
    out = tmp_path / "x.npz"
    assert main(["run", lab, "--seed", seed, "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("physlab: parameter 'seed': ") and "[0, 2^63 - 1]" in err
    assert not out.exists()


def test_the_largest_seed_runs_in_collapse(tmp_path):
    out = tmp_path / "x.npz"
    args = ["--set", "generations=2", "--set", "repeats=3", "--out", str(out), "--quiet"]
    assert main(["run", "collapse", "--seed", str(2**63 - 1), *args]) == 0
    assert read_npz(out)[1]["seed"] == 2**63 - 1


@pytest.mark.parametrize(
    "name", ["", "../../sharpness/eos-chebyshev", "/etc/passwd", "eos-chebyshev.toml", "x" * 5000]
)
def test_presets_are_names_from_the_list(name, tmp_path, capsys):
    assert main(["run", "sharpness", "--preset", name, "--out", str(tmp_path / "x.npz")]) == 2
    err = capsys.readouterr().err
    assert "no preset" in err and "known: " in err and len(err) < 600


def test_a_preset_file_of_your_own(tmp_path, capsys):
    own = tmp_path / "mine.toml"
    own.write_text("seed = 3\n[params]\ngenerations = 2\nrepeats = 3\n")
    out = tmp_path / "x.npz"
    assert main(["run", "collapse", "--preset-file", str(own), "--out", str(out), "--quiet"]) == 0
    meta = read_npz(out)[1]
    assert meta["seed"] == 3 and meta["params"]["generations"] == 2
    for text, needle in [
        ("seed = -1\n", "parameter 'seed'"),
        ("params = 3\n", "[params]"),
        ("[params]\ngenerations = -1\n", "generations"),
        ("= =", "cannot"),
    ]:
        own.write_text(text)
        assert main(["run", "collapse", "--preset-file", str(own), "--out", str(out)]) == 2
        assert needle in capsys.readouterr().err
    assert (
        main(["run", "collapse", "--preset-file", str(tmp_path / "nope.toml"), "--out", str(out)])
        == 2
    )
    assert "No such file" in capsys.readouterr().err


def test_long_rejected_values_are_cut(tmp_path, capsys):
    width = ",".join(["5"] * 100_000)
    assert (
        main(["run", "sharpness", "--set", f"width={width}", "--out", str(tmp_path / "x.npz")]) == 2
    )
    err = capsys.readouterr().err
    assert len(err) < 200 and "…" in err


@pytest.mark.parametrize(
    "args", [["list"], ["params", "sharpness", "--json"], ["params", "sharpness"]]
)
def test_a_closed_pipe_is_quiet(args):
    """`physlab list | head -1`: the reader goes away after one line."""
    proc = subprocess.Popen(CMD + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) in (0, 141) and err == ""


def test_an_ascii_terminal_gets_replacement_characters():
    out = subprocess.run(
        CMD + ["params", "sharpness"],
        capture_output=True,
        timeout=60,
        env=dict(os.environ, PYTHONIOENCODING="ascii"),
    )
    assert out.returncode == 0 and out.stderr == b""
    assert b"learning rate ?" in out.stdout


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_the_run_and_writes_what_was_computed(signum, tmp_path):
    out = tmp_path / "x.npz"
    proc = subprocess.Popen(
        CMD
        + [
            "run",
            "collapse",
            "--set",
            "model=gaussian",
            "--set",
            "generations=100000",
            "--set",
            "repeats=20000",  # the chain is drawn exactly in law, so it takes many repeats to last
            "--out",
            str(out),
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    line = ""
    while "steps" not in line and time.monotonic() < deadline:
        line = proc.stderr.read(80)  # the progress bar: the run is going
    proc.send_signal(signum)
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 130
    assert "Traceback" not in err and "stopped at" in err and "(stopped: true)" in err
    data, meta = read_npz(out)
    assert meta["stopped"] is True and 0 < meta["steps_done"] < 100_000
    assert len(data["generation"]) == meta["steps_done"] + 1


def test_the_eta_comes_from_the_chunks_after_the_first():
    eta = Eta()
    eta.update(1, 1000, 5.0)  # the first chunk paid for start-up
    assert eta.seconds_left == pytest.approx(999 * 5.0)
    eta.update(11, 1000, 6.0)  # 10 steps a second since
    assert eta.steps_per_second == pytest.approx(10.0)
    assert eta.seconds_left == pytest.approx(98.9)
    assert duration(42) == "42 s" and duration(600) == "10.0 min" and duration(5040) == "84.0 min"
    assert duration(2 * 3600) == "2.0 h" and duration(30 * 86400) == "30.0 days"


def test_a_first_step_that_compiles_for_long_is_not_announced_as_a_long_run(capsys):
    """The CLI's progress bar, fed the chunks as ``run_to_completion`` does: a cold compile made
    the one-step first chunk take 20 s, the rest runs at thousands of steps a second. Projected
    from the first chunk it printed "this run will take about 9.7 days" (Sharpness, lr = 5)."""
    from types import SimpleNamespace

    from physlab.cli import _ProgressBar

    bar = _ProgressBar(enabled=False)
    for done, elapsed in [(1, 20.0), (400, 20.1), (3000, 20.6)]:
        bar.update(SimpleNamespace(steps_done=done, total_steps=3000, done=done == 3000), elapsed)
    assert "will take about" not in capsys.readouterr().err
    slow = _ProgressBar(enabled=False)  # steps that are slow throughout: told at the second
    for done, elapsed in [(1, 20.0), (2, 40.0)]:
        slow.update(SimpleNamespace(steps_done=done, total_steps=3000, done=False), elapsed)
    assert "this run will take about" in capsys.readouterr().err


def test_a_long_run_is_announced_on_stderr(tmp_path):
    """The issue's example (16 steps in 45 s) at a size that shows it in seconds."""
    out = tmp_path / "k.npz"
    proc = subprocess.Popen(
        CMD
        + [
            "run",
            "kernels",
            "--set",
            "width=3000",
            "--set",
            "depth=2",
            "--set",
            "n_samples=64",
            "--set",
            "steps=1000000",
            "--set",
            "theory=none",
            "--set",
            "snapshots=2",
            "--out",
            str(out),
            "--quiet",
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    line = proc.stderr.readline()
    proc.send_signal(signal.SIGINT)
    rest = proc.stderr.read()
    assert proc.wait(timeout=120) == 130
    assert line.startswith("physlab: this run will take about ") and "Ctrl+C stops it" in line
    assert any(unit in line for unit in ("h", "days")) and "Traceback" not in rest


@pytest.mark.parametrize(
    "lab,sets",
    [
        ("kernels", ["depth=4", "activation=linear", "lr=1000"]),
        ("scaling", ["rich=true", "gamma0=100", "lr=1.9", "steps=200"]),
    ],
)
def test_divergence_prints_no_numpy_warnings_and_explains_missing_arrays(lab, sets, tmp_path):
    out = tmp_path / "x.npz"
    args = [a for s in sets for a in ("--set", s)]
    run = subprocess.run(
        CMD + ["run", lab, *args, "--out", str(out), "--quiet"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 3, run.stderr
    assert "Warning" not in run.stderr and len(run.stderr.splitlines()) <= 3, run.stderr
    assert f"physlab: {lab}: " in run.stderr  # it read "physlab: kernels the training loss …"
    data, meta = read_npz(out)
    notes = json.dumps(meta["summary"])
    for name, value in data.items():
        if value.dtype.kind == "f" and value.size and np.isnan(value).all():
            # an array that could not be computed is explained in the metadata
            assert ("theory" in name and "theory_note" in notes) or (
                "fitted" in name and "fit_note" in notes
            ), name


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--point", "1"], "--from SWEEP"),
        (["--repeat", "2"], "--from SWEEP"),
        (["--point", "0", "--repeat", "1"], "--from SWEEP"),
    ],
)
def test_point_and_repeat_without_a_sweep_are_refused_not_ignored(args, needle, tmp_path):
    """``physlab run collapse --point 1 --out x.npz`` ran the lab's defaults and wrote them, as
    if the point had been re-run."""
    out = tmp_path / "x.npz"
    done = subprocess.run(
        [*CMD, "run", "collapse", *args, "--out", str(out), "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("physlab: ") and needle in lines[0]
    assert not out.exists()


def test_repeat_without_point_is_refused_for_a_saved_run(tmp_path):
    saved = tmp_path / "run.npz"
    small = ["--set", "generations=2", "--set", "repeats=3", "--quiet"]
    assert main(["run", "collapse", *small, "--out", str(saved)]) == 0
    out = tmp_path / "x.npz"
    done = subprocess.run(
        [*CMD, "run", "collapse", "--from", str(saved), "--repeat", "1", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "--point" in done.stderr and not out.exists()
