"""numba configuration shared by every lab's kernels; import it before any parallel kernel compiles.

numba's default threading layer may fall back to ``workqueue``, which aborts the process when two
threads launch parallel kernels at once — exactly what happens when two labs run side by side in
the GUI. ``threadsafe`` makes numba pick a layer that allows concurrent launches (OpenMP or TBB) and
fail loudly if none is available. On these Linux machines that is OpenMP through the system
libgomp (TBB's pip wheel puts libtbb outside the loader path of a venv).
``tests/core/test_numba_threads.py`` runs parallel kernels from several threads at once to check it.

numba's on-disk cache is keyed by each function's own source file only: a kernel that calls a
function from another module (every sampler calls ``core.rng.normal``) keeps running the cached
old version after that other module changes. So the cache lives in a directory named after a hash
of all of physlab's non-Qt sources (:func:`source_digest`): any change to code a kernel could use
starts a fresh cache, and the previous directory is removed. Qt code (``gui/`` and the labs' ``ui/``
packages) is left out: simulation code never imports it, and editing a plot should not recompile
every kernel. ``NUMBA_CACHE_DIR`` set by the user wins.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import Any, TypedDict

import numba
import numpy as np

numba_config: Any = (
    numba.config
)  # its attributes are set from the environment: none declared statically

if "NUMBA_THREADING_LAYER" not in os.environ:
    numba_config.THREADING_LAYER = "threadsafe"

PACKAGE = Path(__file__).resolve().parents[1]


def source_digest(package: Path = PACKAGE) -> str:
    """A short hash of every non-Qt ``.py`` file of the package (paths and contents)."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        if _is_qt(path.relative_to(package)):
            continue
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _is_qt(relative: Path) -> bool:
    """Qt lives in packages, not in files by name: ``physlab/gui`` and each lab's ``ui`` package
    (the import-linter contracts in ``pyproject.toml`` hold every other module to that)."""
    return relative.parts[0] == "gui" or "ui" in relative.parts[:-1]


def cache_dir(root: Path, digest: str) -> Path:
    """``root/numba-<digest>``, removing the cache directories of other source versions."""
    target = root / f"numba-{digest}"
    if root.is_dir():
        for old in root.glob("numba-*"):
            if old != target:
                shutil.rmtree(old, ignore_errors=True)
    return target


def _use_versioned_cache() -> None:
    root = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "physlab"
    try:
        target = cache_dir(root, source_digest())
        target.mkdir(parents=True, exist_ok=True)
    except OSError:  # no writable home: numba's default (beside the sources) still works
        return
    numba_config.CACHE_DIR = str(target)


if not os.environ.get("NUMBA_CACHE_DIR"):
    _use_versioned_cache()


class JitOptions(TypedDict):
    nogil: bool
    cache: bool


JIT: JitOptions = {"nogil": True, "cache": True}
"""Options for every kernel: no GIL held while it runs (the GUI stays responsive), compiled code
cached on disk. ``fastmath`` is off: the kernels rely on IEEE inf/NaN to detect divergence."""


def use_threads(n: int | None) -> None:
    """Set the number of threads of parallel kernels launched from the calling thread (numba keeps
    this per thread); None means all of them."""
    limit = numba_config.NUMBA_NUM_THREADS
    numba.set_num_threads(limit if n is None else max(1, min(int(n), limit)))


def threading_layer_in_use() -> str:
    """The threading layer numba picked (it chooses on the first parallel launch, so this runs a
    tiny parallel kernel first)."""
    _touch_parallel(np.zeros(2))
    return numba.threading_layer()


@numba.njit(parallel=True, **JIT)
def _touch_parallel(x):
    for i in numba.prange(x.shape[0]):
        x[i] += 1.0
    return x
