"""Refusing, before anything is submitted, a sweep that cannot work: one whose points would hold
more memory than a worker has, or whose estimated time is absurd for a local cluster.

The estimate sums the lab's rough per-run cost (:attr:`Lab.point_cost`, bytes and seconds on one
core) over the grid and repeats; it is meant to catch mistakes of orders of magnitude (a grid of
10⁴ points of an hour each), not to predict the wall time.
"""

from __future__ import annotations

import numpy as np

from ..params import ParamError
from .spec import SweepSpec, find_lab

LOCAL_HOURS_LIMIT = 12.0  # estimated hours on the local cluster beyond which we refuse


class SweepTooLarge(ParamError):
    def __init__(self, message: str):
        super().__init__("grid", message)


def estimate(spec: SweepSpec) -> tuple[float, float] | None:
    """(largest bytes of one point, total core-seconds) or None when the lab has no estimate."""
    cost = find_lab(spec.lab).point_cost
    if cost is None:
        return None
    costs = [cost(spec.params_at(index)) for index in np.ndindex(*spec.grid_shape())]
    return max(c[0] for c in costs), sum(c[1] for c in costs) * spec.repeats


def worker_memory(workers: int) -> float:
    """Bytes a local worker may use: the machine's memory shared between the workers."""
    import psutil

    return psutil.virtual_memory().total / max(workers, 1)


def check_budget(spec: SweepSpec, workers: int, local: bool) -> str:
    """A one-line estimate; raises :class:`SweepTooLarge` with it when the sweep is refused.
    ``workers``: the local cluster's processes. A remote cluster's workers are not known before
    connecting: only the estimate is returned (each run is still held to the lab's own limit)."""
    found = estimate(spec)
    if found is None:
        return ""
    memory, seconds = found
    hours = seconds / 3600 / max(workers, 1)
    text = (
        f"{spec.total()} points, about {_size(memory)} and {_duration(seconds / spec.total())}"
        f" each: ~{_duration(seconds / max(workers, 1))} on {workers} workers"
    )
    if not local:
        return text
    limit = worker_memory(workers)
    if memory > limit:
        raise SweepTooLarge(
            f"{text}; one point needs more than a worker's {_size(limit)}: "
            f"lower the sizes or run on bigger workers with --scheduler"
        )
    if hours > LOCAL_HOURS_LIMIT:
        raise SweepTooLarge(
            f"{text}, more than {LOCAL_HOURS_LIMIT:g} h on this machine: use "
            f"fewer or smaller points, or a cluster with --scheduler ADDRESS"
        )
    return text


def _size(n: float) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n:.0f} B"


def _duration(s: float) -> str:
    if s >= 86400:
        return f"{s / 86400:.1f} days"
    if s >= 3600:
        return f"{s / 3600:.1f} h"
    if s >= 60:
        return f"{s / 60:.1f} min"
    return f"{s:.2g} s"
