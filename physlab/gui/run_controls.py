"""A lab's run controls: Run / Pause / Stop / Reset and the progress bar, and the one-line status
of the run that the window's status bar shows while the lab is on screen."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6 import QtWidgets

from physlab.core.eta import duration
from physlab.core.runner import RunState, Snapshot

SCALE = 1000  # progress bar units per run


@dataclass(frozen=True)
class RunStatus:
    """What a lab's run is doing, for the status bar: ``busy`` while it builds (no fraction yet)."""

    text: str
    progress: float = 0.0  # 0..1
    rate: float = 0.0  # steps/s, 0 when not running
    busy: bool = False


BUILDING = "building (compiling kernels on first use)…"
FIRST_STEP = "first step (compiling kernels on first use)…"
READY = "ready — press Run (Ctrl+R)"


def seconds_left(snap: Snapshot) -> float | None:
    """How long the run still takes at its speed so far (None before the speed is known)."""
    if snap.steps_per_second <= 0 or snap.steps_done <= 0:
        return None
    return max(snap.total_steps - snap.steps_done, 0) / snap.steps_per_second


def describe(title: str, state: RunState, message: str, snap: Snapshot | None) -> RunStatus:
    """The status line of lab ``title`` whose run is in ``state`` (with its last ``message``)
    and shows ``snap``."""
    fraction = 0.0 if snap is None else snap.steps_done / max(snap.total_steps, 1)
    if state in (RunState.RUNNING, RunState.PAUSED) and snap is not None:
        paused = state == RunState.PAUSED
        where = f"step {snap.steps_done:,}/{snap.total_steps:,}"
        left = seconds_left(snap)
        if not paused and snap.steps_done == 0:  # the first call may compile for minutes
            return RunStatus(f"{title}: {where}, {FIRST_STEP}", 0.0, busy=True)
        if not paused and left is not None:
            where += f", about {duration(left)} left"
        return RunStatus(
            f"{title}: {'paused at ' if paused else ''}{where}",
            fraction,
            0.0 if paused else snap.steps_per_second,
        )
    text = {RunState.BUILDING: BUILDING, RunState.IDLE: READY}.get(state, message or state.value)
    return RunStatus(f"{title}: {text}", fraction, busy=state == RunState.BUILDING)


class RunControls(QtWidgets.QWidget):
    """The buttons (their ``clicked`` signals are the tab's to connect) and the progress bar."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.run_button = QtWidgets.QPushButton("Run")
        self.pause_button = QtWidgets.QPushButton("Pause")
        self.stop_button = QtWidgets.QPushButton("Stop")
        self.reset_button = QtWidgets.QPushButton("Reset")
        for button, tip in (
            (self.run_button, "Start a run with these parameters (Ctrl+R)"),
            (self.pause_button, "Pause / resume (Ctrl+P)"),
            (self.stop_button, "Stop the run, keep its data (Esc)"),
            (self.reset_button, "Stop and clear the plots (Ctrl+Shift+R)"),
        ):
            button.setToolTip(tip)
        self.progress = QtWidgets.QProgressBar()
        self.progress.setObjectName("progress")
        self.progress.setRange(0, SCALE)
        self.progress.setFormat("")
        self.progress.setToolTip("progress of the run (a moving bar: compiling or building)")
        layout = QtWidgets.QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.run_button, 0, 0)
        layout.addWidget(self.pause_button, 0, 1)
        layout.addWidget(self.stop_button, 1, 0)
        layout.addWidget(self.reset_button, 1, 1)
        layout.addWidget(self.progress, 2, 0, 1, 2)
        self.set_state(RunState.IDLE)

    def set_state(self, state: RunState, snap: Snapshot | None = None) -> None:
        self.pause_button.setText("Resume" if state == RunState.PAUSED else "Pause")
        self.pause_button.setEnabled(state in (RunState.RUNNING, RunState.PAUSED))
        self.stop_button.setEnabled(state.active)
        self.progress.setRange(0, 0 if state == RunState.BUILDING else SCALE)  # busy: building
        if snap is not None and state != RunState.BUILDING:
            self.show_steps(snap, paused=state == RunState.PAUSED)

    def show_steps(self, snap: Snapshot, paused: bool = False) -> None:
        done, total = snap.steps_done, snap.total_steps
        self.progress.setRange(0, SCALE)
        self.progress.setValue(int(SCALE * done / max(total, 1)))
        self.progress.setFormat(f"{'paused at ' if paused else ''}{done:,} / {total:,}")

    def clear(self) -> None:
        self.progress.setRange(0, SCALE)
        self.progress.setValue(0)
        self.progress.setFormat("")
