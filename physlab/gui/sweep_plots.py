"""The plots of the Sweep view: a 2-D sweep as a heatmap that fills in as points finish (a colour
bar with the measure's name and unit, or categorical colours with a legend for regime-like
measures), a 1-D sweep as a curve with ±1 standard-error bands over repeats, theory boundaries
dashed over both, and the cell under the mouse found for hover read-outs and clicks.

Everything is drawn in *view coordinates*: an axis swept on a log grid is placed at log10 of its
values (and its ticks labelled as values, as pyqtgraph's log mode does), an evenly spaced linear
grid at its values, and anything else (a list of sizes, choices) at the cell indices with the
values as tick labels, so every cell of the heatmap is the same size on screen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from physlab.core.sweep import DIVERGED, DONE, FAILED

from . import theme
from .plots import BandCurve, TidyLogAxis
from .theme import Ink

NOT_RUN_COLOR = "#c8c8c8"  # a cell no repeat has finished yet
FAILED_COLOR = "#3a3a3a"  # every repeat of the cell raised
NAN_COLOR = "#ffffff"  # finished, but the measure has no value there (e.g. never reached EoS)
HALO_COLOR = Ink.GRID  # under a theory line (an ink: the dark theme darkens it, see theme.py)
CATEGORY_COLORS = ("#4c78a8", "#f58518", "#b8252b", "#54a24b", "#b279a2", "#72b7b2", "#eeca3b")
CONTINUOUS_MAP = "viridis"
OVERLAY_STYLES = (
    QtCore.Qt.PenStyle.DashLine,
    QtCore.Qt.PenStyle.DashDotLine,
    QtCore.Qt.PenStyle.DotLine,
)


@dataclass
class CellSummary:
    """One measure over the repeats of every grid cell: ``value`` (mean, or the most frequent
    category), ``se`` (standard error of the mean, 0 with one value), ``count`` (repeats with a
    finite value), ``attempted`` (repeats that ran, failed or not), ``failed`` and
    ``diverged``."""

    value: np.ndarray
    se: np.ndarray
    count: np.ndarray
    attempted: np.ndarray
    failed: np.ndarray
    diverged: np.ndarray


def summarise(values: np.ndarray, status: np.ndarray, categorical: bool = False) -> CellSummary:
    """Reduce (grid…, repeats) arrays to one value per cell over the repeats that finished."""
    values = np.asarray(values, float)
    status = np.asarray(status)
    ran = (status == DONE) | (status == DIVERGED)
    ok = ran & np.isfinite(values)
    count = ok.sum(-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        masked = np.where(ok, values, 0.0)
        mean = np.where(count > 0, masked.sum(-1) / np.maximum(count, 1), np.nan)
        sq = np.where(ok, (values - mean[..., None]) ** 2, 0.0).sum(-1)
        se = np.where(count > 1, np.sqrt(sq / np.maximum(count - 1, 1) / np.maximum(count, 1)), 0.0)
    if categorical:
        labels = np.where(ok, np.rint(values), -1).astype(int)
        top = max(int(labels.max(initial=-1)) + 1, 1)
        votes = np.stack([(labels == k).sum(-1) for k in range(top)], -1)
        mean = np.where(count > 0, votes.argmax(-1), np.nan).astype(float)
    return CellSummary(
        mean,
        se,
        count,
        ran.sum(-1) + (status == FAILED).sum(-1),
        (status == FAILED).sum(-1),
        (status == DIVERGED).sum(-1),
    )


class GridAxis:
    """How one sweep axis is laid out on screen (see the module docstring)."""

    def __init__(self, name: str, values: Sequence, log: bool, unit: str = ""):
        self.name, self.values, self.unit = name, tuple(values), unit
        numeric = all(
            isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in self.values
        )
        raw = np.asarray(self.values, float) if numeric else np.arange(len(self.values), float)
        self.mode = "index"
        if numeric and log and np.all(raw > 0) and _even(np.log10(raw)):
            self.mode, self.coords = "log", np.log10(raw)
        elif numeric and _even(raw):
            self.mode, self.coords = "linear", raw
        else:
            self.coords = np.arange(len(self.values), dtype=float)
        self._numeric = raw if numeric else None
        step = np.diff(self.coords).mean() if len(self.coords) > 1 else 1.0
        mids = (self.coords[1:] + self.coords[:-1]) / 2
        self.edges = np.concatenate(
            [[self.coords[0] - step / 2], mids, [self.coords[-1] + step / 2]]
        )

    @property
    def label(self) -> str:
        return f"{self.name} ({self.unit})" if self.unit else self.name

    def cell(self, coord: float) -> int | None:
        """The index of the cell at view coordinate ``coord`` (None outside the grid)."""
        if not self.edges[0] <= coord <= self.edges[-1]:
            return None
        return int(min(np.searchsorted(self.edges, coord, side="right") - 1, len(self.values) - 1))

    def overlay_x(self, values: np.ndarray) -> np.ndarray:
        """Where curve points given in parameter values go: as they are on log and linear axes
        (a log axis transforms its items itself), interpolated between cells on index axes. A
        point at the first or last grid value goes to the edge of the map, so a boundary drawn
        across the whole grid spans its cells rather than stopping at their centres."""
        values = np.asarray(values, float)
        if self._numeric is None or np.any(np.diff(self._numeric) <= 0):  # no order to place in
            return np.full(values.shape, np.nan)
        lo, hi = self._numeric[0], self._numeric[-1]
        if self.mode == "index":
            out = np.interp(values, self._numeric, self.coords, left=np.nan, right=np.nan)
        else:
            out = values.copy()
        edges = 10 ** self.edges[[0, -1]] if self.mode == "log" else self.edges[[0, -1]]
        out[values == lo], out[values == hi] = edges[0], edges[1]
        return out

    def ticks(self):
        """Tick labels for an index axis (None: the axis labels itself)."""
        if self.mode != "index":
            return None
        every = max(1, len(self.values) // 12)
        return [[(k, format_value(v)) for k, v in enumerate(self.values) if k % every == 0]]

    def apply(self, plot: pg.PlotItem, side: str) -> None:
        axis = plot.getAxis(side)
        axis.setTicks(self.ticks())
        axis.setLabel(self.label)
        plot.setLogMode(**{"x" if side == "bottom" else "y": self.mode == "log"})


def _even(coords: np.ndarray) -> bool:
    if len(coords) < 3:
        return True
    steps = np.diff(coords)
    return bool(np.all(steps > 0) and np.ptp(steps) <= 1e-6 * max(abs(steps).max(), 1e-300))


def format_value(v) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def _new_plot(layout: pg.GraphicsLayoutWidget) -> pg.PlotItem:
    plot = layout.addPlot(row=0, col=0, axisItems={s: TidyLogAxis(s) for s in ("left", "bottom")})
    for side in ("left", "bottom"):
        plot.getAxis(side).enableAutoSIPrefix(False)
    plot.setMenuEnabled(False)
    plot.hideButtons()
    return plot


class SweepFigure:
    """The figure of one sweep in a GraphicsLayoutWidget: a heatmap (2 axes) or curve (1 axis),
    with a colour bar and a legend beside it. ``on_hover(index | None)`` and ``on_click(index)``
    receive the grid index of the cell under the mouse."""

    def __init__(self, on_hover: Callable[[tuple | None], None], on_click: Callable[[tuple], None]):
        self.widget = pg.GraphicsLayoutWidget()
        self.layout = self.widget.ci
        self.on_hover, self.on_click = on_hover, on_click
        self.axes: tuple[GridAxis, ...] = ()
        self.plot = _new_plot(self.widget)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.highlight = QtWidgets.QGraphicsRectItem()
        self.highlight.setPen(pg.mkPen(Ink.STRONG, width=2, cosmetic=True))
        self.highlight.setZValue(20)
        self.highlight.hide()
        self.band: BandCurve | None = None
        self.colorbar = pg.ColorBarItem(
            values=(0, 1), colorMap=pg.colormap.get(CONTINUOUS_MAP), interactive=False, width=18
        )
        self.legend = pg.LegendItem(labelTextSize="9pt", verSpacing=-4)
        self.legend.setBrush(pg.mkBrush(255, 255, 255, 210))
        self.legend.setPen(pg.mkPen(Ink.FRAME))
        policy = QtWidgets.QSizePolicy.Policy.Fixed  # as tall as its entries, not the row
        self.legend.setSizePolicy(policy, policy)
        self._legend_items: list = []
        self._legend_key: tuple | None = None  # what the legend lists (rebuilt when it changes)
        self._overlay_items: list = []
        self._cells: CellSummary | None = None
        scene = self.widget.scene()
        self._move = pg.SignalProxy(scene.sigMouseMoved, rateLimit=30, slot=self._moved)
        scene.sigMouseClicked.connect(self._clicked)

    # -- layout --------------------------------------------------------------------------------
    def clear(self) -> None:
        """An empty figure (no sweep)."""
        self.plot.clear()
        self.plot.setTitle("")
        self.axes, self._cells = (), None
        for item in (self.colorbar, self.legend):
            if item.scene() is not None:
                self.layout.removeItem(item)

    def setup(
        self,
        axes: Sequence[GridAxis],
        title: str,
        measure_label: str,
        categories: Sequence[str],
        log_scale: bool,
    ) -> None:
        """Lay the figure out for a sweep's axes and the measure shown (clears the data)."""
        self.categories = tuple(categories)
        self.log_scale = log_scale and not categories
        self.measure_label = measure_label
        self.clear()
        self.axes = tuple(axes)
        plot = self.plot
        plot.setTitle(title)
        self.highlight.hide()
        self.legend.clear()
        self._legend_key = None
        self._legend_items.clear()
        self._overlay_items.clear()
        self.band = None
        self.axes[0].apply(plot, "bottom")
        if len(self.axes) == 2:
            self.axes[1].apply(plot, "left")
            plot.showGrid(x=False, y=False)
            for side in ("left", "bottom"):
                plot.getAxis(side).setTickPen(None)
                plot.getAxis(side).setZValue(0)
            plot.addItem(self.image)
            plot.addItem(self.highlight, ignoreBounds=True)
            x, y = self.axes[0].edges, self.axes[1].edges
            self.image.setImage(np.zeros((len(y) - 1, len(x) - 1, 4), np.uint8), levels=None)
            self.image.setRect(QtCore.QRectF(x[0], y[0], x[-1] - x[0], y[-1] - y[0]))
            plot.setRange(xRange=(x[0], x[-1]), yRange=(y[0], y[-1]), padding=0)
            if not self.categories:
                label = f"log₁₀ {measure_label}" if self.log_scale else measure_label
                self.colorbar.setLabel("right", label)
                self.layout.addItem(self.colorbar, row=0, col=1)
        else:
            plot.getAxis("left").setTicks(
                [[(k, c) for k, c in enumerate(self.categories)]] if self.categories else None
            )
            plot.setLogMode(y=self.log_scale)
            plot.setLabel("left", measure_label)
            plot.showGrid(x=True, y=True, alpha=1.0)
            for side in ("left", "bottom"):  # an opaque grid at major ticks (see make_plot)
                plot.getAxis(side).setStyle(maxTickLevel=0)
                plot.getAxis(side).setTickPen(pg.mkPen(Ink.GRID))
                plot.getAxis(side).setZValue(-1)
            self.band = BandCurve(plot, 0, f"{measure_label}, mean ± 1 s.e. over repeats")
            self._legend_items.append((self.band.line, self.band.line.name()))
            # points where a repeat diverged: a result, but one to read with care
            self.diverged = pg.PlotDataItem(
                pen=None, symbol="x", symbolSize=12, symbolPen=None, symbolBrush=CATEGORY_COLORS[2]
            )  # log mode follows
            plot.addItem(self.diverged)
            self._legend_items.append((self.diverged, "a repeat diverged"))
            plot.setXRange(*self._x_range(), padding=0.02)
            plot.enableAutoRange(y=True)
        self.layout.addItem(self.legend, row=0, col=2)
        self.layout.layout.setAlignment(self.legend, QtCore.Qt.AlignmentFlag.AlignTop)
        self._refresh_legend()

    def _x_range(self):
        axis = self.axes[0]
        lo, hi = axis.coords[0], axis.coords[-1]
        return (lo, hi) if hi > lo else (lo - 0.5, hi + 0.5)

    # -- data ----------------------------------------------------------------------------------
    def show(self, cells: CellSummary) -> None:
        """Draw one value per cell (NaN where nothing finished)."""
        self._cells = cells
        if len(self.axes) == 2:
            self.image.setImage(self._rgba(cells), autoLevels=False)
        else:
            x = (
                np.asarray(self.axes[0].values, float)
                if self.axes[0].mode != "index"
                else self.axes[0].coords
            )
            self.band.set_data(x, cells.value, cells.se, positive=self.log_scale)
            shown = (cells.diverged > 0) & np.isfinite(cells.value)
            if self.log_scale:
                shown &= cells.value > 0
            self.diverged.setData(x[shown], cells.value[shown])
        self._refresh_legend()

    def _rgba(self, cells: CellSummary) -> np.ndarray:
        """The heatmap as colours, (axis-2 cells, axis-1 cells, 4): row y, column x."""
        value = cells.value.T
        rgba = np.empty(value.shape + (4,), np.uint8)
        finite = np.isfinite(value)
        if self.categories:
            palette = np.array([pg.mkColor(c).getRgb() for c in CATEGORY_COLORS], np.uint8)
            index = np.where(finite, value, 0).astype(int) % len(palette)
            rgba[...] = palette[index]
        else:
            shown = np.log10(np.where(value > 0, value, np.nan)) if self.log_scale else value
            finite &= np.isfinite(shown)
            lo, hi = (
                (np.nanmin(shown[finite]), np.nanmax(shown[finite])) if finite.any() else (0.0, 1.0)
            )
            hi = hi if hi > lo else lo + 1.0
            self.colorbar.setLevels((lo, hi))
            unit = np.clip((np.where(finite, shown, lo) - lo) / (hi - lo), 0, 1)
            rgba[...] = self.colorbar.colorMap().map(unit.ravel(), mode="byte").reshape(rgba.shape)
        rgba[~finite] = pg.mkColor(NAN_COLOR).getRgb()
        rgba[(cells.attempted.T == 0)] = pg.mkColor(NOT_RUN_COLOR).getRgb()
        rgba[(cells.failed.T > 0) & (cells.failed.T == cells.attempted.T)] = pg.mkColor(
            FAILED_COLOR
        ).getRgb()
        return rgba

    def set_overlays(self, overlays) -> None:
        """Theory curves (label, x, y in parameter values) drawn dashed over a pale halo, so
        they read over any colour and are never mistaken for data."""
        for item in self._overlay_items:
            self.plot.removeItem(item)
        self._overlay_items.clear()
        for k, overlay in enumerate(overlays):
            x = self.axes[0].overlay_x(overlay.x)
            y = (
                self.axes[1].overlay_x(overlay.y)
                if len(self.axes) == 2
                else np.asarray(overlay.y, float)
            )
            halo = pg.PlotDataItem(x, y, pen=pg.mkPen(HALO_COLOR, width=5), connect="finite")
            line = pg.PlotDataItem(
                x,
                y,
                connect="finite",
                pen=pg.mkPen(Ink.STRONG, width=2.2, style=OVERLAY_STYLES[k % len(OVERLAY_STYLES)]),
            )
            for item in (halo, line):
                item.setZValue(10)
                theme.adapt(item)
                self.plot.addItem(item, ignoreBounds=len(self.axes) == 2)
            self._overlay_items += [halo, line]
            self._legend_items.append((line, overlay.label))
        self._refresh_legend()

    def _refresh_legend(self) -> None:
        """Legend: the overlays and data curve, the categories, and the grey cell kinds that are
        on screen (not run, failed, no value). Rebuilt only when that list changes: a legend
        rebuild is most of a repaint of the map (6 of 9 ms)."""
        swatches = self._swatches() if len(self.axes) == 2 else []
        # the diverged mark is explained only where it is drawn (it was listed for every sweep)
        items = [
            (item, name)
            for item, name in self._legend_items
            if item is not getattr(self, "diverged", None) or _has_points(item)
        ]
        key = (tuple((id(item), name) for item, name in items), tuple(swatches))
        if key == self._legend_key:
            return
        self._legend_key = key
        self.legend.clear()
        for item, name in items:
            self.legend.addItem(item, name)
        for name, colour in swatches:
            self.legend.addItem(
                pg.ScatterPlotItem(symbol="s", size=12, brush=colour, pen=pg.mkPen("#888888")), name
            )

    def _swatches(self) -> list[tuple[str, str]]:
        swatches = [
            (c, CATEGORY_COLORS[k % len(CATEGORY_COLORS)]) for k, c in enumerate(self.categories)
        ]
        cells = self._cells
        if cells is None or (cells.attempted == 0).any():
            swatches.append(("not run yet", NOT_RUN_COLOR))
        if cells is not None:
            done = cells.count > 0
            if ((cells.failed > 0) & (cells.failed == cells.attempted)).any():
                swatches.append(("failed (click the status line)", FAILED_COLOR))
            if (~done & (cells.attempted > cells.failed)).any() or (
                done & ~np.isfinite(cells.value)
            ).any():
                swatches.append(("no value (NaN)", NAN_COLOR))
        return swatches

    # -- mouse ---------------------------------------------------------------------------------
    def cell_at(self, scene_pos) -> tuple | None:
        """The grid index of the cell under a scene position (nearest point for a curve)."""
        if not self.axes or not self.plot.vb.sceneBoundingRect().contains(scene_pos):
            return None
        point = self.plot.vb.mapSceneToView(scene_pos)
        i = self.axes[0].cell(point.x())
        if i is None:
            return None
        if len(self.axes) == 1:
            return (i,)
        j = self.axes[1].cell(point.y())
        return None if j is None else (i, j)

    def scene_pos(self, index: tuple) -> QtCore.QPointF:
        """The scene position of a cell's centre (for tests and the highlight)."""
        x = self.axes[0].coords[index[0]]
        if len(self.axes) == 2:
            y = self.axes[1].coords[index[1]]
        else:
            y = float(np.mean(self.plot.vb.viewRange()[1]))
        return self.plot.vb.mapViewToScene(QtCore.QPointF(x, y))

    def _moved(self, args) -> None:
        index = self.cell_at(args[0])
        if len(self.axes) == 2 and index is not None:
            x, y = self.axes[0].edges, self.axes[1].edges
            i, j = index
            self.highlight.setRect(QtCore.QRectF(x[i], y[j], x[i + 1] - x[i], y[j + 1] - y[j]))
            self.highlight.show()
        else:
            self.highlight.hide()
        self.on_hover(index)

    def _clicked(self, event) -> None:
        if event.button() != QtCore.Qt.MouseButton.LeftButton:
            return
        index = self.cell_at(event.scenePos())
        if index is not None:
            self.on_click(index)


def _has_points(item: pg.PlotDataItem) -> bool:
    x = item.getData()[0]
    return x is not None and len(x) > 0
