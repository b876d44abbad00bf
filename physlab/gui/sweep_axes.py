"""The control that picks one axis of a sweep: a parameter of the lab, and its values — a range
(start, stop, count, log) for numbers, or a list for integers, choices and switches. It writes the
axis as the command line does (``lr=0.01:2:24:log``, ``depth=1,2,4``), so the GUI and
``physlab sweep --grid`` share one parser and one set of error messages."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from physlab.core.params import Param, ParamSpec

from .param_panel import FloatBox

SWEEPABLE = ("float", "int", "ints", "choice", "bool")
DEFAULT_COUNT = 8


def sweepable(spec: ParamSpec) -> list[Param]:
    return [p for p in spec if p.kind in SWEEPABLE]


def first_guess(spec: ParamSpec) -> Param:
    """The axis offered first: a parameter with a natural log scale (a learning rate, a
    richness), else any float, else the first that can be swept."""
    params = sweepable(spec)
    return next(
        (p for p in params if p.kind == "float" and p.log),
        next((p for p in params if p.kind == "float"), params[0]),
    )


def default_list(p: Param) -> str:
    """A first guess at the values of a list axis: every choice; for integers a few around the
    default (all of a small range)."""
    if p.kind == "choice":
        return ",".join(p.choices)
    if p.kind == "bool":
        return "false,true"
    default = p.default[0] if p.kind == "ints" else p.default
    low = int(p.low) if p.low is not None else None
    high = int(p.high) if p.high is not None else None
    if low is not None and high is not None and high - low < DEFAULT_COUNT:
        return ",".join(map(str, range(low, high + 1)))
    factors = (0.25, 0.5, 1, 2, 4) if default >= 4 else (1, 2, 3, 4)
    base = max(default, 1)
    values = [round(base * f) for f in factors]
    values = [v for v in values if (low is None or v >= low) and (high is None or v <= high)]
    return ",".join(map(str, dict.fromkeys(values)))


def default_range(p: Param) -> tuple[float, float, bool]:
    """A first guess at (start, stop, log) of a float axis around the default, within bounds."""
    default = float(p.default)
    log = p.log and default > 0
    if log:
        start, stop = default / 10, default * 10
    elif default != 0:
        start, stop = sorted((default / 2, default * 2))
    else:
        start, stop = 0.0, 1.0
    if p.low is not None:
        start = max(start, p.low)
    if p.high is not None:
        stop = min(stop, p.high)
    return start, stop, log


class AxisPicker(QtWidgets.QWidget):
    """One axis of a sweep. ``text()`` is the axis as ``--grid`` takes it ("" when none is
    picked, if ``optional``); ``changed`` fires when the parameter or its values change."""

    changed = QtCore.Signal()

    def __init__(self, spec: ParamSpec, optional: bool, parent=None):
        super().__init__(parent)
        self.spec = spec
        self.param = QtWidgets.QComboBox()
        self.param.setObjectName("axis_param")
        if optional:
            self.param.addItem("— none (a 1-D sweep) —", None)
        for p in sweepable(spec):
            self.param.addItem(p.title, p.name)
            self.param.setItemData(
                self.param.count() - 1, p.help, QtCore.Qt.ItemDataRole.ToolTipRole
            )
        self.start = FloatBox(False)
        self.stop = FloatBox(False)
        for box, name in ((self.start, "axis_start"), (self.stop, "axis_stop")):
            box.setObjectName(name)
            box.setRange(-1e12, 1e12)
            box.setKeyboardTracking(False)
            box.valueChanged.connect(self.changed)
        self.count = QtWidgets.QSpinBox()
        self.count.setObjectName("axis_count")
        self.count.setRange(1, 200)
        self.count.setValue(DEFAULT_COUNT)
        self.count.setToolTip("how many values between start and stop (inclusive)")
        self.count.valueChanged.connect(self.changed)
        self.log = QtWidgets.QCheckBox("log")
        self.log.setObjectName("axis_log")
        self.log.setToolTip("space the values evenly in log (start and stop must be positive)")
        self.log.toggled.connect(self.changed)
        self.values = QtWidgets.QLineEdit()
        self.values.setObjectName("axis_values")
        self.values.setToolTip(
            "the values, comma-separated (or a range of numbers: "
            "start:stop:count, or start:stop:count:log)"
        )
        self.values.editingFinished.connect(self.changed)

        self.range_row = QtWidgets.QWidget()
        row = QtWidgets.QHBoxLayout(self.range_row)
        row.setContentsMargins(0, 0, 0, 0)
        for widget, label in ((self.start, "from"), (self.stop, "to"), (self.count, "×")):
            row.addWidget(QtWidgets.QLabel(label))
            row.addWidget(widget, 1)
        row.addWidget(self.log)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.param)
        layout.addWidget(self.range_row)
        layout.addWidget(self.values)
        self.param.currentIndexChanged.connect(self._picked)
        if not optional:
            self.param.setCurrentIndex(self.param.findData(first_guess(spec).name))
        self._picked()

    def name(self) -> str | None:
        return self.param.currentData()

    def set_name(self, name: str | None) -> None:
        index = self.param.findData(name)
        if index >= 0:
            self.param.setCurrentIndex(index)

    def is_range(self) -> bool:
        name = self.name()
        return name is not None and self.spec[name].kind == "float"

    def _picked(self) -> None:
        name = self.name()
        self.range_row.setVisible(self.is_range())
        self.values.setVisible(name is not None and not self.is_range())
        if name is not None:
            p = self.spec[name]
            if self.is_range():
                start, stop, log = default_range(p)
                self.set_range(start, stop, self.count.value(), log, quiet=True)
            else:
                self.values.setText(default_list(p))
        self.changed.emit()

    def set_range(
        self, start: float, stop: float, count: int, log: bool, quiet: bool = False
    ) -> None:
        for widget in (self.start, self.stop, self.count, self.log):
            widget.blockSignals(True)
        self.start.setValue(start)
        self.stop.setValue(stop)
        self.count.setValue(count)
        self.log.setChecked(log)
        for widget in (self.start, self.stop, self.count, self.log):
            widget.blockSignals(False)
        if not quiet:
            self.changed.emit()

    def show(self, axis) -> None:
        """Show a sweep's axis (an :class:`~physlab.core.sweep.Axis`, e.g. from a session)."""
        self.set_name(axis.name)
        if self.is_range():
            self.set_range(axis.values[0], axis.values[-1], len(axis.values), axis.log)
            return
        shown = [v[0] if isinstance(v, list) and len(v) == 1 else v for v in axis.values]
        if axis.log and len(shown) > 1:  # a log grid of integers keeps its log spacing flag
            self.values.setText(f"{shown[0]}:{shown[-1]}:{len(shown)}:log")
        else:
            self.values.setText(
                ",".join(str(v).lower() if isinstance(v, bool) else str(v) for v in shown)
            )
        self.changed.emit()

    def text(self) -> str:
        name = self.name()
        if name is None:
            return ""
        if self.is_range():
            tail = ":log" if self.log.isChecked() else ""
            return f"{name}={self.start.value()!r}:{self.stop.value()!r}:{self.count.value()}{tail}"
        return f"{name}={self.values.text().strip()}"
