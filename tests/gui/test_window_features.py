"""The window's shared features: sessions, run history, themes, progress, help, hover, figure
metadata, tidy log axes, and garbage collection on the GUI thread."""

import time

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6 import QtGui, QtWidgets

from physlab.cli import main as cli
from physlab.core.export import read_npz
from physlab.gui import theme
from tests.gui.gui_helpers import finished

SMALL = {"repeats": 10, "d": 10, "T": 30, "T0": 30, "generations": 3}


def _run(qtbot, tab, **params):
    tab.panel.set_values({**SMALL, **params})
    tab.run()
    qtbot.waitUntil(finished(tab), timeout=60000)
    tab._paint_if_dirty()


def _ghosts(tab):
    return [item for _, item in tab.history._items]


def test_session_round_trip_restores_controls_runs_and_data(window, qtbot, tmp_path):
    tab = window.lab_tabs.get_or_build("collapse")
    tab.seed.setValue(4)
    _run(qtbot, tab, generations=3)
    _run(qtbot, tab, generations=4)
    before = {k: v.copy() for k, v in tab.snapshot.frame.items()}
    tab.panel.set_values({"generations": 7})  # controls changed after the run
    path = window.save_session(tmp_path / "s.physlab")
    assert path is not None and path.is_file()

    for t in map(window.lab_tabs.get_or_build, window.labs):
        t.reset()
        t.clear_history()
    tab.panel.set_values({"generations": 2})
    assert window.open_session(path)
    assert tab.panel.values()["generations"] == 7 and tab.seed.value() == 4
    assert tab._run_params["generations"] == 4
    assert len(tab.history.records) == 2
    for key, value in before.items():
        np.testing.assert_array_equal(tab.snapshot.frame[key], value)
    tab._paint_if_dirty()  # the restored run paints …
    assert len(_ghosts(tab)) == len(before["error_mean"])  # … over the earlier one's curves
    exported = tab.export_data(tmp_path / "again.npz")
    data, meta = read_npz(exported)
    assert meta["params"]["generations"] == 4 and meta["seed"] == 4


@pytest.mark.parametrize("content", [b"garbage", b""])
def test_a_damaged_session_is_explained_and_changes_nothing(window, tmp_path, monkeypatch, content):
    shown = []
    monkeypatch.setattr(
        QtWidgets.QMessageBox, "warning", lambda parent, title, text: shown.append(text)
    )
    tab = window.lab_tabs.get_or_build("collapse")
    tab.panel.set_values({"generations": 6})
    bad = tmp_path / "bad.physlab"
    bad.write_bytes(content)
    assert not window.open_session(bad)
    assert len(shown) == 1 and "bad.physlab" in shown[0]
    assert tab.panel.values()["generations"] == 6


def test_history_overlays_earlier_runs_labelled_by_the_difference(window, qtbot):
    tab = window.lab_tabs.get_or_build("collapse")
    tab.panel.set_values({"strategy": ["replace"]})
    _run(qtbot, tab, T=30)
    assert _ghosts(tab) == []  # nothing earlier yet
    _run(qtbot, tab, T=60)
    ghosts = _ghosts(tab)
    assert len(ghosts) == 1 and len(ghosts[0].xData) == 4
    label = tab.p_main.legend.getLabel(ghosts[0])
    assert label is not None and label.text == "earlier: T=30"
    tab.overlay.setChecked(False)
    assert _ghosts(tab) == []
    tab.overlay.setChecked(True)
    assert len(_ghosts(tab)) == 1
    tab.panel.set_values({"model": "verify"})  # another view: nothing to compare with
    _run(qtbot, tab, model="verify")
    assert _ghosts(tab) == []
    tab.clear_history()
    assert len(tab.history.records) == 1


def test_history_keeps_the_last_five(window, qtbot):
    tab = window.lab_tabs.get_or_build("collapse")
    tab.panel.set_values({"strategy": ["replace"]})
    for seed in range(7):
        tab.seed.setValue(seed)
        _run(qtbot, tab)
    assert [r.seed for r in tab.history.records] == [2, 3, 4, 5, 6]
    assert len(_ghosts(tab)) == 4


def test_dark_theme_recolours_every_plot_and_back(window, qtbot):
    tab = window.lab_tabs.get_or_build("collapse")
    _run(qtbot, tab, model="verify")  # guides in the neutral colour
    window.set_theme("dark")
    try:
        dark = theme.THEMES["dark"]
        views = window.findChildren(pg.GraphicsView)
        assert views and all(v.backgroundBrush().color().name() == dark.background for v in views)
        axis = tab.p_main.getAxis("bottom")
        assert axis.textPen().color().name() == dark.foreground
        guides = [
            item for _, item in tab.items._items.values() if isinstance(item, pg.InfiniteLine)
        ]
        assert guides and all(g.pen.color().name() != "#555555" for g in guides)
        assert window.dark_action.isChecked()
        palette = QtWidgets.QApplication.instance().palette()
        assert palette.window().color().lightness() < 80
        _run(qtbot, tab, model="verify", generations=2)  # items made later are dark too
        new = [item for _, item in tab.items._items.values() if isinstance(item, pg.InfiniteLine)]
        assert all(g.pen.color().name() != "#555555" for g in new)
    finally:
        window.set_theme("light")
    views = window.findChildren(pg.GraphicsView)
    assert all(v.backgroundBrush().color().name() == "#ffffff" for v in views)
    assert tab.p_main.getAxis("bottom").textPen().color().name() == "#222222"


def test_gui_export_reruns_from_the_command_line_to_the_same_numbers(window, qtbot, tmp_path):
    tab = window.lab_tabs.get_or_build("collapse")
    tab.seed.setValue(9)
    _run(qtbot, tab)
    exported = tab.export_data(tmp_path / "gui.npz")
    again = tmp_path / "cli.npz"
    assert cli(["run", "collapse", "--from", str(exported), "--out", str(again), "--quiet"]) == 0
    a, _ = read_npz(exported)
    b, _ = read_npz(again)
    assert set(a) == set(b)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])


def test_progress_bar_follows_the_run(window, qtbot):
    tab = window.lab_tabs.get_or_build("collapse")
    _run(qtbot, tab)
    assert tab.progress.maximum() == 1000 and tab.progress.value() == 1000
    tab.reset()
    assert tab.progress.value() == 0


def test_garbage_is_collected_on_the_gui_thread_only(window, qtbot):
    """A worker's allocations must not trigger cycle collection (it would free Qt objects off the
    GUI thread, see physlab/gui/gc_guard.py); the GUI thread's timer collects instead."""
    import gc
    import threading
    import weakref

    class Node:
        pass

    refs, keep = [], []

    def worker():
        node = Node()
        node.me = node  # a cycle: only the cycle collector frees it
        refs.append(weakref.ref(node))
        del node
        # enough new objects to trigger a collection of the youngest generation
        keep.extend(Node() for _ in range(5 * gc.get_threshold()[0]))

    assert not gc.isenabled()
    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert refs[0]() is not None  # not collected in the worker …
    qtbot.waitUntil(lambda: refs[0]() is None, timeout=3000)  # … but soon on the GUI thread


def test_run_pressed_before_the_end_signal_arrives_still_keeps_the_run(window, qtbot):
    """The worker has finished but its queued 'finished' signal is not yet processed when the
    user presses Run again: the ended run still goes into the history."""
    tab = window.lab_tabs.get_or_build("collapse")
    tab.panel.set_values({**SMALL, "strategy": ["replace"]})
    tab.run()
    deadline = time.monotonic() + 60
    while tab.runner.state.active and time.monotonic() < deadline:
        time.sleep(0.01)  # without spinning the event loop: the "finished" signal stays queued
    tab.panel.set_values({"T": 60})
    tab.run()
    qtbot.waitUntil(finished(tab), timeout=60000)
    assert [r.params["T"] for r in tab.history.records] == [30, 60]
    assert len(_ghosts(tab)) == 1


def test_every_tab_says_what_to_do_before_its_first_run(window):
    for tab in map(window.lab_tabs.get_or_build, window.labs):
        assert tab.banner.isVisibleTo(tab) and "Press Run" in tab.banner.text()
        assert tab.lab.summary.split(":")[0] in tab.banner.text()


def test_no_empty_legend_boxes(window, qtbot):
    empty = window.lab_tabs.get_or_build("collapse")  # its legends are empty before a run
    assert not any(
        i.isVisible() for i in empty.figure.scene().items() if isinstance(i, pg.LegendItem)
    )
    tab = window.lab_tabs.get_or_build("sharpness")
    legends = [
        i
        for i in tab.figure.scene().items()
        if isinstance(i, pg.LegendItem) and i.parentItem().isVisible()
    ]
    assert legends and all(leg.isVisible() == bool(leg.items) for leg in legends)
    tab.panel.set_values({"steps": 50})
    tab.run()
    qtbot.waitUntil(finished(tab), timeout=60000)
    tab._paint_if_dirty()
    assert all(leg.isVisible() for leg in legends)


def test_every_parameter_control_explains_itself(window):
    """Tooltips on every parameter: its meaning, allowed range and unit."""
    for tab in map(window.lab_tabs.get_or_build, window.labs):
        for p in tab.lab.spec:
            tip = tab.panel.widget(p.name).toolTip()
            assert p.help[:20] in tip and p.allowed()[:15] in tip, (tab.lab.name, p.name)
            if p.unit:
                assert p.unit in tip, (tab.lab.name, p.name)
    for tab in map(window.lab_tabs.get_or_build, window.labs):
        for button in (tab.run_button, tab.stop_button, tab.pause_button, tab.reset_button):
            assert "Ctrl" in button.toolTip() or "Esc" in button.toolTip()


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_an_exported_figure_reruns_to_the_same_numbers(window, qtbot, tmp_path, suffix):
    tab = window.lab_tabs.get_or_build("collapse")
    tab.seed.setValue(3)
    _run(qtbot, tab)
    figure = window.lab_tabs.get_or_build("collapse").export_image(tmp_path / f"fig{suffix}")
    data = tab.export_data(tmp_path / "gui.npz")
    again = tmp_path / "cli.npz"
    assert cli(["run", "collapse", "--from", str(figure), "--out", str(again), "--quiet"]) == 0
    a, _ = read_npz(data)
    b, meta = read_npz(again)
    assert meta["seed"] == 3
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])


def test_a_figure_without_a_run_has_no_metadata_and_says_so(window, tmp_path, capsys):
    figure = window.lab_tabs.get_or_build("collapse").export_image(tmp_path / "empty.png")
    assert cli(["run", "collapse", "--from", str(figure), "--out", str(tmp_path / "x.npz")]) == 2
    assert "no physlab metadata" in capsys.readouterr().err


def test_help_lists_every_bound_shortcut_and_about_names_every_paper(window, monkeypatch):
    from physlab.gui.window import SHORTCUTS

    shown = {}
    monkeypatch.setattr(
        QtWidgets.QMessageBox,
        "information",
        lambda parent, title, text: shown.setdefault("keys", text),
    )
    window.show_shortcuts()
    window.show_about()
    shown["about"] = window.about_dialog.findChild(QtWidgets.QTextBrowser).toPlainText()
    window.about_dialog.accept()
    bound = {a.shortcut().toString() for a in window.findChildren(QtGui.QAction)}
    for name, keys, _ in SHORTCUTS:
        assert name in shown["keys"] and keys in shown["keys"]
        if "/" not in keys and "Tab" not in keys:  # Ctrl+Tab is the tab widget's own
            assert keys in bound, keys
    for lab in window.labs.values():
        for paper in lab.papers:
            assert paper.title in shown["about"] and str(paper.year) in shown["about"]


def test_hover_readout_shows_data_coordinates(window, qtbot):
    from physlab.gui.plots import HoverReadout

    tab = window.lab_tabs.get_or_build("collapse")
    window.show_lab("collapse")  # a tab off screen paints when it is shown
    _run(qtbot, tab)
    plot = tab.p_main
    readout = plot.readout
    centre = plot.vb.mapViewToScene(plot.vb.viewRect().center())
    readout._moved((centre,))
    x, y = plot.vb.viewRect().center().x(), plot.vb.viewRect().center().y()
    assert readout.label.toPlainText() == f"x = {x:.4g}, y = {y:.4g}"
    assert isinstance(readout, HoverReadout)


@pytest.mark.parametrize(
    "low,high,expected",
    [
        (0.004, 0.6, [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5]),
        (0.3, 0.9, [0.3, 0.5, 0.7]),  # less than a decade: finer, never a lone label
        (0.11, 0.35, [0.15, 0.2, 0.3]),
        (1e-15, 2.0, None),  # long ranges: decades only
    ],
)
def test_log_axes_label_decades_or_1_2_5(window, low, high, expected):
    axis = window.lab_tabs.get_or_build("sharpness").p_loss.getAxis("left")
    levels = axis.tickValues(np.log10(low), np.log10(high), 300)
    values = 10 ** np.concatenate([np.asarray(v, float) for _, v in levels])
    if expected is None:
        mantissa = values / 10 ** np.floor(np.log10(values) + 1e-9)
        assert len(values) >= 2 and np.allclose(mantissa, 1.0)
    else:
        np.testing.assert_allclose(np.sort(values), expected, rtol=1e-9)


def test_a_failed_session_save_is_explained_without_a_wait_cursor(window, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(
        QtWidgets.QMessageBox,
        "warning",
        lambda parent, title, text: shown.append((text, QtWidgets.QApplication.overrideCursor())),
    )
    assert window.save_session(tmp_path / "missing" / "s.physlab") is None
    assert len(shown) == 1 and "does not exist" in shown[0][0] and shown[0][1] is None
    assert window.open_session(tmp_path / "nope.physlab") is False
    assert "no such file" in shown[1][0] and shown[1][1] is None


def test_tabs_are_built_when_first_shown(window):
    assert list(window.lab_tabs.built()) == ["sharpness"]  # the tab on screen at start
    window.tabs.setCurrentIndex(window.tabs.count() - 1)  # Collapse
    assert "collapse" in window.lab_tabs.built()
    assert window.current() is window.lab_tabs.get_or_build("collapse")
    holder = window._holders["scaling"]
    assert "scaling" not in window.lab_tabs.built()
    window.show_lab("scaling")
    assert window.current() is window.lab_tabs.built()["scaling"]
    assert holder.currentWidget() is window.lab_tabs.get_or_build("scaling")
    assert holder.tabText(holder.currentIndex()) == window.labs["scaling"].title


def test_a_tab_built_in_the_dark_theme_is_dark(window):
    window.set_theme("dark")
    try:
        tab = window.lab_tabs.get_or_build("diffusion")  # built now
        views = tab.findChildren(pg.GraphicsView)
        dark = theme.THEMES["dark"]
        assert views and all(v.backgroundBrush().color().name() == dark.background for v in views)
        axis = tab.p_spec.getAxis("left")
        assert axis.textPen().color().name() == dark.foreground
    finally:
        window.set_theme("light")
