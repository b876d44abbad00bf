"""The Sweep view of every lab tab: axes, live heatmap and curve, hover, click-to-open, Stop,
failures, exports and sessions — against a fake SweepRun that the test feeds, so nothing here
waits for a cluster — and one real sweep on a 2-worker local Dask cluster."""

from __future__ import annotations

import html
import math

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from physlab.core.export import read_figure_meta, read_npz
from physlab.core.sweep import (
    DIVERGED,
    DONE,
    FAILED,
    PointResult,
    SweepResult,
    cluster,
    parse_axis,
    shutdown_local_cluster,
)
from physlab.core.sweep.presets import load_sweep_preset
from physlab.gui import sweep_view
from physlab.gui.sweep_plots import CATEGORY_COLORS, FAILED_COLOR, NOT_RUN_COLOR


class FakeSweepRun:
    """SweepRun's interface (SWEEP-API.md) without a cluster: the test hands it results."""

    made: list[FakeSweepRun] = []

    def __init__(self, spec, scheduler=None, workers=None, resume=None):
        self.spec, self.scheduler, self.requested_workers = spec, scheduler, workers
        self.result = SweepResult(spec)
        self.state, self.message, self.workers, self.rate, self.wall_time = (
            "connecting",
            "",
            0,
            0.0,
            0.0,
        )
        self._arrived: list[PointResult] = []
        self.started = self.stopped = False
        FakeSweepRun.made.append(self)

    def start(self):
        self.started = True

    def poll(self):
        out, self._arrived = self._arrived, []
        return out

    def stop(self):
        self.stopped = True
        if self.state in ("connecting", "running"):
            self.state = "stopped"

    def join(self, timeout=None):
        return True

    # -- the test's side -----------------------------------------------------------------------
    def feed(self, results):
        self.state, self.workers, self.rate = "running", 2, 3.5
        for r in results:
            self.result.add(r)
            self._arrived.append(r)

    def finish(self):
        self.state = "finished"


def result_for(point, status=DONE, error="", **values):
    return PointResult(point, status, values, error)


@pytest.fixture
def fake_run(monkeypatch):
    FakeSweepRun.made.clear()
    monkeypatch.setattr(sweep_view, "SweepRun", FakeSweepRun)
    return FakeSweepRun.made


def sharpness_sweep(window, lr="0.5:4:4", depth="1,2,3", repeats=1, measure="regime"):
    tab = window.lab_tabs.get_or_build("sharpness")
    window.show_lab("sharpness")
    view = tab.sweep_mode.show_sweep()
    view.panel.set_values({"lr_mode": "normalized", "steps": 20, "width": [16]})
    view.axis1.set_name("lr")
    start, stop, count = lr.split(":")
    view.axis1.set_range(float(start), float(stop), int(count), False)
    view.axis2.set_name("depth")
    view.axis2.values.setText(depth)
    view.repeats.setValue(repeats)
    view.measure.setCurrentIndex(view.measure.findData(measure))
    return tab, view


def colour_at(view, index):
    """The heatmap's colour of grid cell (i, j) (image rows are axis 2)."""
    i, j = index
    return tuple(int(c) for c in view.figure.image.image[j, i, :3])


def rgb(name):
    return pg.mkColor(name).getRgb()[:3]


def legend_labels(view):
    return [label.text for _, label in view.figure.legend.items]


def test_view_builds_for_every_lab_and_its_default_sweep_is_valid(window):
    for name, lab in window.labs.items():
        window.show_lab(name)
        tab = window.lab_tabs.get_or_build(name)
        view = tab.sweep_mode.show_sweep()
        assert tab.sweep_mode.shown
        assert [view.measure.itemData(i) for i in range(view.measure.count())] == [
            m.name for m in lab.measures
        ]
        assert view.axis1.param.count() > 0
        spec = view.sweep_spec()  # the controls' first guess is a sweep the lab accepts
        assert spec.lab == name and len(spec.axes) == 1
        tab.sweep_mode.show_single()
        assert window.current() is tab


def test_a_sweep_preset_sets_the_sweep_the_command_line_runs(window):
    """Every lab's sweep presets: the controls describe the same sweep (base, axes, repeats,
    seed, hence the same points and seeds) as `physlab sweep LAB --preset NAME`."""
    presets = 0
    for name, lab in window.labs.items():
        window.show_lab(name)
        view = window.lab_tabs.get_or_build(name).sweep_mode.show_sweep()
        for k in range(1, view.presets.count()):
            preset = load_sweep_preset(name, view.presets.itemData(k), lab.spec)
            view.apply_preset(preset.name)
            spec = view.sweep_spec()
            assert spec.axes == tuple(parse_axis(lab.spec, g) for g in preset.grid), preset.name
            assert spec.base == lab.spec.validate(preset.params)
            assert (spec.repeats, spec.seed) == (preset.repeats, preset.seed)
            assert view.measure.currentData() == (preset.measures or (lab.measures[0].name,))[0]
            assert preset.title in html.unescape(view.preset_note.text())
            presets += 1
    assert presets >= 3


def test_heatmap_fills_in_live_with_regime_colours(window, qtbot, fake_run):
    tab, view = sharpness_sweep(window)
    view.run()
    run = fake_run[-1]
    assert run.started and run.spec.shape() == (4, 3, 1)
    assert not view.run_button.isEnabled() and view.stop_button.isEnabled()
    points = run.spec.points()
    # nothing finished: every cell is grey "not run"
    assert all(colour_at(view, p.index) == rgb(NOT_RUN_COLOR) for p in points)
    run.feed(
        [
            result_for(points[0], regime=0.0),
            result_for(points[4], regime=1.0),
            result_for(points[11], DIVERGED, "loss became NaN", regime=2.0),
        ]
    )
    qtbot.waitUntil(lambda: colour_at(view, points[0].index) == rgb(CATEGORY_COLORS[0]))
    assert colour_at(view, points[4].index) == rgb(CATEGORY_COLORS[1])
    assert colour_at(view, points[11].index) == rgb(CATEGORY_COLORS[2])
    assert colour_at(view, points[1].index) == rgb(NOT_RUN_COLOR)
    labels = legend_labels(view)
    assert {"sharpness reduction", "catapult", "divergence", "not run yet"} <= set(labels)
    # the theory boundaries are in the legend, drawn dashed
    assert "η·λ0 = 2" in labels
    overlay = next(item for item, label in view.figure.legend.items if label.text == "η·λ0 = 2")
    assert overlay.item.opts["pen"].style() == QtCore.Qt.PenStyle.DashLine
    assert "3 / 12 points" in view.status_line.text()
    assert "1 diverged" in view.status_line.text() and "2 workers" in view.status_line.text()
    run.feed(
        [
            result_for(p, regime=0.0)
            for p in points
            if p.index not in (points[0].index, points[4].index, points[11].index)
        ]
    )
    run.finish()
    qtbot.waitUntil(lambda: view.run_button.isEnabled())
    assert not view.stop_button.isEnabled()
    assert "not run yet" not in legend_labels(view)
    assert "12 / 12 points" in view.status_line.text()


def test_continuous_measure_has_a_colour_bar_with_name_and_unit(window, qtbot, fake_run):
    tab, view = sharpness_sweep(window, measure="eos_step")
    view.run()
    run = fake_run[-1]
    points = run.spec.points()
    run.feed(
        [
            result_for(points[0], eos_step=10.0),
            result_for(points[1], eos_step=30.0),
            result_for(points[2], eos_step=math.nan),
        ]
    )
    qtbot.waitUntil(lambda: view.figure.colorbar.levels() == (10.0, 30.0))
    assert view.figure.colorbar.scene() is not None
    assert "eos_step (steps)" in view.figure.colorbar.getAxis("right").labelText
    assert colour_at(view, points[0].index) != colour_at(view, points[1].index)
    assert "no value (NaN)" in legend_labels(view)


def test_log_grid_gives_a_log_axis_and_boundaries_span_the_map(window, fake_run):
    tab, view = sharpness_sweep(window)
    view.axis1.set_range(0.5, 8.0, 5, True)
    view.run()
    figure = view.figure
    assert figure.plot.getAxis("bottom").logMode and not figure.plot.getAxis("left").logMode
    # cells are even in log10(c): 0.5, 1, 2, 4, 8 sit at -0.30, 0, 0.30, 0.60, 0.90
    assert np.allclose(figure.axes[0].coords, np.log10([0.5, 1, 2, 4, 8]))
    line = next(item for item, label in figure.legend.items if label.text == "η·λ0 = 2").item
    x, y = line.getData()  # what is drawn, in view coordinates
    assert np.allclose(x, np.log10(2.0))
    assert np.allclose(sorted(y), [0.5, 3.5])  # from the bottom edge of depth 1 to the top of 3


def test_the_lr_axis_says_it_is_c_when_the_rate_is_normalised(window, fake_run):
    """With lr_mode = normalized the swept lr is c = η·λ0: the axis said "lr η"."""
    tab, view = sharpness_sweep(window)
    view.run()
    assert view.figure.plot.getAxis("bottom").labelText.startswith("c = η·λ0")
    view.stop()
    view.panel.set_values({"lr_mode": "absolute"})
    view.run()
    assert view.figure.plot.getAxis("bottom").labelText == "lr η"
    assert view.figure.plot.getAxis("left").labelText == "depth"


def hover(qtbot, view, index):
    scene = view.figure.scene_pos(index)
    pos = view.figure.widget.mapFromScene(scene)
    qtbot.mouseMove(view.figure.widget.viewport(), pos)
    return pos


def test_hover_shows_the_points_parameters_and_value(window, qtbot, fake_run):
    tab, view = sharpness_sweep(window)
    window.resize(1400, 900)
    view.run()
    run = fake_run[-1]
    point = run.spec.point((2, 1), 0)
    run.feed([result_for(point, regime=1.0)])
    qtbot.waitUntil(lambda: colour_at(view, (2, 1)) == rgb(CATEGORY_COLORS[1]))
    hover(qtbot, view, (2, 1))
    qtbot.waitUntil(lambda: view.readout.text() != "")
    text = view.readout.text()
    assert "lr = 2.833" in text and "depth = 2" in text and "regime = catapult" in text
    assert f"seed {point.seed}" in text
    hover(qtbot, view, (0, 0))
    qtbot.waitUntil(lambda: "not run yet" in view.readout.text())


def test_clicking_a_cell_opens_it_in_single_run_ready_to_run(window, qtbot, fake_run):
    tab, view = sharpness_sweep(window)
    view.run()
    run = fake_run[-1]
    # the cell with the largest seed: the seed control holds every seed a sweep draws
    point = max(run.spec.points(), key=lambda p: p.seed)
    run.feed([result_for(point, regime=2.0)])
    qtbot.waitUntil(lambda: colour_at(view, point.index) == rgb(CATEGORY_COLORS[2]))
    pos = hover(qtbot, view, point.index)
    qtbot.mouseClick(view.figure.widget.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=pos)
    qtbot.waitUntil(lambda: not tab.sweep_mode.shown)
    assert tab.panel.values() == point.params
    assert tab.seed.value() == point.seed
    assert point.params["lr"] == run.spec.axes[0].values[point.index[0]]
    assert point.params["depth"] == run.spec.axes[1].values[point.index[1]]
    assert "press Run" in tab.banner.text() and tab.run_button.isEnabled()
    assert window.current() is tab and not tab.runner.state.active


def test_stop_cancels_and_keeps_what_finished(window, qtbot, fake_run):
    tab, view = sharpness_sweep(window)
    view.run()
    run = fake_run[-1]
    run.feed([result_for(run.spec.points()[0], regime=0.0)])
    # Esc goes to the Sweep view while it is shown (the window's Stop action acts on the tab)
    stop = next(a for a in window.findChildren(QtGui.QAction) if a.text() == "&Stop")
    stop.trigger()
    assert run.stopped
    qtbot.waitUntil(lambda: view.run_button.isEnabled())
    assert "stopped" in view.status_line.text() and "1 / 12 points" in view.status_line.text()
    assert colour_at(view, (0, 0)) == rgb(CATEGORY_COLORS[0])


def test_closing_the_app_stops_a_running_sweep(window, fake_run):
    tab, view = sharpness_sweep(window)
    view.run()
    window.close()
    assert fake_run[-1].stopped and not view._timer.isActive()


def test_failures_are_counted_and_listed_in_a_dialog(window, qtbot, fake_run):
    tab, view = sharpness_sweep(window)
    view.run()
    run = fake_run[-1]
    bad = run.spec.point((1, 0), 0)
    run.feed([result_for(bad, FAILED, "ValueError: the kernel blew up")])
    qtbot.waitUntil(lambda: "1 failed" in view.status_line.text())
    assert "href" in view.status_line.text()
    assert colour_at(view, (1, 0)) == rgb(FAILED_COLOR)
    view.status_line.linkActivated.emit("failures")
    dialog = view.failures_dialog
    assert dialog.isVisible()
    text = dialog.findChild(QtWidgets.QPlainTextEdit).toPlainText()
    assert "ValueError: the kernel blew up" in text and "lr = 1.667" in text
    assert f"seed {bad.seed}" in text
    dialog.close()


def test_one_axis_sweep_is_a_curve_with_standard_error_bands(window, qtbot, fake_run):
    tab, view = sharpness_sweep(window, measure="final_loss", repeats=3)
    view.axis2.set_name(None)
    view.run()
    run = fake_run[-1]
    assert run.spec.shape() == (4, 3)
    assert "a repeat diverged" not in legend_labels(view)  # nothing has diverged yet
    losses = {0: [1.0, 2.0, 3.0], 1: [4.0, 4.0, 4.0]}
    run.feed(
        [
            result_for(
                run.spec.point((i,), r), DIVERGED if (i, r) == (1, 2) else DONE, final_loss=v
            )
            for i, values in losses.items()
            for r, v in enumerate(values)
        ]
    )
    band = view.figure.band
    qtbot.waitUntil(lambda: band.line.getData()[1] is not None and len(band.line.getData()[1]) == 2)
    x, mean = band.line.getData()
    assert np.allclose(mean, [2.0, 4.0])
    assert np.allclose(x, [0.5, 1.6666666666666667])
    # s.e. of (1, 2, 3) is 1/sqrt(3)
    assert np.allclose(band.high.getData()[1], [2.0 + 1 / np.sqrt(3), 4.0])
    assert np.allclose(band.low.getData()[1], [2.0 - 1 / np.sqrt(3), 4.0])
    # the point with a diverged repeat is marked, and the legend says what the mark means
    assert np.allclose(view.figure.diverged.getData()[0], [x[1]])
    assert "a repeat diverged" in legend_labels(view)


def test_exports_open_as_image_and_arrays(window, qtbot, fake_run, tmp_path, monkeypatch):
    tab, view = sharpness_sweep(window)
    view.run()
    run = fake_run[-1]
    run.feed([result_for(p, regime=float(p.index[0] > 1)) for p in run.spec.points()])
    run.finish()
    qtbot.waitUntil(lambda: view.run_button.isEnabled())
    actions = {a.text(): a for a in window.findChildren(QtGui.QAction)}
    for action, name in (
        ("Export &figure…", "map.png"),
        ("Export &figure…", "map.svg"),
        ("Export &data…", "map.npz"),
        ("Export &data…", "map.csv"),
    ):
        monkeypatch.setattr(
            QtWidgets.QFileDialog,
            "getSaveFileName",
            lambda *a, name=name, **k: (str(tmp_path / name), ""),
        )
        actions[action].trigger()
        assert (tmp_path / name).is_file(), name
    image = QtGui.QImage(str(tmp_path / "map.png"))
    assert not image.isNull() and image.width() > 500
    meta = read_figure_meta(tmp_path / "map.png")
    assert meta["lab"] == "sharpness" and [a["name"] for a in meta["axes"]] == ["lr", "depth"]
    assert meta["shown_measure"] == "regime"
    assert read_figure_meta(tmp_path / "map.svg")["axes"][1]["values"] == [1, 2, 3]
    assert QtGui.QImage(str(tmp_path / "map.svg")).width() > 500  # Qt's SVG reader renders it
    data, meta = read_npz(tmp_path / "map.npz")
    assert data["regime"].shape == (4, 3, 1)
    assert np.array_equal(data["regime"][:, 0, 0], [0, 0, 1, 1])
    assert np.array_equal(data["grid_depth"], [1, 2, 3])
    text = (tmp_path / "map.csv").read_text().splitlines()
    assert text[0].startswith("# physlab ") and len(text) == 2 + 12


def test_export_before_a_sweep_is_refused_with_a_message(window, monkeypatch, tmp_path):
    tab, view = sharpness_sweep(window)
    warned = []
    monkeypatch.setattr(
        QtWidgets.QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "x.npz"), "")
    )
    monkeypatch.setattr(QtWidgets.QMessageBox, "warning", lambda *a: warned.append(a[2]))
    window.export_data()
    assert warned == ["nothing to export yet: run a sweep first"]


def test_scheduler_comes_from_the_environment_and_goes_to_the_run(
    window, qtbot, fake_run, monkeypatch
):
    monkeypatch.setenv("PHYSLAB_SCHEDULER", "tcp://10.0.0.7:8786")
    tab, view = sharpness_sweep(window)
    assert view.scheduler.text() == "tcp://10.0.0.7:8786"
    view.workers.setValue(3)
    view.run()
    assert fake_run[-1].scheduler == "tcp://10.0.0.7:8786"
    view.stop()
    qtbot.waitUntil(view.run_button.isEnabled)
    view.scheduler.setText("")
    view.run()
    assert fake_run[-1].scheduler is None and fake_run[-1].requested_workers == 3


def test_bad_axis_is_refused_with_a_one_line_message(window, fake_run):
    tab, view = sharpness_sweep(window, depth="1,2,9")
    view.run()
    assert not fake_run
    assert view.banner.isVisible() and "parameter 'depth'" in view.banner.text()
    assert "\n" not in view.banner.text()


def test_sweep_is_kept_in_a_session(window, qtbot, fake_run, tmp_path):
    tab, view = sharpness_sweep(window)
    view.run()
    run = fake_run[-1]
    run.feed([result_for(p, regime=1.0) for p in run.spec.points()[:5]])
    qtbot.waitUntil(lambda: colour_at(view, (0, 0)) == rgb(CATEGORY_COLORS[1]))
    run.finish()
    qtbot.waitUntil(lambda: view.run_button.isEnabled())
    path = window.save_session(tmp_path / "s.physlab")
    from physlab.gui.window import MainWindow

    other = MainWindow(warm_up=False)
    qtbot.addWidget(other)
    assert other.open_session(path)
    restored = other.lab_tabs.get_or_build("sharpness").sweep_mode.view
    assert restored is not None
    assert restored.result.spec == run.spec
    assert np.array_equal(
        restored.result.arrays["regime"], run.result.arrays["regime"], equal_nan=True
    )
    assert restored.axis2.values.text() == "1,2,3" and restored.axis1.count.value() == 4
    assert colour_at(restored, (0, 0)) == rgb(CATEGORY_COLORS[1])
    assert colour_at(restored, (3, 2)) == rgb(NOT_RUN_COLOR)
    other.close()


def test_real_sweep_on_a_two_worker_local_cluster(window, qtbot):
    """A tiny Sharpness phase diagram through the real engine; the GUI's arrays are the ones a
    single run of each point gives (what `physlab run --from sweep.npz --point` re-runs)."""
    tab, view = sharpness_sweep(window, lr="1:5:2", depth="1,2")
    view.panel.set_values({"width": [8], "n_samples": 8, "steps": 30, "eig_every": 5})
    view.workers.setValue(2)
    view.scheduler.setText("")
    try:
        view.run()
        qtbot.waitUntil(
            lambda: view.sweep.state in ("finished", "failed", "stopped"), timeout=90_000
        )
        assert view.sweep.state == "finished", view.sweep.message
        qtbot.waitUntil(lambda: view.run_button.isEnabled())
        assert view.sweep.workers == 2
        result = view.result
        assert result.done() == 4
        assert "4 / 4 points" in view.status_line.text()
        from physlab.core.sweep.point import run_point

        lab = window.labs["sharpness"]
        for point in result.spec.points():
            alone = run_point(point, "sharpness", tuple(m.name for m in lab.measures))
            for name in ("regime", "lambda0", "final_loss"):
                assert result.arrays[name][point.index + (0,)] == pytest.approx(
                    alone.values[name], nan_ok=True
                )
        assert all(colour_at(view, p.index) != rgb(NOT_RUN_COLOR) for p in result.spec.points())
        # closing the app shuts the local cluster down (its worker processes end)
        started = cluster._cluster
        assert started is not None and len(started.workers) == 2
        window.close()
        assert cluster._cluster is None and started.status.name == "closed"
    finally:
        shutdown_local_cluster()


def test_file_presets_and_reset_act_on_the_sweep_view_while_it_is_shown(window, qtbot, fake_run):
    """File ▸ Presets lists the lab's sweep presets while the Sweep view is shown (it listed the
    hidden single-run view's), and Run ▸ Reset clears the map, not the hidden single-run plots."""
    tab, view = sharpness_sweep(window)
    [name, *_] = [view.presets.itemData(i) for i in range(1, view.presets.count())]
    window.presets_menu.aboutToShow.emit()
    offered = [a.text() for a in window.presets_menu.actions()]
    assert name in offered and "eos-chebyshev" not in offered
    next(a for a in window.presets_menu.actions() if a.text() == name).trigger()
    assert view.presets.currentData() == name
    assert tab.presets.currentText() != name  # the single-run view's preset is untouched

    view.run()
    run = fake_run[-1]
    run.feed([result_for(run.spec.points()[0], regime=0.0)])
    view._poll()
    window.presets_menu.aboutToShow.emit()
    assert not any(a.isEnabled() for a in window.presets_menu.actions())  # not while it runs
    reset = next(a for a in window.findChildren(QtGui.QAction) if a.text() == "R&eset")
    reset.trigger()
    assert run.stopped and view.result is None and view.sweep is None
    assert view.run_button.isEnabled()

    tab.sweep_mode.show_single()
    window.presets_menu.aboutToShow.emit()
    assert "eos-chebyshev" in [a.text() for a in window.presets_menu.actions()]
