"""Parameter controls generated from a lab's ParamSpec: one widget per Param, grouped, with the
range and help in the tooltip. Controls of parameters that cannot change during a run are disabled
while one streams; parameters whose ``when`` condition does not hold are hidden."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from physlab.core.params import Kind, Param, ParamError, ParamSpec

from . import theme


class FloatBox(QtWidgets.QDoubleSpinBox):
    """A float spin box that shows values compactly (``0.2``, ``1e-08``) rather than with a fixed
    number of decimals, and steps adaptively (or multiplicatively by ×/÷ 1.25 for log-scale
    parameters), so both η = 0.2 and ε = 1e-8 read and edit naturally.

    Typed text that is not an allowed value (``nan``, ``inf``, out of range, not a number) keeps
    the previous value and emits ``refused`` with the one-line reason (``param``'s message, with
    its range); Qt's own box would clamp it to the range or put the old value back without a
    word (``nan`` became the maximum). ``refused("")`` says the text is allowed again."""

    refused = QtCore.Signal(str)

    def __init__(self, log: bool, param: Param | None = None):
        super().__init__()
        self._log = log
        self._param = param
        self.setDecimals(15)
        self.setStepType(QtWidgets.QAbstractSpinBox.StepType.AdaptiveDecimalStepType)

    def textFromValue(self, value: float) -> str:
        return f"{value:.6g}"

    def read(self, text: str) -> float:
        """The value ``text`` stands for; raises :class:`ValueError` (a :class:`ParamError`
        for a parameter's box) with the reason when it is not allowed."""
        if self._param is not None:
            return self._param.parse(text)
        value = float(text) if text.strip() else math.nan
        if not (math.isfinite(value) and self.minimum() <= value <= self.maximum()):
            raise ValueError(
                f"{text.strip()!r} is not a finite number in "
                f"[{self.minimum():g}, {self.maximum():g}]"
            )
        return value

    def valueFromText(self, text: str) -> float:
        if text == self.textFromValue(self.value()):  # untouched: not the 6 digits shown
            self.refused.emit("")
            return self.value()
        try:
            value = self.read(text)
        except ValueError as err:
            self.refused.emit(str(err) or f"{text!r} is not a number")
            return self.value()
        self.refused.emit("")
        return value

    def validate(self, text: str, pos: int):
        # any text may be typed: valueFromText refuses what is not allowed, and says why
        return QtGui.QValidator.State.Acceptable, text, pos

    def stepBy(self, steps: int) -> None:
        if self._log and self.value() > 0:
            self.setValue(self.value() * 1.25**steps)
        else:
            super().stepBy(steps)


class SliderFloat(QtWidgets.QWidget):
    """A float box with a slider beside it (log-scaled for log parameters), for parameters users
    sweep by dragging; the slider emits while it moves."""

    valueChanged = QtCore.Signal(float)
    TICKS = 200

    def __init__(self, low: float, high: float, log: bool, param: Param | None = None):
        super().__init__()
        self.low, self.high, self.log = low, high, log
        self.box = FloatBox(log, param)
        self.box.setRange(low, high)
        self.box.setKeyboardTracking(False)
        self.slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.slider.setRange(0, self.TICKS)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.box)
        self.box.valueChanged.connect(self._from_box)
        self.slider.valueChanged.connect(self._from_slider)

    def _to_tick(self, value: float) -> int:
        if self.log:
            frac = math.log(value / self.low) / math.log(self.high / self.low)
        else:
            frac = (value - self.low) / (self.high - self.low)
        return round(self.TICKS * min(max(frac, 0.0), 1.0))

    def _place_slider(self, value: float) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(self._to_tick(value))
        self.slider.blockSignals(False)

    def _from_box(self, value: float) -> None:
        self._place_slider(value)
        self.valueChanged.emit(value)

    def _from_slider(self, tick: int) -> None:
        frac = tick / self.TICKS
        value = (
            self.low * (self.high / self.low) ** frac
            if self.log
            else self.low + frac * (self.high - self.low)
        )
        self.box.setValue(float(f"{value:.3g}"))  # emits through _from_box

    def value(self) -> float:
        return self.box.value()

    def setValue(self, value: float) -> None:
        self.box.blockSignals(True)
        self.box.setValue(value)
        self.box.blockSignals(False)
        self._place_slider(value)


class MultiChoice(QtWidgets.QWidget):
    """One check box per choice of a ``multi`` parameter; at least one stays checked."""

    toggled = QtCore.Signal(list)

    def __init__(self, choices: tuple[str, ...], selected: list[str]):
        super().__init__()
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._boxes = {}
        for choice in choices:
            box = QtWidgets.QCheckBox(choice)
            box.setObjectName(f"choice_{choice}")
            box.toggled.connect(self._changed)
            layout.addWidget(box)
            self._boxes[choice] = box
        self.set_value(selected)

    def value(self) -> list[str]:
        return [c for c, box in self._boxes.items() if box.isChecked()]

    def set_value(self, selected: list[str]) -> None:
        for choice, box in self._boxes.items():
            box.blockSignals(True)
            box.setChecked(choice in selected)
            box.blockSignals(False)

    def _changed(self, on: bool) -> None:
        value = self.value()
        if not value:  # an empty selection runs nothing: undo the last uncheck
            self.sender().setChecked(True)
            return
        self.toggled.emit(value)


class ListEdit(QtWidgets.QPlainTextEdit):
    """A list of integers as editable text that wraps after its commas and grows to show every
    line (a one-line field clipped long lists such as Tails' 16 sample sizes). Return or leaving
    the field commits it (``editingFinished``, as a line edit)."""

    editingFinished = QtCore.Signal()

    def __init__(self):
        super().__init__()
        self.setTabChangesFocus(True)
        self.setWordWrapMode(QtGui.QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        for policy in (self.setVerticalScrollBarPolicy, self.setHorizontalScrollBarPolicy):
            policy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Fixed
        )
        self.textChanged.connect(self._fit)

    def text(self) -> str:
        return self.toPlainText()

    def setText(self, text: str) -> None:
        self.setPlainText(text)
        self._fit()

    def lines(self) -> int:
        """Lines the text takes at the current width."""
        return max(int(self.document().size().height()), 1)

    def _fit(self) -> None:
        margins = self.contentsMargins()
        height = (
            self.lines() * self.fontMetrics().lineSpacing()
            + 2 * self.document().documentMargin()
            + margins.top()
            + margins.bottom()
        )
        self.setFixedHeight(int(height))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def keyPressEvent(self, event) -> None:
        if event.key() in (QtCore.Qt.Key.Key_Return, QtCore.Qt.Key.Key_Enter):
            self.editingFinished.emit()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self.editingFinished.emit()


def _int_box(p: Param) -> QtWidgets.QSpinBox:
    w = QtWidgets.QSpinBox()
    w.setRange(
        int(p.low if p.low is not None else -(2**31)),
        int(min(p.high if p.high is not None else 2**31 - 1, 2**31 - 1)),
    )
    w.setKeyboardTracking(False)
    return w


def _float_control(p: Param) -> QtWidgets.QWidget:
    """A slider for parameters users sweep by dragging (``restart``), a spin box otherwise."""
    if p.restart:
        return SliderFloat(p.low, p.high, p.log, p)
    w = FloatBox(p.log, p)
    w.setRange(p.low if p.low is not None else -1e12, p.high if p.high is not None else 1e12)
    w.setKeyboardTracking(False)
    return w


def _set_text(w: ListEdit, value: list) -> None:
    w.setText(", ".join(map(str, value)))


@dataclass(frozen=True)
class Control:
    """One kind of parameter widget behind a uniform value interface (as magicgui's widgets
    have): ``make`` builds it for a parameter, ``get(widget, param)`` reads the value (it may
    raise :class:`ParamError` for text that does not parse), ``put`` shows one, and ``edited``
    is the signal the widget emits when the user changes it."""

    make: Callable[[Param], QtWidgets.QWidget]
    get: Callable[[Any, Param], Any]
    put: Callable[[Any, Any], None]
    edited: Callable[[Any], QtCore.SignalInstance]


CONTROLS: dict[Kind, Control] = {
    Kind.CHOICE: Control(
        lambda p: _combo(p.choices),
        lambda w, p: w.currentText(),
        lambda w, v: w.setCurrentText(v),
        lambda w: w.currentTextChanged,
    ),
    Kind.BOOL: Control(
        lambda p: QtWidgets.QCheckBox(),
        lambda w, p: w.isChecked(),
        lambda w, v: w.setChecked(v),
        lambda w: w.toggled,
    ),
    Kind.INT: Control(
        _int_box, lambda w, p: int(w.value()), lambda w, v: w.setValue(v), lambda w: w.valueChanged
    ),
    Kind.FLOAT: Control(
        _float_control,
        lambda w, p: float(w.value()),
        lambda w, v: w.setValue(v),
        lambda w: w.valueChanged,
    ),
    Kind.MULTI: Control(
        lambda p: MultiChoice(p.choices, p.default),
        lambda w, p: w.value(),
        lambda w, v: w.set_value(v),
        lambda w: w.toggled,
    ),
    Kind.INTS: Control(
        lambda p: ListEdit(), lambda w, p: p.parse(w.text()), _set_text, lambda w: w.editingFinished
    ),
}


def _float_box(w: QtWidgets.QWidget) -> FloatBox | None:
    """The float box of a float control (a slider's box, or the control itself)."""
    return w.box if isinstance(w, SliderFloat) else w if isinstance(w, FloatBox) else None


def _combo(choices) -> QtWidgets.QComboBox:
    w = QtWidgets.QComboBox()
    w.addItems(list(choices))
    return w


class ParamPanel(QtWidgets.QWidget):
    changed = QtCore.Signal(str, object)  # name, new valid value
    refused = QtCore.Signal(str)  # the one-line reason typed text was not taken

    def __init__(self, spec: ParamSpec, parent=None):
        super().__init__(parent)
        self.spec = spec
        self._widgets: dict[str, QtWidgets.QWidget] = {}
        self._tips: dict[str, str] = {}
        self._refused: dict[str, str] = {}  # name: why the text in its control was not taken
        self._rows: dict[str, tuple[QtWidgets.QLabel, QtWidgets.QWidget]] = {}
        self._values = spec.defaults()
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        forms: dict[str, QtWidgets.QFormLayout] = {}
        self._boxes: dict[str, QtWidgets.QGroupBox] = {}
        for p in spec:
            if p.group not in forms:
                box = self._boxes[p.group] = QtWidgets.QGroupBox(p.group)
                forms[p.group] = QtWidgets.QFormLayout(box)
                forms[p.group].setFieldGrowthPolicy(
                    QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow
                )
                layout.addWidget(box)
            widget = self._make(p)
            widget.setObjectName(f"param_{p.name}")
            tip = f"<b>{p.name}</b>: {p.help}<br>{p.allowed()}{' ' + p.unit if p.unit else ''}"
            if p.live:
                tip += "<br><i>live: changes apply while a run streams</i>"
            if p.restart:
                tip += "<br><i>changing it re-runs the lab with the new value</i>"
            widget.setToolTip(tip)
            self._tips[p.name] = tip
            label = QtWidgets.QLabel(p.title + (" ●" if p.live else ""))
            label.setToolTip(tip)
            forms[p.group].addRow(label, widget)
            self._widgets[p.name] = widget
            self._rows[p.name] = (label, widget)
        layout.addStretch(1)
        self._refresh_visibility()

    # -- widgets -------------------------------------------------------------------------------
    def _make(self, p: Param) -> QtWidgets.QWidget:
        control = CONTROLS[p.kind]
        w = control.make(p)
        control.put(w, p.default)
        control.edited(w).connect(lambda *_, p=p, w=w: self._edited(p, w))
        box = _float_box(w)
        if box is not None:
            box.refused.connect(lambda why, p=p, w=w: self._mark(p, w, why))
        return w

    def _edited(self, p: Param, w: QtWidgets.QWidget) -> None:
        """The user changed ``p``'s widget: keep the value, or mark text that does not parse."""
        try:
            value = CONTROLS[p.kind].get(w, p)
        except ParamError as err:
            self._mark(p, w, str(err))
            return
        self._mark(p, w, "")
        self._commit(p, value)

    def _mark(self, p: Param, w: QtWidgets.QWidget, why: str) -> None:
        """Mark ``p``'s control as holding text that was not taken (``why``), or unmark it."""
        if not why:
            if self._refused.pop(p.name, None) is not None:
                w.setStyleSheet("")
                w.setToolTip(self._tips[p.name])
            return
        first = self._refused.get(p.name) != why
        self._refused[p.name] = why
        w.setStyleSheet(f"border: 1px solid {theme.ALARM};")
        w.setToolTip(why)
        if first:
            self.refused.emit(why)

    def _commit(self, p: Param, value) -> None:
        if self._values.get(p.name) == value:
            return
        self._values[p.name] = value
        self._refresh_visibility()
        self.changed.emit(p.name, value)

    def _refresh_visibility(self) -> None:
        groups_shown = set()
        for name, (label, widget) in self._rows.items():
            shown = self.spec.active(name, self._values)
            label.setVisible(shown)
            widget.setVisible(shown)
            if shown:
                groups_shown.add(self.spec[name].group)
        for group, box in self._boxes.items():  # a group with nothing to show takes no room
            box.setVisible(group in groups_shown)

    # -- API -----------------------------------------------------------------------------------
    def values(self) -> dict:
        return dict(self._values)

    def commit_edits(self) -> str:
        """Take what is typed but not yet entered (Ctrl+R leaves the focus in the box, so the box
        has not committed it), and return why a shown control's text was not taken ("" when
        all were)."""
        for name, w in self._widgets.items():
            box = _float_box(w) or (w if isinstance(w, QtWidgets.QSpinBox) else None)
            if box is not None:
                box.interpretText()
            elif isinstance(w, ListEdit):
                self._edited(self.spec[name], w)
        shown = [why for name, why in self._refused.items() if self.spec.active(name, self._values)]
        return shown[0] if shown else ""

    def set_values(self, values: dict) -> None:
        """Show ``values`` (merged over the current ones) without emitting ``changed``."""
        for name, value in values.items():
            w = self._widgets[name]
            w.blockSignals(True)
            CONTROLS[self.spec[name].kind].put(w, value)
            w.setStyleSheet("")
            if self._refused.pop(name, None) is not None:
                w.setToolTip(self._tips[name])
            w.blockSignals(False)
            self._values[name] = value
        self._refresh_visibility()

    def set_running(self, running: bool) -> None:
        for name, widget in self._widgets.items():
            param = self.spec[name]
            widget.setEnabled(not running or param.live or param.restart)

    def widget(self, name: str) -> QtWidgets.QWidget:
        return self._widgets[name]
