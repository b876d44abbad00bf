"""Where physlab's resources (presets, icons, style) live: the top-level ``resources/`` folder of
the source tree (physlab is installed in editable mode), or ``$PHYSLAB_RESOURCES``."""

from __future__ import annotations

import os
from pathlib import Path


def resource_dir() -> Path:
    override = os.environ.get("PHYSLAB_RESOURCES")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "resources"


def resource(*parts: str) -> Path:
    return resource_dir().joinpath(*parts)
