"""The Sharpness tab: loss, sharpness against its stability threshold, either the normalised
sharpness ηλ (MLP) or the uv model's bifurcation diagram, and the learning rate η(t) under the
loss when it varies (a schedule, or η changed during the run; a constant η is named in the loss
plot's title instead of taking a plot). Minibatch runs add the batch sharpness next to λ_max and
the full-batch loss next to the noisy batch losses; the axes name the loss normalisation. For the
MLP the normalised view also shows the gradient's overlap with the top eigenvector; with
``reference=central_flow`` the central flow's predicted time-averaged loss and its sharpness are
drawn as theory lines (Cohen et al. 2024)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from physlab.gui.lab_tab import LabTab
from physlab.gui.plots import (
    DATA_COLORS,
    RunSpan,
    data_pen,
    finite,
    make_plot,
    preview_range,
    show_curve,
    theory_pen,
)
from physlab.gui.theme import Ink

from ..optim import stability_factor

# the central flow's curves: dashed like theory, in the colour of Adam's preconditioned sharpness
# (never in the same run: the flow is GD's), apart from 2/η's red
FLOW_COLOR = DATA_COLORS[2]

THRESHOLD_NAMES = {
    "gd": "2/η",
    "sgd": "2/η",
    "momentum": "(2+2β)/η",
    "nesterov": "(2+2β)/(η(1+2β))",
    "adam": "(2+2β₁)/(η(1−β₁))",
    "gi-adam": "(2+2β₁)/(η(1−β₁))",
}
SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉"
BATCH_SHARPNESS = "batch sharpness E[g_BᵀH_Bg_B/‖g_B‖²]"


def loss_label(params: dict) -> str:
    """The loss axis, naming the loss and its normalisation."""
    if params.get("loss") == "ce":
        return "loss  cross-entropy"
    if params.get("model") != "uv" and params.get("loss_norm") == "class":
        return "loss  ½·MSE / k (per-class mean)"
    return "loss  ½·MSE"


def sharpness_label(params: dict) -> str:
    """The sharpness axis: the Hessian of which loss (the per-class mean's is ours / k)."""
    per_class = params.get("model") != "uv" and params.get("loss_norm") == "class"
    return (
        "Hessian eigenvalue λ of the per-class mean loss" if per_class else "Hessian eigenvalue λ"
    )


class SharpnessTab(LabTab):
    def build_plots(self):
        layout = pg.GraphicsLayoutWidget()
        self.left = layout.addLayout(row=0, col=0, rowspan=2)
        self.left.setContentsMargins(0, 0, 0, 0)  # titles level with the right column's
        self.p_loss = make_plot(self.left, 0, 0, "Training loss", "step", "loss  ½·MSE", log_y=True)
        self.p_lr = make_plot(self.left, 1, 0, "Learning rate", "step", "η")
        self.left.layout.setRowStretchFactor(0, 3)
        self.left.layout.setRowStretchFactor(1, 1)
        self.p_sharp = make_plot(
            layout, 0, 1, "Sharpness vs stability threshold", "step", "Hessian eigenvalue λ"
        )
        self.p_low = make_plot(layout, 1, 1, "", "", "")
        self.c_loss = self.p_loss.plot(pen=data_pen(0), name="training loss")
        self.c_test = pg.PlotDataItem(pen=data_pen(3, 2.0))  # held-out loss (digits, n_test > 0)
        self.p_loss.addItem(self.c_test)
        # the full-batch loss at the sharpness measurements of a minibatch run
        self.c_full = pg.PlotDataItem(pen=data_pen(1, 2.0), symbol="o", symbolSize=4)
        self.p_loss.addItem(self.c_full)
        self.c_eigs: list[pg.PlotDataItem] = []
        # the central flow (reference = central_flow): its predicted mean loss and its sharpness
        self.c_flow_pred = pg.PlotDataItem(pen=theory_pen(FLOW_COLOR, 2.2))
        self.c_flow_loss = pg.PlotDataItem(
            pen=pg.mkPen(FLOW_COLOR, width=1.2, style=pg.QtCore.Qt.PenStyle.DotLine)
        )
        for item in (self.c_flow_pred, self.c_flow_loss):
            self.p_loss.addItem(item)
        self.c_flow_sharp = pg.PlotDataItem(pen=theory_pen(FLOW_COLOR, 2.2))
        self.p_sharp.addItem(self.c_flow_sharp)
        self.c_flow_sharp.setZValue(1)  # over the threshold it is held at
        self.c_pre = pg.PlotDataItem(pen=data_pen(2, 2.0))
        self.c_bs = pg.PlotDataItem(pen=data_pen(1, 2.0))  # batch sharpness (minibatch runs)
        self.c_ntk = pg.PlotDataItem(pen=pg.mkPen(Ink.MUTED, width=1.2))
        self.c_thr = pg.PlotDataItem(pen=theory_pen())
        for item in (self.c_pre, self.c_bs, self.c_ntk, self.c_thr):
            self.p_sharp.addItem(item)
        self.c_lr = self.p_lr.plot(pen=data_pen(0), name="η<sub>t</sub>")
        # bottom right: normalised sharpness ηλ for the MLP, the bifurcation diagram for uv
        self.c_norm = pg.PlotDataItem(pen=data_pen(0))
        self.c_norm_bs = pg.PlotDataItem(pen=data_pen(1))  # η × batch sharpness
        self.c_overlap = pg.PlotDataItem(pen=data_pen(4, 1.2))
        self.c_line = pg.PlotDataItem(pen=theory_pen())
        self.c_bif = pg.ScatterPlotItem(size=2.5, pen=None, brush=pg.mkBrush(31, 119, 180, 140))
        self.c_now = pg.InfiniteLine(
            angle=90, pen=pg.mkPen(Ink.NOTE, width=1.5, style=pg.QtCore.Qt.PenStyle.DotLine)
        )
        for item in (
            self.c_norm,
            self.c_norm_bs,
            self.c_overlap,
            self.c_line,
            self.c_bif,
            self.c_now,
        ):
            self.p_low.addItem(item)
        self._uv_view: bool | None = None
        self._lr_shown: bool | None = None
        self.span = RunSpan()
        self._preview(self.panel.values())
        return layout, layout.ci

    def _preview(self, params: dict) -> None:
        """The empty views of a run with ``params``: its steps, threshold and η on the axes."""
        steps, lr = params["steps"], params["lr"]
        factor = stability_factor(params["optimizer"], params["momentum"], params["beta1"])
        self._set_low_view(params["model"] == "uv")
        self._show_lr(params["schedule"] != "constant", lr)
        for plot in (self.p_loss, self.p_sharp, self.p_lr, self.p_low):
            if plot is not self.p_low or not self._uv_view:
                preview_range(plot, x=(0, steps))
        preview_range(self.p_loss, y=(1e-3, 1.0))
        preview_range(self.p_sharp, y=(0, 1.2 * factor / lr))
        preview_range(self.p_lr, y=(0, 1.1 * lr))
        preview_range(self.p_low, y=(0, 1.2 * (2.0 if self._uv_view else factor)))
        self._eig_curves(params["k_eigs"])  # listed first in the legend
        if not self._uv_view:  # the thresholds are known before the run
            self.c_thr.setData([0, steps], [factor / lr] * 2)
            self.c_line.setData([0, steps], [factor] * 2)
            self._name_thresholds(params["optimizer"], factor)

    def _name_thresholds(self, optimizer: str, factor: float) -> None:
        show_curve(
            self.p_sharp,
            self.c_thr,
            f"stability threshold {THRESHOLD_NAMES.get(optimizer, '2/η')}",
            True,
        )
        show_curve(self.p_low, self.c_line, f"stability: η·λ = {factor:.3g}", True)

    def _show_lr(self, varies: bool, lr: float) -> None:
        """η(t) gets a plot under the loss only when it varies; a constant η goes in the title."""
        self.p_loss.setTitle(
            "Training loss" if varies else f"Training loss at constant η = {lr:.3g}"
        )
        if varies == self._lr_shown:
            return
        self._lr_shown = varies
        self.p_lr.setVisible(varies)
        self.p_lr.setMaximumHeight(1e6 if varies else 0)

    def clear_plots(self) -> None:
        self.span.clear()
        self._preview(self.panel.values())
        for curve in (
            self.c_loss,
            self.c_test,
            self.c_full,
            self.c_pre,
            self.c_bs,
            self.c_norm_bs,
            self.c_ntk,
            self.c_thr,
            self.c_lr,
            self.c_norm,
            self.c_overlap,
            self.c_line,
            self.c_bif,
            self.c_flow_pred,
            self.c_flow_loss,
            self.c_flow_sharp,
            *self.c_eigs,
        ):
            curve.setData([], [])

    def _eig_curves(self, k: int) -> list[pg.PlotDataItem]:
        while len(self.c_eigs) < k:
            i = len(self.c_eigs)
            curve = pg.PlotDataItem(pen=data_pen(0 if i == 0 else i + 2, 2.0 if i == 0 else 1.2))
            self.p_sharp.addItem(curve)
            self.c_eigs.append(curve)
        for i, curve in enumerate(self.c_eigs):
            name = "top eigenvalue λ₁" if i == 0 else f"λ{SUBSCRIPTS[(i + 1) % 10]}"
            show_curve(self.p_sharp, curve, name, i < k)
        return self.c_eigs[:k]

    def _set_low_view(self, uv_view: bool) -> None:
        if uv_view == self._uv_view:
            return
        self._uv_view = uv_view
        p = self.p_low
        if uv_view:
            p.setTitle("uv model: bifurcation diagram (closed map)")
            p.setLabel("bottom", "learning rate η")
            p.setLabel("left", "late-time η·λ")
        else:
            p.setTitle("Normalised sharpness, gradient overlap")
            p.setLabel("bottom", "step")
            p.setLabel("left", "η·λ,  |cos(∇L, u₁)|")
        show_curve(p, self.c_norm, "η·λ", not uv_view)
        show_curve(p, self.c_overlap, "|cos(∇L, u₁)|", not uv_view)
        show_curve(p, self.c_bif, "late-time η·λ, 64 steps per η", uv_view)
        self.c_now.setVisible(uv_view)
        p.enableAutoRange()

    def paint(self, frame: dict, params: dict) -> None:
        step, lr = frame["step"].astype(float), frame["lr"]
        if step.size == 0:
            return
        optimizer = params.get("optimizer", "gd")
        is_uv = params.get("model") == "uv"
        s_step = frame["sharpness_step"].astype(float)
        full = frame.get("full_loss")  # minibatch runs: `loss` is that of each step's batch
        self.c_loss.setData(*finite(step, frame["loss"], positive=True))
        show_curve(
            self.p_loss,
            self.c_loss,
            "training loss" if full is None else "batch loss (each step's minibatch)",
            True,
        )
        self.p_loss.setLabel("left", loss_label(params))
        self.p_sharp.setLabel("left", sharpness_label(params))
        show_curve(self.p_loss, self.c_full, "full-batch training loss", full is not None)
        if full is not None:
            self.c_full.setData(*finite(s_step, full, positive=True))
        test = frame.get("test_loss")
        show_curve(self.p_loss, self.c_test, "held-out loss", test is not None)
        if test is not None:
            self.c_test.setData(*finite(s_step, test, positive=True))
        self._paint_flow(frame, step)
        eigs = frame["eigenvalues"]
        for i, curve in enumerate(self._eig_curves(eigs.shape[1])):
            curve.setData(*finite(s_step, eigs[:, i]))
        pre = frame.get("precond_sharpness")
        show_curve(self.p_sharp, self.c_pre, "preconditioned λ(P⁻¹H), Adam", pre is not None)
        if pre is not None:
            self.c_pre.setData(*finite(s_step, pre))
        bs = frame.get("batch_sharpness")
        show_curve(self.p_sharp, self.c_bs, BATCH_SHARPNESS, bs is not None)
        show_curve(self.p_low, self.c_norm_bs, "η × batch sharpness", bs is not None)
        if bs is not None:
            self.c_bs.setData(*finite(s_step, bs))
            self.c_norm_bs.setData(*finite(s_step, np.interp(s_step, step, lr) * bs))
        show_curve(self.p_sharp, self.c_ntk, "NTK λ = x²(|u|²+|v|²)/n", is_uv)
        if is_uv:
            self.c_ntk.setData(*finite(step, frame["ntk"]))
        self.c_thr.setData(*finite(step, frame["threshold"]))
        self.c_lr.setData(*finite(step, lr))
        self._show_lr(
            params.get("schedule", "constant") != "constant" or bool(np.ptp(lr) > 0), float(lr[-1])
        )
        self.p_lr.setYRange(0.0, 1.1 * float(np.nanmax(lr)), padding=0)
        self._set_low_view(is_uv)
        self.span.apply(
            (self.p_loss, self.p_sharp, self.p_lr, *(() if is_uv else (self.p_low,))),
            params.get("steps", int(step[-1])),
        )
        factor = stability_factor(optimizer, params.get("momentum", 0.9), params.get("beta1", 0.9))
        if is_uv:
            etas, late = frame["bifurcation_lr"], frame["bifurcation_sharpness"]
            self.c_bif.setData(*finite(np.repeat(etas, late.shape[1]), late.ravel()))
            self.c_line.setData([etas[0], etas[-1]], [2.0, 2.0])
            self.c_now.setValue(float(lr[-1]))
        else:
            top = eigs[:, 0] if pre is None else pre
            self.c_norm.setData(*finite(s_step, np.interp(s_step, step, lr) * top))
            self.c_overlap.setData(*finite(s_step, frame["grad_overlap"]))
            self.c_line.setData([step[0], step[-1]], [factor, factor])
        self._name_thresholds(optimizer, factor)

    def _paint_flow(self, frame: dict, step: np.ndarray) -> None:
        """The central flow's theory lines, when the run integrates it."""
        pred = frame.get("flow_predicted_loss")
        shown = pred is not None
        show_curve(self.p_loss, self.c_flow_pred, "central flow: predicted mean GD loss", shown)
        show_curve(self.p_loss, self.c_flow_loss, "central flow: its own loss L(w)", shown)
        show_curve(self.p_sharp, self.c_flow_sharp, "central flow sharpness", shown)
        if shown:
            self.c_flow_pred.setData(*finite(step, pred, positive=True))
            self.c_flow_loss.setData(*finite(step, frame["flow_loss"], positive=True))
            self.c_flow_sharp.setData(*finite(step, frame["flow_sharpness"]))

    def history_view(self, params: dict):
        """An MLP's curves and the uv model's live on different scales: never overlaid."""
        return params.get("model")

    def history_traces(self, frame: dict, params: dict) -> list:
        return [
            (self.p_loss, frame["step"], frame["loss"]),
            (self.p_sharp, frame["sharpness_step"], frame["eigenvalues"][:, 0]),
        ]

    def live_changed(self, name: str, value) -> None:
        if name == "lr" and self._uv_view:
            self.c_now.setValue(float(value))
