"""GUI responsiveness while labs stream (not a test: it prints numbers).

    python -m benchmarks.gui_probe [TEXT]     # offscreen unless a display is set; TEXT picks
                                              # the scenarios whose name contains it

- start-up: wall time from launching ``python -m physlab.gui.app``-equivalent to a shown window
  (warm numba cache; the JIT warm-up runs in the background and is not waited for);
- first frame: from pressing Run to the first paint of the tab;
- event-loop stalls: a 5 ms probe timer records the gaps between its ticks while one or two labs
  stream; a stall is a gap beyond the interval (max and 99th percentile);
- repaint rate: paints per second of each streaming tab (with two labs, one tab is on screen:
  the other paints when it is shown again);
- two labs at once: every pair of labs, each streaming its scenario, for ``PAIR_SECONDS``;
- Stop latency: how long Stop, Pause + Stop and Reset take to return to the event loop, how long
  until the run reads stopped, and from the next Run to its first frame — while running, and
  while the worker compiles from a cold cache (an empty ``NUMBA_CACHE_DIR`` for that worker);
  then closing the window while two labs compile cold;
- cold start: from launching the app with an empty numba cache (warm-up on, the Sharpness tab on
  screen, Run pressed at once) to its first frame;
- a sweep: the same probe while the Sharpness Sweep view fills a phase diagram on the local Dask
  cluster (one worker process per core), with points/s and map repaints/s.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LAUNCH = (
    "import time, sys; from PySide6 import QtWidgets, QtCore; "
    "from physlab.gui.plots import configure; configure(); "
    "app = QtWidgets.QApplication(sys.argv); "
    "from physlab.gui.window import MainWindow; w = MainWindow(); w.show(); "
    "QtCore.QTimer.singleShot(0, lambda: (print(time.time(), flush=True), w.close(), "
    "app.quit())); app.exec()"
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
}
PAIR_LABS = {  # the scenario each lab streams in the two-lab runs (the first of its own above)
    lab: next(runs[lab] for runs in SCENARIOS.values() if lab in runs)
    for lab in ("sharpness", "kernels", "scaling", "diffusion", "collapse")
}
PAIR_SECONDS = 15.0
for first, second in itertools.combinations(PAIR_LABS, 2):
    SCENARIOS[f"{first} + {second} at once"] = {
        first: PAIR_LABS[first],
        second: PAIR_LABS[second],
    }
STOP_NAME = "stop latency"
COLD_NAME = "cold start"
COLD_LAUNCH = (
    "import time, sys; t0 = time.time(); from PySide6 import QtWidgets, QtCore; "
    "from physlab.gui.plots import configure; configure(); "
    "app = QtWidgets.QApplication(sys.argv); "
    "from physlab.gui.window import MainWindow; w = MainWindow(initial_lab='sharpness'); "
    "w.show(); tab = w.current(); paint = tab.paint; "
    "from benchmarks.gui_probe import cpu_seconds; "
    "tab.paint = lambda *a: (print('first-frame', time.time(), flush=True), "
    "print('cpu', cpu_seconds(tab.runner.runner._proc.process.pid), flush=True), paint(*a), "
    "w.close(), app.quit()); "
    "QtCore.QTimer.singleShot(0, lambda: (tab.run(), print('status', w.compile_label.text(), "
    "flush=True))); "
    "QtCore.QTimer.singleShot(600_000, app.quit); app.exec()"
)


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

    global gui_cpu
    ticks = []
    cpu = time.thread_time()
    probe = QtCore.QTimer()
    probe.setInterval(5)
    probe.timeout.connect(lambda: ticks.append(time.perf_counter()))
    probe.start()
    started = time.perf_counter()
    start()
    wait_until(until, limit, interval_ms=20)
    ended = time.perf_counter()
    probe.stop()
    gui_cpu = (time.thread_time() - cpu) / (ended - started)
    return ticks, started, ended


gui_cpu = 0.0  # the GUI thread's CPU time over the last probe, per second (load-independent)


def print_gaps(ticks) -> None:
    import numpy as np

    gaps = np.diff(ticks) * 1e3
    print(
        f"  event-loop gaps: max {gaps.max():.1f} ms, 99th percentile "
        f"{np.percentile(gaps, 99):.1f} ms (probe interval 5 ms); the GUI thread busy "
        f"{100 * gui_cpu:.0f} % of the time"
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


def load() -> str:
    """The machine's load average (1 min), printed beside each number: it is shared."""
    return f"load {os.getloadavg()[0]:.1f}"


def wait_until(done, limit: float = 600.0, interval_ms: int = 1) -> float:
    """Run Qt's event loop until ``done()`` (checked every ``interval_ms``) or ``limit`` seconds;
    the seconds it took. (Waiting in Qt's loop: a Python polling loop would hog the GIL.)"""
    from PySide6 import QtCore

    t0 = time.perf_counter()
    loop = QtCore.QEventLoop()
    check = QtCore.QTimer()
    check.timeout.connect(
        lambda: loop.quit() if done() or time.perf_counter() > t0 + limit else None
    )
    check.start(interval_ms)
    loop.exec()
    check.stop()
    return time.perf_counter() - t0


def timed(call) -> float:
    t0 = time.perf_counter()
    call()
    return time.perf_counter() - t0


class ColdWorker:
    """The next worker process a tab starts compiles from an empty numba cache."""

    def __init__(self, tab):
        self.tab, self.dir = tab, tempfile.TemporaryDirectory(prefix="physlab-cold-")

    def __enter__(self):
        self.tab.runner.runner.shutdown()  # let the warm worker go …
        self.tab.runner.runner._closed = False  # … and keep the runner
        self.saved = os.environ.get("NUMBA_CACHE_DIR")
        os.environ["NUMBA_CACHE_DIR"] = self.dir.name
        return self

    def started(self) -> None:
        """Call once the tab has started its run: the worker has read its environment."""
        self.tab.runner.runner._proc._started.wait(10)
        if self.saved is None:
            del os.environ["NUMBA_CACHE_DIR"]
        else:
            os.environ["NUMBA_CACHE_DIR"] = self.saved

    def __exit__(self, *exc):
        self.tab.runner.runner.shutdown()  # the cold worker's cache is about to go
        self.tab.runner.runner._closed = False
        self.dir.cleanup()


def stop_and_run_again(tab, stop) -> tuple[float, float, float]:
    """Call ``stop`` (the tab's Stop or Reset), then Run again: how long ``stop`` took to return,
    then until the run read stopped, and from the next Run to its first frame (seconds)."""
    back = timed(stop)
    ended = wait_until(lambda: not tab.runner.state.active)
    tab.run()
    first = wait_until(lambda: tab.snapshot is not None)
    tab.stop()
    wait_until(lambda: not tab.runner.state.active)
    return back, ended, first


def stop_scenario(window) -> None:
    """Stop, Pause + Stop and Reset while running, and Stop while compiling cold; then closing
    the window while two labs compile cold."""
    from physlab.core.runner import RunState
    from physlab.gui.window import MainWindow

    print(f"\n{STOP_NAME} (return = back in the event loop; stopped = the run reads so)")
    for lab in ("sharpness", "collapse"):
        tab = window.lab_tabs.get_or_build(lab)
        window.show_lab(lab)
        tab.panel.set_values({"sharpness": {"steps": 10_000_000}, "collapse": {}}[lab])
        for how in ("Stop", "Pause, Stop", "Reset"):
            tab.run()
            wait_until(lambda tab=tab: tab.runner.state == RunState.RUNNING and tab.snapshot)
            wait_until(lambda: False, 1.0)
            if how == "Pause, Stop":
                tab.toggle_pause()
                wait_until(lambda tab=tab: tab.runner.state == RunState.PAUSED)
            back, ended, first = stop_and_run_again(tab, tab.reset if how == "Reset" else tab.stop)
            print(
                f"  {lab}, {how} while running: returns in {back * 1e3:.1f} ms, stopped "
                f"{(back + ended) * 1e3:.0f} ms after, next Run's first frame "
                f"{first * 1e3:.0f} ms after Run ({load()})"
            )
        with ColdWorker(tab) as cold:
            tab.run()
            cold.started()
            wait_until(lambda: False, 2.0)  # compiling
            back, ended, first = stop_and_run_again(tab, tab.stop)
        print(
            f"  {lab}, Stop while compiling cold: returns in {back * 1e3:.1f} ms, stopped "
            f"{(back + ended) * 1e3:.0f} ms after; the next Run's first frame {first:.1f} s "
            f"after Run (it waits for the compile the stopped run began) ({load()})"
        )
    other = MainWindow(warm_up=False)
    other.show()
    tabs = [other.lab_tabs.get_or_build(lab) for lab in ("sharpness", "collapse")]
    colds = [ColdWorker(tab).__enter__() for tab in tabs]
    for tab, cold in zip(tabs, colds):
        tab.run()
        cold.started()
    wait_until(lambda: False, 2.0)
    back = timed(other.close)
    for cold in colds:
        cold.dir.cleanup()
    print(
        f"  closing the window while Sharpness and Collapse compile cold: {back * 1e3:.0f} ms "
        f"({load()})"
    )


def cpu_seconds(pid: int) -> float:
    """The CPU time process ``pid`` has used so far (all its threads; Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cold_start_seconds() -> tuple[float, str, str]:
    """Launch to the first frame of the Sharpness tab with an empty numba cache; the status
    then, and the CPU seconds its worker had used (what a quiet machine would take, about)."""
    with tempfile.TemporaryDirectory(prefix="physlab-cold-") as cache:
        t0 = time.time()
        out = subprocess.run(
            [sys.executable, "-c", COLD_LAUNCH],
            capture_output=True,
            text=True,
            env={
                **os.environ,
                "NUMBA_CACHE_DIR": cache,
                "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
            },
        )
    lines = dict(line.split(" ", 1) for line in out.stdout.splitlines() if " " in line)
    return float(lines["first-frame"]) - t0, lines.get("status", ""), lines.get("cpu", "?")


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
    window = MainWindow()  # its warm-up starts every lab's worker process (loads the kernels)
    warmed = []
    window.warmupDone.connect(warmed.append)
    window.resize(1560, 960)
    window.show()
    wait_until(lambda: bool(warmed))

    only = sys.argv[1] if len(sys.argv) > 1 else ""  # run the scenarios whose name has this
    if not only:
        print(
            f"start-up to shown window (warm cache, median of 3): {startup_seconds():.2f} s "
            f"({load()})"
        )
    if only in COLD_NAME:
        seconds, status, cpu = cold_start_seconds()
        print(
            f"\ncold start (empty numba cache, warm-up on, Run at once): Sharpness's first frame "
            f"{seconds:.1f} s after launch, its worker had used {float(cpu):.1f} s of CPU; the "
            f"status said {status!r} ({load()})"
        )
    for name, runs in SCENARIOS.items():
        if only not in name:
            continue
        tabs = {lab: window.lab_tabs.get_or_build(lab) for lab in runs}
        shown = next(iter(runs))
        window.show_lab(shown)
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
            PAIR_SECONDS if len(runs) > 1 else 60.0,
        )
        for tab in tabs.values():
            tab.stop()
            del tab.paint
        wait_until(lambda tabs=tabs: not any(t.runner.state.active for t in tabs.values()))
        print(f"\n{name}: streamed {ended - started:.1f} s ({load()})")
        print_gaps(ticks)
        for lab, times in paints.items():
            if lab != shown:
                print(f"  {lab}: off screen (paints when shown)")
                continue
            first = times[0] - started if times else float("nan")
            span = (times[-1] - times[0]) if len(times) > 1 else float("nan")
            print(
                f"  {lab}: first frame {first * 1e3:.0f} ms after Run; "
                f"{(len(times) - 1) / span:.0f} repaints/s"
            )
    if only in STOP_NAME:
        stop_scenario(window)
    if only in SWEEP_NAME:
        sweep_scenario(window)
    for tab in window.lab_tabs.built().values():
        tab.shutdown()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
