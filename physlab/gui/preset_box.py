"""A lab's preset chooser. It names the preset the controls were set from, and says so when they
no longer match it ("eos-chebyshev (modified)")."""

from __future__ import annotations

import html

from PySide6 import QtWidgets

from physlab.core.presets import Preset, list_presets

DEFAULTS = "— defaults —"
MODIFIED = " (modified)"


class PresetBox(QtWidgets.QComboBox):
    """Item data: the preset's name (None for the defaults). ``note`` is a label (for the tab to
    place) with the chosen preset's title, description and the figure it reproduces."""

    def __init__(self, lab: str, parent=None):
        super().__init__(parent)
        self.setObjectName("presets")
        self.addItem(DEFAULTS, None)
        for name in list_presets(lab):
            self.addItem(name, name)
        self._chosen: tuple[int, dict, int | None] | None = None  # index, values, seed
        self.note = QtWidgets.QLabel("")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("font-size: 9pt;")

    def chose(self, preset: Preset | None, values: dict) -> None:
        """The controls now hold ``preset`` (None: the defaults) as ``values``."""
        self._unmark()
        index = max(self.findData(preset.name if preset else None), 0)
        self.setCurrentIndex(index)
        self._chosen = (index, dict(values), preset.seed) if preset else None
        if preset is None:
            self.note.setText("")
            return
        # escaped: descriptions contain "<" (β < 1), which rich text would take for a tag
        figure = f"<br><i>Reproduces: {html.escape(preset.figure)}</i>" if preset.figure else ""
        self.note.setText(
            f"<b>{html.escape(preset.title)}</b><br>{html.escape(preset.description)}{figure}"
        )

    def forget(self) -> None:
        """The controls hold something else (a session): show the defaults item, unmarked."""
        self.chose(None, {})

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
