"""What ``physlab --info`` prints: versions, where the numba cache and the settings live, and the
threading layer the parallel kernels use (the first two are what a bug report needs)."""

from __future__ import annotations

import platform
import sys
from importlib import metadata

from .settings import settings_path

PACKAGES = ("numpy", "numba", "PySide6-Essentials", "pyqtgraph", "dask", "distributed")


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def info_lines() -> list[str]:
    """One ``name: value`` line per fact; runs one tiny parallel kernel to learn the layer."""

    from physlab._version import __version__

    from .numba_setup import numba_config, threading_layer_in_use

    lines = [f"physlab: {__version__}", f"python: {sys.version.split()[0]} ({platform.platform()})"]
    lines += [f"{dist}: {_version(dist)}" for dist in PACKAGES]
    lines += [
        f"numba cache: {numba_config.CACHE_DIR or '(beside the sources)'}",
        f"numba threads: {numba_config.NUMBA_NUM_THREADS}",
        f"threading layer: {threading_layer_in_use()}",
        f"settings: {settings_path()}{'' if settings_path().exists() else ' (none saved yet)'}",
    ]
    return lines
