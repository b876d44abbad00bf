"""The Qt side of the runner: turns the core Runner's callbacks (called on its worker thread) into
queued Qt signals, so results reach the GUI thread by signal and no widget is touched elsewhere.

At most one "frame ready" notification is in flight at a time (the runner coalesces them), so a
fast simulation never builds up a queue of frames: the GUI takes the latest snapshot when it gets
round to it. Snapshots and states from a run that has since been replaced are dropped here.
"""
from __future__ import annotations

from typing import Callable

from PySide6 import QtCore

from physlab.core.experiment import Experiment
from physlab.core.runner import Runner, RunState, Snapshot


class QtRunner(QtCore.QObject):
    frameArrived = QtCore.Signal(object)  # Snapshot
    stateChanged = QtCore.Signal(object, str)  # RunState, message

    _notifyFrame = QtCore.Signal(int)
    _notifyState = QtCore.Signal(int, object, str)

    def __init__(self, build: Callable[[dict, int], Experiment], parent=None):
        super().__init__(parent)
        self.runner = Runner(build, listener=self)
        self._notifyFrame.connect(self._on_frame, QtCore.Qt.ConnectionType.QueuedConnection)
        self._notifyState.connect(self._on_state, QtCore.Qt.ConnectionType.QueuedConnection)

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

    def start(self, params: dict, seed: int) -> int:
        return self.runner.start(params, seed)

    def pause(self) -> None:
        self.runner.pause()

    def resume(self) -> None:
        self.runner.resume()

    def stop(self) -> bool:
        """Stop and wait; a worker still running after the wait (a cold JIT compile) is detached,
        so it never signals this object after its owner is gone."""
        stopped = self.runner.stop()
        if not stopped:
            self.runner.detach()
        return stopped

    def request_stop(self) -> None:
        self.runner.request_stop()

    def reset(self) -> None:
        self.runner.reset()

    def update(self, name: str, value) -> None:
        self.runner.update(name, value)
