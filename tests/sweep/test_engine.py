"""The engine on the embedded local cluster (worker processes): identical arrays whatever the
number of workers, failing points recorded while the sweep goes on, stop, resume, and a worker
killed mid-sweep losing nothing. Tiny sweeps: the whole file takes seconds on 2 cores."""

import os
import signal
import sys
import time

import cloudpickle
import numpy as np
import pytest

from physlab.catalog import get_lab
from physlab.core.sweep import (
    DONE,
    FAILED,
    NOT_RUN,
    SweepResult,
    SweepRun,
    SweepSpec,
    measure_names,
    parse_axis,
)
from physlab.core.sweep.cluster import local_cluster, shutdown_local_cluster
from physlab.core.sweep.point import run_point

cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the test tasks below, on workers
LAB = get_lab("sharpness")


@pytest.fixture(scope="module", autouse=True)
def cluster():
    yield
    shutdown_local_cluster()


def uv_spec(repeats: int = 2) -> SweepSpec:
    """24 points of the uv model (milliseconds each), across the three regimes."""
    base = LAB.spec.validate({"model": "uv", "width": [64], "lr_mode": "normalized", "steps": 200})
    axes = (parse_axis(LAB.spec, "lr=1:5:6"), parse_axis(LAB.spec, "width=64,256"))
    return SweepSpec("sharpness", base, axes, repeats=repeats, seed=11)


def slow_spec(points: int = 10) -> SweepSpec:
    """Points of a few tenths of a second (the Chebyshev net at the edge of stability)."""
    base = LAB.spec.validate({"steps": 1500})
    return SweepSpec(
        "sharpness",
        base,
        (parse_axis(LAB.spec, f"lr=0.05:0.2:{points}"),),
        measures=("final_loss", "lambda0", "final_sharpness_ratio"),
        seed=5,
    )


def serial(spec: SweepSpec) -> SweepResult:
    """The same points in a plain loop in this process."""
    result = SweepResult(spec)
    for p in spec.points():
        result.add(run_point(p, spec.lab, measure_names(spec)))
    return result


def finish(run: SweepRun, timeout: float = 120.0) -> SweepRun:
    run.start()
    assert run.join(timeout), f"sweep still {run.state} after {timeout} s"
    return run


def assert_same(a: SweepResult, b: SweepResult) -> None:
    for name in a.arrays:
        assert np.array_equal(a.arrays[name], b.arrays[name], equal_nan=True), name


def test_one_and_two_workers_give_identical_arrays():
    spec = uv_spec()
    two = finish(SweepRun(spec, workers=2))
    one = finish(SweepRun(spec, workers=1))
    assert two.state == one.state == "finished" and (two.workers, one.workers) == (2, 1)
    assert_same(two.result, one.result)
    assert_same(two.result, serial(spec))
    regimes = set(two.result.arrays["regime"].ravel())
    assert regimes == {0.0, 1.0, 2.0}  # diverged points are results too
    assert two.result.done() == two.result.total() == 24 and two.rate > 0
    polled = two.poll()
    assert len(polled) == 24 and {r.point.seed for r in polled} == set(
        two.result.arrays["seeds"].ravel()
    )


def flaky(point, lab_name, measures):
    if point.index == (2, 1):
        raise RuntimeError("boom on purpose")
    return run_point(point, lab_name, measures)


class FlakyRun(SweepRun):
    task = staticmethod(flaky)


def test_a_failing_point_is_recorded_and_the_sweep_goes_on(monkeypatch):
    run = finish(FlakyRun(uv_spec(repeats=1), workers=2))
    status = run.result.arrays["status"]
    assert run.state == "finished" and status[2, 1, 0] == FAILED
    assert (np.delete(status.ravel(), 5) != FAILED).all() and run.result.failures() == 1
    assert run.result.errors == ["[2, 1] 0: RuntimeError: boom on purpose"]
    assert np.isnan(run.result.arrays["final_loss"][2, 1, 0])
    # inside the worker's own function, a point whose build raises is a failed result too
    monkeypatch.setattr(type(LAB), "build", lambda self, p, s: 1 / 0)
    result = run_point(uv_spec().points()[0], "sharpness", ("final_loss",))
    assert result.status == FAILED and result.error == "ZeroDivisionError: division by zero"


def test_stop_cancels_the_outstanding_points():
    run = SweepRun(slow_spec(points=16), workers=2)
    run.start()
    deadline = time.monotonic() + 60
    while not run.result.finished() and time.monotonic() < deadline:
        time.sleep(0.02)
    run.stop()
    assert run.join(10.0) and run.state == "stopped"
    status = run.result.arrays["status"]
    assert (status == DONE).any() and (status == NOT_RUN).sum() >= 8
    assert run.result.meta["stopped"] is True


def test_resume_runs_only_what_is_missing():
    spec = uv_spec(repeats=1)
    reference = serial(spec)
    partial = SweepResult(spec, {k: v.copy() for k, v in reference.arrays.items()})
    partial.arrays["status"][3:] = NOT_RUN  # as if interrupted after three rows
    partial.arrays["final_loss"][:3] = -1.0  # a mark: kept points are not run again
    run = finish(SweepRun(spec, workers=2, resume=partial))
    assert run.state == "finished" and len(run.poll()) == spec.total() - 6
    assert (run.result.arrays["final_loss"][:3] == -1.0).all()
    assert np.array_equal(
        run.result.arrays["final_loss"][3:], reference.arrays["final_loss"][3:], equal_nan=True
    )
    other = SweepSpec(spec.lab, spec.base, spec.axes, repeats=1, seed=12)
    with pytest.raises(ValueError, match="other axes"):
        SweepRun(other, resume=partial)


def test_a_killed_worker_loses_nothing():
    """SIGKILL one worker process mid-sweep: its points run again on the other (or on its
    restarted replacement) with the same seeds, so the arrays equal the serial loop's."""
    from distributed import Client

    spec = slow_spec(points=8)
    run = SweepRun(spec, workers=2)
    run.start()
    deadline = time.monotonic() + 60
    while not run.result.finished() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert run.running, "the sweep ended before a worker could be killed"
    with Client(local_cluster().scheduler_address, set_as_default=False) as client:
        pids = client.run(os.getpid)
    victim = sorted(pids.values())[0]
    os.kill(victim, signal.SIGKILL)
    assert run.join(120.0) and run.state == "finished", run.message
    assert run.result.done() == spec.total()
    assert_same(run.result, serial(spec))
