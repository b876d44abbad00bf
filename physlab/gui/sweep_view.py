"""The Sweep view of a lab's tab: the lab's parameter panel for the base parameters, one or two
axes, repeats, a measure and the scheduler; Run / Stop; the map (or curve) filling in as points
finish; a status line; hover read-outs; and a click on a point opens it in the Single run view
with its parameters and seed, ready to run.

The sweep runs on a Dask cluster through :class:`~physlab.core.sweep.SweepRun`, which works in a
thread of its own; this view only polls it from a QTimer on the GUI thread (``poll`` never
blocks) and repaints when points have arrived, so the window stays responsive while workers run.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

import numpy as np
from PySide6 import QtCore, QtWidgets

from physlab.core.export import ExportError, meta_json
from physlab.core.params import ParamError
from physlab.core.presets import PresetError
from physlab.core.sweep import (
    DIVERGED,
    FAILED,
    NOT_RUN,
    SweepResult,
    SweepRun,
    SweepSpec,
    parse_axis,
)
from physlab.core.sweep.budget import check_budget
from physlab.core.sweep.cluster import SCHEDULER_ENV, cores
from physlab.core.sweep.presets import list_sweep_presets, load_sweep_preset
from physlab.core.sweep_session import SweepRecord

from . import theme
from .banner import Banner
from .figure_export import DEFAULT_FIGURE, FigureSettings, export_figure
from .param_panel import ParamPanel
from .run_controls import RunStatus
from .sweep_axes import AxisPicker
from .sweep_plots import GridAxis, SweepFigure, format_value, summarise

POLL_HZ = 30
ENDED = ("finished", "stopped", "failed")


class SweepView(QtWidgets.QWidget):
    def __init__(self, tab, parent=None):
        super().__init__(parent)
        self.tab, self.lab = tab, tab.lab
        self.sweep: SweepRun | None = None
        self.result: SweepResult | None = None
        self.failures_dialog: QtWidgets.QDialog | None = None
        self._errors: list[str] = []
        self._shown_state = ""  # the sweep's state when the status line was last written

        self.presets = QtWidgets.QComboBox()
        self.presets.setObjectName("sweep_presets")
        self.presets.addItem("— none —", None)
        for name in list_sweep_presets(self.lab.name):
            self.presets.addItem(name, name)
        self.presets.setToolTip("sweeps that draw a published figure (phase diagrams, maps)")
        self.presets.activated.connect(lambda i: self.apply_preset(self.presets.itemData(i)))
        self.preset_note = QtWidgets.QLabel("")
        self.preset_note.setWordWrap(True)
        self.preset_note.setStyleSheet("font-size: 9pt;")
        self.panel = ParamPanel(self.lab.spec)
        self.panel.set_values(tab.panel.values())
        self.axis1 = AxisPicker(self.lab.spec, optional=False)
        self.axis2 = AxisPicker(self.lab.spec, optional=True)
        for picker, name in ((self.axis1, "axis1"), (self.axis2, "axis2")):
            picker.setObjectName(name)
            picker.changed.connect(self._axes_changed)
        self.repeats = QtWidgets.QSpinBox()
        self.repeats.setObjectName("repeats")
        self.repeats.setRange(1, 100)
        self.repeats.setToolTip("runs per grid point, each with its own seed (bands: ±1 s.e.)")
        self.seed = QtWidgets.QSpinBox()
        self.seed.setObjectName("sweep_seed")
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setToolTip(
            "the sweep's seed: each point's seed is derived from it, its grid index and its repeat"
        )
        self.measure = QtWidgets.QComboBox()
        self.measure.setObjectName("measure")
        for m in self.lab.measures:
            self.measure.addItem(m.name, m.name)
            self.measure.setItemData(
                self.measure.count() - 1,
                m.description + (f" ({m.unit})" if m.unit else ""),
                QtCore.Qt.ItemDataRole.ToolTipRole,
            )
        self.measure.setToolTip("what the map shows (every measure is recorded: switch freely)")
        self.measure.currentIndexChanged.connect(self._layout_figure)
        self.log_scale = QtWidgets.QCheckBox("log scale")
        self.log_scale.setObjectName("log_scale")
        self.log_scale.setToolTip("colour (or y) on a log scale, for measures spanning decades")
        self.log_scale.toggled.connect(self._layout_figure)
        self.scheduler = QtWidgets.QLineEdit(os.environ.get(SCHEDULER_ENV, ""))
        self.scheduler.setObjectName("scheduler")
        self.scheduler.setPlaceholderText("local (a cluster on this machine)")
        self.scheduler.setToolTip(
            "empty: start a Dask cluster on this machine, one worker per "
            "core; or a running scheduler's address, tcp://HOST:PORT "
            f"(default ${SCHEDULER_ENV})"
        )
        self.workers = QtWidgets.QSpinBox()
        self.workers.setObjectName("workers")
        self.workers.setRange(0, 512)
        self.workers.setSpecialValueText("one per core")
        self.workers.setToolTip("workers of the local cluster (ignored for a remote scheduler)")

        self.run_button = QtWidgets.QPushButton("Run sweep")
        self.run_button.setObjectName("run_sweep")
        self.run_button.setToolTip("Run every point of the grid (Ctrl+R)")
        self.stop_button = QtWidgets.QPushButton("Stop")
        self.stop_button.setObjectName("stop_sweep")
        self.stop_button.setToolTip("Cancel the points not yet run, keep the others (Esc)")
        self.run_button.clicked.connect(self.run)
        self.stop_button.clicked.connect(self.stop)
        self.progress = QtWidgets.QProgressBar()
        self.progress.setObjectName("sweep_progress")
        self.progress.setFormat("%v / %m points")
        self.status_line = QtWidgets.QLabel("")
        self.status_line.setObjectName("sweep_status")
        self.status_line.setWordWrap(True)
        self.status_line.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.status_line.linkActivated.connect(lambda _link: self.show_failures())

        form = QtWidgets.QFormLayout()
        form.addRow("Preset", self.presets)
        form.addRow(self.preset_note)
        form.addRow("Axis 1 (x)", self.axis1)
        form.addRow("Axis 2 (y)", self.axis2)
        form.addRow("Repeats", self.repeats)
        form.addRow("Seed", self.seed)
        shown = QtWidgets.QHBoxLayout()
        shown.addWidget(self.measure, 1)
        shown.addWidget(self.log_scale)
        form.addRow("Measure", shown)
        form.addRow("Scheduler", self.scheduler)
        form.addRow("Workers", self.workers)
        grid_box = QtWidgets.QGroupBox("Sweep")
        grid_box.setLayout(form)
        scroll = QtWidgets.QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.panel)
        scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.stop_button)
        side = QtWidgets.QWidget()
        side_layout = QtWidgets.QVBoxLayout(side)
        side_layout.addWidget(grid_box)
        side_layout.addWidget(QtWidgets.QLabel("<b>Base parameters</b> (the axes override theirs)"))
        side_layout.addWidget(scroll, 1)
        side_layout.addLayout(buttons)
        side_layout.addWidget(self.progress)
        side_layout.addWidget(self.status_line)
        side.setMinimumWidth(320)
        side.setMaximumWidth(400)

        self.banner = Banner()
        self.figure = SweepFigure(self._hovered, self.open_point)
        self.readout = QtWidgets.QLabel("")
        self.readout.setObjectName("sweep_readout")
        self.readout.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        right = QtWidgets.QWidget()
        right_layout = QtWidgets.QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.banner)
        right_layout.addWidget(self.figure.widget, 1)
        right_layout.addWidget(self.readout)
        layout = QtWidgets.QHBoxLayout(self)
        layout.addWidget(side)
        layout.addWidget(right, 1)

        # typed text a control refuses (a float out of its range, a list that does not parse)
        self.panel.refused.connect(self._refused)
        for picker in (self.axis1, self.axis2):
            for box in (picker.start, picker.stop):
                box.refused.connect(self._refused)
        self._timer = QtCore.QTimer(self)
        self._timer.setInterval(1000 // POLL_HZ)
        self._timer.timeout.connect(self._poll)
        self._update_controls()
        self._axes_changed()
        if not self.lab.measures:
            self.run_button.setEnabled(False)
            self.banner.show_message(
                f"{html.escape(self.lab.title)} declares no measures yet, so it cannot be swept.",
                error=True,
            )
        else:
            self.banner.show_message(
                "Pick one or two axes and press <b>Run sweep</b> "
                "(Ctrl+R). Hover a point to read it; click it to open "
                "that run in <i>Single run</i>."
            )

    # -- the sweep's description ---------------------------------------------------------------
    def sweep_spec(self) -> SweepSpec:
        """The sweep the controls describe; raises :class:`ParamError` (one line) if bad."""
        base = self.lab.spec.validate(self.panel.values())
        axes = tuple(
            parse_axis(self.lab.spec, picker.text())
            for picker in (self.axis1, self.axis2)
            if picker.text()
        )
        spec = SweepSpec(self.lab.name, base, axes, self.repeats.value(), (), self.seed.value())
        spec.validate()
        return spec

    def apply_preset(self, name: str | None) -> None:
        """Set the controls from a sweep preset (base parameters, axes, repeats, measure)."""
        if name is None:
            self.preset_note.setText("")
            self.preset_note.setToolTip("")
            return
        try:
            preset = load_sweep_preset(self.lab.name, name, self.lab.spec)
            axes = [parse_axis(self.lab.spec, text) for text in preset.grid]
        except (PresetError, ParamError) as err:
            self.banner.show_message(html.escape(str(err), quote=False), error=True)
            return
        self.panel.set_values({**self.lab.spec.defaults(), **preset.params})
        self.axis1.show(axes[0])
        if len(axes) > 1:
            self.axis2.show(axes[1])
        else:
            self.axis2.set_name(None)
        self.repeats.setValue(preset.repeats)
        self.seed.setValue(preset.seed)
        if preset.measures:
            self.measure.setCurrentIndex(max(self.measure.findData(preset.measures[0]), 0))
        # the title and figure; the (long) description in the tooltip, to keep the panel short
        figure = f"<br><i>Follows: {html.escape(preset.figure)}</i>" if preset.figure else ""
        self.preset_note.setText(f"<b>{html.escape(preset.title)}</b>{figure}")
        self.preset_note.setToolTip(f"<p>{html.escape(preset.description)}</p>")
        self.presets.setCurrentIndex(self.presets.findData(name))

    def _axes_changed(self) -> None:
        """The swept parameters come from the axes: their base controls are disabled."""
        swept = {picker.name() for picker in (self.axis1, self.axis2)}
        for p in self.lab.spec:
            widget = self.panel.widget(p.name)
            widget.setEnabled(p.name not in swept)

    # -- actions (also the window's Run / Stop / Export while this view is shown) ---------------
    def _refused(self, why: str) -> None:
        if why:
            self.banner.show_message(html.escape(why, quote=False), error=True)

    def run(self) -> None:
        if self.running:
            return
        refused = self.panel.commit_edits()  # what is typed but not yet entered counts
        for picker in (self.axis1, self.axis2):
            for box in (picker.start, picker.stop):
                box.interpretText()
        if refused:
            self._refused(f"{refused} — not run")
            return
        scheduler = self.scheduler.text().strip() or None
        try:
            spec = self.sweep_spec()
            estimate = check_budget(spec, self.workers.value() or cores(), local=not scheduler)
        except ParamError as err:
            self.banner.show_message(html.escape(str(err), quote=False), error=True)
            return
        if estimate:
            self.banner.show_message("Estimate: " + html.escape(estimate, quote=False))
        else:
            self.banner.hide()
        self.sweep = SweepRun(spec, scheduler=scheduler, workers=self.workers.value() or None)
        self.result = self.sweep.result
        self._errors = []
        self._layout_figure()
        self.sweep.start()
        self._timer.start()
        self._update_controls()
        self._update_status()

    def stop(self) -> None:
        if self.running:
            self.sweep.stop()
            self._update_status()

    def toggle_pause(self) -> None:
        self.banner.show_message("A sweep cannot pause: Stop keeps the points that finished.")

    def reset(self) -> None:
        """Run ▸ Reset while this view is shown: stop the sweep and clear its map (the axes and
        controls stay as they are)."""
        self.clear()
        self.banner.hide()

    def export_image(self, path: Path, settings: FigureSettings = DEFAULT_FIGURE) -> Path:
        """The map (or curve) as PNG, SVG or PDF with the sweep's metadata inside."""
        result = self._result_or_refuse()
        meta = {**result.file_meta(), "shown_measure": self.measure.currentData()}
        return export_figure(self.figure.layout, path, meta=meta_json(meta), settings=settings)

    def export_data(self, path: Path) -> Path:
        """The sweep's arrays as the NPZ (or CSV) of ``physlab sweep``."""
        return self._result_or_refuse().save(path)

    def _result_or_refuse(self) -> SweepResult:
        if self.result is None:
            raise ExportError("nothing to export yet: run a sweep first")
        return self.result

    def shutdown(self) -> None:
        self._timer.stop()
        if self.sweep is not None:
            self.sweep.stop()
            self.sweep.join(5.0)

    @property
    def running(self) -> bool:
        return self.sweep is not None and self.sweep.state not in ENDED

    # -- polling -------------------------------------------------------------------------------
    def _poll(self) -> None:
        sweep = self.sweep
        arrived = sweep.poll()
        self._errors += [
            f"{_where(self.result.spec, r.point.params)} (repeat {r.point.repeat}, "
            f"seed {r.point.seed}): {r.error}"
            for r in arrived
            if r.status == FAILED
        ]
        ended = sweep.state in ENDED
        if arrived or ended:
            self._redraw()
        if arrived or ended or sweep.state != self._shown_state:
            self._shown_state = sweep.state
            self._update_status()
        if ended:
            self._timer.stop()
            self._update_controls()
            if sweep.state == "failed":
                self.banner.show_message(html.escape(sweep.message), error=True)
            else:
                self.banner.show_message(
                    f"Sweep {sweep.state}. Hover a point to read it; "
                    "click it to open that run in <i>Single run</i>."
                )

    def _update_status(self) -> None:
        result, sweep = self.result, self.sweep
        if result is None:
            self.status_line.setText("")
            return
        total, ran = result.total(), result.finished()
        diverged = int(np.count_nonzero(result.arrays["status"] == DIVERGED))
        failed = result.failures()
        parts = [f"{ran} / {total} points"]
        if sweep is not None:
            if sweep.state == "connecting":
                parts.insert(0, "connecting to " + (sweep.scheduler or "the local cluster") + "…")
            parts.append(f"{sweep.rate:.2f} points/s")
            parts.append(f"{sweep.workers} worker{'s' if sweep.workers != 1 else ''}")
        if diverged:
            parts.append(f"{diverged} diverged")
        parts.append(f"<a href='failures'>{failed} failed</a>" if failed else "0 failed")
        if sweep is not None and sweep.state in ("finished", "stopped"):
            parts.append(f"{sweep.state} in {sweep.wall_time:.1f} s")
        text = " · ".join(parts)
        if text == self.status_line.text():
            return
        self.status_line.setText(text)
        self.progress.setRange(0, 0 if sweep is not None and sweep.state == "connecting" else total)
        self.progress.setValue(ran)
        self.tab._set_status(
            RunStatus(f"{self.lab.title} sweep: " + _plain(text), ran / max(total, 1))
        )

    def _update_controls(self) -> None:
        running = self.running
        self.run_button.setEnabled(not running and bool(self.lab.measures))
        self.stop_button.setEnabled(running)
        for widget in (
            self.presets,
            self.panel,
            self.axis1,
            self.axis2,
            self.repeats,
            self.seed,
            self.scheduler,
            self.workers,
        ):
            widget.setEnabled(not running)

    # -- drawing -------------------------------------------------------------------------------
    def _measure(self):
        name = self.measure.currentData()
        return self.lab.measure(name) if name is not None else None

    def _layout_figure(self) -> None:
        """Lay the figure out for the sweep and the measure shown, and draw what there is."""
        measure, result = self._measure(), self.result
        if measure is None or result is None:
            return
        spec = result.spec
        axes = [
            GridAxis(
                self.lab.sweep_axis_title(a.name, spec.base),
                a.numeric().tolist(),
                a.log,
                self.lab.spec[a.name].unit,
            )
            for a in spec.axes
        ]
        label = f"{measure.name} ({measure.unit})" if measure.unit else measure.name
        self.figure.setup(
            axes,
            f"{self.lab.title} sweep: {measure.description}",
            label,
            measure.categories,
            self.log_scale.isChecked(),
        )
        overlays = self.lab.sweep_overlays(spec.base, spec.axes) if self.lab.sweep_overlays else []
        self.figure.set_overlays(overlays)
        theme.adapt_widget(self)  # the items just made, into the current theme
        self._redraw()

    def _redraw(self) -> None:
        measure, result = self._measure(), self.result
        if measure is None or result is None:
            return
        self.figure.show(
            summarise(
                result.arrays[measure.name], result.arrays["status"], bool(measure.categories)
            )
        )

    # -- hover and click -----------------------------------------------------------------------
    def hover_text(self, index: tuple) -> str:
        """What the read-out line says about the grid cell ``index``."""
        result, measure = self.result, self._measure()
        spec = result.spec
        where = _where(spec, spec.params_at(index))
        status = result.arrays["status"][index]
        values = result.arrays[measure.name][index]
        ran = status <= DIVERGED
        if not ran.any():
            failed = (status == FAILED).sum()
            if failed:
                return f"{where}: all {failed} repeats failed (see the status line)"
            left = (status == NOT_RUN).sum()
            return f"{where}: not run yet ({left} repeat{'s' if left != 1 else ''})"
        cells = summarise(values[None], status[None], bool(measure.categories))
        value, se, n = cells.value[0], cells.se[0], int(cells.count[0])
        if measure.categories:
            shown = measure.categories[int(value)] if np.isfinite(value) else "no value"
            agree = int(np.count_nonzero(np.rint(values[ran]) == value))
            text = f"{measure.name} = {shown} ({agree} of {int(ran.sum())} repeats)"
        elif not np.isfinite(value):
            text = f"{measure.name} = NaN (no value)"
        else:
            unit = f" {measure.unit}" if measure.unit else ""
            spread = f" ± {se:.2g} (s.e., {n} repeats)" if n > 1 else ""
            text = f"{measure.name} = {value:.4g}{unit}{spread}"
        diverged = int(np.count_nonzero(status == DIVERGED))
        extra = f"; {diverged} diverged" if diverged else ""
        return (
            f"{where}: {text}{extra} — click to open it in Single run "
            f"(seed {spec.point(index, 0).seed})"
        )

    def _hovered(self, index: tuple | None) -> None:
        self.readout.setText(
            self.hover_text(index) if index is not None and self.result is not None else ""
        )

    def open_point(self, index: tuple, repeat: int = 0) -> None:
        """Show grid point ``index`` (repeat ``repeat``) in the Single run view with its
        parameters and seed, ready to Run."""
        if self.result is None:
            return
        point = self.result.spec.point(tuple(index), repeat)
        tab = self.tab
        where = _where(self.result.spec, point.params)
        tab.panel.set_values(point.params)
        tab.seed.setValue(point.seed)
        tab.sweep_mode.show_single()
        tab.show_message(
            f"Sweep point {where} (repeat {repeat}, seed {point.seed}): "
            "<b>press Run (Ctrl+R)</b> to watch this run."
        )

    # -- failures ------------------------------------------------------------------------------
    def show_failures(self) -> QtWidgets.QDialog:
        """A dialog listing the failed points and their errors."""
        errors = self._errors or (self.result.errors if self.result is not None else [])
        dialog = self.failures_dialog
        if dialog is None:
            dialog = self.failures_dialog = QtWidgets.QDialog(self)
            dialog.setWindowTitle(f"{self.lab.title} sweep: failed points")
            text = QtWidgets.QPlainTextEdit()
            text.setObjectName("failures_text")
            text.setReadOnly(True)
            close = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Close)
            close.rejected.connect(dialog.close)
            layout = QtWidgets.QVBoxLayout(dialog)
            layout.addWidget(text)
            layout.addWidget(close)
            dialog.resize(720, 360)
        dialog.findChild(QtWidgets.QPlainTextEdit).setPlainText(
            "\n".join(errors) or "no point has failed"
        )
        dialog.show()
        dialog.raise_()
        return dialog

    # -- sessions ------------------------------------------------------------------------------
    def session_record(self) -> SweepRecord | None:
        if self.result is None:
            return None
        return SweepRecord(self.result, self.measure.currentData() or "")

    def restore(self, record: SweepRecord) -> None:
        """Show a saved sweep: its controls and its map as it was saved."""
        self.shutdown()
        self.sweep = None
        spec = record.result.spec
        self.panel.set_values(spec.base)
        self.axis1.show(spec.axes[0])
        if len(spec.axes) > 1:
            self.axis2.show(spec.axes[1])
        else:
            self.axis2.set_name(None)
        self.repeats.setValue(spec.repeats)
        self.seed.setValue(spec.seed)
        index = self.measure.findData(record.measure)
        if index >= 0:
            self.measure.blockSignals(True)
            self.measure.setCurrentIndex(index)
            self.measure.blockSignals(False)
        self.result = record.result
        self._errors = []
        self._layout_figure()
        self._update_controls()
        self._update_status()

    def clear(self) -> None:
        """Forget the sweep on screen (a session without one was opened)."""
        self.shutdown()
        self.sweep = self.result = None
        self._errors = []
        self.figure.clear()
        self.readout.setText("")
        self._update_controls()
        self._update_status()


def _where(spec: SweepSpec, params: dict) -> str:
    """The axis values of a point, e.g. ``lr = 2.5, depth = 3`` (a one-element list of an
    ``ints`` parameter shown as its integer)."""
    return ", ".join(f"{a.name} = {format_value(_single(params[a.name]))}" for a in spec.axes)


def _single(v):
    return v[0] if isinstance(v, list) and len(v) == 1 else v


def _plain(text: str) -> str:
    """The status line without its link, for the window's status bar."""
    return text.replace("<a href='failures'>", "").replace("</a>", "")
