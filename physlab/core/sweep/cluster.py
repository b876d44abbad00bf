"""The Dask cluster a sweep runs on: an embedded local one (started on first use, shared by later
sweeps, shut down with the app or the command) or a running scheduler at an address.

Local workers are processes with one thread each, one per core, so a sweep never competes with
the GUI thread for the GIL. Each worker owns one core: its numba and BLAS thread pools are pinned
to one thread before it imports them (environment variables set when the nanny spawns it; Dask's
default ``pre-spawn-environ`` already sets ``OMP/MKL/OPENBLAS_NUM_THREADS=1``), or the parallel
kernels of two workers would oversubscribe the cores. Workers compile into the parent's numba
cache (``NUMBA_CACHE_DIR``), which must be writable. See ``/work/shared/reference/sweeps.md``.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time

SCHEDULER_ENV = "PHYSLAB_SCHEDULER"
CONNECT_TIMEOUT = 15.0  # seconds

_lock = threading.Lock()
_cluster = None  # the embedded LocalCluster, once started


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_environment() -> dict[str, str]:
    """Set in each local worker before it imports numba: one numba thread, the parent's cache."""
    from ..numba_setup import numba_config  # importing it picks the versioned cache directory

    return {
        "NUMBA_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "NUMBA_CACHE_DIR": os.environ.get("NUMBA_CACHE_DIR") or numba_config.CACHE_DIR,
    }


def local_cluster(workers: int | None = None):
    """The embedded cluster, started with ``workers`` processes (default: one per core) on first
    use; a later request for a different number of workers rescales it."""
    global _cluster
    from distributed import LocalCluster

    with _lock:
        if _cluster is not None and _cluster.status.name in ("closing", "closed", "failed"):
            _cluster = None
        if _cluster is None:
            # no dashboard; the scheduler's small HTTP server (health checks) on a free port
            # rather than 8787, which another cluster on the machine may hold
            _cluster = LocalCluster(
                n_workers=workers or cores(),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                scheduler_kwargs={"dashboard_address": ":0"},
                silence_logs=logging.ERROR,
                env=worker_environment(),
            )
        elif workers and len(_cluster.workers) != workers:
            _cluster.scale(workers)
        return _cluster


def shutdown_local_cluster() -> None:
    """Stop the embedded cluster's workers and scheduler (no-op when none was started)."""
    global _cluster
    with _lock:
        cluster, _cluster = _cluster, None
    if cluster is not None:
        cluster.close()


atexit.register(shutdown_local_cluster)


def connect(scheduler: str | None, workers: int | None):
    """A Client for this sweep, created on the calling thread (which must be one the caller owns,
    not a pool thread: distributed #3156): to ``scheduler`` when given, else to the local
    cluster. Waits until at least one worker (or all ``workers`` of the local cluster) is up."""
    from distributed import Client

    if scheduler:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
        return client
    cluster = local_cluster(workers)
    client = Client(cluster, set_as_default=False)
    want = workers or len(cluster.workers)
    client.wait_for_workers(want, timeout=120.0)
    deadline = time.monotonic() + 30.0
    while (
        len(client.scheduler_info(n_workers=-1)["workers"]) > want and time.monotonic() < deadline
    ):  # scaling down retires workers asynchronously
        time.sleep(0.05)
    return client


def describe(scheduler: str | None) -> str:
    return scheduler or "local"
