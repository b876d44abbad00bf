"""numba configuration shared by every lab's kernels; import it before any parallel kernel compiles.

numba's default threading layer may fall back to ``workqueue``, which aborts the process when two
threads launch parallel kernels at once — exactly what happens when two labs run side by side in the
GUI. ``threadsafe`` makes numba pick a layer that allows concurrent launches (OpenMP or TBB) and fail
loudly if none is available. On these Linux machines that is OpenMP through the system libgomp (TBB's
pip wheel puts libtbb outside the loader path of a venv). ``tests/core/test_numba_threads.py`` runs
parallel kernels from several threads at once to check it.
"""
from __future__ import annotations

import os

import numba

if "NUMBA_THREADING_LAYER" not in os.environ:
    numba.config.THREADING_LAYER = "threadsafe"

JIT = dict(nogil=True, cache=True)
"""Options for every kernel: no GIL held while it runs (the GUI stays responsive), compiled code
cached on disk. ``fastmath`` is off: the kernels rely on IEEE inf/NaN to detect divergence."""


def use_threads(n: int | None) -> None:
    """Set the number of threads of parallel kernels launched from the calling thread (numba keeps
    this per thread); None means all of them."""
    limit = numba.config.NUMBA_NUM_THREADS
    numba.set_num_threads(limit if n is None else max(1, min(int(n), limit)))
