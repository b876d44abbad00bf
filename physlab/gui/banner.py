"""A message strip above a view's plots: a hint (blue) or an error (red), hidden when empty."""
from __future__ import annotations

from PySide6 import QtWidgets

STYLES = {False: "#eef4fb; color: #1b3a57; border: 1px solid #b6cde6",
          True: "#fdecea; color: #8a1c12; border: 1px solid #e6a19a"}


class Banner(QtWidgets.QLabel):
    def __init__(self, parent=None):
        super().__init__("", parent)
        self.setObjectName("banner")
        self.setWordWrap(True)
        self.hide()

    def show_message(self, text: str, error: bool = False) -> None:
        self.setStyleSheet(f"background: {STYLES[error]}; padding: 6px; border-radius: 4px;")
        self.setText(text)
        self.show()

    @property
    def is_error(self) -> bool:
        return "#fdecea" in self.styleSheet()
