"""Experiments that misbehave the ways a worker process must survive, at module level so that a
worker process (spawned: it imports them by name) can build them. The seed picks the misbehaviour,
so one lab serves a test's bad run and its good next run."""

import os
import signal
import time

import numpy as np

from physlab.collapse import LAB as COLLAPSE
from physlab.core.experiment import SteppedExperiment
from physlab.core.frames import FrameKey, FrameSpec
from physlab.core.params import Param, ParamSpec
from physlab.core.registry import Lab

BLOCKING_BUILD, BLOCKING_STEP, SEGFAULT, SLOW_FIRST_STEP = 1, 2, 3, 4  # seeds
FIRST_STEP_SECONDS = 3.0  # SLOW_FIRST_STEP's first step: a cold compile

SPEC = ParamSpec(
    [
        Param("steps", "int", 20, "steps", low=1, high=10**9),
        Param("rate", "float", 1.0, "what each step adds (live)", low=0.0, high=10.0, live=True),
    ]
)


class Misbehaving(SteppedExperiment):
    """Adds ``rate`` per step to a trace; blocks in a call that cannot be interrupted (as a
    cold compile does) or crashes its process, depending on the seed."""

    spec = SPEC

    def __init__(self, params, seed):
        super().__init__(params, seed)
        if seed == BLOCKING_BUILD:
            time.sleep(600)
        self.x = [0.0]

    def advance(self, n):
        if self.seed == SEGFAULT:
            os.kill(os.getpid(), signal.SIGSEGV)
        if self.seed == BLOCKING_STEP and self.step > 0:
            time.sleep(600)
        n = min(n, self.total_steps - self.step)
        self.x.extend(self.x[-1] + self.params["rate"] * np.arange(1, n + 1))
        self.step += n
        time.sleep(0.001 * n)  # slow enough to be stopped, changed and paused

    def frame(self):
        return {"step": np.arange(len(self.x)), "x": np.array(self.x)}


def fake_lab() -> Lab:
    return Lab(
        name="misbehaving",
        title="Misbehaving",
        summary="a lab that blocks or crashes on purpose",
        spec=SPEC,
        experiment=Misbehaving,
        tab="",
        frame_spec=FrameSpec(
            [FrameKey("step", ("T",), "int64", "step"), FrameKey("x", ("T",), "float64", "x")]
        ),
    )


class MisbehavingCollapse(COLLAPSE.choose(COLLAPSE.spec.defaults())):
    """The Collapse lab's default experiment, blocking in its build, crashing its process or
    slow in its first step only (as a cold compile is) by the seed (as :class:`Misbehaving`)."""

    def __init__(self, params, seed):
        if seed == BLOCKING_BUILD:
            time.sleep(600)
        super().__init__(params, seed)

    def advance(self, n):
        if self.seed == SEGFAULT:
            os.kill(os.getpid(), signal.SIGSEGV)
        if self.seed == SLOW_FIRST_STEP and self.steps_done == 0:
            time.sleep(FIRST_STEP_SECONDS)
        super().advance(n)


def lab_whose_warm_up_fails() -> Lab:
    import dataclasses

    return dataclasses.replace(fake_lab(), warmup_params=({"steps": 0},))  # below its range
