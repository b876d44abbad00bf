"""The message banner above a lab's plots: what to do next, a preset's note, why a run failed."""
from __future__ import annotations

from PySide6 import QtWidgets

from physlab.core.runner import RunState

INFO = "#eef4fb; color: #1b3a57; border: 1px solid #b6cde6"
ERROR = "#fdecea; color: #8a1c12; border: 1px solid #e6a19a"


class Banner(QtWidgets.QLabel):
    """A word-wrapped rich-text label, hidden while it has nothing to say."""

    def __init__(self, parent=None):
        super().__init__("", parent)
        self.setObjectName("banner")
        self.setWordWrap(True)
        self.hide()

    def show_message(self, text: str, error: bool = False) -> None:
        self.setStyleSheet(f"background: {ERROR if error else INFO}; padding: 6px; "
                           "border-radius: 4px;")
        self.setText(text)
        self.show()

    def show_state(self, state: RunState, message: str) -> None:
        """Say what went wrong with a run, if anything did."""
        if state == RunState.DIVERGED:
            self.show_message("⚠ " + message + " The plots keep what was computed.", error=True)
        elif state == RunState.FAILED:
            self.show_message("The run failed: " + message, error=True)
        elif message and state.active:  # e.g. a live change refused
            self.show_message(message, error=True)
