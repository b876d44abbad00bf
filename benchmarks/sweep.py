"""``python -m benchmarks.sweep [--quick]``: the sweep engine's throughput and overhead.

1. A 200-point Sharpness sweep (the Chebyshev net, 500 steps a point) on the local cluster (one
   worker process per core, warm) against the same points in a plain serial loop in this process
   (target ≥ 1.7× on 2 cores).
2. The engine's per-point overhead: points that compute nothing (target ≤ 20 ms a point).
3. Pinning: a BLAS-heavy sweep (the 2×200 tanh MLP on 1000 samples) on workers pinned to one
   numba/BLAS thread against workers that keep their default thread pools.
4. Points/s of the 200-point sweep on a 2-worker tcp cluster on localhost.

Ratios come from one run on one machine (timings are not tests).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import cloudpickle

from physlab.catalog import get_lab
from physlab.core.sweep import SweepRun, SweepSpec, measure_names, parse_axis
from physlab.core.sweep.cluster import cores, shutdown_local_cluster
from physlab.core.sweep.point import noop_point, run_point, warm

from .tcp_cluster import tcp_cluster

cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the unpinned task, on workers
LAB = get_lab("sharpness")


def chebyshev_sweep(points: int, steps: int) -> SweepSpec:
    base = LAB.spec.validate({"steps": steps, "eig_every": 10})
    axes = (
        parse_axis(LAB.spec, f"lr=0.02:0.3:{points // 10}:log"),
        parse_axis(LAB.spec, "init_scale=0.5:1.5:10"),
    )
    return SweepSpec("sharpness", base, axes, measures=("final_sharpness_ratio", "final_loss"))


def blas_sweep(points: int, steps: int) -> SweepSpec:
    base = LAB.spec.validate(
        {
            "dataset": "teacher",
            "width": [200],
            "depth": 2,
            "n_samples": 1000,
            "input_dim": 10,
            "steps": steps,
            "eig_every": 50,
        }
    )
    return SweepSpec(
        "sharpness",
        base,
        (parse_axis(LAB.spec, f"lr=0.01:0.05:{points}"),),
        measures=("final_loss",),
    )


def cpu_point(point, lab_name, measures):
    """run_point, with the CPU time the point took (its thread's) as its seconds."""
    t0 = time.thread_time()
    result = run_point(point, lab_name, measures)
    result.seconds = time.thread_time() - t0
    return result


class CpuRun(SweepRun):
    task = staticmethod(cpu_point)


def serial(spec: SweepSpec) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of the points in a plain loop in this process."""
    warm(spec.lab)
    t0, c0 = time.perf_counter(), time.thread_time()
    for p in spec.points():
        run_point(p, spec.lab, measure_names(spec))
    return time.perf_counter() - t0, time.thread_time() - c0


def on_cluster(spec: SweepSpec, run_class=SweepRun, **kwargs) -> SweepRun:
    run = run_class(spec, **kwargs)
    t0 = time.perf_counter()
    run.start()
    run.join()
    assert run.state == "finished", run.message
    run.elapsed = time.perf_counter() - t0
    return run


def unpinned_point(point, lab_name, measures):
    """A point run with the experiment's own thread choice (what an unpinned worker does)."""
    from physlab.core.experiment import drive
    from physlab.core.sweep.result import PointResult

    lab = get_lab(lab_name)
    exp = lab.build(point.params, point.seed)
    drive(exp, target_seconds=0.5)
    return PointResult(point, 0, {m: lab.measure(m).value(exp) for m in measures})


class UnpinnedRun(SweepRun):
    task = staticmethod(unpinned_point)


class NoopRun(SweepRun):
    task = staticmethod(noop_point)


def unpinned_cluster(workers: int):
    """Worker processes that keep the default numba and BLAS thread pools (all cores each)."""
    import dask
    from distributed import LocalCluster

    from physlab.core.sweep.cluster import worker_environment

    env = {"NUMBA_CACHE_DIR": worker_environment()["NUMBA_CACHE_DIR"]}
    n = str(os.cpu_count())
    with dask.config.set(
        {
            "distributed.nanny.pre-spawn-environ": {
                "OMP_NUM_THREADS": n,
                "OPENBLAS_NUM_THREADS": n,
                "MKL_NUM_THREADS": n,
            }
        }
    ):
        return LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": ":0"},
            env=env,
        )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sweep")
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke run)")
    args = parser.parse_args(argv)
    points, steps = (20, 50) if args.quick else (200, 500)
    workers = cores()
    print(
        f"sweep benchmarks — {workers} cores, load average "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} at start"
    )

    spec = chebyshev_sweep(points, steps)
    t_serial, cpu_serial = serial(spec)
    t0 = time.perf_counter()
    on_cluster(chebyshev_sweep(20, 5), workers=workers)  # start and warm the cluster
    startup = time.perf_counter() - t0
    local = on_cluster(spec, CpuRun, workers=workers)
    cpu_workers = sum(r.seconds for r in local.poll())
    print(
        f"1. {spec.total()} Chebyshev points × {steps} steps: serial {t_serial:.1f} s, "
        f"local cluster ({workers} workers) {local.elapsed:.1f} s → "
        f"{t_serial / local.elapsed:.2f}× (target ≥ 1.7×); cluster start + warm-up "
        f"{startup:.1f} s, not counted"
    )
    print(
        f"   CPU the points got: serial {cpu_serial / t_serial:.2f} cores, cluster "
        f"{cpu_workers / local.elapsed:.2f} cores (of {workers}); CPU per point: serial "
        f"{1e3 * cpu_serial / spec.total():.0f} ms, on a worker "
        f"{1e3 * cpu_workers / spec.total():.0f} ms → with {workers} idle cores: "
        f"{workers * cpu_serial / cpu_workers:.2f}×"
    )

    noop = on_cluster(chebyshev_sweep(400 if not args.quick else 40, 5), NoopRun, workers=workers)
    n = noop.result.total()
    print(
        f"2. engine overhead: {n} no-op points in {noop.elapsed:.2f} s → "
        f"{1e3 * noop.elapsed / n:.1f} ms a point of wall time, "
        f"{1e3 * noop.elapsed * workers / n:.1f} ms of worker time (target ≤ 20 ms)"
    )

    blas_steps = 10 if args.quick else 50
    blas = blas_sweep(2 * workers, blas_steps)
    on_cluster(blas_sweep(workers, 2), workers=workers)  # compile the batched kernels
    pinned = on_cluster(blas, workers=workers)
    shutdown_local_cluster()
    free = unpinned_cluster(workers)
    try:
        on_cluster(blas_sweep(workers, 2), UnpinnedRun, scheduler=free.scheduler_address)
        unpinned = on_cluster(blas, UnpinnedRun, scheduler=free.scheduler_address)
    finally:
        free.close()
    print(
        f"3. pinning ({blas.total()} points of the 2×200 MLP on 1000 samples, {blas_steps} "
        f"steps): "
        f"pinned {pinned.elapsed:.1f} s, default thread pools {unpinned.elapsed:.1f} s → "
        f"{unpinned.elapsed / pinned.elapsed:.2f}×"
    )

    tcp_spec = chebyshev_sweep(points, steps)
    with tcp_cluster(workers=2) as address:
        on_cluster(chebyshev_sweep(20, 5), scheduler=address)  # warm the workers
        tcp = on_cluster(tcp_spec, scheduler=address)
    print(
        f"4. tcp cluster on localhost (2 workers): {tcp_spec.total()} points in "
        f"{tcp.elapsed:.1f} s → {tcp_spec.total() / tcp.elapsed:.1f} points/s "
        f"(local cluster {spec.total() / local.elapsed:.1f}, serial "
        f"{spec.total() / t_serial:.1f})"
    )
    print(
        f"load average at the end {', '.join(f'{x:.1f}' for x in os.getloadavg())} "
        f"(the machine is shared: other jobs inflate every number)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
