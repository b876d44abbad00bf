"""The Diffusion tab: the samples x_t and the denoiser's estimate x̂0 as 4×4 mosaics at the chosen
stored step (time slider), beside the log-SNR schedule of every component (a heatmap over time,
components in generation order, with the current time marked), the radially averaged power
spectrum of the samples against the data's, and the resolution cut-off k*(t). On screen x̂0 is
"the estimate of x<sub>0</sub>": the combining hat of x̂ does not render in Qt's rich text.

With ``denoiser=cnn`` (Kamb & Ganguli's Fig. 3) the mosaics are the trained CNN's (data), beside
them the ELS machine's samples from the same noise (theory) and the ideal denoiser's (baseline);
the schedule map and k*(t) give way to the per-sample r² of both with the CNN's samples and the
CNN's training loss."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from physlab.gui.lab_tab import LabTab
from physlab.gui.plots import PlotItems, data_pen, make_plot, preview_range, theory_pen
from physlab.gui.scrub import ScrubBar
from physlab.gui.theme import Ink

from ..data import DIGIT_SIZE

GRID = 4


def mosaic(images: np.ndarray, fill: float) -> np.ndarray:
    """Up to GRID×GRID images (n, s, s) tiled with one-pixel gaps."""
    n, s, _ = images.shape
    out = np.full((GRID * (s + 1) - 1, GRID * (s + 1) - 1), fill)
    for i in range(min(n, GRID * GRID)):
        r, c = divmod(i, GRID)
        out[r * (s + 1) : r * (s + 1) + s, c * (s + 1) : c * (s + 1) + s] = images[i]
    return out


def _image_view(layout, row, col, title):
    plot = layout.addPlot(row=row, col=col, title=title)
    plot.hideAxis("left")
    plot.hideAxis("bottom")
    plot.invertY(True)
    plot.setAspectLocked(True)
    plot.hideButtons()
    plot.setMouseEnabled(False, False)
    image = pg.ImageItem()
    plot.addItem(image)
    return plot, image


def schedule_title(params: dict, summary: dict) -> str:
    """The schedule map's title: which schedule, physlab's softness s beside the paper's s_GUD
    (the reference code's scale, see :func:`physlab.diffusion.schedule.gud_softness`) and the
    endpoints γ̃_min, γ̃_max."""

    def num(x: float) -> str:
        return f"{x:.3g}".replace("-", "−")

    name = params.get("schedule", "soft").replace("_", "-")
    text = f"log-SNR of every component ({name} schedule)<br>s = {num(params.get('softness', 0))}"
    if "softness_gud" in summary:
        text += f" (paper's s<sub>GUD</sub> = {num(summary['softness_gud'])})"
    if "gamma_min" in params and "gamma_max" in params:
        text += f", γ̃ from {num(params['gamma_min'])} to {num(params['gamma_max'])}"
    return text


class DiffusionTab(LabTab):
    def build_plots(self):
        holder = QtWidgets.QWidget()
        vbox = QtWidgets.QVBoxLayout(holder)
        vbox.setContentsMargins(0, 0, 0, 0)
        self.scrub = ScrubBar(
            "Reverse step", "scrub through the stored reverse steps", "time_slider"
        )
        self.scrub.moved.connect(self.repaint)

        view = pg.GraphicsLayoutWidget()
        images = view.addLayout(row=0, col=0)
        self.v_xt = _image_view(images, 0, 0, "samples x<sub>t</sub>")
        self.v_x0 = _image_view(images, 1, 0, "denoiser's estimate of x<sub>0</sub>")
        self.v_obs = _image_view(images, 2, 0, "observed image (the samples are conditioned on)")
        self.v_obs[0].hide()
        self.v_els = _image_view(images, 3, 0, "ELS machine (theory)")
        self.v_ideal = _image_view(images, 4, 0, "ideal denoiser (baseline)")
        bar = pg.ColorBarItem(colorMap=pg.colormap.get("CET-L1"), interactive=False, width=12)
        bar.setImageItem(
            [self.v_xt[1], self.v_x0[1], self.v_obs[1], self.v_els[1], self.v_ideal[1]],
            insert_in=self.v_x0[0],
        )
        self.image_bar = bar
        plots = view.addLayout(row=0, col=1)
        self.p_snr = plots.addPlot(row=0, col=0, title="log-SNR of every component")
        self.p_snr.setLabel("bottom", "diffusion time t (reverse: 1 → 0)")
        self.p_snr.setLabel("left", "component (in generation order)")
        for axis in ("left", "bottom"):
            self.p_snr.getAxis(axis).enableAutoSIPrefix(False)
        self.p_snr.hideButtons()
        self.snr_image = pg.ImageItem()
        self.p_snr.addItem(self.snr_image)
        self.snr_bar = pg.ColorBarItem(
            values=(-10, 10),
            colorMap=pg.colormap.get("CET-D1"),
            interactive=False,
            width=12,
            label="log(α²/σ²) = −γ",
        )
        self.snr_bar.setImageItem(self.snr_image, insert_in=self.p_snr)
        self.p_spec = make_plot(
            plots,
            1,
            0,
            "Radially averaged power spectrum",
            "wavenumber |k|",
            "power P(k)",
            log_y=True,
        )
        self.p_spec.setLogMode(x=True, y=True)
        self.p_kstar = make_plot(
            plots,
            2,
            0,
            "Resolution cut-off k*(t) of the estimate",
            "diffusion time t",
            "k* (half the data's power kept)",
        )
        self.p_kstar.invertX(True)
        self.p_r2 = make_plot(
            plots,
            3,
            0,
            "Does the ELS machine predict the CNN's samples? (Kamb & Ganguli, Fig. 3)",
            "r² with the CNN's sample (per sample)",
            "samples",
        )
        self.p_loss = make_plot(
            plots, 4, 0, "CNN training loss", "Adam step", "loss (1: x̂0 = c_skip·x_t)"
        )
        self.p_loss.setLogMode(x=False, y=True)
        view.ci.layout.setColumnStretchFactor(0, 2)
        view.ci.layout.setColumnStretchFactor(1, 3)
        vbox.addWidget(self.scrub)
        vbox.addWidget(view, 1)
        self.items = PlotItems()
        self._show_comparison(False)
        self._preview(self.panel.values())
        return holder, view.ci

    def _show_comparison(self, on: bool) -> None:
        """The CNN comparison's mosaics and plots in place of x_t (the same as the CNN's estimate
        at the end), the schedule map and k*(t)."""
        for plot in (self.v_els[0], self.v_ideal[0], self.p_r2, self.p_loss):
            plot.setVisible(on)
        for plot in (self.v_xt[0], self.p_snr, self.p_kstar):
            plot.setVisible(not on)

    def clear_plots(self) -> None:
        self.items.clear()
        for _, image in (self.v_xt, self.v_x0, self.v_obs, self.v_els, self.v_ideal):
            image.clear()
        self.v_obs[0].hide()
        self.snr_image.clear()
        self.scrub.reset()
        self._preview(self.panel.values())

    def _preview(self, params: dict) -> None:
        """The empty views of a run with ``params``: mosaics of its image size, its components
        over t ∈ [0, 1], its wavenumbers. k*(t) keeps the whole of t ∈ [0, 1] while a run
        streams."""
        side = params["size"] if params["data"] == "grf" else DIGIT_SIZE
        width = GRID * (side + 1) - 1
        self._show_comparison(params.get("denoiser") == "cnn")
        self.p_r2.setXRange(0, 1, padding=0.02)
        for plot, _ in (self.v_xt, self.v_x0, self.v_els, self.v_ideal):
            plot.setRange(xRange=(0, width), yRange=(0, width), padding=0.02)
        self.p_snr.setRange(xRange=(0, 1), yRange=(0, side * side), padding=0.02)
        k_max = side / np.sqrt(2)  # the corner of the Fourier grid
        preview_range(self.p_spec, x=(1, k_max), y=(1e-3, 10))
        preview_range(self.p_kstar, y=(0, k_max))
        self.p_kstar.setXRange(0, 1, padding=0.02)

    def paint(self, frame: dict, params: dict) -> None:
        i = self.scrub.index(len(frame["t"]))
        t = float(frame["t"][i])
        self.scrub.show_text(f"t = {t:.3f}")

        xt, x0 = frame["frames"][i], frame["x0_frames"][i]
        lo, hi = self._levels(frame)
        self.v_xt[1].setImage(mosaic(xt, lo), autoLevels=False)
        self.v_xt[0].setTitle(f"samples x<sub>t</sub> at t = {t:.3f}")
        if np.all(np.isfinite(x0)):
            self.v_x0[1].setImage(mosaic(x0, lo), autoLevels=False)
        self.image_bar.setLevels((lo, hi))
        self._paint_observation(frame, params, lo)
        if "r2_els" in frame:
            self._paint_comparison(frame, lo)
        else:
            self.v_x0[0].setTitle("denoiser's estimate of x<sub>0</sub>")

        summary = self.snapshot.summary if self.snapshot is not None else {}
        self.p_snr.setTitle(schedule_title(params, summary))
        gamma = frame["log_snr"]
        self.snr_image.setImage(-gamma.T[::-1].T, autoLevels=False)  # columns: t from 0 to 1
        times = frame["log_snr_t"]
        self.snr_image.setRect(
            QtCore.QRectF(times.min(), 0, times.max() - times.min(), gamma.shape[0])
        )
        marker = self.items.get(
            self.p_snr, "now", lambda: pg.InfiniteLine(angle=90, pen=pg.mkPen(Ink.MARKER, width=2))
        )
        marker.setValue(t)

        k = frame["spectrum_k"]
        keep = k > 0
        conditioned = "spectrum_theory" in frame
        self.items.line(
            self.p_spec,
            "data",
            k[keep],
            frame["spectrum_data"][keep],
            pg.mkPen(Ink.GUIDE, width=1.5) if conditioned else theory_pen(),
            "data, unconditioned" if conditioned else "data (exact for fields)",
            positive=True,
        )
        if conditioned:  # GUD's conditioning: the closed-form conditional law is the theory
            self.items.line(
                self.p_spec,
                "conditional",
                k[keep],
                frame["spectrum_theory"][keep],
                theory_pen(),
                "theory: the law given the observation",
                positive=True,
            )
        self.items.line(
            self.p_spec,
            "samples",
            k[keep],
            frame["spectrum_samples_t"][i][keep],
            data_pen(0, 2.0),
            "samples x<sub>t</sub> (slider time)",
            positive=True,
        )
        self.items.line(
            self.p_spec,
            "x0",
            k[keep],
            frame["spectrum_x0_t"][i][keep],
            pg.mkPen(Ink.GUIDE, width=1.5, style=QtCore.Qt.PenStyle.DotLine),
            "estimate of x<sub>0</sub> (slider time)",
            positive=True,
        )

        self.items.line(
            self.p_kstar,
            "measured",
            frame["t"],
            frame["kstar"],
            data_pen(0, 2.0),
            "measured from the estimate of x<sub>0</sub>",
        )
        if "kstar_theory" in frame:
            self.items.line(
                self.p_kstar,
                "theory",
                frame["t"],
                frame["kstar_theory"],
                theory_pen(),
                "theory: largest |k| with SNR ≥ 1",
            )
        self.p_kstar.setTitle(
            "Resolution cut-off k*(t) of the estimate"
            + (
                "<br>(not meaningful here: every sample shares the observation)"
                if conditioned
                else ""
            )
        )
        now = self.items.get(
            self.p_kstar,
            "now",
            lambda: pg.InfiniteLine(
                angle=90, pen=pg.mkPen(Ink.GUIDE, width=1, style=QtCore.Qt.PenStyle.DotLine)
            ),
        )
        now.setValue(t)

    def _paint_comparison(self, frame: dict, fill: float) -> None:
        """The theory's and the baseline's samples, their r² with the CNN's, the training loss."""
        t = float(frame["t"][self.scrub.index(len(frame["t"]))])
        self.v_x0[0].setTitle(f"CNN (data): estimate of x<sub>0</sub> at t = {t:.3f}")
        for (plot, image), key, what in (
            (self.v_els, "els_samples", "ELS machine (theory, no training)"),
            (self.v_ideal, "ideal_samples", "ideal denoiser (baseline)"),
        ):
            shown = frame[key]
            if np.all(np.isfinite(shown)):
                image.setImage(mosaic(shown, fill), autoLevels=False)
            plot.setTitle(f"{what}: same noise")
        bins = np.linspace(-0.2, 1.0, 25)
        medians = []
        for key, label, pen, brush in (
            ("r2_els", "ELS machine (theory)", theory_pen(), (200, 60, 40, 60)),
            ("r2_ideal", "ideal denoiser (baseline)", data_pen(1, 1.5), None),
        ):
            r2 = frame[key][np.isfinite(frame[key])]
            counts = np.histogram(np.clip(r2, bins[0], bins[-1]), bins)[0]
            item = self.items.get(
                self.p_r2,
                key,
                lambda pen=pen, brush=brush, label=label: pg.PlotDataItem(
                    stepMode="center",
                    pen=pen,
                    fillLevel=0 if brush else None,
                    brush=brush,
                    name=label,
                ),
            )
            item.setData(bins, counts)
            if r2.size:
                medians.append(f"{label.split(' ')[0]} {np.median(r2):.2f}")
        self.p_r2.setTitle(
            "r² with the CNN's samples (Kamb & Ganguli, Fig. 3)"
            + (": median " + ", ".join(medians) if medians else ": after training")
        )
        loss = frame["cnn_loss"]
        if loss.size:
            window = max(1, loss.size // 50)
            smooth = np.convolve(loss, np.ones(window) / window, mode="valid")
            steps = np.arange(smooth.size) + window
            self.items.line(
                self.p_loss, "loss", steps, smooth, data_pen(0, 2.0), "training loss", True
            )

    def _paint_observation(self, frame: dict, params: dict, fill: float) -> None:
        """Conditioned runs show what the samples are given: the held-out image outside the hole
        (inpainting) or its low-pass part (super-resolution)."""
        plot, image = self.v_obs
        if "observed_image" not in frame:
            plot.hide()
            return
        seen = frame["observed_image"].copy()
        if params["condition"] == "inpaint":
            side, hole = seen.shape[0], params["hole"]
            start = (side - hole) // 2
            seen[start : start + hole, start : start + hole] = fill
            plot.setTitle(f"given: a held-out image outside the centred {hole}×{hole} hole")
        else:
            plot.setTitle(
                f"given: a held-out image's Fourier modes with |k| ≤ {params['observed_k']:g}"
            )
        image.setImage(seen, autoLevels=False)
        plot.show()

    def history_view(self, params: dict):
        """Spectra are comparable on the same data at the same image size."""
        return params.get("data"), params.get("size")

    def history_traces(self, frame: dict, params: dict) -> list:
        """The final samples' spectrum and the measured resolution cut-off."""
        k = frame["spectrum_k"]
        return [
            (self.p_spec, k, frame["spectrum_samples_t"][-1]),
            (self.p_kstar, frame["t"], frame["kstar"]),
        ]

    @staticmethod
    def _levels(frame: dict) -> tuple[float, float]:
        """Grey levels that fit the data (±3 standard deviations of the samples at the end)."""
        final = frame["frames"][-1]
        centre, spread = float(np.mean(final)), float(np.std(final)) or 1.0
        return centre - 3 * spread, centre + 3 * spread
