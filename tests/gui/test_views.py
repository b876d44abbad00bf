"""What every lab's views look like to a reader: legends beside the data, not over it; overlays of
earlier runs that neither mix models nor rescale the axes; titled, labelled views before the
first run; text set with real sub- and superscripts; widgets wide enough for their text."""

import re

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6 import QtCore, QtWidgets

from tests.gui.gui_helpers import finished

SHORT = {
    "sharpness": ({}, {"steps": 300}),
    "sharpness-uv": ("uv-route-to-chaos", {"steps": 300}),
    "kernels": ({}, {"width": 200, "steps": 20, "particles": 1000}),
    "scaling": ({}, {"widths": [16, 32, 64], "steps": 2000, "features": 1000}),
    "diffusion": ({}, {"size": 8, "steps": 20, "n_samples": 16}),
    "collapse": ({}, {"repeats": 10, "d": 10, "T": 30, "T0": 30, "generations": 5}),
    "collapse-tails": ({}, {"model": "tails", "repeats": 10, "T_values": [10, 100, 1000]}),
    "collapse-strong": (
        {},
        {"model": "strong", "repeats": 10, "d": 10, "T_values": [20, 100, 1000]},
    ),
    "collapse-verify": ({}, {"model": "verify", "repeats": 10, "d": 10}),
    "collapse-gaussian": ({}, {"model": "gaussian", "repeats": 10, "generations": 5}),
}


def short_run(window, qtbot, case: str):
    preset, values = SHORT[case]
    tab = window.lab_tabs.get_or_build(case.split("-")[0])
    window.show_lab(tab.lab.name)
    if preset:
        tab.apply_preset(preset)
    tab.panel.set_values(values)
    tab.run()
    qtbot.waitUntil(finished(tab), timeout=60000)
    tab._dirty = True
    tab._paint_if_dirty()
    QtWidgets.QApplication.processEvents()
    return tab


def plots(tab):
    return [i for i in tab.figure.scene().items() if isinstance(i, pg.PlotItem) and i.isVisible()]


def drawn_points(plot):
    """The scene positions of every point drawn inside ``plot``'s view box."""
    box = plot.vb.sceneBoundingRect()
    for item in plot.vb.addedItems:
        if not item.isVisible():
            continue
        if isinstance(item, (pg.PlotDataItem, pg.ScatterPlotItem)):
            x, y = item.getData()
        else:
            continue
        if x is None or not len(x):
            continue
        keep = np.isfinite(x) & np.isfinite(y)
        every = max(1, keep.sum() // 2000)
        for xi, yi in zip(x[keep][::every], y[keep][::every], strict=True):
            point = item.mapToScene(QtCore.QPointF(float(xi), float(yi)))
            if box.contains(point):
                yield point


@pytest.mark.parametrize("case", list(SHORT))
def test_no_legend_covers_a_drawn_point(window, qtbot, case):
    tab = short_run(window, qtbot, case)
    checked = 0
    for plot in plots(tab):
        legend = plot.legend
        if legend is None or not legend.isVisible() or not legend.items:
            continue
        rect = legend.sceneBoundingRect()
        covered = [p for p in drawn_points(plot) if rect.contains(p)]
        assert not covered, f"{plot.titleLabel.text!r}: the legend covers {len(covered)} points"
        checked += 1
    assert checked  # some legend was looked at


def test_earlier_runs_of_another_model_are_not_overlaid(window, qtbot):
    tab = short_run(window, qtbot, "sharpness")
    short_run(window, qtbot, "sharpness-uv")
    assert tab._run_params["model"] == "uv"
    assert tab.history._items == []  # the MLP run is kept, but not drawn under the uv run


def test_an_overlay_never_widens_the_current_runs_axes(window, qtbot):
    tab = window.lab_tabs.get_or_build("collapse")
    small = {"strategy": ["replace"], "repeats": 10, "d": 10, "T0": 30, "generations": 3}
    for T in (13, 200):  # T = 13 errs far more than T = 200 (σ²d/(T−d−1))
        tab.panel.set_values({**small, "T": T})
        tab.run()
        qtbot.waitUntil(finished(tab), timeout=60000)
        tab._paint_if_dirty()
    ghosts = [item for _, item in tab.history._items]
    assert ghosts and max(np.nanmax(g.yData) for g in ghosts) > 2 * np.nanmax(
        tab.snapshot.frame["error_mean"]
    )
    tab.p_main.vb.updateAutoRange()
    high = tab.p_main.vb.viewRange()[1][1]
    top = np.nanmax(tab.snapshot.frame["error_mean"] + tab.snapshot.frame["error_std"])
    assert high < 1.5 * top


TEX = re.compile(r"[_^]")


def texts(tab):
    """Every piece of text a lab's figure shows: titles, axis labels, legend entries, colour-bar
    and guide labels, notes."""
    out = []
    for item in tab.figure.scene().items():
        if isinstance(item, pg.PlotItem):
            out.append(item.titleLabel.text)
            for name in ("left", "bottom", "right"):
                axis = item.getAxis(name)
                if axis.isVisible():
                    out.append(axis.labelText)
        elif isinstance(item, pg.LegendItem):
            out += [label.text for _, label in item.items]
        elif isinstance(item, pg.InfLineLabel):
            out.append(item.toPlainText())
        elif isinstance(item, pg.AxisItem) and item.isVisible():
            out.append(item.labelText)
    return [re.sub(r"<[^>]+>", "", t or "") for t in out]


@pytest.mark.parametrize("case", list(SHORT))
def test_no_text_shows_tex_markup(window, qtbot, case):
    tab = short_run(window, qtbot, case)
    bad = [t for t in texts(tab) if TEX.search(t)]
    assert not bad, bad


def _pens(tab):
    for item in tab.figure.scene().items():
        if isinstance(item, pg.PlotDataItem) and item.isVisible():
            yield pg.mkPen(item.opts["pen"]).color().name()
        elif isinstance(item, pg.InfiniteLine):
            yield item.pen.color().name()
        elif isinstance(item, pg.TextItem):
            yield item.color.name()


def test_the_dark_theme_leaves_no_light_ink_behind(window, qtbot):
    from physlab.gui.theme import Ink

    light = {ink.value for ink in Ink}
    tabs = [short_run(window, qtbot, case) for case in ("sharpness-uv", "collapse-gaussian")]
    window.set_theme("dark")
    try:
        for tab in tabs:
            left = sorted(set(_pens(tab)) & light)
            assert not left, f"{tab.lab.name}: {left} kept their light-theme colour"
    finally:
        window.set_theme("light")


def test_the_banner_follows_the_theme(window):
    tab = window.lab_tabs.get_or_build("sharpness")

    def background():
        return tab.banner.grab().toImage().pixelColor(3, tab.banner.height() // 2).lightness()

    assert background() > 200
    window.set_theme("dark")
    try:
        assert background() < 90
        tab.show_message("bad", error=True)
        assert background() < 90
    finally:
        window.set_theme("light")


def test_a_constant_learning_rate_gives_its_plot_to_the_data(window, qtbot):
    tab = short_run(window, qtbot, "sharpness")
    assert not tab.p_lr.isVisible() and "constant η = 0.2" in tab.p_loss.titleLabel.text
    assert tab.p_loss.height() > 0.8 * tab.left.geometry().height()
    tab.panel.set_values({"schedule": "warmup", "warmup_steps": 100})
    tab.run()
    qtbot.waitUntil(finished(tab), timeout=60000)
    tab._paint_if_dirty()
    assert tab.p_lr.isVisible() and tab.p_loss.titleLabel.text == "Training loss"


def _clipped(widget) -> list[str]:
    """The texts ``widget`` shows that do not fit in the room it gives them."""
    fm = widget.fontMetrics()
    if isinstance(widget, QtWidgets.QComboBox):
        option = QtWidgets.QStyleOptionComboBox()
        widget.initStyleOption(option)
        room = (
            widget.style()
            .subControlRect(
                QtWidgets.QStyle.ComplexControl.CC_ComboBox,
                option,
                QtWidgets.QStyle.SubControl.SC_ComboBoxEditField,
                widget,
            )
            .width()
        )
        return [
            t
            for t in (widget.itemText(i) for i in range(widget.count()))
            if fm.horizontalAdvance(t) > room
        ]
    if (
        isinstance(widget, QtWidgets.QLabel)
        and not widget.wordWrap()
        and widget.textFormat() != QtCore.Qt.TextFormat.RichText
        and "<" not in widget.text()
    ):
        return [widget.text()] if fm.horizontalAdvance(widget.text()) > widget.width() else []
    if isinstance(widget, QtWidgets.QLineEdit) and widget.objectName().startswith("param_"):
        room = widget.contentsRect().width() - 8  # the frame's text margins
        return [widget.text()] if fm.horizontalAdvance(widget.text()) > room else []
    if isinstance(widget, QtWidgets.QPlainTextEdit):  # the list fields
        shown = widget.viewport().height() // fm.lineSpacing()
        return [widget.toPlainText()] if widget.lines() > shown else []
    return []


@pytest.mark.parametrize("case", ["kernels", "diffusion", "scaling", "tails-panel"])
def test_every_widget_shows_its_whole_text(window, qtbot, case):
    if case == "tails-panel":  # Tails' 16 default sample sizes, before any run
        tab = window.lab_tabs.get_or_build("collapse")
        window.show_lab("collapse")
        tab.panel.widget("model").setCurrentText("tails")
    else:
        tab = short_run(window, qtbot, case)
        if hasattr(tab, "scrub"):  # at the end: "… (latest)", the longest text
            tab.scrub.slider.setValue(tab.scrub.slider.maximum())
    QtWidgets.QApplication.processEvents()
    widgets = [w for w in tab.findChildren(QtWidgets.QWidget) if w.isVisible()]
    clipped = {w.objectName() or type(w).__name__: t for w in widgets if (t := _clipped(w))}
    assert not clipped


@pytest.mark.parametrize("lab", ["sharpness", "kernels", "scaling", "diffusion", "collapse"])
def test_before_the_first_run_every_view_is_titled_labelled_and_scaled(window, lab):
    tab = window.lab_tabs.get_or_build(lab)
    window.show_lab(lab)
    QtWidgets.QApplication.processEvents()
    shown = [p for p in plots(tab) if p.width() > 0 and not isinstance(p, pg.ColorBarItem)]
    assert shown
    for plot in shown:
        assert plot.titleLabel.text, "an untitled view"
        for side in ("left", "bottom"):
            axis = plot.getAxis(side)
            if axis.isVisible():
                assert axis.labelText and "(x" not in axis.labelString(), axis.labelString()
                assert axis.range != [0, 1], (plot.titleLabel.text, side)  # not a bare 0–1
    if lab == "kernels":  # the P×P maps span the samples 1…P
        P = tab.panel.values()["n_samples"]
        for heatmap in (tab.h_theory, tab.h_sim, tab.h_diff):
            (x0, x1), _ = heatmap[0].vb.viewRange()
            assert x0 == pytest.approx(0.5) and x1 == pytest.approx(P + 0.5)
        assert tab.kernel_choice.count() >= 4


def test_the_ntk_change_map_is_diverging_and_centred(window, qtbot):
    tab = short_run(window, qtbot, "kernels")
    tab.kernel_choice.setCurrentIndex(1)  # NTK change K − K(0)
    for heatmap in (tab.h_theory, tab.h_sim):
        bar = heatmap[2]
        low, high = bar.levels()
        assert low == pytest.approx(-high) and high > 0
        assert bar.cmap_name == "CET-D1"
    tab.kernel_choice.setCurrentIndex(0)
    assert tab.h_sim[2].cmap_name == "viridis"


def test_legends_list_data_before_theory(window, qtbot):
    tab = short_run(window, qtbot, "scaling")
    for plot in (tab.p_time, tab.p_compute):
        styles = [pg.mkPen(sample.item.opts["pen"]).style() for sample, _ in plot.legend.items]
        dashed = [s != QtCore.Qt.PenStyle.SolidLine for s in styles]
        assert dashed == sorted(dashed), [label.text for _, label in plot.legend.items]


def test_earlier_runs_are_labelled_by_the_parameters_symbols():
    from physlab.catalog import all_labs
    from physlab.gui.history import difference

    labs = all_labs()
    kernels, sharpness = labs["kernels"].spec, labs["sharpness"].spec
    now = kernels.defaults()
    assert difference(kernels, {**now, "gamma0": 0.5}, 0, now, 0) == "γ0=0.5"
    now = sharpness.defaults()
    assert (
        difference(sharpness, {**now, "lr": 0.1, "init_scale": 2.0}, 0, now, 0)
        == "init scale=2, η=0.1"
    )


def test_lab_views_name_colour_roles_not_literal_colours():
    """A literal grey escapes the theme (the Sharpness tab's #999999 stayed light in the dark
    theme): labs draw neutral colours by role (theme.Ink)."""
    from pathlib import Path

    import physlab

    root = Path(physlab.__file__).parent
    literal = re.compile(r"['\"]#[0-9a-fA-F]{6}['\"]")
    found = {
        str(path.relative_to(root)): literal.findall(path.read_text())
        for path in root.glob("*/ui/*.py")
        if literal.search(path.read_text())
    }
    assert not found
