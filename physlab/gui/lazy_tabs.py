"""Lab tabs built the first time they are shown or asked for.

Building every lab's plots at start-up took 0.87 s of a ~2 s launch (23 pyqtgraph plots, measured
with cProfile); the window now starts with a placeholder per lab and builds a tab when it first
becomes visible, or when code asks ``window.lab_tabs[name]`` (sessions, tests)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Callable

from PySide6 import QtWidgets

from physlab.core.registry import Lab

from .lab_tab import LabTab


class Placeholder(QtWidgets.QWidget):
    """Stands in a tab widget for a lab whose tab has not been built yet."""

    def __init__(self, lab: Lab):
        super().__init__()
        self.lab_name = lab.name


class LabTabs(Mapping):
    """``name → LabTab`` over all labs; looking a lab up builds its tab and puts it in place of
    its placeholder. :meth:`built` lists only the tabs that exist (for shutdown and sessions)."""

    def __init__(self, labs: Mapping[str, Lab], holders: Mapping[str, QtWidgets.QTabWidget],
                 placeholders: Mapping[str, Placeholder], make: Callable[[Lab], LabTab]):
        self._labs, self._holders, self._placeholders = labs, holders, dict(placeholders)
        self._make = make
        self._built: dict[str, LabTab] = {}

    def __getitem__(self, name: str) -> LabTab:
        tab = self._built.get(name)
        if tab is None:
            lab = self._labs[name]
            tab = self._built[name] = self._make(lab)
            self._swap_in(lab, tab)
        return tab

    def __iter__(self):
        return iter(self._labs)

    def __len__(self) -> int:
        return len(self._labs)

    def built(self) -> dict[str, LabTab]:
        return dict(self._built)

    def _swap_in(self, lab: Lab, tab: LabTab) -> None:
        holder = self._holders[lab.name]
        placeholder = self._placeholders.pop(lab.name)
        index = holder.indexOf(placeholder)
        was_current = holder.currentIndex() == index
        holder.blockSignals(True)  # no "current changed" (and no building) while swapping
        holder.removeTab(index)
        holder.insertTab(index, tab, lab.title)
        holder.setTabToolTip(index, lab.summary)
        if was_current:
            holder.setCurrentIndex(index)
        holder.blockSignals(False)
        placeholder.deleteLater()
