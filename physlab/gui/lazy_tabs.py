"""Lab tabs built the first time they are shown or asked for.

Building every lab's plots at start-up was most of the launch (``benchmarks/`` measures the
start-up); the window starts with a placeholder per lab and builds a tab when it first becomes
visible, or when code asks for it by ``window.lab_tabs.get_or_build(name)`` (sessions, tests)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6 import QtWidgets

from physlab.core.registry import Lab

from .lab_tab import LabTab


class Placeholder(QtWidgets.QWidget):
    """Stands in a tab widget for a lab whose tab has not been built yet."""

    def __init__(self, lab: Lab):
        super().__init__()
        self.lab_name = lab.name


class LabTabs:
    """The tabs of all labs: :meth:`get_or_build` is the one way a tab gets built (and put in
    place of its placeholder); :meth:`built` lists only the tabs that exist (for shutdown and
    sessions)."""

    def __init__(
        self,
        labs: Mapping[str, Lab],
        holders: Mapping[str, QtWidgets.QTabWidget],
        placeholders: Mapping[str, Placeholder],
        make: Callable[[Lab], LabTab],
    ):
        self._labs, self._holders, self._placeholders = labs, holders, dict(placeholders)
        self._make = make
        self._built: dict[str, LabTab] = {}

    def get_or_build(self, name: str) -> LabTab:
        """The lab's tab, built now if it does not exist yet."""
        tab = self._built.get(name)
        if tab is None:
            lab = self._labs[name]
            tab = self._built[name] = self._make(lab)
            self._swap_in(lab, tab)
        return tab

    def built(self) -> dict[str, LabTab]:
        return dict(self._built)

    def names(self) -> list[str]:
        """Every lab's name, built or not."""
        return list(self._labs)

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
