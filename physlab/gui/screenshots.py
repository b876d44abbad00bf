"""Screenshots of the app from code: every lab's tab at start, mid-run and at the end, in the light
and the dark theme, into a folder (for looking at what we build), and the README's figures in
``resources/screenshots/``, regenerated from the scenarios in :data:`README`:

    xvfb-run -s "-screen 0 1600x1000x24" .venv/bin/python -m physlab.gui.screenshots \\
        [--out DIR] [--readme] [--only TEXT]

``--out`` (default ``screenshots/``) receives ``<lab>-<stage>-<theme>.png`` for every tab (the
Kernels tab's two views are the labs ``kernels`` and ``scaling``); ``--readme`` also rewrites the
README figures; ``--only`` keeps the shots whose name contains TEXT.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from physlab.core.resources import resource
from physlab.core.runner import RunState

STAGES = ("start", "mid", "end")
THEMES = ("light", "dark")
SIZE = (1560, 960)
TIMEOUT = 300.0  # seconds a run may take (a cold numba compile included)


@dataclass(frozen=True)
class Shot:
    """One README figure: a lab run from a preset (plus changes) and grabbed mid-run or at the
    end; ``before`` runs first with these changes so the shot shows it overlaid as history;
    ``scrub`` puts the tab's time slider at this fraction; ``kernel`` picks Kernels' heatmap;
    ``sweep`` names a sweep preset run in the tab's Sweep view (on a local Dask cluster) instead."""

    name: str
    lab: str
    preset: str | None = None
    values: dict = field(default_factory=dict)
    stage: str = "end"
    theme: str = "light"
    before: dict | None = None
    scrub: float | None = None
    kernel: int | None = None
    sweep: str | None = None


README = (
    Shot("sharpness-eos", "sharpness", "eos-chebyshev", {"steps": 30000}, stage="mid"),
    Shot("sharpness-uv-chaos", "sharpness", "uv-route-to-chaos"),
    Shot("kernels-rich", "kernels", "rich-feature-learning"),
    Shot("kernels-dark-theme", "kernels", "rich-feature-learning", theme="dark", kernel=1),
    Shot("scaling-rich-hard-task", "scaling", "rich-hard-task"),
    Shot("diffusion-coarse-to-fine", "diffusion", "rg-coarse-to-fine", scrub=0.62),
    Shot("diffusion-standard", "diffusion", "standard-diffusion", scrub=0.62),
    Shot("collapse-accumulate-vs-replace", "collapse", "gerstgrasser-accumulate-vs-replace"),
    Shot(
        "collapse-history-overlay",
        "collapse",
        None,
        {"T0": 400, "strategy": ["replace"]},
        before={"T0": 200, "strategy": ["replace"]},
    ),
    Shot("sharpness-phase-diagram", "sharpness", sweep="kalra-barkeshli-early-training"),
)


class Camera:
    """Drives the main window as a user would (preset, Run, pause, theme) and grabs it."""

    def __init__(self):
        from .plots import configure

        configure()
        self.app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv)
        from .window import MainWindow

        self.window = MainWindow(warm_up=False)
        self.window.resize(*SIZE)
        self.window.show()
        self.wait(lambda: False, 0.3)

    def wait(self, done, seconds: float = TIMEOUT) -> bool:
        """Run the event loop until ``done()`` or ``seconds`` have passed; returns ``done()``."""
        end = time.monotonic() + seconds
        while not done() and time.monotonic() < end:
            self.app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 20)
            time.sleep(0.005)
        return done()

    def tab(self, lab: str):
        self.window.show_lab(lab)
        return self.window.current()

    def prepare(self, tab, preset: str | None, values: dict) -> None:
        tab.reset()
        tab.clear_history()
        tab.apply_preset(preset)
        tab.panel.set_values(values)

    def run(self, tab, stop_at: float | None = None) -> None:
        """Run to the end, or until ``stop_at`` of the steps are done (then pause there)."""
        tab.run()
        if stop_at is None:
            self.wait(lambda: self._ended(tab))
            return
        self.wait(
            lambda: (
                self._ended(tab)
                or (
                    tab.snapshot is not None
                    and tab.snapshot.steps_done >= stop_at * tab.snapshot.total_steps
                )
            )
        )
        tab.toggle_pause()
        self.wait(lambda: tab.runner.state != RunState.RUNNING, 5.0)

    @staticmethod
    def _ended(tab) -> bool:
        return not tab.runner.state.active and tab.snapshot is not None

    def sweep(self, tab, preset: str):
        """Run sweep preset ``preset`` in the tab's Sweep view to the end; returns the view."""
        view = tab.sweep_mode.show_sweep()
        view.apply_preset(preset)
        view.run()
        self.wait(lambda: not view.running)
        return view

    def grab(self, tab, path: Path, theme: str) -> Path:
        self.window.set_theme(theme)
        tab._dirty = tab.snapshot is not None  # paint what arrived, as the paint timer would
        tab._paint_if_dirty()
        self.wait(lambda: False, 0.15)
        self.window.grab().save(str(path))
        return path

    def finish(self, tab) -> None:
        if tab.runner.state == RunState.PAUSED:
            tab.toggle_pause()
        self.wait(lambda: self._ended(tab))

    def close(self) -> None:
        self.window.set_theme("light")
        self.window.close()


def tour(camera: Camera, out: Path, only: str = "") -> list[Path]:
    """Every lab's tab with its defaults: at start, paused mid-run and at the end, both themes."""
    written = []
    for lab in camera.window.labs:
        names = {stage: [f"{lab}-{stage}-{theme}" for theme in THEMES] for stage in STAGES}
        if only and not any(only in n for ns in names.values() for n in ns):
            continue
        tab = camera.tab(lab)  # as a new user first sees it: defaults, nothing run yet
        for stage in STAGES:
            if stage == "mid":
                camera.run(tab, stop_at=0.4)
            elif stage == "end":
                camera.finish(tab)
            for theme, name in zip(THEMES, names[stage]):
                if only in name:
                    written.append(camera.grab(tab, out / f"{name}.png", theme))
        camera.window.set_theme("light")
    return written


def readme(camera: Camera, folder: Path, only: str = "") -> list[Path]:
    written = []
    for shot in README:
        if only and only not in shot.name:
            continue
        tab = camera.tab(shot.lab)
        if shot.sweep is not None:
            camera.sweep(tab, shot.sweep)
            written.append(camera.grab(tab, folder / f"{shot.name}.png", shot.theme))
            tab.sweep_mode.show_single()
            continue
        if shot.before is not None:
            camera.prepare(tab, shot.preset, shot.before)
            camera.run(tab)
            tab.panel.set_values(shot.values)
        else:
            camera.prepare(tab, shot.preset, shot.values)
        camera.run(tab, stop_at=0.3 if shot.stage == "mid" else None)
        if shot.kernel is not None:
            tab.kernel_choice.setCurrentIndex(shot.kernel)
        if shot.scrub is not None:
            slider = tab.scrub.slider
            slider.setValue(round(shot.scrub * slider.maximum()))
        written.append(camera.grab(tab, folder / f"{shot.name}.png", shot.theme))
        camera.finish(tab)
        camera.window.set_theme("light")
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m physlab.gui.screenshots", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("screenshots"),
        help="folder for the tour of every tab (created if missing)",
    )
    parser.add_argument(
        "--readme",
        action="store_true",
        help="also regenerate the README figures in resources/screenshots/",
    )
    parser.add_argument("--no-tour", action="store_true", help="only the README figures")
    parser.add_argument("--only", default="", help="only shots whose name contains this")
    args = parser.parse_args(argv)
    camera = Camera()
    written = []
    try:
        if not args.no_tour:
            args.out.mkdir(parents=True, exist_ok=True)
            written += tour(camera, args.out, args.only)
        if args.readme or args.no_tour:
            written += readme(camera, resource("screenshots"), args.only)
    finally:
        camera.close()
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
