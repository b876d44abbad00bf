"""The Scaling laws tab: test loss vs time for each model (or data) size on log–log axes, with the
infinite-size theory (dashed: the lazy one, and for rich runs the rich one in red with the lazy one
grey) and the predicted power law (dotted); the compute-optimal frontier; and a table of fitted
exponents beside the theory's."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from physlab.gui.lab_tab import LabTab
from physlab.gui.plots import (
    PlotItems,
    data_pen,
    make_plot,
    preview_range,
    show_curve,
    theory_pen,
)
from physlab.gui.theme import Ink

GUIDE = pg.mkPen(Ink.GUIDE, width=1.5, style=QtCore.Qt.PenStyle.DotLine)


class ScalingTab(LabTab):
    def build_plots(self):
        holder = QtWidgets.QWidget()
        vbox = QtWidgets.QVBoxLayout(holder)
        vbox.setContentsMargins(0, 0, 0, 0)
        view = pg.GraphicsLayoutWidget()
        self.p_time = make_plot(
            view,
            0,
            0,
            "Test loss vs training time",
            "GD step t",
            "test loss Σ<sub>k</sub> λ<sub>k</sub> (v*<sub>k</sub> − v<sub>k</sub>)²",
            log_y=True,
        )
        self.p_compute = make_plot(
            view, 0, 1, "Compute-optimal frontier", "compute C = N·t", "test loss", log_y=True
        )
        for plot in (self.p_time, self.p_compute):
            plot.setLogMode(x=True, y=True)
        self.table = QtWidgets.QTableWidget(0, 5)
        self.table.setObjectName("exponents")
        self.table.setHorizontalHeaderLabels(
            ["exponent", "fitted ± s.e.", "theory", "N → ∞ theory, same window", "law"]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(
            QtWidgets.QHeaderView.ResizeMode.ResizeToContents
        )
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMaximumHeight(210)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        vbox.addWidget(view, 1)
        vbox.addWidget(self.table)
        self.items = PlotItems()
        self._preview(self.panel.values())
        return holder, view.ci

    def clear_plots(self) -> None:
        self.items.clear()
        self.table.setRowCount(0)
        self._preview(self.panel.values())

    def _preview(self, params: dict) -> None:
        """The empty views of a run with ``params``: its time and compute on the axes."""
        steps = params["steps"]
        sizes = params["widths"] if params["family"] == "widths" else params["sample_sizes"]
        loss = (1e-2, 2.0)  # the loss starts at Σ λ_k v*_k² ≈ 1 and falls as a power law
        preview_range(self.p_time, x=(1, steps), y=loss)
        preview_range(self.p_compute, x=(min(sizes), max(sizes) * steps), y=loss)

    def _loglog(self, *args, **kwargs) -> None:
        self.items.line(*args, positive=True, positive_x=True, **kwargs)

    def paint(self, frame: dict, params: dict) -> None:
        steps = frame["step"]
        by_width = params.get("family", "widths") == "widths"
        sizes = frame["widths"] if by_width else frame["samples"]
        symbol = "N" if by_width else "P"
        loss = frame["loss"]
        for i, size in enumerate(sizes):  # every curve's item (and legend entry) before theory's
            name = f"{symbol} = {size}" if size else f"{symbol} = ∞"
            done = np.isfinite(loss[i])
            self._loglog(
                self.p_time, ("curve", i), steps[done], loss[i][done], data_pen(i, 1.8), name
            )
            if by_width:
                self._loglog(
                    self.p_compute,
                    ("curve", i),
                    size * steps[done],
                    loss[i][done],
                    data_pen(i, 1.0),
                    None,
                )
        rich = "rich_theory_loss" in frame
        self._loglog(
            self.p_time,
            "theory",
            steps,
            frame["theory_loss"],
            theory_pen(Ink.GUIDE, 1.5) if rich else theory_pen(),
            "lazy theory, N, P → ∞",
        )
        if rich:
            label = f"rich theory, N, P → ∞ (γ0 = {params.get('gamma0', float('nan')):g})"
            horizon = int(frame.get("rich_theory_horizon", steps[-1]))
            if horizon < steps[-1] and np.all(np.isfinite(loss[0])):  # stopped, not under way
                label += f"; GD unstable after t = {horizon}"
            self._loglog(
                self.p_time,
                "rich-theory",
                steps,
                frame["rich_theory_loss"],
                theory_pen(width=2.5),
                label,
            )
            item = self.items.get(self.p_time, "rich-theory", None)
            show_curve(self.p_time, item, label, True)  # the label grows a note when it stops
        self._guide(frame, steps, loss)
        if "frontier_compute" in frame:
            c, best = frame["frontier_compute"], frame["frontier_loss"]
            self._loglog(
                self.p_compute,
                "frontier",
                c,
                best,
                pg.mkPen(Ink.STRONG, width=3),
                "frontier: min over N",
            )
            slope = float(frame["frontier_theory_exponent"])
            ok = np.isfinite(best)
            if ok.any():
                mid = np.nonzero(ok)[0][len(np.nonzero(ok)[0]) // 2]
                guide = best[mid] * (c / c[mid]) ** -slope
                self._loglog(
                    self.p_compute,
                    "frontier-theory",
                    c,
                    guide,
                    theory_pen(),
                    f"theory C<sup>−{slope:.3g}</sup>",
                )
        self._fill_table(frame, params, sizes, symbol)

    def history_traces(self, frame: dict, params: dict) -> list:
        """The largest model's (or data set's) loss curve."""
        done = np.nonzero(np.all(np.isfinite(frame["loss"]), axis=1))[0]
        return [(self.p_time, frame["step"], frame["loss"][done[-1]])] if len(done) else []

    def _guide(self, frame, steps, loss) -> None:
        """The predicted power law t^−χ through the largest size's curve at t = 100/η."""
        chi = float(frame["theory_exponent"][0])
        last = np.nonzero(np.all(np.isfinite(loss), axis=1))[0]
        if not len(last):
            return
        curve = loss[last[-1]]
        t = steps.astype(float)
        anchor = np.argmin(np.abs(t - 100.0))
        guide = curve[anchor] * (np.maximum(t, 1.0) / t[anchor]) ** -chi
        self._loglog(self.p_time, "guide", t, guide, GUIDE, f"t<sup>−{chi:.3g}</sup> (theory)")

    def _fill_table(self, frame, params, sizes, symbol) -> None:
        """The size and compute exponents first (they are what the view is about), then one row
        per curve's time exponent; fits with their standard errors."""
        nan = float("nan")
        rows = []
        law = "L ~ N^−α·min(β,1)" if symbol == "N" else "L ~ P^−α·min(β,2)"
        rows.append(
            (
                f"{'model' if symbol == 'N' else 'data'} size (final loss)",
                float(frame["size_fitted_exponent"]),
                float(frame.get("size_fitted_exponent_error", nan)),
                float(frame["size_theory_exponent"]),
                nan,
                law,
            )
        )
        easy = params.get("beta", 0.5) > 1
        if "frontier_fitted_exponent" in frame:
            frontier_law = (
                "L* ~ C^−αχ/(1+αχ) (vs N^−1·t^−(1−1/α))" if easy else "L* ~ C^−a_N·χ/(a_N+χ)"
            )
            rows.append(
                (
                    "compute-optimal frontier (inner sizes)",
                    float(frame["frontier_fitted_exponent"]),
                    float(frame.get("frontier_fitted_exponent_error", nan)),
                    float(frame["frontier_theory_exponent"]),
                    nan,
                    frontier_law,
                )
            )
        regime = "rich" if params.get("rich") else "lazy"
        late = float(frame.get("late_exponent", nan))
        time_law = (
            f"t^−β, then t^−{late:.2f} = t^−(1−1/α) after t× = N^1/(β−1+1/α)"
            if easy
            else f"L ~ t^−χ ({regime})"
        )
        if "rich_theory_late_exponent" in frame:
            chi = float(frame["theory_exponent"][0])
            rows.append(
                (
                    "time, rich theory N → ∞ (last decade)",
                    float(frame["rich_theory_late_exponent"]),
                    float(frame.get("rich_theory_late_exponent_error", nan)),
                    chi,
                    nan,
                    "local slope → β as t → ∞ (easy task)"
                    if easy
                    else f"local slope → 2β/(1+β) = {chi:.3f} as γ|w|² ≫ 1",
                )
            )
        window = frame.get("window_fitted_exponent", np.full(len(sizes), nan))
        errors = frame.get("fitted_exponent_error", np.full(len(sizes), nan))
        for size, fit, err, th, win in zip(
            sizes, frame["fitted_exponent"], errors, frame["theory_exponent"], window
        ):
            rows.append((f"time, {symbol} = {size if size else '∞'}", fit, err, th, win, time_law))
        self.table.setRowCount(len(rows))
        for r, (label, fit, err, th, win, text) in enumerate(rows):
            shown = (
                "—"
                if not np.isfinite(fit)
                else (f"{fit:.3f} ± {err:.3f}" if np.isfinite(err) else f"{fit:.3f}")
            )
            cells = (label, shown, f"{th:.3f}", f"{win:.3f}" if np.isfinite(win) else "", text)
            for c, value in enumerate(cells):
                self.table.setItem(r, c, QtWidgets.QTableWidgetItem(value))
