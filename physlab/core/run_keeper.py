"""What a lab's tab keeps of its runs, without Qt: the run on screen (its parameters, seed and
latest snapshot), its record once it has ended, the earlier runs kept for comparison, and the
lab's share of a saved session (:class:`~physlab.core.session.LabState`)."""

from __future__ import annotations

from collections.abc import Sequence

from .headless import run_meta
from .registry import Lab
from .runner import RunState, Snapshot
from .session import LabState, RunRecord

ENDED = (RunState.FINISHED, RunState.STOPPED, RunState.DIVERGED)


class RunKeeper:
    """The runs of one lab: the one on screen, and its record when it ends."""

    def __init__(self, lab: Lab):
        self.lab = lab
        self.params: dict | None = None  # the run on screen's parameters (None before a run)
        self.seed = 0
        self.snapshot: Snapshot | None = None  # its latest frame
        self.current: RunRecord | None = None  # its record, once it has ended

    def begin(self, params: dict, seed: int) -> None:
        """A new run starts: nothing of it is on screen yet."""
        self.params, self.seed = dict(params), int(seed)
        self.snapshot = None
        self.current = None

    def clear(self) -> None:
        """Nothing on screen any more (Reset); the parameters stay for the history's labels."""
        self.snapshot = None
        self.current = None

    def forget(self) -> None:
        """Nothing on screen and no run to compare with (a preset was chosen)."""
        self.clear()
        self.params = None

    def record(self, state: RunState, message: str = "") -> RunRecord | None:
        """The run on screen with its metadata (None before the first run)."""
        if self.current is not None:
            return self.current
        snap = self.snapshot
        if snap is None or self.params is None:
            return None
        meta = run_meta(
            self.lab,
            self.params,
            self.seed,
            steps_done=snap.steps_done,
            total_steps=snap.total_steps,
            wall_time=snap.elapsed,
            divergence=message if state == RunState.DIVERGED else None,
            stopped=state != RunState.FINISHED,
            summary=snap.summary,
        )
        return RunRecord(dict(self.params), self.seed, snap.frame, meta)

    def end(
        self, snapshot: Snapshot | None, run_id: int, state: RunState, message: str = ""
    ) -> RunRecord | None:
        """The current run (``run_id``) has ended in ``state``: its record, the first time only
        (None for a replaced run or one already kept)."""
        if snapshot is None or self.current is not None or snapshot.run_id != run_id:
            return None
        self.snapshot = snapshot
        self.current = self.record(state, message)
        return self.current

    def session_state(
        self, params: dict, seed: int, kept: Sequence[RunRecord], state: RunState, message: str = ""
    ) -> LabState:
        """The lab's part of a session: the controls (``params``, ``seed``) and the ``kept``
        runs, with the one on screen last."""
        runs = [r for r in kept if r is not self.current]
        current = self.record(state, message)
        if current is not None:
            runs.append(current)
        return LabState(params=dict(params), seed=int(seed), runs=runs)

    def restore(self, state: LabState) -> RunRecord | None:
        """Put a saved session's last run on screen; returns it (None if it has no runs)."""
        self.forget()
        if not state.runs:
            return None
        run = state.runs[-1]
        meta = run.meta
        self.current, self.params, self.seed = run, dict(run.params), run.seed
        self.snapshot = Snapshot(
            -1,
            run.frame,
            int(meta.get("steps_done", 0)),
            int(meta.get("total_steps", 0)),
            0.0,
            float(meta.get("wall_time", 0.0)),
            meta.get("summary", {}),
        )
        return run
