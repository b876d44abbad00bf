"""Start the Qt application and show the main window."""
from __future__ import annotations

import sys

from PySide6 import QtCore, QtWidgets

from .plots import configure


def main(lab: str | None = None) -> int:
    configure()
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv)
    app.setApplicationName("physlab")
    app.setOrganizationName("physlab")
    from .window import MainWindow

    window = MainWindow(initial_lab=lab)
    window.set_theme("dark" if QtCore.QSettings().value("theme") == "dark" else "light")
    # quitting without closing the window (session end, app.quit) must stop the workers too
    app.aboutToQuit.connect(window.shutdown)
    window.show()
    return app.exec()
