"""Where physlab remembers things between starts (theme, window geometry, last tab, last export
folder), kept Qt-free so that ``physlab --info`` and ``physlab --reset-settings`` can find them
without starting the GUI. The GUI reads and writes the file through ``QSettings`` in INI format
(:mod:`physlab.gui.settings`)."""

from __future__ import annotations

import os
from pathlib import Path


def settings_path() -> Path:
    """``$XDG_CONFIG_HOME/physlab/physlab.conf`` (``~/.config/physlab/physlab.conf`` by default)."""
    root = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(root) / "physlab" / "physlab.conf"


def reset_settings() -> bool:
    """Forget every remembered setting; True if there was anything to forget."""
    path = settings_path()
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True
