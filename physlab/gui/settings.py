"""The app's remembered settings (theme, window geometry, last tab, last folders) in one INI file
whose path is Qt-free (:func:`physlab.core.settings.settings_path`), so that ``physlab --info``
shows it and ``physlab --reset-settings`` clears it without starting the GUI."""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore

from physlab.core.settings import settings_path


def settings() -> QtCore.QSettings:
    """The settings file (created on first write)."""
    return QtCore.QSettings(str(settings_path()), QtCore.QSettings.Format.IniFormat)


def last_folder(kind: str) -> Path:
    """The folder a file dialog of ``kind`` ("export", "session") last used, if it still exists;
    the working directory otherwise."""
    value = settings().value(f"folders/{kind}", "")
    folder = Path(str(value)) if value else Path.cwd()
    return folder if folder.is_dir() else Path.cwd()


def remember_folder(kind: str, path: Path) -> None:
    settings().setValue(f"folders/{kind}", str(Path(path).resolve().parent))
