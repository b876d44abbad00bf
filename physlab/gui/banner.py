"""The message banner above a lab's plots: what to do next, a preset's note, why a run failed."""

from __future__ import annotations

from PySide6 import QtWidgets

from physlab.core.runner import RunState

from . import theme


class Banner(QtWidgets.QLabel):
    """A word-wrapped rich-text label, hidden while it has nothing to say."""

    def __init__(self, parent=None):
        super().__init__("", parent)
        self.setObjectName("banner")
        self.setWordWrap(True)
        self.hide()

    def show_message(self, text: str, error: bool = False) -> None:
        """Show ``text``, coloured from the theme's palette roles (re-coloured on a theme switch,
        see :func:`physlab.gui.theme.banner_style`)."""
        self.setProperty("error", error)
        self.setStyleSheet(theme.banner_style(error))
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

    @property
    def is_error(self) -> bool:
        return self.property("error") is True
