"""The GUI's runner runs a lab in a worker process (physlab/core/process_runner.py): frames cross
as deltas, live changes reach the worker, Stop never waits for a kernel (blocking builds and
steps stand in for a cold numba compile), and a worker that crashes fails only its run. Times
are not tested (benchmarks/gui_probe.py measures them): only what happens, in which order."""

import time

import numpy as np
import pytest

from physlab.core.frame_delta import FULL, SAME, TAIL, FrameDecoder, FrameEncoder
from physlab.core.lab_process import WarmPool
from physlab.core.process_runner import ProcessRunner
from physlab.core.runner import RunState
from tests.core import worker_fakes as fakes

WAIT = 120.0  # seconds: generous on a loaded 2-core machine (a worker starts in ~1–5 s)


def wait_for(condition, timeout=WAIT):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


class Heard:
    def __init__(self):
        self.states = []

    def frame_ready(self, run_id):
        pass

    def state_changed(self, run_id, state, message):
        self.states.append((run_id, state, message))


@pytest.fixture
def runner():
    heard = Heard()
    run = ProcessRunner(fakes.fake_lab, "misbehaving", "Misbehaving", heard)
    run.heard = heard
    yield run
    run.shutdown()
    assert not run.alive


def finish(runner):
    """Take frames as a GUI would (taking lets the worker send the next) until the run ends."""
    wait_for(lambda: runner.take() is not None and not runner.state.active)
    return runner.take()


def drain(runner):
    """The worker's latest frame (one arrives per frame taken: take until none is left)."""
    for _ in range(10):
        runner.take()
        time.sleep(0.05)
    return runner.take()


def test_frame_deltas_rebuild_every_frame_and_send_only_what_changed():
    encoder, decoder = FrameEncoder(), FrameDecoder()
    trace = np.arange(10.0)
    frames = [
        {"t": trace[:3], "heat": np.zeros((2, 2)), "n": np.int64(3)},
        {"t": trace[:7], "heat": np.ones((2, 2)), "n": np.int64(7)},
        {"t": trace[:7], "heat": np.ones((2, 2))},
        {"t": trace[:10:2], "heat": np.ones((2, 2))},  # a trace that halved its resolution
        {"t": np.array([np.nan, 1.0]), "heat": np.ones((2, 2))},
        {"t": np.array([np.nan, 1.0, 2.0]), "heat": np.ones((2, 2))},
    ]
    kinds = []
    shown = []
    for frame in frames:
        delta = encoder.encode(frame)
        kinds.append({key: part[0] for key, part in delta.items()})
        shown.append(decoder.decode(delta))
    for frame, got in zip(frames, shown):
        assert set(got) == set(frame)
        for key in frame:
            np.testing.assert_array_equal(got[key], frame[key])
    assert kinds[1] == {"t": TAIL, "heat": FULL, "n": FULL}
    assert kinds[2] == {"t": SAME, "heat": SAME}
    assert kinds[3]["t"] == FULL and kinds[5]["t"] == TAIL  # NaN rows compare by their bytes
    fresh = FrameEncoder()
    fresh.encode({"t": trace[:3]})
    assert len(fresh.encode({"t": trace})["t"][1]) == 10 - 3  # only the new rows travel
    np.testing.assert_array_equal(shown[1]["t"], trace[:7])  # earlier frames keep their rows
    with pytest.raises(ValueError):
        shown[1]["t"][0] = 5.0  # frames are read-only views of the decoder's buffers


def test_a_run_streams_from_its_worker_and_a_live_change_reaches_it(runner):
    runner.start({"steps": 3000, "rate": 1.0}, seed=0)
    assert runner.state == RunState.BUILDING
    wait_for(lambda: runner.take() is not None and runner.take().steps_done > 0)
    runner.update("rate", 0.0)
    snap = finish(runner)
    assert runner.state == RunState.FINISHED and "finished 3000 steps" in runner.message
    assert snap.steps_done == snap.total_steps == 3000 and len(snap.frame["x"]) == 3001
    x = snap.frame["x"]
    assert np.all(np.diff(x)[: snap.frame["step"][1]] > 0)  # rate 1 at first …
    assert np.diff(x)[-1] == 0.0  # … and 0 after the change


def test_stop_while_the_build_blocks_does_not_wait_and_the_next_run_works(runner):
    runner.start({"steps": 50}, seed=fakes.BLOCKING_BUILD)
    wait_for(lambda: runner._proc is not None and runner._proc.process.pid is not None)
    runner.stop()
    # stopped now, while the worker is still inside the build (sleeping for minutes)
    assert runner.state == RunState.STOPPED and runner.alive
    runner.start({"steps": 50}, seed=0)
    snap = finish(runner)
    assert runner.state == RunState.FINISHED and snap.steps_done == 50
    assert [s for _, s, _ in runner.heard.states].count(RunState.RUNNING) == 1  # run 2's only


def test_stop_while_a_step_blocks_reads_stopped_while_the_worker_computes(runner):
    runner.start({"steps": 50}, seed=fakes.BLOCKING_STEP)
    wait_for(lambda: runner.state == RunState.RUNNING and runner.take() is not None)
    runner.stop()
    wait_for(lambda: runner.state == RunState.STOPPED)
    assert runner.message.startswith("stopped at step") and runner.alive
    runner.start({"steps": 50}, seed=0)  # the worker serves it beside the stuck step
    assert finish(runner).steps_done == 50 and runner.state == RunState.FINISHED


def test_a_worker_that_segfaults_fails_its_run_naming_the_lab_and_the_next_run_works(runner):
    runner.start({"steps": 50}, seed=fakes.SEGFAULT)
    wait_for(lambda: runner.state == RunState.FAILED)
    assert "Misbehaving worker process died" in runner.message
    assert "SIGSEGV" in runner.message
    runner.start({"steps": 50}, seed=0)
    assert finish(runner).steps_done == 50 and runner.state == RunState.FINISHED


def test_pause_holds_the_worker_and_resume_goes_on(runner):
    runner.start({"steps": 100_000}, seed=0)
    wait_for(lambda: runner.state == RunState.RUNNING and runner.take() is not None)
    runner.pause()
    assert runner.state == RunState.PAUSED
    held = drain(runner).steps_done  # the chunk in flight lands …
    time.sleep(0.5)
    assert drain(runner).steps_done == held  # … and no other
    runner.resume()
    wait_for(lambda: runner.take().steps_done > held)
    assert runner.state == RunState.RUNNING


def test_shutdown_kills_a_worker_inside_a_blocking_call(runner):
    runner.start({"steps": 50}, seed=fakes.BLOCKING_BUILD)
    wait_for(lambda: runner._proc is not None and runner._proc.process.pid is not None)
    proc = runner._proc
    assert runner.shutdown()
    assert not proc.process.is_alive() and not runner.alive
    with pytest.raises(RuntimeError, match="shut down"):
        runner.start({"steps": 50}, seed=0)


def test_the_warm_pool_hands_its_worker_to_the_first_run_and_starts_none_after_it():
    pool = WarmPool()
    assert pool.warm(fakes.fake_lab, "misbehaving") == ""  # returns once the kernels are in
    proc = pool.take("misbehaving")
    assert proc is not None and proc.warmed.is_set() and proc.alive
    runner = ProcessRunner(fakes.fake_lab, "misbehaving", "Misbehaving", Heard(), lambda: proc)
    runner.start({"steps": 20}, seed=0)
    assert finish(runner).steps_done == 20 and runner._proc is proc  # the warm worker ran it
    assert pool.warm(fakes.fake_lab, "misbehaving") == "" and pool.take("misbehaving") is None
    runner.shutdown()
    assert "ParamError" in pool.warm(fakes.lab_whose_warm_up_fails, "broken")
    pool.close()
    assert pool.warm(fakes.fake_lab, "other") == "" and pool.take("other") is None
    assert not proc.alive
