"""Start the Qt application and show the main window."""

from __future__ import annotations

import sys

from PySide6 import QtWidgets

from .plots import configure
from .settings import settings


def main(lab: str | None = None) -> int:
    configure()
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv)
    app.setApplicationName("physlab")
    app.setOrganizationName("physlab")
    from .window import MainWindow

    window = MainWindow(initial_lab=lab)
    window.restore_layout(lab)  # the last start's geometry and tab (an explicit --lab wins)
    window.set_theme("dark" if settings().value("theme") == "dark" else "light")
    # quitting without closing the window (session end, app.quit) must stop the workers too
    app.aboutToQuit.connect(window.shutdown)
    window.show()
    return app.exec()
