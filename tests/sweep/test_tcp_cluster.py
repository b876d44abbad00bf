"""A real remote cluster on localhost: `dask scheduler` and two `dask worker --nthreads 1`
processes started here (free ports, bounded waits, an idle timeout so they stop by themselves),
a sweep through them by address, and only the processes this test started killed at the end."""

import json
import time

import numpy as np
import pytest

from benchmarks.tcp_cluster import free_port, tcp_cluster
from physlab.catalog import get_lab
from physlab.cli import main
from physlab.core.sweep import SweepResult, SweepRun, SweepSpec, measure_names, parse_axis
from physlab.core.sweep.point import run_point

LAB = get_lab("sharpness")


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory):
    with tcp_cluster(workers=2, logs=tmp_path_factory.mktemp("dask")) as address:
        yield address


def spec() -> SweepSpec:
    base = LAB.spec.validate({"model": "uv", "width": [64], "lr_mode": "normalized", "steps": 200})
    return SweepSpec("sharpness", base, (parse_axis(LAB.spec, "lr=1:5:5"),), repeats=2, seed=4)


def test_sweep_through_a_tcp_scheduler(scheduler):
    run = SweepRun(spec(), scheduler=scheduler)
    run.start()
    assert run.join(120) and run.state == "finished", run.message
    assert run.workers == 2 and run.result.meta["scheduler"] == scheduler
    reference = SweepResult(spec())
    for p in spec().points():
        reference.add(run_point(p, "sharpness", measure_names(spec())))
    for name, array in reference.arrays.items():
        assert np.array_equal(run.result.arrays[name], array, equal_nan=True), name


def test_cli_with_scheduler_and_environment(scheduler, tmp_path, monkeypatch):
    out = tmp_path / "tcp.npz"
    monkeypatch.setenv("PHYSLAB_SCHEDULER", scheduler)
    assert (
        main(
            [
                "sweep",
                "sharpness",
                "--set",
                "model=uv",
                "--set",
                "width=64",
                "--grid",
                "lr=0.1,0.2",
                "--measure",
                "final_loss",
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    with np.load(out) as z:
        meta = json.loads(str(z["meta"]))
        assert z["final_loss"].shape == (2, 1) and (z["status"] == 0).all()
    assert meta["scheduler"] == scheduler and meta["workers"] == 2
    assert (
        main(["sweep", "sharpness", "--grid", "lr=0.1,0.2", "--workers", "2", "--out", str(out)])
        == 2
    )  # --workers is for the local cluster only


def test_unreachable_scheduler_is_a_one_line_error(tmp_path, capsys, monkeypatch):
    import physlab.core.sweep.cluster as cluster

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", "2s")
    out = tmp_path / "none.npz"
    started = time.monotonic()
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
                "--scheduler",
                f"tcp://127.0.0.1:{free_port()}",
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 1
    )
    assert time.monotonic() - started < 20 and not out.exists()
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot connect to tcp://127.0.0.1:" in err[0]
