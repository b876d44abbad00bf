"""The Sharpness tab driven like a user would: run, pause, stop, live η, presets, exports."""

import numpy as np
import pytest
from PySide6 import QtCore

from physlab.core.export import read_npz
from physlab.core.runner import RunState
from tests.gui.gui_helpers import finished


def test_default_run_streams_and_shows_edge_of_stability(window, qtbot):
    tab = window.lab_tabs.get_or_build("sharpness")
    qtbot.mouseClick(tab.run_button, QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(finished(tab), timeout=60000)
    assert tab.runner.state == RunState.FINISHED
    qtbot.waitUntil(
        lambda: tab.c_eigs and tab.c_eigs[0].xData is not None and len(tab.c_eigs[0].xData) == 301,
        timeout=5000,
    )
    x, y = tab.c_eigs[0].xData, tab.c_eigs[0].yData
    assert len(x) == 301 and np.median(y[-100:]) == pytest.approx(10.0, rel=0.05)
    thr = tab.c_thr.yData
    assert thr[-1] == pytest.approx(10.0)
    assert "finished" in window.status_label.text()


def test_pause_resume_stop_and_live_lr(window, qtbot):
    tab = window.lab_tabs.get_or_build("sharpness")
    tab.panel.set_values({"steps": 10_000_000})
    tab.run()
    qtbot.waitUntil(
        lambda: tab.runner.state == RunState.RUNNING and tab.snapshot is not None, timeout=60000
    )
    assert not tab.panel.widget("depth").isEnabled()  # structure is fixed during a run
    assert tab.panel.widget("lr").isEnabled()  # η is live
    tab.panel.widget("lr").setValue(0.05)
    qtbot.waitUntil(
        lambda: (
            tab.snapshot.frame["lr"].size > 0
            and tab.snapshot.frame["lr"][-1] == pytest.approx(0.05)
        ),
        timeout=10000,
    )
    tab.toggle_pause()
    qtbot.waitUntil(lambda: tab.pause_button.text() == "Resume", timeout=5000)
    assert tab.runner.state == RunState.PAUSED
    tab.toggle_pause()
    qtbot.waitUntil(lambda: tab.runner.state == RunState.RUNNING, timeout=5000)
    tab.stop()
    qtbot.waitUntil(finished(tab), timeout=5000)
    assert tab.runner.state == RunState.STOPPED
    assert tab.panel.widget("depth").isEnabled()


def test_divergence_shows_a_message_and_keeps_the_plot(window, qtbot):
    tab = window.lab_tabs.get_or_build("sharpness")
    tab.panel.set_values({"lr": 5.0})
    tab.run()
    qtbot.waitUntil(lambda: tab.runner.state == RunState.DIVERGED, timeout=60000)
    qtbot.waitUntil(lambda: tab.banner.isVisible(), timeout=5000)
    assert "diverged at step" in tab.banner.text()
    qtbot.waitUntil(lambda: tab.c_loss.xData is not None, timeout=5000)


def test_invalid_combination_is_refused_at_run(window, qtbot):
    tab = window.lab_tabs.get_or_build("sharpness")
    tab.panel.set_values({"width": [30, 20, 10]})
    tab.run()
    assert tab.banner.isVisible() and "width" in tab.banner.text()
    assert tab.runner.state == RunState.IDLE


def test_uv_preset_shows_bifurcation_diagram(window, qtbot):
    tab = window.lab_tabs.get_or_build("sharpness")
    tab.apply_preset("uv-route-to-chaos")
    assert tab.panel.values()["model"] == "uv"
    tab.run()
    qtbot.waitUntil(finished(tab), timeout=60000)
    qtbot.waitUntil(lambda: tab._uv_view is True, timeout=5000)
    # the last frame is painted by the tab's 30 Hz timer, a moment after the run has ended
    qtbot.waitUntil(
        lambda: tab.c_bif.getData()[0] is not None and len(tab.c_bif.getData()[0]) > 1000,
        timeout=10000,
    )
    x, y = tab.c_bif.getData()
    assert np.nanmax(y) > 2.0


def test_exports_image_svg_and_data(window, qtbot, tmp_path):
    tab = window.lab_tabs.get_or_build("sharpness")
    tab.panel.set_values({"steps": 100})
    tab.seed.setValue(5)
    tab.run()
    qtbot.waitUntil(finished(tab), timeout=60000)
    png = tab.export_image(tmp_path / "fig.png")
    svg = tab.export_image(tmp_path / "fig.svg")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in svg.read_bytes()[:2000]
    data, meta = read_npz(tab.export_data(tmp_path / "run.npz"))
    assert meta["seed"] == 5 and meta["params"]["steps"] == 100 and len(data["loss"]) == 100
    assert (tmp_path / "run.npz").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fig.png", "fig.svg", "run.npz"]


def test_export_to_missing_folder_says_why(window, tmp_path):
    from physlab.core.export import ExportError

    tab = window.lab_tabs.get_or_build("sharpness")
    with pytest.raises(ExportError, match="does not exist"):
        tab.export_image(tmp_path / "nope" / "fig.png")
    with pytest.raises(ExportError, match="run the lab first"):
        tab.export_data(tmp_path / "run.npz")


def test_shortcuts_are_bound(window):
    keys = {
        a.text().replace("&", ""): a.shortcut().toString()
        for a in window.findChildren(type(window.menuBar().actions()[0]))
    }
    assert keys["Run"] == "Ctrl+R" and keys["Stop"] == "Esc"
    assert keys["Export figure…"] == "Ctrl+E" and keys["Export data…"] == "Ctrl+S"


def test_close_while_running_stops_workers_quickly(window, qtbot):
    import time

    tab = window.lab_tabs.get_or_build("sharpness")
    tab.panel.set_values({"steps": 10_000_000})
    tab.run()
    qtbot.waitUntil(lambda: tab.runner.state == RunState.RUNNING, timeout=60000)
    t0 = time.perf_counter()
    window.close()
    assert time.perf_counter() - t0 < 1.0
    assert not tab.runner.runner.alive


def test_warmup_compiles_in_background(qtbot):
    from physlab.gui.window import MainWindow

    win = MainWindow(warm_up=True)
    qtbot.addWidget(win)
    assert win.compile_bar.isVisibleTo(win) and win.compile_bar.maximum() == 0  # busy
    with qtbot.waitSignal(win.warmupDone, timeout=120000):
        pass
    assert win.compile_label.text() == "Kernels compiled" and not win.compile_bar.isVisibleTo(win)
    win.close()


def test_step_axes_span_the_whole_run_from_the_first_frame(window, qtbot):
    """Axes that stay put while a run streams are not redrawn every frame (see SharpnessTab)."""
    tab = window.lab_tabs.get_or_build("sharpness")
    tab.panel.set_values({"steps": 200_000})
    tab.run()
    qtbot.waitUntil(lambda: tab.snapshot is not None and tab.snapshot.steps_done > 0, timeout=60000)
    tab._paint_if_dirty()
    for plot in (tab.p_loss, tab.p_sharp, tab.p_lr, tab.p_low):
        low, high = plot.vb.viewRange()[0]
        assert low <= 0 and 200_000 <= high < 210_000
    tab.stop()
    tab.apply_preset("catapult-uv")  # the bifurcation view keeps its own η axis
    tab.run()
    assert tab._run_params["model"] == "uv"
    qtbot.waitUntil(finished(tab), timeout=60000)
    tab._paint_if_dirty()
    qtbot.waitUntil(lambda: tab.p_low.vb.viewRange()[0][1] < 100, timeout=3000)


def test_a_minibatch_run_shows_the_batch_sharpness_and_the_full_batch_loss(window, qtbot):
    """optimizer = sgd with a batch: the batch sharpness joins λ₁ under the 2/η line, the full
    loss joins the noisy batch losses, and the axes say when the loss is the per-class mean."""
    tab = window.lab_tabs.get_or_build("sharpness")
    tab.panel.set_values(
        {
            "dataset": "digits",
            "n_samples": 60,
            "width": [8],
            "optimizer": "sgd",
            "batch": 10,
            "loss_norm": "class",
            "steps": 60,
            "eig_every": 20,
        }
    )
    assert tab.panel.widget("batch").isVisible() and tab.panel.widget("batching").isVisible()
    tab.run()
    qtbot.waitUntil(finished(tab), timeout=60000)
    qtbot.waitUntil(lambda: tab.c_bs.xData is not None and len(tab.c_bs.xData) == 4, timeout=5000)
    legend = tab.p_sharp.legend
    assert legend.getLabel(tab.c_bs).text.startswith("batch sharpness")
    assert "2/η" in legend.getLabel(tab.c_thr).text
    assert tab.p_loss.legend.getLabel(tab.c_full).text == "full-batch training loss"
    assert "per-class mean" in tab.p_loss.getAxis("left").labelText
    assert "per-class mean" in tab.p_sharp.getAxis("left").labelText
    tab.panel.set_values({"optimizer": "gd"})
    assert not tab.panel.widget("batch").isVisible()
