"""SweepRun: one sweep on a Dask cluster, driven from a background thread of its own (Qt-free).

The thread connects (creating the Client there: distributed #3156), submits one future per
(point, repeat) not already done, and collects results with ``as_completed(...).batches()`` into
:attr:`SweepRun.result` and a queue the caller drains with :meth:`SweepRun.poll` (the GUI on a
timer, the CLI in its loop). :meth:`SweepRun.stop` empties the ``as_completed`` set (ending the
thread's wait within 0.1 s) and the thread cancels the outstanding futures. A point that raises
comes back as a failed result (see :func:`~.point.run_point`); a worker that dies takes nothing
with it: the scheduler runs its points again elsewhere, with the same seeds.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from typing import Any

from .cluster import SCHEDULER_ENV, connect, describe
from .point import run_point
from .result import DIVERGED, FAILED, PointResult, SweepFileError, SweepResult, measure_names
from .spec import SweepSpec

WORKER_POLL_SECONDS = 1.0  # how often the number of connected workers is refreshed


class SweepRun:
    """One sweep. Local cluster (processes, one thread each, one per core) started on first use
    unless ``scheduler`` ("tcp://host:port", default ``$PHYSLAB_SCHEDULER``) is given; shared by
    later sweeps; shut down by :func:`~.cluster.shutdown_local_cluster`."""

    task = staticmethod(run_point)  # what a worker does with one point

    def __init__(
        self,
        spec: SweepSpec,
        scheduler: str | None = None,
        workers: int | None = None,
        resume: SweepResult | None = None,
    ):
        self.spec = spec
        self.scheduler = scheduler or os.environ.get(SCHEDULER_ENV) or None
        self.requested_workers = workers
        self.result = SweepResult(spec)
        if resume is not None:
            self._take_over(resume)
        self.state = "connecting"
        self.message = ""
        self.workers = 0
        self.rate = 0.0
        self.wall_time = 0.0
        self._queue: queue.SimpleQueue[PointResult] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._pending: Any = None  # the as_completed set while results are coming
        self._thread: threading.Thread | None = None

    def _take_over(self, previous: SweepResult) -> None:
        """Keep the points ``previous`` finished (done or diverged); the rest run again."""
        if previous.spec.describe() != self.spec.describe():
            raise SweepFileError(
                "the sweep to resume has other axes, base parameters, repeats, measures or seed"
            )
        keep = previous.arrays["status"] <= DIVERGED
        for name, array in previous.arrays.items():
            self.result.arrays[name][keep] = array[keep]

    # -- the caller's side (any one thread) ----------------------------------------------------
    def start(self) -> None:
        """Begin in the background; returns at once."""
        self._thread = threading.Thread(target=self._main, name="physlab-sweep", daemon=True)
        self._thread.start()

    def poll(self) -> list[PointResult]:
        """The results that arrived since the last poll."""
        out = []
        while True:
            try:
                out.append(self._queue.get_nowait())
            except queue.Empty:
                return out

    def stop(self) -> None:
        """Cancel the outstanding points; returns at once (the state becomes "stopped")."""
        self._stop.set()
        with self._lock:
            if self._pending is not None:
                self._pending.clear()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the background thread to end; True when it has."""
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    @property
    def running(self) -> bool:
        return self.state in ("connecting", "running")

    def run_meta(self) -> dict:
        return {
            "scheduler": describe(self.scheduler),
            "workers": self.workers,
            "wall_time": round(self.wall_time, 3),
            "stopped": self.state == "stopped",
        }

    # -- the sweep's own thread ----------------------------------------------------------------
    def _main(self) -> None:
        t0 = time.perf_counter()
        try:
            client = connect(self.scheduler, self.requested_workers)
        except Exception as err:  # noqa: BLE001 - reported on the status line
            where = self.scheduler or "the local cluster"
            self._finish("failed", f"cannot connect to {where}: {err}", t0)
            return
        try:
            self._collect(client, t0)
        except Exception as err:  # noqa: BLE001 - the cluster went away mid-sweep
            self._finish("failed", f"the sweep stopped: {type(err).__name__}: {err}", t0)
        finally:
            client.close()

    def _collect(self, client, t0: float) -> None:
        from distributed import as_completed

        self.workers = _worker_count(client)
        todo = [
            p for p in self.spec.points() if self.result.status_at(p.index, p.repeat) > DIVERGED
        ]
        if not todo or self._stop.is_set():
            self._finish("stopped" if self._stop.is_set() else "finished", "", t0)
            return
        self.state = "running"
        measures = measure_names(self.spec)
        futures = client.map(self.task, todo, lab_name=self.spec.lab, measures=measures, pure=False)
        pending = as_completed(futures, with_results=True, raise_errors=False, loop=client.loop)
        point_of = {f.key: p for f, p in zip(futures, todo)}
        with self._lock:
            self._pending = pending
            if self._stop.is_set():
                pending.clear()
        started, finished, checked = time.perf_counter(), 0, 0.0
        for batch in pending.batches():
            for future, value in batch:
                self._accept(future, value, point_of[future.key])
                finished += 1
            now = time.perf_counter()
            self.rate = finished / max(now - started, 1e-9)
            self.wall_time = now - t0
            if now - checked > WORKER_POLL_SECONDS:
                self.workers, checked = _worker_count(client), now
        if self._stop.is_set():
            client.cancel(futures)
            self._finish("stopped", "stopped: the points not yet run are marked not run", t0)
        else:
            self._finish("finished", "", t0)

    def _accept(self, future, value, point) -> None:
        if future.status == "cancelled":
            return
        if not isinstance(value, PointResult):  # the task itself could not run (KilledWorker…)
            exc = value[1] if isinstance(value, tuple) and len(value) == 3 else value
            value = PointResult(point, FAILED, {}, f"{type(exc).__name__}: {exc}")
        self.result.add(value)
        self._queue.put(value)

    def _finish(self, state: str, message: str, t0: float) -> None:
        self.wall_time = time.perf_counter() - t0
        self.result.meta.update(self.run_meta())
        self.result.meta["stopped"] = state == "stopped"
        self.message = message
        self.state = state


def _worker_count(client) -> int:
    try:
        return len(client.scheduler_info(n_workers=-1).get("workers", {}))
    except Exception:  # noqa: BLE001 - a count for the status line only
        return 0
