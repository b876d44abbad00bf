"""Help ▸ About: physlab's labs and the papers each one follows, in a dialog that fits the screen
(the text scrolls; a message box grew taller than a 1000-pixel screen and hid its OK button)."""

from __future__ import annotations

import html
from collections.abc import Iterable

from PySide6 import QtWidgets

from physlab import __version__
from physlab.core.registry import Lab

WIDTH, HEIGHT = 640, 720  # preferred size; never more than 85 % of the screen's height


def about_html(labs: Iterable[Lab]) -> str:
    parts = [f"<h3>physlab {__version__}</h3><p>A simulation lab for the physics of learning.</p>"]
    for lab in labs:
        papers = "".join(f"<li>{html.escape(str(paper))}</li>" for paper in lab.papers)
        parts.append(
            f"<p><b>{html.escape(lab.title)}</b>: {html.escape(lab.summary)}</p><ul>{papers}</ul>"
        )
    return "".join(parts)


class AboutDialog(QtWidgets.QDialog):
    def __init__(self, labs: Iterable[Lab], parent=None):
        super().__init__(parent)
        self.setWindowTitle("About physlab")
        text = QtWidgets.QTextBrowser()
        text.setOpenExternalLinks(True)
        text.setHtml(about_html(labs))
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(lambda: self.accept())
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(text, 1)
        layout.addWidget(buttons)

    def showEvent(self, event) -> None:
        screen = (self.parentWidget() or self).screen().availableGeometry()
        self.resize(min(WIDTH, screen.width()), min(HEIGHT, int(0.85 * screen.height())))
        super().showEvent(event)
