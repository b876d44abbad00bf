"""The runner the GUI uses: the same controls and listener as :class:`~.runner.Runner`, but the
experiment runs in the lab's worker process (:mod:`.lab_process`), so nothing here ever waits
for a kernel.

- Start sends the parameters; the run reads "building" at once and "running" when the worker
  has built it. A worker busy with an earlier run starts the new one at once all the same (its
  runner abandons a build, and stops a running chunk at the next boundary).
- Stop, Pause, Resume, Reset and live changes are one message each. A run still building reads
  "stopped" at once; a running one when the worker has finished its chunk, or after
  :data:`STOP_GRACE` seconds if the chunk is a long one (a first-call compile, say).
- Closing kills the process: no compile, however cold, holds the app open.
- A worker that dies during a run (a crash in compiled code) fails the run with a message that
  names the lab; the next Run starts a new worker.

Frames arrive as deltas; the decoded snapshot is kept as the latest, and taking it is what lets
the worker send the next one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from .frame_delta import FrameDecoder
from .lab_process import LabProcess, death
from .runner import Listener, RunBook, RunState, Snapshot

STOP_GRACE = 0.5  # seconds a running chunk may take to notice Stop before the run reads stopped


class ProcessRunner(RunBook):
    """Runs the experiments of the lab ``make_lab()`` builds (named ``title`` in messages) in a
    worker process; ``source()`` may hand over one already started (warm), or None."""

    def __init__(
        self,
        make_lab: Callable[[], Any],
        name: str,
        title: str,
        listener: Listener | None = None,
        source: Callable[[], LabProcess | None] = lambda: None,
    ):
        super().__init__(listener)
        self._make_lab, self._name, self._title, self._source = make_lab, name, title, source
        self._proc: LabProcess | None = None
        self._decoder = FrameDecoder()
        self._decoding = 0  # the run whose frames the decoder holds
        self._unacked = False  # a frame has arrived that the worker waits to hear was taken

    # -- control (GUI thread) ------------------------------------------------------------------
    def start(self, params: dict, seed: int) -> int:
        """Start a new run in the worker (replacing any current one, without waiting)."""
        run_id = self._next_run()
        self._set_state(run_id, RunState.BUILDING, "")
        self._worker().send("start", run_id, dict(params), seed)
        return run_id

    def pause(self) -> None:
        if self._transition(RunState.RUNNING, RunState.PAUSED):
            self._send("pause")

    def resume(self) -> None:
        if self._transition(RunState.PAUSED, RunState.RUNNING):
            self._send("resume")

    def request_stop(self) -> None:
        self._send("stop")

    def stop(self) -> None:
        """Ask the run to stop; a run still building reads "stopped" at once, a running one when
        its chunk ends (at most :data:`STOP_GRACE` s from now)."""
        self.request_stop()
        with self._lock:
            if self.state == RunState.BUILDING:
                self._set_state(self.run_id, RunState.STOPPED, "stopped before the run started")
            elif self.state.active:
                timer = threading.Timer(STOP_GRACE, self._stopped_anyway, args=(self.run_id,))
                timer.daemon = True
                timer.start()

    def reset(self) -> None:
        """Stop (without waiting) and forget the current run's data."""
        self.request_stop()
        run_id = self._next_run()
        self._set_state(run_id, RunState.IDLE, "")

    def update(self, name: str, value: Any) -> None:
        """A live parameter change, applied by the worker before its next chunk."""
        self._send("update", name, value)

    def take(self) -> Snapshot | None:
        with self._lock:
            snap = super().take()
            if self._unacked:
                self._unacked = False
                self._send("ack")
            return snap

    def join(self, timeout: float | None = None) -> bool:
        """Whether the worker process is gone (it stays, warm, until :meth:`shutdown`)."""
        return not self.alive

    def shutdown(self, timeout: float = 1.0) -> bool:
        """Stop for good: the listener hears nothing more, and the worker is killed at once."""
        with self._lock:
            self._closed = True
            self.run_id += 1
            proc, self._proc = self._proc, None
        if proc is not None:
            proc.kill(timeout)
            return not proc.alive
        return True

    @property
    def alive(self) -> bool:
        proc = self._proc
        return proc is not None and proc.alive

    # -- the worker ----------------------------------------------------------------------------
    def _worker(self) -> LabProcess:
        if self._proc is None or self._proc.dead:
            proc = self._source() or LabProcess(self._make_lab, self._name)
            proc.listen(self._on_message)
            if proc.dead:  # died before it was handed over (its "died" went to the pool)
                proc = LabProcess(self._make_lab, self._name)
                proc.listen(self._on_message)
            self._proc = proc
        return self._proc

    def _send(self, *message: Any) -> None:
        if self._proc is not None:
            self._proc.send(*message)

    def _stopped_anyway(self, run_id: int) -> None:
        with self._lock:
            if run_id == self.run_id and self.state.active:
                steps = self._latest.steps_done if self._latest is not None else 0
                self._set_state(run_id, RunState.STOPPED, f"stopped at step {steps}")

    # -- reader thread -------------------------------------------------------------------------
    def _on_message(self, proc: LabProcess, message: tuple) -> None:
        kind, *args = message
        if proc is not self._proc:
            return  # from a worker this runner has let go of
        if kind == "frame":
            self._on_frame(proc, *args)
        elif kind == "state":
            self._on_state(args[0], RunState(args[1]), args[2])
        elif kind == "died":
            self._on_death(args[0])

    def _on_frame(self, proc: LabProcess, run_id: int, delta: dict, *numbers: Any) -> None:
        with self._lock:
            if run_id != self.run_id:
                proc.send("ack")  # a replaced run's frame: the worker may send the next one
                return
            if run_id != self._decoding:
                self._decoder, self._decoding = FrameDecoder(), run_id
            snap = Snapshot(run_id, self._decoder.decode(delta), *numbers)
            self._unacked = True
            self._store(snap)

    def _on_state(self, run_id: int, state: RunState, message: str) -> None:
        """The worker's state, where it says something new: the GUI process itself decides
        pause and resume, and a run it has already ended stays ended."""
        with self._lock:
            if run_id != self.run_id or not self.state.active:
                return
            if state.active and state == self.state and message == self.message:
                return
            if state in (RunState.RUNNING, RunState.PAUSED) and self.state != RunState.BUILDING:
                if not message:
                    return
                state = self.state  # a note (a refused live change) in the state we are in
            self._set_state(run_id, state, message)

    def _on_death(self, exitcode: int | None) -> None:
        with self._lock:
            self._proc = None
            if self.state.active and not self._closed:
                self._set_state(
                    self.run_id,
                    RunState.FAILED,
                    f"the {self._title} worker process died ({death(exitcode)}); press Run to "
                    "start again",
                )
