"""The part of every lab's tab that is the same for all labs: presets, the generated parameter
panel, seed, Run / Pause / Stop / Reset, progress, the message banner, the paint timer, the run
history, exports, and the lab's share of a saved session.

A lab's tab subclasses :class:`LabTab` and implements ``build_plots`` (returns the plot widget and
the graphics item exported as the figure), ``paint(frame)`` and ``clear_plots``, and may name the
curves earlier runs are overlaid as (``history_traces``).
"""
from __future__ import annotations

import html
from pathlib import Path

import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from physlab.core.export import ExportError, meta_json, write_run
from physlab.core.headless import run_meta
from physlab.core.params import ParamError
from physlab.core.presets import PresetError, list_presets, load_preset
from physlab.core.registry import Lab
from physlab.core.runner import RunState, Snapshot
from physlab.core.session import LabState, RunRecord

from .history import RunHistory
from .param_panel import ParamPanel
from .plots import export_graphics, hide_empty_legends, set_curve_antialias
from .sweep_mode import SweepMode, or_sweep
from .worker import QtRunner

PAINT_HZ = 30
ENDED = (RunState.FINISHED, RunState.STOPPED, RunState.DIVERGED)
RESTART_DELAY_MS = 250  # quiet time after the last change of a restart parameter before re-running


class LabTab(QtWidgets.QWidget):
    status = QtCore.Signal(str, float, float)  # message, progress 0..1, steps/s

    def __init__(self, lab: Lab, parent=None):
        super().__init__(parent)
        self.lab = lab
        self.runner = QtRunner(lab.build, self)
        self.runner.frameArrived.connect(self._on_frame)
        self.runner.stateChanged.connect(self._on_state)
        self.snapshot: Snapshot | None = None
        self._dirty = False
        self._run_params: dict | None = None
        self._run_seed = 0
        self._current: RunRecord | None = None  # the run on screen, once it has ended

        self.panel = ParamPanel(lab.spec)
        self.panel.changed.connect(self._on_param_changed)
        self.presets = QtWidgets.QComboBox()
        self.presets.setObjectName("presets")
        self.presets.addItem("— defaults —", None)
        for name in list_presets(lab.name):
            self.presets.addItem(name, name)
        self.presets.activated.connect(lambda i: self.apply_preset(self.presets.itemData(i)))
        self.seed = QtWidgets.QSpinBox()
        self.seed.setObjectName("seed")
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setToolTip("random seed: the same parameters and seed give the same run")

        self.run_button = QtWidgets.QPushButton("Run")
        self.pause_button = QtWidgets.QPushButton("Pause")
        self.stop_button = QtWidgets.QPushButton("Stop")
        self.reset_button = QtWidgets.QPushButton("Reset")
        self.run_button.clicked.connect(self.run)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.stop_button.clicked.connect(self.stop)
        self.reset_button.clicked.connect(self.reset)
        for button, tip in ((self.run_button, "Start a run with these parameters (Ctrl+R)"),
                            (self.pause_button, "Pause / resume (Ctrl+P)"),
                            (self.stop_button, "Stop the run, keep its data (Esc)"),
                            (self.reset_button, "Stop and clear the plots (Ctrl+Shift+R)")):
            button.setToolTip(tip)

        side = QtWidgets.QWidget()
        side_layout = QtWidgets.QVBoxLayout(side)
        top = QtWidgets.QFormLayout()
        top.addRow("Preset", self.presets)
        top.addRow("Seed", self.seed)
        side_layout.addLayout(top)
        self.preset_note = QtWidgets.QLabel("")
        self.preset_note.setWordWrap(True)
        self.preset_note.setStyleSheet("font-size: 9pt;")
        side_layout.addWidget(self.preset_note)
        scroll = QtWidgets.QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.panel)
        scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        side_layout.addWidget(scroll, 1)
        buttons = QtWidgets.QGridLayout()
        buttons.addWidget(self.run_button, 0, 0)
        buttons.addWidget(self.pause_button, 0, 1)
        buttons.addWidget(self.stop_button, 1, 0)
        buttons.addWidget(self.reset_button, 1, 1)
        side_layout.addLayout(buttons)
        self.progress = QtWidgets.QProgressBar()
        self.progress.setObjectName("progress")
        self.progress.setRange(0, 1000)
        self.progress.setFormat("")
        self.progress.setToolTip("progress of the run (a moving bar: compiling or building)")
        side_layout.addWidget(self.progress)
        self.overlay = QtWidgets.QCheckBox("Overlay earlier runs")
        self.overlay.setObjectName("overlay")
        self.overlay.setChecked(True)
        self.overlay.setToolTip("draw the last runs of this lab in grey under the current one, "
                                "labelled by what differed")
        self.clear_history_button = QtWidgets.QPushButton("Clear")
        self.clear_history_button.setToolTip("forget the earlier runs")
        history_row = QtWidgets.QHBoxLayout()
        history_row.addWidget(self.overlay, 1)
        history_row.addWidget(self.clear_history_button)
        side_layout.addLayout(history_row)
        side.setMinimumWidth(300)
        side.setMaximumWidth(380)

        self.banner = QtWidgets.QLabel("")
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        plots, self.figure = self.build_plots()
        self.history = RunHistory(lab.spec, self.history_traces, self.history_view)
        self.overlay.toggled.connect(self._toggle_overlay)
        self.clear_history_button.clicked.connect(self.clear_history)
        right = QtWidgets.QWidget()
        right_layout = QtWidgets.QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.banner)
        right_layout.addWidget(plots, 1)

        single = QtWidgets.QWidget()
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
        self._timer.timeout.connect(self._paint_if_dirty)
        self._timer.start()
        self._update_buttons(RunState.IDLE)
        hide_empty_legends(self.figure)
        self.show_message(f"{html.escape(lab.summary)}<br><b>Press Run (Ctrl+R)</b> to start with "
                          "the defaults, or pick a preset: each one reproduces a published "
                          "figure.")

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

    # -- actions -------------------------------------------------------------------------------
    @or_sweep
    def run(self) -> None:
        try:
            params = self.lab.spec.validate(self.panel.values())
        except ParamError as err:
            self.show_message(str(err), error=True)
            return
        self.hide_message()
        if self._current is None and self.runner.state in ENDED:
            # the previous run has ended but its queued "ended" signal has not arrived yet
            self._keep_run(self.runner.runner.take() or self.snapshot)
        self.snapshot = None
        self.clear_plots()
        self._run_params, self._run_seed = params, self.seed.value()
        self._current = None
        self._draw_history()
        self.runner.start(params, self._run_seed)

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
        self.snapshot = None
        self._current = None
        self.clear_plots()
        self.history.erase()
        self.hide_message()
        self.progress.setValue(0)

    def shutdown(self) -> bool:
        self._timer.stop()
        self._restart.stop()
        self.sweep_mode.shutdown()
        return self.runner.stop()

    def apply_preset(self, name: str | None) -> None:
        if name is None:
            self.panel.set_values(self.lab.spec.defaults())
            self.preset_note.setText("")
            return
        try:
            preset = load_preset(self.lab.name, name, self.lab.spec)
        except PresetError as err:
            self.show_message(str(err), error=True)
            return
        self.panel.set_values({**self.lab.spec.defaults(), **preset.params})
        if preset.seed is not None:
            self.seed.setValue(preset.seed)
        # escaped: descriptions contain "<" (β < 1), which rich text would take for a tag
        figure = f"<br><i>Reproduces: {html.escape(preset.figure)}</i>" if preset.figure else ""
        self.preset_note.setText(f"<b>{html.escape(preset.title)}</b><br>"
                                 f"{html.escape(preset.description)}{figure}")
        index = self.presets.findData(name)
        if index >= 0:
            self.presets.setCurrentIndex(index)

    @or_sweep
    def export_image(self, path: Path) -> Path:
        """The tab's plots as PNG or SVG, with the run's metadata inside (when there is a run)."""
        record = self.record()
        return export_graphics(self.figure, path, meta=meta_json(record.meta) if record else "")

    @or_sweep
    def export_data(self, path: Path) -> Path:
        """Write the data on screen (the latest snapshot) with the run's metadata."""
        record = self.record()
        if record is None:
            raise ExportError("nothing to export yet: run the lab first")
        return write_run(path, record.frame, record.meta)

    def record(self) -> RunRecord | None:
        """The run on screen with its metadata (None before the first run)."""
        if self._current is not None:
            return self._current
        snap = self.snapshot
        if snap is None or self._run_params is None:
            return None
        state = self.runner.state
        meta = run_meta(self.lab, self._run_params, self._run_seed, steps_done=snap.steps_done,
                        total_steps=snap.total_steps, wall_time=snap.elapsed,
                        divergence=self.runner.runner.message if state == RunState.DIVERGED
                        else None, stopped=state != RunState.FINISHED, summary=snap.summary)
        return RunRecord(dict(self._run_params), self._run_seed, snap.frame, meta)

    # -- history and sessions ------------------------------------------------------------------
    def clear_history(self) -> None:
        self.history.clear()
        if self._current is not None:
            self.history.add(self._current)

    def _keep_run(self, snapshot: Snapshot | None) -> None:
        """Put the run that just ended into the history (once)."""
        if snapshot is None or self._current is not None or \
                snapshot.run_id != self.runner.runner.run_id:
            return
        self.snapshot = snapshot
        self._current = self.record()
        self.history.add(self._current)
        self._draw_history()

    def _toggle_overlay(self, on: bool) -> None:
        self.history.shown = on
        self._draw_history()

    def _draw_history(self) -> None:
        params = self._run_params if self._run_params is not None else self.panel.values()
        seed = self._run_seed if self._run_params is not None else self.seed.value()
        self.history.draw(self._current, params, seed)
        hide_empty_legends(self.figure)

    def session_state(self) -> LabState:
        """This lab's part of a saved session: the controls, and the kept runs with the one on
        screen last."""
        runs = [r for r in self.history.records if r is not self._current]
        current = self.record()
        if current is not None:
            runs.append(current)
        return LabState(params=self.panel.values(), seed=self.seed.value(), runs=runs,
                        sweep=self.sweep_mode.session_record())

    def restore(self, state: LabState) -> None:
        """Show a saved session's state: its controls, its runs, the last one on screen."""
        self.reset()
        self.panel.set_values(state.params)
        self.seed.setValue(state.seed)
        self.preset_note.setText("")
        self.presets.setCurrentIndex(0)
        self.history.clear()
        for run in state.runs:
            self.history.add(run)
        if state.runs:
            run = state.runs[-1]
            meta = run.meta
            self._current, self._run_params, self._run_seed = run, dict(run.params), run.seed
            self.snapshot = Snapshot(-1, run.frame, int(meta.get("steps_done", 0)),
                                     int(meta.get("total_steps", 0)), 0.0,
                                     float(meta.get("wall_time", 0.0)), meta.get("summary", {}))
            self._dirty = True
            self.progress.setValue(int(1000 * self.snapshot.steps_done
                                       / max(self.snapshot.total_steps, 1)))
            if meta.get("diverged"):
                self.show_message("⚠ " + meta.get("divergence", "the run diverged") +
                                  " (saved run)", error=True)
        self._draw_history()
        self.sweep_mode.restore(state.sweep)

    # -- messages ------------------------------------------------------------------------------
    def show_message(self, text: str, error: bool = False) -> None:
        colour = "#fdecea; color: #8a1c12; border: 1px solid #e6a19a" if error else \
            "#eef4fb; color: #1b3a57; border: 1px solid #b6cde6"
        self.banner.setStyleSheet(f"background: {colour}; padding: 6px; border-radius: 4px;")
        self.banner.setText(text)
        self.banner.show()

    def hide_message(self) -> None:
        self.banner.hide()

    # -- runner events -------------------------------------------------------------------------
    def _on_param_changed(self, name: str, value) -> None:
        if self.lab.spec[name].restart and self._run_params is not None:
            self._restart.start()  # re-run with the new value once the control rests
            return
        if self.runner.state.active and self.lab.spec[name].live:
            self.runner.update(name, value)
            if self._run_params is not None:
                self._run_params[name] = value
            self.live_changed(name, value)

    def _on_frame(self, snap: Snapshot) -> None:
        self.snapshot = snap
        self._dirty = True
        progress = snap.steps_done / max(snap.total_steps, 1)
        self.progress.setRange(0, 1000)
        self.progress.setValue(int(1000 * progress))
        self.progress.setFormat(f"{snap.steps_done:,} / {snap.total_steps:,}")
        self.status.emit(f"{self.lab.title}: step {snap.steps_done}/{snap.total_steps}",
                         progress, snap.steps_per_second)

    def _paint_if_dirty(self) -> None:
        if self._dirty and self.snapshot is not None:
            self._dirty = False
            self.paint(self.snapshot.frame, self._run_params or {})
            hide_empty_legends(self.figure)

    def _on_state(self, state: RunState, message: str) -> None:
        self._update_buttons(state)
        streaming = state in (RunState.BUILDING, RunState.RUNNING)
        if set_curve_antialias(self.figure, not streaming) and not streaming:
            self._dirty = self.snapshot is not None  # redraw the final frame smoothly
        self.progress.setRange(0, 0 if state == RunState.BUILDING else 1000)  # busy while building
        if state in ENDED:
            self._keep_run(self.snapshot)
        if state == RunState.DIVERGED:
            self.show_message("⚠ " + message + " The plots keep what was computed.", error=True)
        elif state == RunState.FAILED:
            self.show_message("The run failed: " + message, error=True)
        elif message and state.active:
            self.show_message(message, error=True)
        text = {RunState.BUILDING: "building (compiling kernels on first use)…"}.get(
            state, message or state.value)
        progress = 0.0 if self.snapshot is None else \
            self.snapshot.steps_done / max(self.snapshot.total_steps, 1)
        self.status.emit(f"{self.lab.title}: {text}", progress, 0.0)

    def _update_buttons(self, state: RunState) -> None:
        active = state.active
        self.pause_button.setText("Resume" if state == RunState.PAUSED else "Pause")
        self.pause_button.setEnabled(state in (RunState.RUNNING, RunState.PAUSED))
        self.stop_button.setEnabled(active)
        self.panel.set_running(active)
        self.presets.setEnabled(not active)
        self.seed.setEnabled(not active)
