"""Every lab's tab has two views, "Single run" (the tab's own plots) and "Sweep" (the lab over a
grid of parameters, :class:`~physlab.gui.sweep_view.SweepView`). The Sweep view is built the
first time it is shown, so the app starts as fast as before and imports the sweep engine (Dask)
only when someone sweeps.

While the Sweep view is on screen the window's Run / Pause / Stop / Export actions (which act on
the current lab tab) go to it: a :class:`~physlab.gui.lab_tab.LabTab` action decorated with
:func:`or_sweep` is done by the view's method of the same name instead.
"""

from __future__ import annotations

import functools
import sys

from PySide6 import QtWidgets

SINGLE, SWEEP = 0, 1


class SweepMode:
    """The "Single run | Sweep" switch of one lab tab; ``single`` is the tab's single-run body."""

    def __init__(self, tab, single: QtWidgets.QWidget):
        self.tab = tab
        self.view = None  # the SweepView, once shown
        self.tabs = QtWidgets.QTabWidget()
        self.tabs.setObjectName("run_mode")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(single, "Single run")
        self.tabs.addTab(QtWidgets.QWidget(), "Sweep")
        self.tabs.setTabToolTip(SINGLE, "one run of the lab, streaming live")
        self.tabs.setTabToolTip(
            SWEEP,
            "the lab over a grid of one or two parameters: a phase "
            "diagram or a curve, filled in as points finish",
        )
        layout = QtWidgets.QVBoxLayout(tab)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.tabs.currentChanged.connect(self._shown)

    @property
    def shown(self) -> bool:
        return self.tabs.currentIndex() == SWEEP

    def sweep_view(self):
        """The Sweep view, built now if it has not been yet."""
        if self.view is None:
            from . import theme
            from .sweep_view import SweepView

            self.view = SweepView(self.tab)
            self.tabs.blockSignals(True)
            current = self.tabs.currentIndex()
            old = self.tabs.widget(SWEEP)
            self.tabs.removeTab(SWEEP)
            self.tabs.insertTab(SWEEP, self.view, "Sweep")
            self.tabs.setCurrentIndex(current)
            self.tabs.blockSignals(False)
            old.deleteLater()
            theme.adapt_widget(self.view)
        return self.view

    def show_sweep(self):
        view = self.sweep_view()
        self.tabs.setCurrentIndex(SWEEP)
        return view

    def show_single(self) -> None:
        self.tabs.setCurrentIndex(SINGLE)

    def active_view(self):
        """The Sweep view if it is the one on screen, else None."""
        return self.view if self.shown else None

    def _shown(self, index: int) -> None:
        if index == SWEEP:
            self.sweep_view()

    # -- the tab's life ------------------------------------------------------------------------
    def shutdown(self) -> None:
        if self.view is not None:
            self.view.shutdown()

    def session_record(self):
        """The sweep on screen for a saved session (None if there is none)."""
        return self.view.session_record() if self.view is not None else None

    def restore(self, record) -> None:
        if record is not None:
            self.sweep_view().restore(record)
        elif self.view is not None:
            self.view.clear()


def or_sweep(method):
    """Make a :class:`LabTab` action be done by the Sweep view while that is on screen."""

    @functools.wraps(method)
    def action(tab, *args, **kwargs):
        view = tab.sweep_mode.active_view()
        if view is not None:
            return getattr(view, method.__name__)(*args, **kwargs)
        return method(tab, *args, **kwargs)

    return action


def shutdown_sweeps() -> None:
    """Shut down the local Dask cluster if a sweep started one (the app is closing)."""
    engine = sys.modules.get("physlab.core.sweep")
    if engine is not None:
        engine.shutdown_local_cluster()
