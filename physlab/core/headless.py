"""Running a lab headless to completion and saving it: what ``physlab run`` does, shared with the
GUI's data export so both write the same arrays and the same metadata."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from .experiment import Experiment, drive
from .export import build_meta, write_run
from .registry import Lab


def run_meta(
    lab: Lab,
    params: dict,
    seed: int,
    *,
    steps_done: int,
    total_steps: int,
    divergence: str | None,
    wall_time: float,
    stopped: bool,
    summary: dict,
) -> dict:
    """The metadata of a saved run (the CLI and the GUI export write the same fields)."""
    return build_meta(
        lab.name,
        params,
        seed,
        wall_time=round(wall_time, 4),
        steps_done=steps_done,
        total_steps=total_steps,
        diverged=divergence is not None,
        divergence=divergence or "",
        stopped=stopped,
        summary=summary,
    )


def run_to_completion(
    lab: Lab,
    params: dict,
    seed: int,
    progress: Callable[[Experiment, float], None] = lambda e, t: None,
    should_stop: Callable[[], bool] = lambda: False,
) -> tuple[Experiment, float]:
    """Build and run to the end, or until ``should_stop()`` (checked between chunks, and inside
    steps that take seconds); returns the experiment and the wall time."""
    t0 = time.perf_counter()
    exp = lab.build(params, seed)
    drive(
        exp,
        on_chunk=lambda e: progress(e, time.perf_counter() - t0),
        target_seconds=0.1,
        should_stop=should_stop,
    )
    return exp, time.perf_counter() - t0


def experiment_meta(lab: Lab, exp: Experiment, wall_time: float, stopped: bool = False) -> dict:
    """:func:`run_meta` of an experiment as it stands."""
    return run_meta(
        lab,
        exp.params,
        exp.seed,
        steps_done=exp.steps_done,
        total_steps=exp.total_steps,
        divergence=exp.diverged,
        wall_time=wall_time,
        stopped=stopped,
        summary=exp.summary(),
    )


def save(lab: Lab, exp: Experiment, path: Path, wall_time: float, stopped: bool = False) -> Path:
    return write_run(path, exp.frame(), experiment_meta(lab, exp, wall_time, stopped))
