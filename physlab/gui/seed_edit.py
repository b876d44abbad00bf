"""The seed control: any integer seed physlab accepts, [0, 2⁶³), which a QSpinBox (32-bit) cannot
hold. A line edit that takes digits only, with the spin box's ``value`` / ``setValue`` /
``valueChanged`` / ``maximum`` interface, so a seed from a session or a pasted configuration
shows as it is."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from physlab.core.records import SEED_LIMIT


class SeedEdit(QtWidgets.QLineEdit):
    valueChanged = QtCore.Signal(object)  # an int of up to 63 bits (a C int holds 31)

    def __init__(self, parent=None):
        super().__init__("0", parent)
        self.setValidator(
            QtGui.QRegularExpressionValidator(QtCore.QRegularExpression(r"\d{1,19}"), self)
        )
        self._value = 0
        self.editingFinished.connect(self._commit)
        self.textEdited.connect(lambda _text: self._commit(quiet=True))

    def maximum(self) -> int:
        return SEED_LIMIT - 1

    def value(self) -> int:
        return self._value

    def setValue(self, value: int) -> None:
        value = int(value)
        if not 0 <= value <= self.maximum():
            raise ValueError(f"seed {value} is not in [0, 2^63)")
        self.setText(str(value))
        self._set(value)

    def _commit(self, quiet: bool = False) -> None:
        """Take the typed digits (out-of-range text falls back to the last valid seed)."""
        text = self.text()
        if text and int(text) <= self.maximum():
            self._set(int(text))
        elif not quiet:
            self.setText(str(self._value))

    def _set(self, value: int) -> None:
        if value != self._value:
            self._value = value
            self.valueChanged.emit(value)
