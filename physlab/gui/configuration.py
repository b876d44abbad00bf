"""Edit ▸ Copy / Paste configuration: a tab's lab, parameters and seed as one line of text
(:mod:`physlab.core.config_text`), through the system clipboard."""

from __future__ import annotations

from PySide6 import QtGui

from physlab.core.config_text import ConfigError, from_text, lab_of, to_text


def copy_configuration(tab) -> str:
    """Put ``tab``'s controls (parameters and seed) on the clipboard; returns the text."""
    params = tab.lab.spec.validate(tab.panel.values())
    text = to_text(tab.lab.name, params, tab.seed.value())
    QtGui.QGuiApplication.clipboard().setText(text)
    return text


def paste_configuration(window, text: str | None = None) -> str:
    """Set the controls of the lab a configuration names from ``text`` (the clipboard's by
    default) and show its tab; returns the lab's name. Raises :class:`ConfigError` (one line,
    nothing changed) for text that is not a configuration, names an unknown lab or parameter, or
    holds a bad value or seed."""
    text = QtGui.QGuiApplication.clipboard().text() if text is None else text
    name = lab_of(text)
    labs = window.lab_tabs.names()
    if name not in labs:
        raise ConfigError(
            f"the configuration is for lab {name!r}, which this physlab does not "
            f"have; labs: {', '.join(labs)}"
        )
    tab = window.lab_tabs.get_or_build(name)
    params, seed = from_text(text, tab.lab.spec)
    tab.panel.set_values(params)
    tab.seed.setValue(seed)
    window.show_lab(name)
    return name
