"""GUI responsiveness while labs stream (not a test: it prints numbers).

    python -m benchmarks.gui_probe [TEXT]     # offscreen unless a display is set; TEXT picks
                                              # the scenarios whose name contains it

- start-up: wall time from launching ``python -m physlab.gui.app``-equivalent to a shown window
  (warm numba cache; the JIT warm-up runs in the background and is not waited for);
- first frame: from pressing Run to the first paint of the tab;
- event-loop stalls: a 5 ms probe timer records the gaps between its ticks while one or two labs
  stream; a stall is a gap beyond the interval (max and 99th percentile);
- repaint rate: paints per second of each streaming tab;
- a sweep: the same probe while the Sharpness Sweep view fills a phase diagram on the local Dask
  cluster (one worker process per core), with points/s and map repaints/s.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

LAUNCH = (
    "import time, sys; from PySide6 import QtWidgets, QtCore; "
    "from physlab.gui.plots import configure; configure(); "
    "app = QtWidgets.QApplication(sys.argv); "
    "from physlab.gui.window import MainWindow; w = MainWindow(); w.show(); "
    "QtCore.QTimer.singleShot(0, lambda: (print(time.time(), flush=True), "
    "[t.shutdown() for t in w.lab_tabs.built().values()], app.quit())); app.exec()"
)

SCENARIOS = {
    "sharpness (default net, 30k steps)": {"sharpness": {"steps": 30_000}},
    "collapse (regression, 150 generations)": {"collapse": {"generations": 150}},
    "kernels (default rich run, 1500 steps)": {"kernels": {"steps": 1500}},
    "scaling (rich, widths 64–512)": {
        "scaling": {"rich": True, "widths": [64, 128, 256, 512], "steps": 3000}
    },
    "diffusion (64 fields 32×32, 200 steps)": {"diffusion": {"size": 32}},
    "diffusion (ELS on digits, 16 samples)": {
        "diffusion": {
            "data": "digits",
            "basis": "pixel",
            "denoiser": "els",
            "n_samples": 16,
            "steps": 20,
            "softness": 1000.0,
        }
    },
    "both at once": {"sharpness": {"steps": 30_000}, "collapse": {"generations": 150}},
}


SWEEP = {
    "base": {"lr_mode": "normalized", "width": [16], "steps": 5000, "eig_every": 20},
    "axes": (("lr", 0.5, 8.0, 8), ("depth", "1,2,3,4")),
    "seconds": 60,
}
SWEEP_NAME = "sweep (Sharpness c × depth, 8 × 4 points, local cluster)"


def probe_gaps(start, until, limit: float = 60.0) -> tuple[list[float], float, float]:
    """Call ``start()``, then run Qt's event loop with a 5 ms probe timer until ``until()`` or
    ``limit`` seconds; returns the probe's tick times and when it started and ended."""
    from PySide6 import QtCore

    ticks = []
    probe = QtCore.QTimer()
    probe.setInterval(5)
    probe.timeout.connect(lambda: ticks.append(time.perf_counter()))
    probe.start()
    started = time.perf_counter()
    start()
    loop = QtCore.QEventLoop()  # wait in Qt's loop (a Python polling loop would hog the GIL)
    check = QtCore.QTimer()
    check.timeout.connect(
        lambda: loop.quit() if until() or time.perf_counter() > started + limit else None
    )
    check.start(20)
    loop.exec()
    check.stop()
    ended = time.perf_counter()
    probe.stop()
    return ticks, started, ended


def print_gaps(ticks) -> None:
    import numpy as np

    gaps = np.diff(ticks) * 1e3
    print(
        f"  event-loop gaps: max {gaps.max():.1f} ms, 99th percentile "
        f"{np.percentile(gaps, 99):.1f} ms (probe interval 5 ms)"
    )


def sweep_scenario(window) -> None:
    """The event loop while the Sweep view runs a phase diagram on the local cluster: first with
    the cluster starting (the user's first sweep), then again on the running cluster."""
    tab = window.lab_tabs.get_or_build("sharpness")
    window.show_lab("sharpness")
    view = tab.sweep_mode.show_sweep()
    view.panel.set_values(SWEEP["base"])
    (name1, start, stop, count), (name2, values) = SWEEP["axes"]
    view.axis1.set_name(name1)
    view.axis1.set_range(start, stop, count, True)
    view.axis2.set_name(name2)
    view.axis2.values.setText(values)
    view.measure.setCurrentIndex(view.measure.findData("regime"))
    for when in ("cluster starting", "cluster running"):
        paints = []
        original = view.figure.show
        view.figure.show = lambda cells, paints=paints, original=original: (
            paints.append(1),
            original(cells),
        )
        ticks, started, ended = probe_gaps(view.run, lambda: not view.running, SWEEP["seconds"])
        del view.figure.show
        result, sweep = view.result, view.sweep
        print(
            f"\n{SWEEP_NAME}, {when}: {result.finished()}/{result.total()} points in "
            f"{ended - started:.1f} s ({sweep.rate:.2f} points/s on {sweep.workers} workers), "
            f"{len(paints)} map repaints"
        )
        print_gaps(ticks)
    view.shutdown()


def startup_seconds(repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.time()
        out = subprocess.run(
            [sys.executable, "-c", LAUNCH],
            capture_output=True,
            text=True,
            env={**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")},
        )
        times.append(float(out.stdout.strip().splitlines()[-1]) - t0)
    return sorted(times)[len(times) // 2]


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6 import QtWidgets

    from physlab.gui.plots import configure

    configure()
    QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv)
    from physlab.catalog import all_labs
    from physlab.gui.window import MainWindow

    for lab in all_labs().values():  # warm cache: what a second start of the app sees
        lab.warmup()
    window = MainWindow(warm_up=False)
    window.resize(1560, 960)
    window.show()

    print(f"start-up to shown window (warm cache, median of 3): {startup_seconds():.2f} s")
    only = sys.argv[1] if len(sys.argv) > 1 else ""  # run the scenarios whose name has this
    for name, runs in SCENARIOS.items():
        if only not in name:
            continue
        tabs = {lab: window.lab_tabs.get_or_build(lab) for lab in runs}
        paints = {lab: [] for lab in runs}
        for lab, tab in tabs.items():
            original = type(tab).paint

            def counting(frame, params, tab=tab, lab=lab, original=original, paints=paints):
                paints[lab].append(time.perf_counter())
                original(tab, frame, params)

            tab.paint = counting
            tab.panel.set_values(runs[lab])
        ticks, started, ended = probe_gaps(
            lambda tabs=tabs: [tab.run() for tab in tabs.values()],
            lambda tabs=tabs: not any(t.runner.state.active for t in tabs.values()),
        )
        for tab in tabs.values():
            tab.stop()
            del tab.paint
        print(f"\n{name}: streamed {ended - started:.1f} s")
        print_gaps(ticks)
        for lab, times in paints.items():
            first = times[0] - started if times else float("nan")
            span = (times[-1] - times[0]) if len(times) > 1 else float("nan")
            print(
                f"  {lab}: first frame {first * 1e3:.0f} ms after Run; "
                f"{(len(times) - 1) / span:.0f} repaints/s"
            )
    if only in SWEEP_NAME:
        sweep_scenario(window)
    for tab in window.lab_tabs.built().values():
        tab.shutdown()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
