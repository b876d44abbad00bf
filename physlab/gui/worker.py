"""The Qt side of the runner: turns the core Runner's callbacks (called on its worker thread) into
queued Qt signals, so results reach the GUI thread by signal and no widget is touched elsewhere.

At most one "frame ready" notification is in flight at a time (the runner coalesces them), so a
fast simulation never builds up a queue of frames: the GUI takes the latest snapshot when it gets
round to it. Snapshots and states from a run that has since been replaced are dropped here, by
their run id: so a run stopped or replaced while it builds never blocks the GUI thread and never
disturbs the next one. Only :meth:`QtRunner.shutdown` (closing the app) waits for the workers.
"""

from __future__ import annotations

from collections.abc import Callable

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
        """Silence every run and wait up to ``timeout`` s for the threads (closing the app)."""
        return self.runner.shutdown(timeout)

    def reset(self) -> None:
        self.runner.reset()

    def update(self, name: str, value) -> None:
        self.runner.update(name, value)
