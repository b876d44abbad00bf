"""The Qt-free keeper of a tab's runs: the record of the run on screen, kept once when it ends,
never for a replaced run, and a session's state round-tripping through it."""

import numpy as np

from physlab.catalog import get_lab
from physlab.core.run_keeper import RunKeeper
from physlab.core.runner import RunState, Snapshot
from physlab.core.session import LabState

LAB = get_lab("collapse")


def snap(run_id, steps=3, total=3):
    return Snapshot(
        run_id, {"x": np.arange(steps, dtype=float)}, steps, total, 10.0, 0.3, {"note": "s"}
    )


def test_a_run_is_recorded_with_its_parameters_and_progress():
    keeper = RunKeeper(LAB)
    assert keeper.record(RunState.IDLE) is None
    params = LAB.spec.defaults()
    keeper.begin(params, 7)
    keeper.snapshot = snap(1, steps=1, total=4)
    record = keeper.record(RunState.RUNNING)
    assert record.seed == 7 and record.params == params
    assert record.meta["steps_done"] == 1 and record.meta["stopped"]
    params["generations"] = 99  # the keeper holds its own copy
    assert keeper.params["generations"] != 99


def test_an_ended_run_is_kept_once_and_a_replaced_one_never():
    keeper = RunKeeper(LAB)
    keeper.begin(LAB.spec.defaults(), 0)
    assert keeper.end(snap(1), run_id=2, state=RunState.FINISHED) is None  # replaced run
    assert keeper.end(None, run_id=1, state=RunState.FINISHED) is None  # nothing on screen
    record = keeper.end(snap(1), run_id=1, state=RunState.DIVERGED, message="blew up")
    assert record is keeper.current and record.meta["divergence"] == "blew up"
    assert keeper.end(snap(1), run_id=1, state=RunState.FINISHED) is None  # once
    keeper.clear()
    assert keeper.record(RunState.IDLE) is None and keeper.params is not None
    keeper.forget()
    assert keeper.params is None


def test_session_state_puts_the_run_on_screen_last_and_restores_it():
    keeper = RunKeeper(LAB)
    keeper.begin(LAB.spec.defaults(), 1)
    first = keeper.end(snap(1, steps=2), 1, RunState.FINISHED)
    keeper.begin({**LAB.spec.defaults(), "generations": 4}, 2)
    keeper.snapshot = snap(2)
    controls = {**LAB.spec.defaults(), "generations": 9}
    state = keeper.session_state(controls, 5, [first], RunState.STOPPED)
    assert state.params == controls and state.seed == 5
    assert [r.seed for r in state.runs] == [1, 2] and state.runs[-1].params["generations"] == 4

    other = RunKeeper(LAB)
    assert other.restore(LabState(params=controls, seed=5)) is None and other.params is None
    run = other.restore(state)
    assert run is state.runs[-1] and other.current is run and other.seed == 2
    assert other.snapshot.steps_done == 3 and other.snapshot.total_steps == 3
    np.testing.assert_array_equal(other.snapshot.frame["x"], [0.0, 1.0, 2.0])
    assert other.record(RunState.IDLE) is run
