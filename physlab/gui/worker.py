"""The Qt side of the runner: turns the core runner's callbacks (called on a background thread)
into queued Qt signals, so results reach the GUI thread by signal and no widget is touched
elsewhere.

A lab runs in its own worker process (:class:`~physlab.core.process_runner.ProcessRunner`): no
GIL shared with painting, Stop and closing that never wait for a kernel, a crash that stays in
the worker. A lab the worker could not rebuild from its name (an experiment class defined inside
a function, a lab that is not installed) runs in a thread of this process as before
(:class:`~physlab.core.runner.Runner`), and so does every lab with ``PHYSLAB_WORKER=thread`` in
the environment (to compare the two). The window's ``warm_pool`` holds the workers its warm-up
started at launch, until each lab's first run takes its own.

At most one "frame ready" notification is in flight at a time (the runner coalesces them), so a
fast simulation never builds up a queue of frames: the GUI takes the latest snapshot when it gets
round to it. Snapshots and states from a run that has since been replaced are dropped here, by
their run id: so a run stopped or replaced while it builds never blocks the GUI thread and never
disturbs the next one. Only :meth:`QtRunner.shutdown` (closing the app) ends the workers: a
process is killed at once, a thread waited for a bounded time.
"""

from __future__ import annotations

import functools
import os
import pickle
import warnings
from collections.abc import Callable
from typing import Any

from PySide6 import QtCore

from physlab.catalog import all_labs, lab_with
from physlab.core.lab_process import LabProcess, WarmPool
from physlab.core.process_runner import ProcessRunner
from physlab.core.registry import Lab
from physlab.core.runner import Runner, RunState, Snapshot


def process_recipe(lab: Lab) -> Callable[[], Lab] | None:
    """How a worker process rebuilds ``lab`` (a picklable call), or None if it cannot."""
    if os.environ.get("PHYSLAB_WORKER") == "thread":
        return None
    with warnings.catch_warnings():  # a lab that did not load was reported with the window
        warnings.simplefilter("ignore")
        if lab.name not in all_labs():
            return None
    recipe = functools.partial(lab_with, lab.name, lab.experiment, lab.choose)
    try:
        pickle.dumps(recipe)
    except (pickle.PicklingError, AttributeError, TypeError):
        return None
    return recipe


def warm_lab(lab: Lab, pool: WarmPool) -> None:
    """Compile ``lab``'s kernels where its runs will run: in a worker process started now (and
    kept in ``pool`` for the lab's first run), or in this one for a lab that runs in a thread.
    Blocks until done; raises with what went wrong."""
    recipe = process_recipe(lab)
    if recipe is None:
        lab.warmup()
        return
    failure = pool.warm(recipe, lab.name)
    if failure:
        raise RuntimeError(failure)


class QtRunner(QtCore.QObject):
    frameArrived = QtCore.Signal(object)  # Snapshot
    stateChanged = QtCore.Signal(object, str)  # RunState, message

    _notifyFrame = QtCore.Signal(int)
    _notifyState = QtCore.Signal(int, object, str)

    def __init__(self, lab: Lab, parent=None):
        super().__init__(parent)
        self._lab_name = lab.name
        recipe = process_recipe(lab)
        self.runner: Any
        if recipe is None:
            self.runner = Runner(lab.build, listener=self)
        else:
            self.runner = ProcessRunner(recipe, lab.name, lab.title, self, self._warm_worker)
        self._notifyFrame.connect(self._on_frame, QtCore.Qt.ConnectionType.QueuedConnection)
        self._notifyState.connect(self._on_state, QtCore.Qt.ConnectionType.QueuedConnection)

    def _warm_worker(self) -> LabProcess | None:
        """The worker the window's warm-up started for this lab, if any (GUI thread)."""
        parent = self.parent()
        pool = getattr(parent.window(), "warm_pool", None) if parent is not None else None
        return pool.take(self._lab_name) if isinstance(pool, WarmPool) else None

    # Listener protocol (worker thread): only emit.
    def frame_ready(self, run_id: int) -> None:
        self._notifyFrame.emit(run_id)

    def state_changed(self, run_id: int, state: RunState, message: str) -> None:
        self._notifyState.emit(run_id, state, message)

    # GUI thread.
    def _on_frame(self, run_id: int) -> None:
        snap: Snapshot | None = self.runner.take()
        if snap is not None and snap.run_id == self.runner.run_id:
            self.frameArrived.emit(snap)

    def _on_state(self, run_id: int, state: RunState, message: str) -> None:
        if run_id == self.runner.run_id:
            self.stateChanged.emit(state, message)

    @property
    def state(self) -> RunState:
        return self.runner.state

    @property
    def run_id(self) -> int:
        """The current run's id (snapshots from other runs are stale)."""
        return self.runner.run_id

    @property
    def message(self) -> str:
        """The current run's last message (e.g. why it diverged)."""
        return self.runner.message

    @property
    def alive(self) -> bool:
        return self.runner.alive

    def take(self) -> Snapshot | None:
        """The latest snapshot, even one whose "frame ready" signal is still queued."""
        return self.runner.take()

    def start(self, params: dict, seed: int) -> int:
        return self.runner.start(params, seed)

    def pause(self) -> None:
        self.runner.pause()

    def resume(self) -> None:
        self.runner.resume()

    def stop(self) -> None:
        """Ask the run to stop; never waits (a run still building is abandoned at once)."""
        self.runner.stop()

    def request_stop(self) -> None:
        self.runner.request_stop()

    def shutdown(self, timeout: float) -> bool:
        """Silence every run: a worker process is killed, a thread waited for up to ``timeout``
        s (closing the app)."""
        return self.runner.shutdown(timeout)

    def reset(self) -> None:
        self.runner.reset()

    def update(self, name: str, value) -> None:
        self.runner.update(name, value)
