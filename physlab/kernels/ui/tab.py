"""The Kernel dynamics tab: loss and kernel–target alignment over training (simulation solid,
DMFT theory dashed), and a "theory | simulation | difference" heatmap row of the chosen kernel at
the chosen snapshot, each with a colour bar: sequential for a kernel, diverging and centred on 0
for a signed one (the NTK's change K − K(0), and the difference)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from physlab.gui.lab_tab import LabTab
from physlab.gui.plots import PlotItems, RunSpan, data_pen, make_plot, preview_range, theory_pen
from physlab.gui.scrub import ScrubBar
from physlab.gui.theme import Ink

SEQUENTIAL, SIGNED = "viridis", "CET-D1"  # colour maps of a kernel and of a signed change


def _heatmap(layout: pg.GraphicsLayout, col: int, title: str, cmap: str):
    plot = layout.addPlot(row=0, col=col, title=title)
    plot.setLabel("bottom", "sample ν")
    plot.setLabel("left", "sample μ")
    for axis in ("left", "bottom"):
        plot.getAxis(axis).enableAutoSIPrefix(False)
    plot.invertY(True)
    plot.hideButtons()
    image = pg.ImageItem()
    plot.addItem(image)
    bar = pg.ColorBarItem(colorMap=pg.colormap.get(cmap), interactive=False, width=12)
    bar.setImageItem(image, insert_in=plot)
    bar.cmap_name = cmap
    note = pg.TextItem("", color=Ink.GUIDE, anchor=(0.5, 0.5))
    plot.addItem(note, ignoreBounds=True)
    return plot, image, bar, note


class KernelsTab(LabTab):
    def build_plots(self):
        holder = QtWidgets.QWidget()
        vbox = QtWidgets.QVBoxLayout(holder)
        vbox.setContentsMargins(0, 0, 0, 0)
        controls = QtWidgets.QHBoxLayout()
        self.kernel_choice = QtWidgets.QComboBox()
        self.kernel_choice.setObjectName("kernel_choice")
        self.kernel_choice.setSizeAdjustPolicy(
            QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToContents
        )  # fits its longest name
        self.kernel_choice.setToolTip("which kernel the heatmaps show")
        self.scrub = ScrubBar(
            "Snapshot", "scrub through the stored kernel snapshots", "snapshot_slider"
        )
        controls.addWidget(QtWidgets.QLabel("Kernel"))
        controls.addWidget(self.kernel_choice)
        controls.addSpacing(16)
        controls.addWidget(self.scrub, 1)
        self.kernel_choice.currentIndexChanged.connect(self.repaint)
        self.scrub.moved.connect(self.repaint)

        view = pg.GraphicsLayoutWidget()
        curves = view.addLayout(row=0, col=0)
        self.p_loss = make_plot(
            curves, 0, 0, "Training loss", "GD step t", "loss ½⟨(y − f)²⟩", log_y=True
        )
        self.p_align = make_plot(
            curves, 0, 1, "Kernel–target alignment", "GD step t", "yᵀKy / (‖K‖<sub>F</sub> ‖y‖²)"
        )
        maps = view.addLayout(row=1, col=0)
        self.h_theory = _heatmap(maps, 0, "theory (N → ∞)", SEQUENTIAL)
        self.h_sim = _heatmap(maps, 1, "simulation (width N)", SEQUENTIAL)
        self.h_diff = _heatmap(maps, 2, "simulation − theory", SIGNED)
        view.ci.layout.setRowStretchFactor(0, 2)
        view.ci.layout.setRowStretchFactor(1, 3)
        vbox.addLayout(controls)
        vbox.addWidget(view, 1)
        self.items = PlotItems()
        self.span = RunSpan()
        self._note_shown = False
        self._preview(self.panel.values())
        return holder, view.ci

    def clear_plots(self) -> None:
        self.items.clear()
        for _, image, _, note in (self.h_theory, self.h_sim, self.h_diff):
            image.clear()
            note.setText("")
        self._note_shown = False
        self.scrub.reset()
        self.span.clear()
        self._preview(self.panel.values())

    def _preview(self, params: dict) -> None:
        """The empty views of a run with ``params``: its steps, its P×P maps, its kernels."""
        self._fill_choice(params["depth"])
        for plot in (self.p_loss, self.p_align):
            preview_range(plot, x=(0, params["steps"]))
        preview_range(self.p_loss, y=(1e-4, 1.0))
        preview_range(self.p_align, y=(0, 1))
        P = params["n_samples"]
        for heatmap in (self.h_theory, self.h_sim, self.h_diff):
            self._show(heatmap, None, (-1, 1) if heatmap is self.h_diff else (0, 1), "", (P, P))

    def _fill_choice(self, depth: int) -> None:
        names = self._kernel_names(depth)
        if [self.kernel_choice.itemText(i) for i in range(self.kernel_choice.count())] != names:
            self.kernel_choice.blockSignals(True)
            self.kernel_choice.clear()
            self.kernel_choice.addItems(names)
            self.kernel_choice.blockSignals(False)

    # -- painting ------------------------------------------------------------------------------
    def _marker(self, plot, step: int) -> None:
        line = self.items.get(
            plot,
            "marker",
            lambda: pg.InfiniteLine(
                angle=90, pen=pg.mkPen(Ink.GUIDE, width=1, style=QtCore.Qt.PenStyle.DotLine)
            ),
        )
        line.setValue(step)

    def _kernel_names(self, depth: int) -> list[str]:
        return (
            ["NTK K", "NTK change K − K(0)"]
            + [f"feature Φ{_sup(i)}" for i in range(1, depth + 1)]
            + [f"gradient G{_sup(i)}" for i in range(1, depth + 1)]
        )

    def paint(self, frame: dict, params: dict) -> None:
        depth = params.get("depth", 1)
        self._fill_choice(depth)
        width = params.get("width", 0)
        summary = self.snapshot.summary if self.snapshot else {}
        label = summary.get("theory", "theory")
        step = frame["step"]
        self.span.apply((self.p_loss, self.p_align), params.get("steps", 1))  # the whole run
        self.items.line(
            self.p_loss,
            "sim",
            step,
            frame["loss"],
            data_pen(0, 2.0),
            f"simulation, N = {width:,}",
            positive=True,
        )
        self.items.line(
            self.p_align,
            "sim",
            step,
            frame["alignment"],
            data_pen(0, 2.0),
            f"simulation, N = {width:,}",
        )
        has_theory = "theory_ntk" in frame
        if has_theory:
            self.items.line(
                self.p_loss,
                "theory",
                step,
                frame["theory_loss"],
                theory_pen(),
                label,
                positive=True,
            )
            self.items.line(
                self.p_align, "theory", step, frame["theory_alignment"], theory_pen(), label
            )
        note = summary.get("theory_note", "")
        if note and not self._note_shown:
            self.show_message(note)
            self._note_shown = True

        snaps = frame["ntk_step"]
        if not len(snaps):
            return
        i = self.scrub.index(len(snaps))
        t = int(snaps[i])
        self.scrub.show_text(f"step {t}")
        for plot in (self.p_loss, self.p_align):
            self._marker(plot, t)

        which = max(self.kernel_choice.currentIndex(), 0)
        sim = self._pick(frame, "", which, depth)[i]
        theory = None
        if has_theory and i < len(frame["theory_ntk"]):
            theory = self._pick(frame, "theory_", which, depth)[i]
        lo, hi = float(np.min(sim)), float(np.max(sim))
        if theory is not None:
            lo, hi = min(lo, float(np.min(theory))), max(hi, float(np.max(theory)))
        signed = which == 1  # K − K(0): diverging colours, symmetric levels
        if signed:
            hi = max(abs(lo), abs(hi), 1e-12)
            lo = -hi
        hi = hi if hi > lo else lo + 1e-12
        for heatmap in (self.h_theory, self.h_sim):
            self._colour_map(heatmap, SIGNED if signed else SEQUENTIAL)
        self._show(self.h_sim, sim, (lo, hi), "")
        if theory is None:
            reason = (
                "no theory for this network"
                if not has_theory
                else f"theory covers steps ≤ {int(frame['theory_step'][-1])}"
            )
            self._show(self.h_theory, None, (lo, hi), reason, sim.shape)
            self._show(self.h_diff, None, (-1, 1), "", sim.shape)
        else:
            self._show(self.h_theory, theory, (lo, hi), "")
            diff = sim - theory
            span = max(float(np.max(np.abs(diff))), 1e-12)
            self._show(self.h_diff, diff, (-span, span), "")
            rel = np.linalg.norm(diff) / max(np.linalg.norm(theory), 1e-300)
            self.h_diff[0].setTitle(f"simulation − theory (relative ‖·‖<sub>F</sub> = {rel:.3f})")

    def history_traces(self, frame: dict, params: dict) -> list:
        return [
            (self.p_loss, frame["step"], frame["loss"]),
            (self.p_align, frame["step"], frame["alignment"]),
        ]

    @staticmethod
    def _pick(frame: dict, prefix: str, which: int, depth: int) -> np.ndarray:
        """The snapshots of the chosen kernel: NTK, its change since t = 0 (where feature learning
        shows: it grows like yyᵀ in the rich regime), Φ^ℓ, G^ℓ."""
        ntk = frame[prefix + "ntk"]
        if which <= 1:
            return ntk if which == 0 else ntk - ntk[:1]
        if which <= depth + 1:
            return frame[prefix + "phi"][which - 2]
        key = "g_kernel" if not prefix else "theory_g"
        return frame[key][which - depth - 2]

    @staticmethod
    def _colour_map(heatmap, name: str) -> None:
        bar = heatmap[2]
        if bar.cmap_name != name:
            bar.setColorMap(pg.colormap.get(name))
            bar.cmap_name = name

    @staticmethod
    def _show(heatmap, data, levels, note: str, shape=None) -> None:
        """Draw a P×P kernel (samples numbered from 1), or clear it and say why."""
        plot, image, bar, text = heatmap
        rows, cols = data.shape if data is not None else shape
        if data is None:
            image.clear()
        else:
            image.setImage(data, autoLevels=False)
            image.setRect(QtCore.QRectF(0.5, 0.5, cols, rows))
        plot.setRange(xRange=(0.5, cols + 0.5), yRange=(0.5, rows + 0.5), padding=0)
        text.setPos(0.5 + cols / 2, 0.5 + rows / 2)
        bar.setLevels(levels)
        text.setText(note)


def _sup(i: int) -> str:
    return "¹²³⁴"[i - 1]
