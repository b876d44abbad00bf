"""A slider that scrubs through stored snapshots of a streaming run and otherwise follows the
latest one (the Kernels and Diffusion tabs' time sliders)."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets


class ScrubBar(QtWidgets.QWidget):
    moved = QtCore.Signal()  # the user moved the slider: repaint

    def __init__(self, title: str, tooltip: str, name: str):
        super().__init__()
        self.slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.slider.setObjectName(name)
        self.slider.setToolTip(tooltip + " (right end: follow the latest)")
        self.label = QtWidgets.QLabel("")
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QtWidgets.QLabel(title))
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.label)
        self.following = True
        self.slider.valueChanged.connect(self._moved)

    def _moved(self) -> None:
        self.following = self.slider.value() >= self.slider.maximum()
        self.moved.emit()

    def reset(self) -> None:
        self.following = True

    def index(self, count: int) -> int:
        """Fit the slider to ``count`` snapshots and return the one to show."""
        self.slider.blockSignals(True)
        self.slider.setMaximum(max(count - 1, 0))
        if self.following:
            self.slider.setValue(count - 1)
        self.slider.blockSignals(False)
        return min(self.slider.value(), count - 1)

    def show_text(self, text: str) -> None:
        """Show the snapshot's name; the label widens to fit (and never narrows, so the slider
        does not jump as the text changes)."""
        self.label.setText(text + (" (latest)" if self.following else ""))
        need = self.label.fontMetrics().horizontalAdvance(self.label.text()) + 4
        if need > self.label.minimumWidth():
            self.label.setMinimumWidth(need)
