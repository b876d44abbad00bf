"""Run history: a lab keeps its last few finished runs and overlays their main curves, in grey and
labelled by what differed, under the run on screen — so a parameter change can be judged against
the run before it without exporting anything. Only runs of the same view (a lab's
``history_view``, e.g. the model) are overlaid, and they never widen the current run's axes."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pyqtgraph as pg

from physlab.core.params import Param, ParamSpec
from physlab.core.session import RunRecord

from .plots import drawable

LIMIT = 5  # runs kept per lab (older ones are dropped first)
GHOST = (128, 128, 128)

# a lab's overlay: (plot, x, y) for each curve of a run worth comparing
Traces = Callable[[dict, dict], Sequence[tuple[pg.PlotItem, np.ndarray, np.ndarray]]]


def difference(spec: ParamSpec, params: dict, seed: int, current: dict, current_seed: int) -> str:
    """What distinguishes a run from the current one, e.g. ``η=0.1, N=40`` or ``seed 3``."""
    changed = [
        f"{symbol(spec[name])}={_short(value)}"
        for name, value in params.items()
        if name in spec.params and current.get(name) != value and spec.active(name, params)
    ]
    if seed != current_seed:
        changed.append(f"seed {seed}")
    if not changed:
        return "same parameters"
    return ", ".join(changed[:3]) + (", …" if len(changed) > 3 else "")


def symbol(param: Param) -> str:
    """A parameter's short display name: the symbol its label ends in (``lr η`` → η), the label
    before a gloss (``γ0 (richness)`` → γ0), or its name in words (``real_fraction`` → real
    fraction)."""
    title = param.title.split(" (")[0]
    if param.label and " " in title:
        return title.rsplit(" ", 1)[1]
    return title.replace("_", " ")


def _short(value) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, list):
        return "[" + ",".join(map(str, value)) + "]"
    return str(value)


class RunHistory:
    """The finished runs of one lab (oldest first) and the grey curves that show them."""

    def __init__(self, spec: ParamSpec, traces: Traces, view: Callable[[dict], object]):
        self.spec = spec
        self.traces = traces
        self.view = view  # runs are comparable when their views (axes) agree
        self.records: list[RunRecord] = []
        self.shown = True
        self._items: list[tuple[pg.PlotItem, pg.PlotDataItem]] = []

    def add(self, record: RunRecord) -> None:
        self.records = [*self.records, record][-LIMIT:]

    def clear(self) -> None:
        self.records = []
        self.erase()

    def erase(self) -> None:
        for plot, item in self._items:
            plot.removeItem(item)
        self._items = []

    def draw(self, current: RunRecord | None, params: dict, seed: int) -> None:
        """Overlay every kept run except ``current`` (the one on screen), newest darkest."""
        self.erase()
        if not self.shown:
            return
        earlier = [
            r for r in self.records if r is not current and self.view(r.params) == self.view(params)
        ]
        for age, record in enumerate(reversed(earlier)):
            alpha = int(200 * 0.7**age)
            pen = pg.mkPen((*GHOST, alpha), width=1.3)
            name = "earlier: " + difference(self.spec, record.params, record.seed, params, seed)
            for j, (plot, x, y) in enumerate(self.traces(record.frame, record.params)):
                item = pg.PlotDataItem(pen=pen, name=name if j == 0 else None)
                item.setZValue(-10)  # under the current run's curves
                item.setData(*drawable(plot, x, y))
                plot.addItem(item, ignoreBounds=True)  # the current run's data sets the axes
                self._items.append((plot, item))
