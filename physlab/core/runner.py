"""The background runner: one experiment at a time in a worker thread, in chunks (no Qt here).

The worker builds the experiment (JIT compilation and set-up happen off the caller's thread), then
calls :func:`~physlab.core.experiment.drive`. Between chunks it honours pause/stop and applies live
parameter updates. It keeps only the *latest* frame: a consumer that is slower than the simulation
skips frames instead of queueing them. Every run gets a new ``run_id``; frames and state changes
carry it so that a consumer can drop anything from a run it has already replaced.

The listener's callbacks are called from the worker thread; the Qt adapter turns them into queued
signals so that no widget is touched off the GUI thread.

Nothing here waits for a worker except :meth:`Runner.join` (and :meth:`Runner.shutdown`): a run
that is stopped or replaced while it builds (a cold JIT compile cannot be interrupted) is abandoned
at once — its state reads "stopped", its thread finishes the build in the background and exits
without a word, since everything it would report carries a run id that is no longer current.
"""

from __future__ import annotations

import enum
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from .experiment import Experiment, Frame, drive
from .params import ParamError


class RunState(enum.Enum):
    IDLE = "idle"
    BUILDING = "building"
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"
    STOPPED = "stopped"
    DIVERGED = "diverged"
    FAILED = "failed"

    @property
    def active(self) -> bool:
        return self in (RunState.BUILDING, RunState.RUNNING, RunState.PAUSED)


class Listener(Protocol):
    def frame_ready(self, run_id: int) -> None: ...
    def state_changed(self, run_id: int, state: RunState, message: str) -> None: ...


@dataclass
class Snapshot:
    run_id: int
    frame: Frame
    steps_done: int
    total_steps: int
    steps_per_second: float
    elapsed: float
    summary: dict


class RunBook:
    """What every runner keeps about its current run, whatever it runs in: the run id, the state
    and its message, and the latest snapshot (only the latest: a slow consumer skips frames).
    The listener is called under the lock, so that a run replaced meanwhile (``run_id`` moved on)
    is never reported."""

    def __init__(self, listener: Listener | None = None):
        self._listener = listener
        self._lock = threading.RLock()  # a listener may call back into the runner (take)
        self._closed = False
        self._latest: Snapshot | None = None
        self._frame_waiting = False
        self.run_id = 0
        self.state = RunState.IDLE
        self.message = ""

    def _next_run(self, run_id: int | None = None) -> int:
        """Begin a new run (its id: ``run_id`` when given, else the next): no snapshot yet."""
        with self._lock:
            if self._closed:
                raise RuntimeError("this runner has been shut down")
            self.run_id = self.run_id + 1 if run_id is None else run_id
            self._latest = None
            self._frame_waiting = False
            return self.run_id

    def _transition(self, old: RunState, new: RunState) -> bool:
        with self._lock:
            if self.state != old:
                return False
            self.state, self.message = new, ""
            if self._listener is not None:
                self._listener.state_changed(self.run_id, new, "")
        return True

    def take(self) -> Snapshot | None:
        """The latest snapshot (or None); marks it consumed so the next frame signals again."""
        with self._lock:
            self._frame_waiting = False
            return self._latest

    def _store(self, snap: Snapshot) -> None:
        """Keep ``snap`` as the latest, and tell the listener unless it has not taken the last."""
        with self._lock:
            if snap.run_id != self.run_id:
                return
            self._latest = snap
            notify = not self._frame_waiting
            self._frame_waiting = True
            if notify and self._listener is not None:
                self._listener.frame_ready(snap.run_id)

    def _set_state(self, run_id: int, state: RunState, message: str) -> None:
        with self._lock:
            if run_id != self.run_id:
                return
            self.state, self.message = state, message
            if self._listener is not None:
                self._listener.state_changed(run_id, state, message)


class Runner(RunBook):
    """Runs experiments built by ``build(params, seed)`` in a background thread."""

    def __init__(
        self,
        build: Callable[[dict, int], Experiment],
        listener: Listener | None = None,
        target_seconds: float = 0.03,
    ):
        super().__init__(listener)
        self._build = build
        self._target = target_seconds
        self._thread: threading.Thread | None = None  # the current run's
        self._threads: list[threading.Thread] = []  # every run's that may still be alive
        self._stop = threading.Event()
        self._resume = threading.Event()
        self._pending: dict[str, Any] = {}

    # -- control (any thread) ------------------------------------------------------------------
    def start(self, params: dict, seed: int, run_id: int | None = None) -> int:
        """Stop any current run (without waiting for it), then start a new one; returns its id
        (``run_id`` when given: a worker process runs under its GUI's ids)."""
        self.stop()
        run_id = self._next_run(run_id)
        with self._lock:
            self._pending = {}
        self._stop = threading.Event()
        self._resume = threading.Event()
        self._resume.set()
        self._set_state(run_id, RunState.BUILDING, "")
        self._thread = threading.Thread(
            target=self._work,
            args=(run_id, dict(params), seed, self._stop, self._resume),
            name=f"physlab-run-{run_id}",
            daemon=True,
        )
        self._threads = [t for t in self._threads if t.is_alive()] + [self._thread]
        self._thread.start()
        return run_id

    def pause(self) -> None:
        """Hold the run before its next chunk."""
        if self._transition(RunState.RUNNING, RunState.PAUSED):
            self._resume.clear()

    def resume(self) -> None:
        if self._transition(RunState.PAUSED, RunState.RUNNING):
            self._resume.set()

    def request_stop(self) -> None:
        """Ask the current run to stop after its current chunk, without waiting."""
        self._stop.set()
        self._resume.set()

    def stop(self) -> None:
        """Ask the current run to stop, without waiting. A run still building is abandoned at
        once (state STOPPED now; its thread exits quietly when the build returns)."""
        self.request_stop()
        with self._lock:
            if self.state == RunState.BUILDING:
                self._set_state(self.run_id, RunState.STOPPED, "stopped before the run started")

    def join(self, timeout: float | None = None) -> bool:
        """Wait up to ``timeout`` seconds in all for every run's thread; True if none is left."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in list(self._threads):
            if thread is threading.current_thread():
                continue
            thread.join(None if deadline is None else max(deadline - time.monotonic(), 0.0))
        self._threads = [t for t in self._threads if t.is_alive()]
        return not self._threads

    def shutdown(self, timeout: float = 10.0) -> bool:
        """Stop for good: the listener hears nothing more from any run, then wait up to
        ``timeout`` seconds for the threads (a cold compile may outlast it: the threads are
        daemons, so they never hold the process open)."""
        self.request_stop()
        with self._lock:
            self._closed = True
            self.run_id += 1  # every message still in flight is now from a replaced run
        return self.join(timeout)

    def reset(self) -> None:
        """Stop (without waiting) and forget the current run's data."""
        self.request_stop()
        with self._lock:
            self.run_id += 1
            self._latest = None
            self._frame_waiting = False
        self._set_state(self.run_id, RunState.IDLE, "")

    def update(self, name: str, value: Any) -> None:
        """Queue a live parameter change; the worker applies it before its next chunk."""
        with self._lock:
            self._pending[name] = value

    @property
    def alive(self) -> bool:
        """Whether any run's thread (the current one's, or an abandoned build's) still runs."""
        return any(t.is_alive() for t in self._threads)

    # -- worker thread -------------------------------------------------------------------------
    def _work(
        self, run_id: int, params: dict, seed: int, stop: threading.Event, resume: threading.Event
    ) -> None:
        try:
            exp = self._build(params, seed)
            if stop.is_set():
                return
            self._set_state(run_id, RunState.RUNNING, "")
            t_start = time.perf_counter()
            self._publish(run_id, exp, 0.0, 0.0)

            def before_chunk(e: Experiment) -> None:
                resume.wait()
                with self._lock:  # the updates are for the current run only
                    if run_id != self.run_id:
                        return
                    pending, self._pending = self._pending, {}
                for name, value in pending.items():
                    try:
                        e.update(name, value)
                    except ParamError as err:
                        self._set_state(run_id, self.state, str(err))

            def on_chunk(e: Experiment) -> None:
                elapsed = time.perf_counter() - t_start
                self._publish(run_id, e, e.steps_done / max(elapsed, 1e-9), elapsed)

            drive(
                exp,
                should_stop=stop.is_set,
                before_chunk=before_chunk,
                on_chunk=on_chunk,
                target_seconds=self._target,
            )
            if exp.diverged:
                self._set_state(run_id, RunState.DIVERGED, exp.diverged)
            elif stop.is_set():
                self._set_state(run_id, RunState.STOPPED, f"stopped at step {exp.steps_done}")
            else:
                elapsed = time.perf_counter() - t_start
                self._set_state(
                    run_id, RunState.FINISHED, f"finished {exp.steps_done} steps in {elapsed:.2f} s"
                )
        except ParamError as err:
            self._set_state(run_id, RunState.FAILED, str(err))
        except Exception as err:  # the worker must report, never die silently
            traceback.print_exc()
            self._set_state(run_id, RunState.FAILED, f"{type(err).__name__}: {err}")

    def _publish(self, run_id: int, exp: Experiment, rate: float, elapsed: float) -> None:
        self._store(
            Snapshot(
                run_id, exp.frame(), exp.steps_done, exp.total_steps, rate, elapsed, exp.summary()
            )
        )
