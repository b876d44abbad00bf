"""View ▸ Console: a Python console (pyqtgraph's ConsoleWidget) docked in the window, with every
tab's current run in its namespace for the quick look no plot offers::

    >>> runs["sharpness"]["loss"][-5:]
    >>> runs["collapse"].params["strategy"]

``runs[lab]`` is a :class:`physlab.api.Run` of the run on screen in that tab (its arrays, params,
seed and metadata, read when asked, so it is always the latest); ``np`` and ``physlab`` are
imported. The console runs on the GUI thread: a long computation typed into it blocks the app,
as in any embedded console.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np
from pyqtgraph.console import ConsoleWidget
from PySide6 import QtCore, QtWidgets

import physlab
from physlab.api import Run

INTRO = (
    "physlab console: runs['sharpness']['loss'], runs['collapse'].params, np, physlab.run(...)\n"
)


class RunsOnScreen(Mapping):
    """``lab name → Run`` of each built tab's run on screen (tabs without a run are absent)."""

    def __init__(self, window):
        self._window = window

    def _runs(self) -> dict[str, Run]:
        out = {}
        for name, tab in self._window.lab_tabs.built().items():
            record = tab.record()
            if record is not None:
                out[name] = Run(
                    name, dict(record.params), record.seed, dict(record.frame), dict(record.meta)
                )
        return out

    def __getitem__(self, name: str) -> Run:
        runs = self._runs()
        if name not in runs:
            raise KeyError(f"no run on screen in {name!r}; runs: {', '.join(runs) or 'none'}")
        return runs[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._runs())

    def __len__(self) -> int:
        return len(self._runs())

    def __repr__(self) -> str:
        return f"runs on screen: {', '.join(self._runs()) or 'none yet (press Run)'}"


def console_dock(window) -> QtWidgets.QDockWidget:
    """A hidden dock at the bottom of ``window`` holding the console."""
    dock = QtWidgets.QDockWidget("Console", window)
    dock.setObjectName("console")
    namespace = {"runs": RunsOnScreen(window), "np": np, "physlab": physlab}
    dock.setWidget(ConsoleWidget(namespace=namespace, text=INTRO))
    window.addDockWidget(QtCore.Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    dock.hide()
    return dock
