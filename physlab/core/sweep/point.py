"""What a worker does with one point: build the lab's experiment from the point's parameters and
seed, drive it to the end, read the measures. Runs in a Dask worker process (or in-process for
the serial benchmark); returns a :class:`PointResult`, never raises for the point's own errors.
"""

from __future__ import annotations

import ctypes
import math
import time

from ..experiment import drive
from .result import DIVERGED, DONE, FAILED, PointResult
from .spec import Point, find_lab

CHUNK_SECONDS = 0.5  # nobody watches a point's frames: long chunks, little per-chunk overhead
MALLOC_THRESHOLD = 32 << 20  # glibc's own ceiling for its dynamic trim/mmap thresholds
_warm: set[str] = set()  # labs whose kernels this process has compiled (or loaded from cache)


def warm(lab_name: str) -> None:
    """Compile (or load from the on-disk cache) the lab's kernels, once per worker process."""
    if not _warm:
        keep_freed_memory()
    if lab_name not in _warm:
        find_lab(lab_name).warmup()
        _warm.add(lab_name)


def keep_freed_memory() -> None:
    """Let glibc keep freed memory for the next step instead of returning it to the OS.

    Dask's nanny starts workers with ``MALLOC_TRIM_THRESHOLD_=65536``, which also pins glibc's
    mmap threshold at 128 KiB: every array a training step allocates is then mmapped and
    page-faulted afresh, which doubles the CPU time of a Sharpness point (benchmarks/sweep.py).
    Setting both thresholds at run time (``mallopt``) fixes local and remote workers alike."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc: nothing to undo
        return
    for option in (-1, -3):  # M_TRIM_THRESHOLD, M_MMAP_THRESHOLD
        libc.mallopt(option, MALLOC_THRESHOLD)


def _one_thread() -> int:
    return 1


def run_point(point: Point, lab_name: str, measures: tuple[str, ...]) -> PointResult:
    """Run one (point, repeat) to completion and measure it. A worker owns one core, so the
    point's parallel kernels run on one thread whatever the experiment would pick."""
    t0 = time.perf_counter()
    lab = find_lab(lab_name)
    try:
        warm(lab_name)
        t0 = time.perf_counter()
        exp = lab.build(point.params, point.seed)
        exp.threads = _one_thread
        drive(exp, target_seconds=CHUNK_SECONDS)
        values = {name: lab.measure(name).value(exp) for name in measures}
    except Exception as err:  # noqa: BLE001 - a failing point is a result of the sweep
        message = str(err).strip().splitlines()
        text = f"{type(err).__name__}: {message[0] if message else ''}".rstrip(": ")
        return PointResult(
            point, FAILED, {name: math.nan for name in measures}, text, time.perf_counter() - t0
        )
    status = DIVERGED if exp.diverged else DONE
    return PointResult(point, status, values, exp.diverged or "", time.perf_counter() - t0)


def noop_point(point: Point, lab_name: str, measures: tuple[str, ...]) -> PointResult:
    """A point that computes nothing (the engine's per-point overhead, in the benchmark)."""
    return PointResult(point, DONE, {name: 0.0 for name in measures})
