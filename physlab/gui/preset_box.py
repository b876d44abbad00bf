"""A lab's preset chooser. It names the preset the controls were set from, and says so when they
no longer match it ("eos-chebyshev (modified)")."""
from __future__ import annotations

from PySide6 import QtWidgets

from physlab.core.presets import list_presets

DEFAULTS = "— defaults —"
MODIFIED = " (modified)"


class PresetBox(QtWidgets.QComboBox):
    """Item data: the preset's name (None for the defaults)."""

    def __init__(self, lab: str, parent=None):
        super().__init__(parent)
        self.setObjectName("presets")
        self.addItem(DEFAULTS, None)
        for name in list_presets(lab):
            self.addItem(name, name)
        self._chosen: tuple[int, dict, int | None] | None = None  # index, values, seed

    def chose(self, name: str | None, values: dict, seed: int | None) -> None:
        """The controls now hold preset ``name``: ``values`` and (if it sets one) ``seed``."""
        self._unmark()
        index = max(self.findData(name), 0)
        self.setCurrentIndex(index)
        self._chosen = (index, dict(values), seed) if index > 0 else None

    def forget(self) -> None:
        """The controls hold something else (a session): show the defaults item, unmarked."""
        self._unmark()
        self._chosen = None
        self.setCurrentIndex(0)

    def compare(self, values: dict, seed: int) -> None:
        """Mark the chosen preset modified while the controls differ from it."""
        if self._chosen is None:
            return
        index, want, want_seed = self._chosen
        same = values == want and (want_seed is None or seed == want_seed)
        self.setItemText(index, self.itemData(index) + ("" if same else MODIFIED))

    @property
    def modified(self) -> bool:
        return self.currentText().endswith(MODIFIED)

    def _unmark(self) -> None:
        if self._chosen is not None:
            self.setItemText(self._chosen[0], self.itemData(self._chosen[0]))
