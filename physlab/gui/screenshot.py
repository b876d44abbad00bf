"""Grab a screenshot of a lab mid-run (for the README and for looking at what we build):

    xvfb-run -s "-screen 0 1600x1000x24" python -m physlab.gui.screenshot --lab sharpness \
        [--preset NAME] [--set NAME=VALUE]... [--again NAME=VALUE]... [--theme dark] \
        --after 3 --out shot.png

``--again`` runs a second time with these changes once the first run has ended, so the shot shows
the first run overlaid as history. ``--sweep PRESET`` (or ``--sweep ""`` with ``--grid``) shoots
the Sweep view instead, once the sweep has finished (``--set`` then sets its base parameters)::

    python -m physlab.gui.screenshot --lab sharpness --sweep early-training-phase-diagram \
        [--grid depth=1,2,3] [--measure regime] [--hover I,J] --out map.png

``--hover I,J`` puts the mouse over grid cell (I, J) before the shot (its read-out shows).
"""
from __future__ import annotations

import argparse
import sys

from PySide6 import QtCore, QtWidgets


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lab", default="sharpness")
    parser.add_argument("--preset")
    parser.add_argument("--set", dest="assignments", action="append", default=[])
    parser.add_argument("--after", type=float, default=3.0, help="seconds after Run")
    parser.add_argument("--out", required=True)
    parser.add_argument("--no-run", action="store_true")
    parser.add_argument("--theme", choices=("light", "dark"), default="light")
    parser.add_argument("--again", action="append", default=[])
    parser.add_argument("--sweep", help="a sweep preset of the lab (\"\": none)")
    parser.add_argument("--grid", action="append", default=[], help="a sweep axis, NAME=SPEC")
    parser.add_argument("--measure", help="the measure the sweep's map shows")
    parser.add_argument("--hover", help="the grid cell I[,J] under the mouse in the shot")
    args = parser.parse_args(argv)

    from .plots import configure
    configure()
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv)
    from .window import MainWindow
    window = MainWindow(initial_lab=args.lab, warm_up=False)
    window.resize(1560, 960)
    window.set_theme(args.theme)
    window.show()
    tab = window.current()
    if args.sweep is not None:
        return _sweep_shot(app, window, tab, args)
    if args.preset:
        tab.apply_preset(args.preset)
    if args.assignments:
        tab.panel.set_values(tab.lab.spec.parse_assignments(args.assignments))

    def grab():
        window.grab().save(args.out)
        window.close()
        app.quit()

    def second_run():
        if tab.runner.state.active:
            QtCore.QTimer.singleShot(100, second_run)
            return
        tab.panel.set_values(tab.lab.spec.parse_assignments(args.again))
        tab.run()
        QtCore.QTimer.singleShot(int(1000 * args.after), grab)

    if not args.no_run:
        QtCore.QTimer.singleShot(300, tab.run)
    if args.again and not args.no_run:
        QtCore.QTimer.singleShot(600, second_run)
    else:
        QtCore.QTimer.singleShot(int(1000 * args.after) + 300, grab)
    app.exec()
    return 0


def _sweep_shot(app, window, tab, args) -> int:
    from physlab.core.sweep import parse_axis
    view = tab.sweep_mode.show_sweep()
    if args.sweep:
        view.apply_preset(args.sweep)
    if args.assignments:
        view.panel.set_values(tab.lab.spec.parse_assignments(args.assignments))
    for picker, text in zip((view.axis1, view.axis2), args.grid):
        picker.show(parse_axis(tab.lab.spec, text))
    if args.measure:
        view.measure.setCurrentIndex(view.measure.findData(args.measure))

    def grab_when_done():
        if view.running:
            QtCore.QTimer.singleShot(200, grab_when_done)
            return
        if args.hover:
            from PySide6 import QtTest
            figure = view.figure
            cell = tuple(int(i) for i in args.hover.split(","))
            pos = figure.widget.mapFromScene(figure.scene_pos(cell))
            QtTest.QTest.mouseMove(figure.widget.viewport(), pos)
        QtCore.QTimer.singleShot(300, lambda: (window.grab().save(args.out), window.close(),
                                               app.quit()))

    view.run()
    QtCore.QTimer.singleShot(500, grab_when_done)
    app.exec()
    return 0


if __name__ == "__main__":
    sys.exit(main())
