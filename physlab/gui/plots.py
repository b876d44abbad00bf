"""Small shared plot helpers: consistent styling (data solid, theory dashed), legends, hover
read-outs (figure export is in :mod:`.figure_export`)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from . import theme
from .figure_export import mark_ui_only

DATA_COLORS = (
    "#1f77b4",
    "#2ca02c",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
)
THEORY_COLOR = "#d62728"


def configure() -> None:
    """Global pyqtgraph options; call before any plot is made."""
    pg.setConfigOptions(
        imageAxisOrder="row-major", antialias=True, background="w", foreground=theme.Ink.TEXT
    )


def data_pen(i: int = 0, width: float = 1.6):
    return pg.mkPen(DATA_COLORS[i % len(DATA_COLORS)], width=width)


def theory_pen(color: str = THEORY_COLOR, width: float = 2.0):
    return pg.mkPen(color, width=width, style=QtCore.Qt.PenStyle.DashLine)


class TidyLogAxis(pg.AxisItem):
    """An axis whose log scale is labelled at decades whenever two or more are in view, and at
    1, 2, 5 × 10^k otherwise (finer, down to every 1…9 × 10^k, where that leaves fewer than two
    labels) — instead of pyqtgraph's fallback over short ranges, which labels every 2…9 × 10^k and
    crowds them into an unreadable column. Linear scales are unchanged."""

    def logTickValues(self, minVal, maxVal, size, stdTicks):
        for spacing, values in stdTicks:
            if spacing >= 1.0 and sum(minVal <= v <= maxVal for v in values) >= 2:
                return [(spacing, values)]
        lo, hi = int(np.floor(minVal)), int(np.ceil(maxVal))
        for mantissas in ((1, 2, 5), (1, 1.5, 2, 3, 5, 7), range(1, 10)):
            values = [k + np.log10(m) for k in range(lo, hi + 1) for m in mantissas]
            values = [v for v in values if minVal <= v <= maxVal]
            if len(values) >= 2:
                break
        return [(None, values)]


def make_plot(
    layout: pg.GraphicsLayoutWidget,
    row: int,
    col: int,
    title: str,
    xlabel: str,
    ylabel: str,
    log_y: bool = False,
) -> pg.PlotItem:
    """A plot with labelled axes, grid, a legend strip between its title and its data (see
    :class:`LegendStrip`) and a hover read-out."""
    plot = layout.addPlot(
        row=row,
        col=col,
        title=title,
        axisItems={side: TidyLogAxis(side) for side in ("left", "bottom")},
    )
    plot.setLabel("bottom", xlabel)
    plot.setLabel("left", ylabel)
    plot.showGrid(x=True, y=True, alpha=1.0)
    plot.setLogMode(y=log_y)
    for axis in ("left", "bottom"):
        plot.getAxis(axis).enableAutoSIPrefix(False)
        # grid at major ticks only: minor grid lines tripled the paint time of a plot
        # (benchmarks/gui_probe.py), which starved the event loop while runs streamed; and drawn
        # opaque in a light colour rather than translucent: blending the grid over the plot
        # was a large share of a repaint of the Sharpness tab (benchmarks/gui_probe.py)
        plot.getAxis(axis).setStyle(maxTickLevel=0)
        plot.getAxis(axis).setTickPen(pg.mkPen(theme.Ink.GRID))
        plot.getAxis(axis).setZValue(-1)  # the opaque grid goes under the curves and legend
    plot.setClipToView(True)
    plot.setDownsampling(auto=True, mode="peak")
    LegendStrip(plot)
    plot.readout = HoverReadout(plot)
    return plot


def _is_theory(item) -> bool:
    """Drawn dashed or dotted, as theory and guides are (see :func:`theory_pen`)."""
    pen = item.opts.get("pen") if hasattr(item, "opts") else None
    style = pg.mkPen(pen).style() if pen is not None else QtCore.Qt.PenStyle.NoPen
    return style not in (QtCore.Qt.PenStyle.SolidLine, QtCore.Qt.PenStyle.NoPen)


def preview_range(plot: pg.PlotItem, x=None, y=None) -> None:
    """Show the ranges ``x``/``y`` (data coordinates, ``None``: leave as is) on an empty plot, so
    that before a run its axes read in the run's units instead of 0–1; auto-range takes over when
    data arrives."""
    for rng, log, axis in (
        (x, plot.ctrl.logXCheck.isChecked(), "x"),
        (y, plot.ctrl.logYCheck.isChecked(), "y"),
    ):
        if rng is not None:
            lo, hi = np.log10(rng) if log else rng
            (plot.setXRange if axis == "x" else plot.setYRange)(lo, hi, padding=0.02)
    plot.enableAutoRange()


class LegendStrip(pg.LegendItem):
    """A plot's legend in a strip of its own between the title and the data, so it never covers a
    curve: entries flow into as many columns as the plot's width holds (rows below when they do
    not fit). It takes the place of the plot's (unused) top axis in the plot's layout and becomes
    ``plot.legend``, so curves made with a ``name`` join it."""

    SPACING = 14  # px between columns of entries

    def __init__(self, plot: pg.PlotItem):
        super().__init__(offset=None, labelTextSize="9pt", horSpacing=4, verSpacing=-4)
        self.plot = plot
        self.setBrush(pg.mkBrush(0, 0, 0, 0))  # no box: the strip is outside the data
        self.setPen(pg.mkPen(None))
        top = plot.getAxis("top")
        plot.layout.removeItem(top)
        top.hide()
        policy = QtWidgets.QSizePolicy.Policy
        self.setSizePolicy(policy.Maximum, policy.Fixed)  # as wide as its entries, no wider
        plot.layout.addItem(self, 1, 1, alignment=QtCore.Qt.AlignmentFlag.AlignLeft)
        plot.legend = self
        plot.vb.sigResized.connect(self._reflow)

    def addItem(self, item, name):
        super().addItem(item, name)
        self._reflow()

    def removeItem(self, item):
        super().removeItem(item)
        self._reflow()

    def _reflow(self, *_) -> None:
        """Lay the entries out in the most columns that fit the view box's width: data (solid)
        first, then theory and guides (dashed or dotted), each in the order they came."""
        self.items.sort(key=lambda entry: _is_theory(entry[0].item))
        width = self.plot.vb.width()
        widths = [
            sample.width() + label.itemRect().width() + self.SPACING for sample, label in self.items
        ]
        columns = max(len(widths), 1)
        while columns > 1 and sum(max(widths[c::columns]) for c in range(columns)) > width:
            columns -= 1
        for i in range(self.layout.count() - 1, -1, -1):
            self.layout.removeAt(i)
        for i, (sample, label) in enumerate(self.items):
            row, col = divmod(i, columns)
            self.layout.addItem(
                sample, row, 2 * col, alignment=QtCore.Qt.AlignmentFlag.AlignVCenter
            )
            self.layout.addItem(label, row, 2 * col + 1)
            self.layout.setColumnSpacing(2 * col + 1, self.SPACING)
        self.columnCount, self.rowCount = columns, -(-len(self.items) // columns)
        self.updateSize()

    def updateSize(self) -> None:
        """The plot's layout places the strip: tell it the size changed (pyqtgraph's legend
        sets its own geometry instead, as it floats over the view)."""
        self.layout.invalidate()
        self.updateGeometry()


class HoverReadout:
    """Shows the data coordinates under the mouse in the plot's corner."""

    def __init__(self, plot: pg.PlotItem):
        self.plot = plot
        self.label = pg.TextItem(anchor=(0, 1), color=theme.Ink.NOTE)
        self.label.setZValue(100)
        mark_ui_only(self.label)  # never part of an exported figure
        plot.addItem(self.label, ignoreBounds=True)
        self._proxy = pg.SignalProxy(plot.scene().sigMouseMoved, rateLimit=30, slot=self._moved)

    def _moved(self, args) -> None:
        pos = args[0]
        vb = self.plot.vb
        if not self.plot.sceneBoundingRect().contains(pos):
            self.label.setText("")
            return
        point = vb.mapSceneToView(pos)
        x, y = point.x(), point.y()
        if self.plot.ctrl.logYCheck.isChecked():
            y = 10**y
        self.label.setText(f"x = {x:.4g}, y = {y:.4g}")
        (x0, x1), (y0, y1) = vb.viewRange()
        self.label.setPos(x0, y0)


def set_curve_antialias(figure, on: bool) -> bool:
    """Switch antialiasing of every curve in ``figure``'s scene; returns whether any changed.

    Antialiased paths are a large share of a repaint in Qt's software rasteriser (long traces on
    the Sharpness tab, benchmarks/gui_probe.py), so tabs draw curves aliased while a run streams
    and smooth again once it rests."""
    scene = figure.scene()
    changed = False
    for item in scene.items() if scene is not None else ():
        if isinstance(item, pg.PlotCurveItem) and item.opts.get("antialias") != on:
            item.opts["antialias"] = on
            item.update()
            changed = True
    return changed


def hide_empty_legends(figure) -> None:
    """A legend with no entries draws as an empty box: show legends only when they list something."""
    scene = figure.scene()
    for item in scene.items() if scene is not None else ():
        if isinstance(item, pg.LegendItem):
            item.setVisible(bool(item.items))


def drawable(plot: pg.PlotItem, x, y) -> tuple[np.ndarray, np.ndarray]:
    """The points of (x, y) that ``plot`` can draw on its current axes (see :func:`finite`)."""
    return finite(
        x, y, positive=plot.ctrl.logYCheck.isChecked(), positive_x=plot.ctrl.logXCheck.isChecked()
    )


def finite(x, y, positive: bool = False, positive_x: bool = False):
    """The points of (x, y) a plot can draw (see :func:`keep_drawable`), as float arrays."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    keep = keep_drawable(x, y, positive, positive_x)
    return x[keep], y[keep]


def keep_drawable(
    x: np.ndarray, y: np.ndarray, positive: bool = False, positive_x: bool = False
) -> np.ndarray:
    """The one filter for plot data: which points are finite, with y > 0 (``positive``) and
    x > 0 (``positive_x``) where the axis is logarithmic."""
    keep = np.isfinite(x) & np.isfinite(y)
    if positive:
        keep &= y > 0
    if positive_x:
        keep &= x > 0
    return keep


def show_curve(plot: pg.PlotItem, item, name: str, shown: bool) -> None:
    """Show or hide a plot item together with its legend entry (a hidden curve has none)."""
    item.setVisible(shown)
    legend = plot.legend
    has = legend.getLabel(item) is not None
    if shown and not has:
        legend.addItem(item, name)
    elif not shown and has:
        legend.removeItem(item)
    elif shown and legend.getLabel(item).text != name:
        legend.getLabel(item).setText(name)


class BandCurve:
    """A data line with markers and a shaded band around it (e.g. ±1 standard error over
    repeats). The band's edges live in the plot too, so log axes transform them with the line."""

    def __init__(self, plot: pg.PlotItem, i: int, name: str, symbol: str | None = "o"):
        color = DATA_COLORS[i % len(DATA_COLORS)]
        fill = pg.mkColor(color)
        fill.setAlpha(55)
        self.line = pg.PlotDataItem(
            pen=pg.mkPen(color, width=2),
            symbol=symbol,
            symbolSize=5,
            symbolBrush=color,
            symbolPen=None,
            name=name,
        )
        edge = pg.mkPen((0, 0, 0, 0))  # drawn invisibly so that they count for auto-range
        self.low = pg.PlotDataItem(pen=edge)
        self.high = pg.PlotDataItem(pen=edge)
        self.fill = pg.FillBetweenItem(self.low, self.high, brush=fill)
        self.items = (self.fill, self.low, self.high, self.line)
        plot.addItem(self.fill, ignoreBounds=True)
        for item in self.items[1:]:
            plot.addItem(item)

    def set_data(
        self, x: np.ndarray, mean: np.ndarray, spread: np.ndarray, positive: bool = False
    ) -> None:
        x, mean, spread = (np.asarray(a, dtype=float) for a in (x, mean, spread))
        keep = keep_drawable(x, mean, positive)
        x, mean, spread = x[keep], mean[keep], np.nan_to_num(spread[keep])
        low = mean - spread
        if positive:
            low = np.where(low > 0, low, mean * 0.05)  # a log axis cannot show ≤ 0
        self.line.setData(x, mean)
        self.low.setData(x, low)
        self.high.setData(x, mean + spread)


class RunSpan:
    """Fixes the x axes of plots against steps or generations to the whole run from its first
    frame. An axis whose range changes every frame redraws its ticks and grid every frame, which on
    the Sharpness tab made repaints and the event loop's longest gaps markedly slower
    (benchmarks/gui_probe.py measures both). A plot's range is set once per run (``clear`` at the
    start of the next), so zooming while a run streams is not undone."""

    def __init__(self):
        self._spans: dict[int, float] = {}

    def apply(self, plots, high: float) -> None:
        for plot in plots:
            if self._spans.get(id(plot)) != high:
                self._spans[id(plot)] = high
                plot.setXRange(0, high, padding=0.02)

    def clear(self) -> None:
        self._spans.clear()


class PlotItems:
    """Plot items created on first use and looked up by key on every later paint, so a view that
    changes with the parameters (rows, models) rebuilds only when its layout changes."""

    def __init__(self):
        self._items: dict[tuple, tuple[pg.PlotItem, object]] = {}

    def get(self, plot: pg.PlotItem, key, make):
        entry = self._items.get((id(plot), key))
        if entry is None:
            item = make()
            if not isinstance(item, BandCurve):
                theme.adapt(item)
                plot.addItem(item)
            entry = self._items[(id(plot), key)] = (plot, item)
        return entry[1]

    def line(
        self,
        plot: pg.PlotItem,
        key,
        x,
        y,
        pen,
        name: str | None = None,
        positive: bool = False,
        positive_x: bool = False,
    ) -> None:
        """Set the data of the line ``key`` (made on first use), dropping points a plot cannot
        draw (non-positive y on a log axis with ``positive``, x ≤ 0 with ``positive_x``)."""
        item = self.get(plot, key, lambda: pg.PlotDataItem(pen=pen, name=name))
        item.setData(*finite(x, y, positive, positive_x))

    def clear(self) -> None:
        for plot, item in self._items.values():
            for part in item.items if isinstance(item, BandCurve) else (item,):
                plot.removeItem(part)
        self._items.clear()
