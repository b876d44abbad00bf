"""GUI responsiveness while labs stream (not a test: it prints numbers).

    python -m benchmarks.gui_probe [TEXT]     # offscreen unless a display is set; TEXT picks
                                              # the scenarios whose name contains it

- start-up: wall time from launching ``python -m physlab.gui.app``-equivalent to a shown window
  (warm numba cache; the JIT warm-up runs in the background and is not waited for);
- first frame: from pressing Run to the first paint of the tab;
- event-loop stalls: a 5 ms probe timer records the gaps between its ticks while one or two labs
  stream; a stall is a gap beyond the interval (max and 99th percentile);
- repaint rate: paints per second of each streaming tab.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time

LAUNCH = ("import time, sys; from PySide6 import QtWidgets, QtCore; "
          "from physlab.gui.plots import configure; configure(); "
          "app = QtWidgets.QApplication(sys.argv); "
          "from physlab.gui.window import MainWindow; w = MainWindow(); w.show(); "
          "QtCore.QTimer.singleShot(0, lambda: (print(time.time(), flush=True), "
          "[t.shutdown() for t in w.lab_tabs.built().values()], app.quit())); app.exec()")

SCENARIOS = {
    "sharpness (default net, 30k steps)": {"sharpness": {"steps": 30_000}},
    "collapse (regression, 150 generations)": {"collapse": {"generations": 150}},
    "kernels (default rich run, 1500 steps)": {"kernels": {"steps": 1500}},
    "scaling (rich, widths 64–512)": {"scaling": {"rich": True, "widths": [64, 128, 256, 512],
                                                  "steps": 3000}},
    "diffusion (64 fields 32×32, 200 steps)": {"diffusion": {"size": 32}},
    "diffusion (ELS on digits, 16 samples)": {"diffusion": {"data": "digits", "basis": "pixel",
                                                            "denoiser": "els", "n_samples": 16,
                                                            "steps": 20, "softness": 1000.0}},
    "both at once": {"sharpness": {"steps": 30_000}, "collapse": {"generations": 150}},
}


def startup_seconds(repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.time()
        out = subprocess.run([sys.executable, "-c", LAUNCH], capture_output=True, text=True,
                             env={**os.environ, "QT_QPA_PLATFORM":
                                  os.environ.get("QT_QPA_PLATFORM", "offscreen")})
        times.append(float(out.stdout.strip().splitlines()[-1]) - t0)
    return sorted(times)[len(times) // 2]


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import numpy as np
    from PySide6 import QtCore, QtWidgets

    from physlab.gui.plots import configure
    configure()
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv)
    from physlab.gui.window import MainWindow
    from physlab.catalog import all_labs
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

            def counting(frame, params, tab=tab, lab=lab, original=original):
                paints[lab].append(time.perf_counter())
                original(tab, frame, params)
            tab.paint = counting
            tab.panel.set_values(runs[lab])
        ticks = []
        probe = QtCore.QTimer()
        probe.setInterval(5)
        probe.timeout.connect(lambda: ticks.append(time.perf_counter()))
        probe.start()
        started = time.perf_counter()
        for tab in tabs.values():
            tab.run()
        loop = QtCore.QEventLoop()  # wait in Qt's loop (a Python polling loop would hog the GIL)
        check = QtCore.QTimer()
        check.timeout.connect(lambda: None if any(t.runner.state.active for t in tabs.values())
                              and time.perf_counter() < started + 60 else loop.quit())
        check.start(20)
        loop.exec()
        check.stop()
        ended = time.perf_counter()
        probe.stop()
        for tab in tabs.values():
            tab.stop()
            del tab.paint
        gaps = np.diff(ticks) * 1e3
        print(f"\n{name}: streamed {ended - started:.1f} s")
        print(f"  event-loop gaps: max {gaps.max():.1f} ms, 99th percentile "
              f"{np.percentile(gaps, 99):.1f} ms (probe interval 5 ms)")
        for lab, times in paints.items():
            first = times[0] - started if times else float("nan")
            span = (times[-1] - times[0]) if len(times) > 1 else float("nan")
            print(f"  {lab}: first frame {first * 1e3:.0f} ms after Run; "
                  f"{(len(times) - 1) / span:.0f} repaints/s")
    for tab in window.lab_tabs.built().values():
        tab.shutdown()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
