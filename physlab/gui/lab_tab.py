"""The part of every lab's tab that is the same for all labs: it puts the presets, the generated
parameter panel, the seed, the run controls (:mod:`.run_controls`), the banner (:mod:`.banner`)
and the plots together, and passes the runner's events to them. What is kept of the runs lives in
:class:`~physlab.core.run_keeper.RunKeeper` (no Qt), the overlay of earlier runs in
:class:`~.history.RunHistory`.

A lab's tab subclasses :class:`LabTab` and implements ``build_plots`` (returns the plot widget and
the graphics item exported as the figure), ``paint(frame)`` and ``clear_plots``, and may name the
curves earlier runs are overlaid as (``history_traces``).
"""

from __future__ import annotations

import html
import time
from pathlib import Path

import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from physlab.core.eta import LONG_RUN_SECONDS, Eta, duration, settled
from physlab.core.export import ExportError, meta_json, write_run
from physlab.core.params import ParamError
from physlab.core.presets import PresetError, load_preset
from physlab.core.registry import Lab
from physlab.core.run_keeper import ENDED, RunKeeper
from physlab.core.runner import RunState, Snapshot
from physlab.core.session import LabState, RunRecord

from .banner import Banner
from .figure_export import DEFAULT_FIGURE, FigureSettings, export_figure
from .history import RunHistory
from .param_panel import ParamPanel
from .plots import hide_empty_legends, set_curve_antialias
from .preset_box import PresetBox
from .run_controls import READY, RunControls, RunStatus, describe
from .seed_edit import SeedEdit
from .sweep_mode import SweepMode, or_sweep
from .worker import QtRunner

PAINT_HZ = 32  # a little above 30/s: a timer that fires late (never early) still paints 30/s
HIDDEN_PAINT_SECONDS = 1.0  # how often a tab off screen draws its latest frame
RESTART_DELAY_MS = 250  # quiet time after the last change of a restart parameter before re-running


class LabTab(QtWidgets.QWidget):
    status = QtCore.Signal(object)  # RunStatus: this lab's line in the status bar

    def __init__(self, lab: Lab, parent=None):
        super().__init__(parent)
        self.lab = lab
        self.runner = QtRunner(lab, self)
        self.runner.frameArrived.connect(self._on_frame)
        self.runner.stateChanged.connect(self._on_state)
        self.runs = RunKeeper(lab)
        self.run_status = RunStatus(f"{lab.title}: {READY}")
        self._dirty = False
        self._painted_hidden = 0.0  # when the tab last painted off screen (time.monotonic)
        self._warned_run = -1  # the run the long-run note was shown for
        self._eta, self._eta_run = Eta(), -1  # the current run's projection (as the CLI's)
        self._long_note = ""  # the long-run note in the banner, until the run ends

        self.panel = ParamPanel(lab.spec)
        self.panel.changed.connect(self._on_param_changed)
        self.panel.refused.connect(lambda why: self.show_message(why, error=True))
        self.presets = PresetBox(lab.name)
        self.preset_note = self.presets.note
        self.presets.activated.connect(lambda i: self.apply_preset(self.presets.itemData(i)))
        self.seed = SeedEdit()
        self.seed.setObjectName("seed")
        self.seed.setToolTip("random seed: the same parameters and seed give the same run")
        self.seed.valueChanged.connect(lambda _value: self._compare_preset())
        self.controls = RunControls()
        self.run_button, self.pause_button = self.controls.run_button, self.controls.pause_button
        self.stop_button, self.reset_button = self.controls.stop_button, self.controls.reset_button
        self.progress = self.controls.progress
        # the slots take no arguments: clicked(bool) must not arrive as one (issue 13, item 1)
        self.run_button.clicked.connect(lambda: self.run())
        self.pause_button.clicked.connect(lambda: self.toggle_pause())
        self.stop_button.clicked.connect(lambda: self.stop())
        self.reset_button.clicked.connect(lambda: self.reset())

        self.banner = Banner()
        plots, self.figure = self.build_plots()
        self.history = RunHistory(lab.spec, self.history_traces, self.history_view)
        side = self._side()
        right = QtWidgets.QWidget()
        right_layout = QtWidgets.QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.banner)
        right_layout.addWidget(plots, 1)

        single = QtWidgets.QWidget()  # the single-run view; the Sweep view is its sibling
        layout = QtWidgets.QHBoxLayout(single)
        layout.addWidget(side)
        layout.addWidget(right, 1)
        self.sweep_mode = SweepMode(self, single)  # "Single run | Sweep" (gui/sweep_mode.py)

        self._restart = QtCore.QTimer(self)  # debounces re-runs while a restart control is dragged
        self._restart.setSingleShot(True)
        self._restart.setInterval(RESTART_DELAY_MS)
        self._restart.timeout.connect(self.run)
        self._timer = QtCore.QTimer(self)
        self._timer.setInterval(1000 // PAINT_HZ)
        self._timer.timeout.connect(self._paint_if_shown)
        self._timer.start()
        self._update_controls(RunState.IDLE)
        hide_empty_legends(self.figure)
        self.show_message(
            f"{html.escape(lab.summary)}<br><b>Press Run (Ctrl+R)</b> to start with "
            "the defaults, or pick a preset: each one reproduces a published "
            "figure."
        )

    def _side(self) -> QtWidgets.QWidget:
        """The column left of the plots: preset, seed, parameters, run controls, history."""
        side = QtWidgets.QWidget()
        side_layout = QtWidgets.QVBoxLayout(side)
        top = QtWidgets.QFormLayout()
        top.addRow("Preset", self.presets)
        top.addRow("Seed", self.seed)
        side_layout.addLayout(top)
        side_layout.addWidget(self.preset_note)
        scroll = QtWidgets.QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.panel)
        scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        side_layout.addWidget(scroll, 1)
        side_layout.addWidget(self.controls)
        self.overlay = QtWidgets.QCheckBox("Overlay earlier runs")
        self.overlay.setObjectName("overlay")
        self.overlay.setChecked(True)
        self.overlay.setToolTip(
            "draw the last runs of this lab in grey under the current one, "
            "labelled by what differed"
        )
        self.overlay.toggled.connect(self._toggle_overlay)
        self.clear_history_button = QtWidgets.QPushButton("Clear")
        self.clear_history_button.setToolTip("forget the earlier runs")
        self.clear_history_button.clicked.connect(lambda: self.clear_history())
        history_row = QtWidgets.QHBoxLayout()
        history_row.addWidget(self.overlay, 1)
        history_row.addWidget(self.clear_history_button)
        side_layout.addLayout(history_row)
        side.setMinimumWidth(300)
        side.setMaximumWidth(380)
        return side

    # -- for subclasses ------------------------------------------------------------------------
    def build_plots(self) -> tuple[QtWidgets.QWidget, pg.GraphicsObject]:
        raise NotImplementedError

    def paint(self, frame: dict, params: dict) -> None:
        raise NotImplementedError

    def clear_plots(self) -> None:
        raise NotImplementedError

    def repaint(self) -> None:
        """Paint the latest snapshot again (after a view control changed)."""
        if self.snapshot is not None:
            self.paint(self.snapshot.frame, self._run_params or {})

    def live_changed(self, name: str, value) -> None:
        """A live parameter changed while a run streams (subclasses may redraw overlays)."""

    def history_traces(self, frame: dict, params: dict) -> list:
        """The curves an earlier run is overlaid as: ``[(plot, x, y), …]`` (none by default)."""
        return []

    def history_view(self, params: dict):
        """Runs are overlaid only on runs with the same view (subclasses: e.g. the model)."""
        return ()

    @property
    def snapshot(self) -> Snapshot | None:
        """The latest frame of the run on screen (None before a run and after Reset)."""
        return self.runs.snapshot

    @property
    def _run_params(self) -> dict | None:
        """The parameters of the run on screen (live changes included)."""
        return self.runs.params

    # -- actions -------------------------------------------------------------------------------
    @or_sweep
    def run(self) -> None:
        refused = self.panel.commit_edits()  # what is typed but not yet entered counts
        self._restart.stop()  # committing it may have asked for a re-run: this is the run
        if refused:
            self.show_message(f"{refused} — not run", error=True)
            return
        try:
            params = self.lab.spec.validate(self.panel.values())
        except ParamError as err:
            self.show_message(str(err), error=True)
            return
        self.hide_message()
        if self.runner.state in ENDED:
            # the previous run has ended but its queued "ended" signal may not have arrived yet
            self._keep_run(self.runner.take() or self.snapshot, self.runner.state)
        self.runs.begin(params, self.seed.value())
        self.clear_plots()
        self._draw_history()
        self.runner.start(params, self.runs.seed)

    @or_sweep
    def toggle_pause(self) -> None:
        if self.runner.state == RunState.RUNNING:
            self.runner.pause()
        elif self.runner.state == RunState.PAUSED:
            self.runner.resume()

    @or_sweep
    def stop(self) -> None:
        self.runner.stop()

    def reset(self) -> None:
        self._restart.stop()
        self.runner.reset()
        self.runs.clear()
        self.clear_plots()
        self.history.erase()
        self.hide_message()
        self.controls.clear()

    def shutdown(self, timeout: float = 10.0) -> bool:
        """Stop for good (closing the app): waits up to ``timeout`` s for the run's thread."""
        self._timer.stop()
        self._restart.stop()
        self.sweep_mode.shutdown()
        return self.runner.shutdown(timeout)

    def apply_preset(self, name: str | None) -> None:
        """Set the controls from a preset (None: the defaults). The plots of the run before are
        cleared — they showed other parameters — and the banner says Run draws the preset."""
        if name is None:
            self.panel.set_values(self.lab.spec.defaults())
            self.presets.chose(None, {})
            return
        try:
            preset = load_preset(self.lab.name, name, self.lab.spec)
        except PresetError as err:
            self.show_message(str(err), error=True)
            return
        self.reset()
        self.runs.forget()
        self.panel.set_values({**self.lab.spec.defaults(), **preset.params})
        if preset.seed is not None:
            self.seed.setValue(preset.seed)
        self.presets.chose(preset, self.panel.values())
        self.show_message(
            f"Preset <b>{html.escape(preset.title)}</b> is set: <b>press Run "
            "(Ctrl+R)</b> to draw its figure."
        )

    @or_sweep
    def export_image(self, path: Path, settings: FigureSettings = DEFAULT_FIGURE) -> Path:
        """The tab's plots as PNG, SVG or PDF, with the run's metadata inside (when there is a
        run)."""
        self._paint_if_dirty()  # a tab off screen has not drawn its latest frame
        record = self.record()
        return export_figure(
            self.figure, path, meta=meta_json(record.meta) if record else "", settings=settings
        )

    @or_sweep
    def export_data(self, path: Path) -> Path:
        """Write the data on screen (the latest snapshot) with the run's metadata."""
        record = self.record()
        if record is None:
            raise ExportError("nothing to export yet: run the lab first")
        return write_run(path, record.frame, record.meta)

    def record(self) -> RunRecord | None:
        """The run on screen with its metadata (None before the first run)."""
        return self.runs.record(self.runner.state, self.runner.message)

    # -- history and sessions ------------------------------------------------------------------
    def clear_history(self) -> None:
        self.history.clear()
        if self.runs.current is not None:
            self.history.add(self.runs.current)

    def _keep_run(self, snapshot: Snapshot | None, state: RunState) -> None:
        """Put the run that just ended into the history (once)."""
        record = self.runs.end(snapshot, self.runner.run_id, state, self.runner.message)
        if record is not None:
            self.history.add(record)
            self._draw_history()

    def _toggle_overlay(self, on: bool) -> None:
        self.history.shown = on
        self._draw_history()

    def _draw_history(self) -> None:
        params = self._run_params if self._run_params is not None else self.panel.values()
        seed = self.runs.seed if self._run_params is not None else self.seed.value()
        self.history.draw(self.runs.current, params, seed)
        hide_empty_legends(self.figure)

    def session_state(self) -> LabState:
        """This lab's part of a saved session: the controls, and the kept runs with the one on
        screen last."""
        state = self.runs.session_state(
            self.panel.values(),
            self.seed.value(),
            self.history.records,
            self.runner.state,
            self.runner.message,
        )
        state.sweep = self.sweep_mode.session_record()
        return state

    def restore(self, state: LabState) -> None:
        """Show a saved session's state: its controls, its runs, the last one on screen."""
        self.reset()
        self.panel.set_values(state.params)
        self.seed.setValue(state.seed)
        self.presets.forget()
        self.history.clear()
        for run in state.runs:
            self.history.add(run)
        run = self.runs.restore(state)
        if run is not None:
            self._dirty = True
            self.controls.show_steps(self.snapshot)
            if run.meta.get("diverged"):
                self.show_message(
                    "⚠ " + run.meta.get("divergence", "the run diverged") + " (saved run)",
                    error=True,
                )
        self._draw_history()
        self.sweep_mode.restore(state.sweep)

    # -- messages ------------------------------------------------------------------------------
    def show_message(self, text: str, error: bool = False) -> None:
        self.banner.show_message(text, error)

    def hide_message(self) -> None:
        self.banner.hide()

    def _set_status(self, status: RunStatus) -> None:
        self.run_status = status
        self.status.emit(status)

    # -- runner events -------------------------------------------------------------------------
    def _on_param_changed(self, name: str, value) -> None:
        self._compare_preset()
        if self.lab.spec[name].restart and self._run_params is not None:
            self._restart.start()  # re-run with the new value once the control rests
            return
        if self.runner.state.active and self.lab.spec[name].live:
            self.runner.update(name, value)
            if self._run_params is not None:
                self._run_params[name] = value
            self.live_changed(name, value)

    def _compare_preset(self) -> None:
        self.presets.compare(self.panel.values(), self.seed.value())

    def _on_frame(self, snap: Snapshot) -> None:
        self.runs.snapshot = snap
        self._dirty = True
        state = self.runner.state
        self.controls.show_steps(snap, paused=state == RunState.PAUSED)
        if state in (RunState.RUNNING, RunState.PAUSED):  # an ended run keeps its last words
            self._set_status(describe(self.lab.title, state, "", snap))
        self._warn_if_long(snap)

    def _warn_if_long(self, snap: Snapshot) -> None:
        """Once per run, when its speed projects more than a few minutes (core/eta.py), say so
        in the banner with how to stop it — a note, not a modal question while it streams. The
        projection is the CLI's: it leaves out the first chunk (which pays for a cold compile)
        once a second one is known, and the note goes when the run ends."""
        if snap.run_id != self._eta_run:
            self._eta, self._eta_run = Eta(), snap.run_id
        self._eta.update(snap.steps_done, snap.total_steps, snap.elapsed)
        left = self._eta.seconds_left
        if (
            self._warned_run == snap.run_id
            or left is None
            or not settled(self._eta)
            or left < LONG_RUN_SECONDS
        ):
            return
        self._warned_run = snap.run_id
        self._long_note = (
            f"This run will take about <b>{duration(left)}</b> more at its speed so "
            f"far. Press Stop (Esc) if that is more than you meant; what it has "
            f"computed stays on screen."
        )
        self.show_message(self._long_note)

    def _paint_if_shown(self) -> None:
        """The paint timer: a tab off screen paints once a second only while its run streams
        (two labs streaming cost the GUI thread about one lab's repaints, not two); its last
        frame, and every frame once it is shown again, at once."""
        now = time.monotonic()
        shown = self.isVisible() or not self.runner.state.active
        if shown or now - self._painted_hidden >= HIDDEN_PAINT_SECONDS:
            if not shown:
                self._painted_hidden = now
            self._paint_if_dirty()

    def _paint_if_dirty(self) -> None:
        if self._dirty and self.snapshot is not None:
            self._dirty = False
            self.paint(self.snapshot.frame, self._run_params or {})
            hide_empty_legends(self.figure)

    def _on_state(self, state: RunState, message: str) -> None:
        self._update_controls(state)
        self._set_status(describe(self.lab.title, state, message, self.snapshot))
        streaming = state in (RunState.BUILDING, RunState.RUNNING)
        if set_curve_antialias(self.figure, not streaming) and not streaming:
            self._dirty = self.snapshot is not None  # redraw the final frame smoothly
        if state in ENDED:
            self._keep_run(self.snapshot, state)
            if self._long_note and self.banner.text() == self._long_note:
                self.hide_message()  # it spoke of a run that no longer streams
            self._long_note = ""
        self.banner.show_state(state, message)

    def _update_controls(self, state: RunState) -> None:
        self.controls.set_state(state, self.snapshot)
        self.panel.set_running(state.active)
        self.presets.setEnabled(not state.active)
        self.seed.setEnabled(not state.active)
