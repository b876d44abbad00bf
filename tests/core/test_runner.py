"""The background runner with a tiny fake experiment (no numba): states, pause/stop, live
updates, stale runs, and errors reported rather than raised."""

import threading
import time

import numpy as np
import pytest

from physlab.core.experiment import Experiment
from physlab.core.params import Param, ParamSpec
from physlab.core.runner import Runner, RunState


class Counter(Experiment):
    spec = ParamSpec(
        [
            Param("steps", "int", 50, "n", low=1, high=10**9),
            Param("rate", "float", 1.0, "added per step", live=True),
            Param("fail_at", "int", -1, "raise at this step", low=-1, high=10**9),
        ]
    )

    def __init__(self, params, seed):
        super().__init__(params, seed)
        self.n, self.total, self.values = 0, 0.0, []

    total_steps = property(lambda self: self.params["steps"])
    steps_done = property(lambda self: self.n)

    def advance(self, k):
        for _ in range(min(k, self.total_steps - self.n)):
            if self.n == self.params["fail_at"]:
                raise RuntimeError("boom")
            time.sleep(0.0005)
            self.total += self.params["rate"]
            self.values.append(self.total)
            self.n += 1

    def frame(self):
        return {"value": np.array(self.values)}


class Recorder:
    def __init__(self):
        self.states, self.frames = [], 0
        self.done = threading.Event()

    def frame_ready(self, run_id):
        self.frames += 1

    def state_changed(self, run_id, state, message):
        self.states.append((run_id, state, message))
        if not state.active:
            self.done.set()


def make(**kw):
    rec = Recorder()
    return Runner(lambda p, s: Counter(p, s), rec, target_seconds=0.005), rec


def test_runs_to_finish_and_publishes_frames():
    runner, rec = make()
    runner.start({"steps": 100}, 0)
    assert rec.done.wait(10)
    assert runner.state == RunState.FINISHED
    snap = runner.take()
    assert snap.steps_done == 100 and len(snap.frame["value"]) == 100
    assert rec.frames >= 1
    assert [s for _, s, _ in rec.states][:2] == [RunState.BUILDING, RunState.RUNNING]


def test_pause_resume_and_stop():
    runner, rec = make()
    runner.start({"steps": 10**6}, 0)
    time.sleep(0.05)
    runner.pause()
    time.sleep(0.05)
    held = runner.take().steps_done
    time.sleep(0.1)
    assert runner.take().steps_done == held  # nothing moves while paused
    runner.resume()
    time.sleep(0.05)
    assert runner.take().steps_done > held
    runner.stop()
    assert runner.join(10)
    assert runner.state == RunState.STOPPED and not runner.alive


def test_live_update_applies_at_next_chunk():
    runner, rec = make()
    runner.start({"steps": 10**6}, 0)
    time.sleep(0.05)
    runner.update("rate", 0.0)
    time.sleep(0.05)
    before = runner.take().frame["value"][-1]
    time.sleep(0.05)
    runner.stop()
    runner.join(10)
    after = runner.take().frame["value"][-1]
    assert after == before


def test_new_run_replaces_old_and_old_frames_are_dropped():
    runner, rec = make()
    first = runner.start({"steps": 10**6}, 0)
    time.sleep(0.02)
    second = runner.start({"steps": 10}, 0)
    assert second == first + 1
    assert rec.done.wait(10)
    while runner.state.active:
        time.sleep(0.01)
    assert runner.take().run_id == second
    assert all(run_id == second for run_id, s, _ in rec.states if s == RunState.FINISHED)


def test_errors_reach_the_listener_as_a_message():
    runner, rec = make()
    runner.start({"steps": 100, "fail_at": 10}, 0)
    assert rec.done.wait(10)
    assert runner.state == RunState.FAILED and "boom" in runner.message


def test_bad_params_fail_cleanly():
    runner, rec = make()
    runner.start({"steps": -5}, 0)
    assert rec.done.wait(10)
    assert runner.state == RunState.FAILED and "steps" in runner.message


def test_a_shut_down_runner_no_longer_calls_its_listener():
    runner, rec = make()
    runner.start({"steps": 400}, 0)
    time.sleep(0.02)
    assert runner.shutdown(10)
    seen = (len(rec.states), rec.frames)
    time.sleep(0.02)
    assert (len(rec.states), rec.frames) == seen  # not even the final STOPPED
    with pytest.raises(RuntimeError, match="shut down"):
        runner.start({"steps": 10}, 0)


def test_stop_while_building_neither_waits_nor_silences_the_next_run():
    """A build that cannot be interrupted (a cold JIT compile): stop returns at once and reads
    stopped; the next run streams to the same listener; the abandoned build ends quietly."""
    release = threading.Event()
    builds = []

    def build(params, seed):
        builds.append(seed)
        if seed == 1:
            assert release.wait(30)
        return Counter(params, seed)

    rec = Recorder()
    runner = Runner(build, rec, target_seconds=0.005)
    first = runner.start({"steps": 10}, 1)
    while not builds:
        time.sleep(0.001)
    runner.stop()  # returns while the build still blocks
    assert runner.state == RunState.STOPPED and runner.alive
    rec.done.clear()
    second = runner.start({"steps": 20}, 2)
    assert rec.done.wait(10) and runner.state == RunState.FINISHED
    assert runner.take().steps_done == 20 and rec.frames >= 1
    release.set()
    assert runner.join(10)
    assert [s for run_id, s, _ in rec.states if run_id == first] == [
        RunState.BUILDING,
        RunState.STOPPED,
    ]
    assert {run_id for run_id, _, _ in rec.states} == {first, second}


def test_a_live_update_never_goes_to_a_replaced_run():
    runner, rec = make()
    runner.start({"steps": 10**6}, 0)
    time.sleep(0.02)
    runner.start({"steps": 10**6}, 0)
    runner.update("rate", 0.0)
    time.sleep(0.1)
    frame = runner.take().frame["value"]
    runner.stop()
    assert runner.join(10)
    assert frame[-1] < len(frame)  # the rate change reached the current run
