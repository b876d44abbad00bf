"""The Collapse tab: each model's simulated curves (mean with a ±1 standard-error band over repeats,
solid with markers) under their closed-form theory (dashed, same colour), in two views."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from physlab.gui.lab_tab import LabTab
from physlab.gui.plots import (
    BandCurve,
    PlotItems,
    RunSpan,
    data_pen,
    make_plot,
    preview_range,
    theory_pen,
)
from physlab.gui.theme import Ink

from ..curves import (
    TAIL_ROWS,
    VERIFY_ROWS,
    regression_rows,
    strong_rows,
    sweep_rows,
    tail_chain_rows,
)
from ..theory import min_norm_variance


def _se(std: np.ndarray, repeats: int) -> np.ndarray:
    return std / np.sqrt(max(repeats, 1))


class CollapseTab(LabTab):
    def build_plots(self):
        layout = pg.GraphicsLayoutWidget()
        self.p_main = make_plot(layout, 0, 0, "", "", "")
        self.p_side = make_plot(layout, 0, 1, "", "", "")
        layout.ci.layout.setColumnStretchFactor(0, 3)
        layout.ci.layout.setColumnStretchFactor(1, 2)
        self.items = PlotItems()
        self.span = RunSpan()
        self._view = None
        self._preview(self.panel.values())
        return layout, layout.ci

    def clear_plots(self) -> None:
        self.items.clear()
        self.span.clear()
        self._view = None
        self._preview(self.panel.values())

    # -- building blocks -----------------------------------------------------------------------
    # (title, x label, y label, log x, log y) of the main and the side plot of each model
    VIEWS = {
        "regression": (
            (
                "Test error vs generation",
                "generation n",
                "test error ‖ŵ − w₀‖²<sub>Σ</sub>",
                False,
                False,
            ),
            (
                "Scaling law: error vs downstream sample size",
                "downstream samples T",
                "test error ‖ŵ − w₀‖²<sub>Σ</sub>",
                True,
                True,
            ),
        ),
        "ridge-scaling": (
            (
                "Scaling law of a tuned ridge fit on synthetic data",
                "downstream samples T",
                "test error ‖ŵ − w₀‖²<sub>Σ</sub>",
                True,
                True,
            ),
            (
                "Slope of log E vs log T on each side of T*",
                "generation n",
                "slope d log E / d log T",
                False,
                False,
            ),
        ),
        "tails": (
            (
                "Hutter's model: test error vs training-set size",
                "training samples T",
                "test error (unseen mass)",
                True,
                True,
            ),
            (
                "What each generator puts in the tail",
                "rank i",
                "probability q<sub>i</sub>",
                True,
                True,
            ),
        ),
        "discrete": (
            (
                "Refitting a discrete distribution: its diversity",
                "generation n",
                "H<sub>n</sub>/H<sub>0</sub> = (1 − Σq²)/(1 − 1/K)",
                False,
                False,
            ),
            (
                "Distance from the truth",
                "generation n",
                "‖q<sub>n</sub> − q<sub>0</sub>‖²",
                False,
                False,
            ),
        ),
        "tails-chain": (
            (
                "Generations of memorisers: the plateau moves up",
                "training samples T",
                "test error (unseen mass)",
                True,
                True,
            ),
            (
                "Each generation's q<sub>i</sub> (mean field): the cut-off k shrinks",
                "rank i",
                "probability q<sub>i</sub>",
                True,
                True,
            ),
        ),
        "strong": (
            (
                "Strong collapse: error vs sample size",
                "training samples n",
                "test error ‖ŵ − w₁‖²",
                True,
                True,
            ),
            ("Simulation ÷ theory", "training samples n", "ratio", True, False),
        ),
        "verify": (
            (
                "Accuracy after training on verified synthetic data",
                "label-flip probability p",
                "clean test accuracy",
                False,
                False,
            ),
            (
                "Label noise left after verification",
                "label-flip probability p",
                "kept noise p′",
                False,
                False,
            ),
        ),
        "gaussian": (
            (
                "Refitting a Gaussian: the variance's random walk",
                "generation n",
                "log σ²ₙ = (1/d) log det Σₙ",
                False,
                False,
            ),
            (
                "The mean wanders (accumulate keeps it bounded)<br>replace's nd/M is carried "
                "by rare runs whose σ² has not collapsed:<br>large spread, and past the "
                "dotted line the repeats miss them",
                "generation n",
                "E‖μₙ − μ₀‖²",
                False,
                False,
            ),
        ),
    }

    def _setup(self, view: tuple) -> None:
        """Both plots for the model ``view[0]``; the drawn items are rebuilt when ``view`` (the
        model and its rows) changes."""
        if view == self._view:
            return
        self.items.clear()
        self._view = view
        self._label(view[0])

    def _label(self, model: str) -> None:
        """Titles, labels and log axes of both plots for ``model``."""
        for plot, (title, xlabel, ylabel, log_x, log_y) in zip(
            (self.p_main, self.p_side), self.VIEWS[model]
        ):
            plot.setTitle(title)
            plot.setLabel("bottom", xlabel)
            plot.setLabel("left", ylabel)
            plot.setLogMode(x=log_x, y=log_y)
            plot.enableAutoRange()

    def _preview(self, params: dict) -> None:
        """The empty views of a run with ``params``: titled and labelled, with its generations
        or sample sizes on the x axes."""
        model = params["model"]
        self._label(model)
        if model in ("regression", "gaussian", "discrete"):
            for plot in (self.p_main, self.p_side)[: 1 if model == "regression" else 2]:
                preview_range(plot, x=(0, params["generations"]))
        if model == "regression":  # the downstream sweep of studies.RegressionStudy
            d = params["d"]

            def ols(noise: float, n: int) -> float:  # an OLS fit's excess error σ²d/(n−d−1)
                return noise**2 * d / (n - d - 1) if n > d + 1 else 1.0

            n, T0, s0 = params["generations"], params["T0"], params["sigma0"]
            if d > T0:  # minimum-norm generators: replace tends to ‖w0‖² plus the noise (theory)
                noise = s0**2 * min_norm_variance(d, T0) if s0 else 0.0
                grown = 1.0 + noise * (n if params["design"] == "fixed" else d / (d - T0))
            else:
                grown = n * ols(params["sigma0"], T0)
            replaced = ols(params["sigma"], params["T"]) + grown
            preview_range(self.p_main, y=(0, replaced))  # where replace ends (README, Collapse)
            preview_range(
                self.p_side, x=(1.5 * d if params["ridge"] == 0 else d / 4, 1000 * d), y=(1e-3, 10)
            )
        elif model == "ridge-scaling":
            preview_range(self.p_main, x=(10, 1e4 * params["d"]), y=(1e-4, 1))
            preview_range(self.p_side, x=(0, params["generations"]), y=(-1, 0.5))
        elif model in ("tails", "tails-chain"):
            T = params["T_values"]
            preview_range(self.p_main, x=(T[0], T[-1]), y=(1e-4, 1))

    def _band(self, plot, i: int, name: str, x, mean, spread, positive=False) -> None:
        band = self.items.get(plot, ("band", i), lambda: BandCurve(plot, i, name))
        band.set_data(x, mean, spread, positive)

    def _theory(self, plot, i: int, x, y, positive=False) -> None:
        self.items.line(
            plot,
            ("theory", i),
            x,
            y,
            theory_pen(data_pen(i).color().name(), 2.0),
            positive=positive,
        )

    def _theory_legend(self, plot, text="theory (dashed)") -> None:
        self.items.get(
            plot, "theory-legend", lambda: pg.PlotDataItem(pen=theory_pen(Ink.GUIDE), name=text)
        )

    def _vline(self, plot, key, x: float, label: str, color=Ink.GUIDE) -> None:
        self._guide(plot, key, x, label, color, vertical=True)

    def _hline(self, plot, key, y: float, label: str, color=Ink.GUIDE) -> None:
        self._guide(plot, key, y, label, color, vertical=False)

    def _guide(self, plot, key, value: float, label: str, color, vertical: bool) -> None:
        """A dotted, labelled guide line at ``value`` (in data units: log axes are mapped)."""
        line = self.items.get(
            plot,
            key,
            lambda: pg.InfiniteLine(
                angle=90 if vertical else 0,
                pen=pg.mkPen(color, width=1.5, style=QtCore.Qt.PenStyle.DotLine),
                label=label,
                labelOpts={"position": 0.92 if vertical else 0.12, "color": color},
            ),
        )
        log = (plot.ctrl.logXCheck if vertical else plot.ctrl.logYCheck).isChecked()
        line.setValue(np.log10(value) if log else value)

    # -- history -------------------------------------------------------------------------------
    HISTORY = {
        "regression": ("generation", "error_mean"),
        "tails": ("T_values", "error_mean"),
        "tails-chain": ("T_values", "error_mean"),
        "discrete": ("generation", "diversity_mean"),
        "strong": ("T_values", "error_mean"),
        "verify": ("flip_values", "accuracy_mean"),
        "gaussian": ("generation", "log_variance_mean"),
        "ridge-scaling": ("T_values", "error_mean"),
    }

    def history_view(self, params: dict):
        return params.get("model")

    def history_traces(self, frame: dict, params: dict) -> list:
        """Every curve of the main view (one per strategy or model)."""
        x_key, y_key = self.HISTORY[params.get("model", "regression")]
        y = np.atleast_2d(frame[y_key])
        return [(self.p_main, frame[x_key], row) for row in y]

    # -- views ---------------------------------------------------------------------------------
    def paint(self, frame: dict, params: dict) -> None:
        model = params.get("model", "regression")
        getattr(self, f"_paint_{model.replace('-', '_')}")(
            frame, params, self.snapshot.summary if self.snapshot else {}
        )

    def _paint_regression(self, f, p, summary) -> None:
        rows = regression_rows(p)
        measured = (
            "the generator ŵₙ itself"
            if p.get("measure") == "chain"
            else "a downstream fit on T samples"
        )
        rho, limit = (
            summary.get(k) for k in ("mix_contraction", "mix_contraction_proportional_limit")
        )
        kept = summary.get("retained_fraction")
        self._setup(("regression", tuple(rows), measured, p.get("design"), rho, kept))
        fits = "" if kept is None else f"; min-norm generators, T0/d = {kept:.3g}"
        self.p_main.setTitle(
            f"Test error vs generation ({measured}; {p.get('design', 'fresh')} design{fits})"
        )
        reps = p.get("repeats", 1)
        gen = f["generation"]
        self.span.apply((self.p_main,), p["generations"])
        for i, name in enumerate(rows):
            self._band(self.p_main, i, name, gen, f["error_mean"][i], _se(f["error_std"][i], reps))
            self._theory(self.p_main, i, gen, f["theory"][i])
        legend = "theory (dashed)"
        if rho is not None:
            legend += f"; mix: exact finite-d ρ = {rho:.3f} (proportional limit {limit:.3f})"
        if kept is not None:  # the closed form of the over-parameterised chain (theory.py)
            legend += (
                "; each min-norm fit keeps T0/d of the signal: ‖w₀‖²(1 − (T0/d)ⁿ) + noise"
                if p.get("design") != "fixed"
                else "; a fixed span loses 1 − T0/d of ‖w₀‖² once, then adds noise"
            )
        self._theory_legend(self.p_main, legend)
        T = f["T_values"]
        names = sweep_rows(p)
        for i, name in enumerate(names):
            color = 7 if i == 0 else [*rows].index(name.split(",")[0])
            self._band(
                self.p_side,
                color,
                name,
                T,
                f["sweep_error_mean"][i],
                _se(f["sweep_error_std"][i], reps),
                positive=True,
            )
            self._theory(self.p_side, color, T, f["sweep_theory"][i], positive=True)
        self._vline(self.p_side, "T", p.get("T", T[0]), "T of the chain")

    def _paint_ridge_scaling(self, f, p, summary) -> None:
        """Error vs T per generation n (simulation, deterministic equivalent dashed, the paper's
        rates dotted, the crossover T* starred) and the slopes on both sides of T* against the
        paper's exponents (Dohmatob, Feng & Kempe 2024, §5 and Fig. 1b)."""
        T, reps, n = f["T_values"], p.get("repeats", 1), f["n_values"]
        rows = [f"n = {g}" for g in n]  # the run's (its generations are read at the start)
        self._setup(("ridge-scaling", tuple(rows)))
        ell = summary.get("ridge_exponent", np.nan)
        tuned = p.get("ridge_rule") == "tuned"
        rule = f"λ = T<sup>−{ell:.3g}</sup> (tuned)" if tuned else f"fixed λ = {p.get('ridge'):g}"
        self.p_main.setTitle(f"Scaling law of a ridge fit on synthetic data: {rule}")
        for i, name in enumerate(rows):
            color = data_pen(i).color().name()
            mean, se = f["error_mean"][i], _se(f["error_std"][i], reps)
            self._band(self.p_main, i, name, T, mean, se, positive=True)
            self._theory(self.p_main, i, T, f["theory"][i], positive=True)
            self.items.line(
                self.p_main,
                ("rate", i),
                T,
                f["rate_theory"][i],
                pg.mkPen(color, width=1.2, style=QtCore.Qt.PenStyle.DotLine),
                positive=True,
            )
            T_star = f["crossover_T"][i]
            star = self.items.get(
                self.p_main,
                ("crossover", i),
                lambda c=color: pg.PlotDataItem(
                    pen=None, symbol="star", symbolSize=16, symbolBrush=c, symbolPen="k"
                ),
            )
            at = [T_star] if np.isfinite(T_star) else []
            star.setData(at, list(np.interp(np.log(at), np.log(T), f["theory"][i])))
        self._theory_legend(
            self.p_main,
            "dashed: deterministic equivalent (finite d); dotted: the paper's rates "
            "(constants 1); ★ crossover T*",
        )
        before, after = f["exponent_paper"]
        for k, (side, paper) in enumerate((("before T*", before), ("after T*", after))):
            measured, color = f["exponent_measured"][:, k], len(rows) + k  # not a row's colour
            self._band(self.p_side, color, f"{side}: simulated", n, measured, 0 * measured)
            self._theory(self.p_side, color, n, f["exponent_theory"][:, k])
            self._hline(self.p_side, ("paper", k), paper, f"paper: {paper:+.3g}")
        self._theory_legend(self.p_side, "deterministic equivalent (dashed); paper (dotted)")

    def _paint_tails(self, f, p, summary) -> None:
        self._setup(("tails",))
        T, reps = f["T_values"], summary.get("repeats", 1)
        for i, name in enumerate(TAIL_ROWS):
            self._band(
                self.p_main,
                i,
                name,
                T,
                f["error_mean"][i],
                _se(f["error_std"][i], reps),
                positive=True,
            )
            self._theory(self.p_main, i, T, f["theory"][i], positive=True)
            self.items.line(
                self.p_side,
                ("q", i),
                f["rank"],
                f["generator_probability"][i],
                data_pen(i, 2.0),
                name=name,
                positive=True,
            )
        self._theory_legend(
            self.p_main, "Σ<sub>i</sub> p<sub>i</sub>(1 − q<sub>i</sub>)<sup>T</sup> (dashed)"
        )
        self._hline(self.p_main, "plateau", float(f["plateau"][0]), "tail mass beyond k")
        self._vline(self.p_side, "k", p.get("cutoff", 1), "rank k")

    def _paint_discrete(self, f, p, summary) -> None:
        rows = list(p.get("discrete_strategy", []))
        self._setup(("discrete", tuple(rows)))
        n, reps = f["generation"], summary.get("repeats", 1)
        self.span.apply((self.p_main, self.p_side), p["generations"])
        for i, name in enumerate(rows):
            div, div_se = f["diversity_mean"][i], _se(f["diversity_std"][i], reps)
            self._band(self.p_main, i, name, n, div, div_se)
            self._theory(self.p_main, i, n, f["theory_diversity"][i])
            dist, dist_se = f["distance_mean"][i], _se(f["distance_std"][i], reps)
            self._band(self.p_side, i, name, n, dist, dist_se)
            self._theory(self.p_side, i, n, f["theory_distance"][i])
        self._theory_legend(self.p_main, "exact E H<sub>n</sub>/H<sub>0</sub> (dashed)")
        self._theory_legend(self.p_side, "exact E‖q<sub>n</sub> − q<sub>0</sub>‖² (dashed)")
        limit = summary.get("accumulate_diversity_limit")
        if limit is not None and "accumulate" in rows:
            self._hline(self.p_main, "limit", limit, "   sinc(π/√M)")

    def _paint_tails_chain(self, f, p, summary) -> None:
        rows, paper = tail_chain_rows(p), bool(np.isfinite(f["paper_law"]).any())
        self._setup(("tails-chain", tuple(rows), paper))  # the paper's legend comes and goes
        T, reps = f["T_values"], summary.get("repeats", 1)
        for i, name in enumerate(rows):
            k = int(f["cutoff_rank"][i])
            label = name if i == 0 else f"{name} (k ≈ {k})"
            mean, se = f["error_mean"][i], _se(f["error_std"][i], reps)
            self._band(self.p_main, i, label, T, mean, se, positive=True)
            self._theory(self.p_main, i, T, f["theory"][i], positive=True)
            self.items.line(  # the paper's law, dotted (NaN, so not drawn, unless τ = top-p = 1)
                self.p_main,
                ("paper", i),
                T,
                f["paper_law"][i],
                pg.mkPen(data_pen(i).color(), width=1.5, style=QtCore.Qt.PenStyle.DotLine),
                positive=True,
            )
            self.items.line(
                self.p_side,
                ("q", i),
                f["rank"],
                f["generator_probability"][i],
                data_pen(i, 2.0),
                name=name,
                positive=True,
            )
        self._theory_legend(
            self.p_main,
            "ours: mean-field Σ<sub>i</sub> p<sub>i</sub>[1 − P<sub>i</sub>(1 − q<sub>i</sub>)<sup>T</sup>]"
            " (dashed)",
        )
        if paper:
            self.items.get(
                self.p_main,
                "paper-legend",
                lambda: pg.PlotDataItem(
                    pen=pg.mkPen(Ink.GUIDE, width=1.5, style=QtCore.Qt.PenStyle.DotLine),
                    name="paper: C<sub>β</sub>(T<sup>−c</sup> + n·T0<sup>−c</sup>) (dotted)",
                ),
            )
        T0, beta = p.get("tail_T0", 1), p.get("zipf_exponent", 2.0)
        self._vline(self.p_side, "k", T0 ** (1 / beta), "T0^(1/β)")
        self.p_side.setYRange(-14, 0.2)  # log10: the lost tail falls to 10⁻⁵⁰ and flattens the rest

    def _paint_strong(self, f, p, summary) -> None:
        rows = strong_rows(p)
        self._setup(("strong", tuple(rows)))
        n, reps = f["T_values"], summary.get("repeats", 1)
        for i, name in enumerate(rows):
            mean, se = f["error_mean"][i], _se(f["error_std"][i], reps)
            self._band(self.p_main, i, name, n, mean, se, positive=True)
            self._theory(self.p_main, i, n, f["theory"][i], positive=True)
            self._band(self.p_side, i, name, n, mean / f["theory"][i], se / f["theory"][i])
        self._theory_legend(self.p_main)
        self._hline(self.p_main, "floor", float(f["floor"][0]), "floor p₂²c²")
        self._hline(self.p_side, "one", 1.0, "theory")

    def _paint_verify(self, f, p, summary) -> None:
        rows = VERIFY_ROWS
        self._setup(("verify",))
        x, reps = f["flip_values"], summary.get("repeats", 1)
        for i, name in enumerate(rows):
            self._band(
                self.p_main, i, name, x, f["accuracy_mean"][i], _se(f["accuracy_std"][i], reps)
            )
            self._theory(self.p_main, i, x, f["theory"][i])
            self.items.line(self.p_side, ("kept", i), x, f["kept_noise"][i], data_pen(i, 2.0), name)
        self._theory_legend(self.p_main, "finite-T theory (dashed)")
        p_star = float(f["critical_flip"][0])
        self._vline(self.p_main, "pstar", p_star, f"p* = {p_star:.3g}", data_pen(0).color().name())
        self._vline(self.p_main, "flip", p.get("flip", 0.0), "p", Ink.GUIDE)
        self._vline(self.p_side, "pstar", p_star, f"p* = {p_star:.3g}", data_pen(0).color().name())
        self._hline(self.p_side, "half", 0.5, "p′ = ½")

    def _paint_gaussian(self, f, p, summary) -> None:
        rows = list(p.get("gaussian_strategy", ["replace"]))
        self._setup(("gaussian", tuple(rows)))
        n, reps = f["generation"], summary.get("repeats", 1)
        self.span.apply((self.p_main, self.p_side), p["generations"])
        for i, path in enumerate(f["log_variance_paths"]):
            self.items.line(
                self.p_main,
                ("path", i),
                n,
                path,
                pg.mkPen(Ink.FAINT, width=1),
                name=f"single runs ({rows[0]})" if i == 0 else None,
            )
        for i, name in enumerate(rows):
            mean, se = f["log_variance_mean"][i], _se(f["log_variance_std"][i], reps)
            self._band(self.p_main, i, f"{name} ± s.e.", n, mean, se)
            if np.isfinite(f["theory_log_variance"][i]).any():  # no closed form: no line
                self._theory(self.p_main, i, n, f["theory_log_variance"][i])
            drift, drift_se = f["mean_sq_drift"][i], _se(f["mean_sq_drift_std"][i], reps)
            self._band(self.p_side, i, name, n, drift, drift_se)
            self._theory(self.p_side, i, n, f["theory_mean_drift"][i])
        self._theory_legend(self.p_main, "theory E log σ²ₙ where exact (dashed)")
        self._theory_legend(self.p_side, "E‖μₙ − μ₀‖² (dashed)")
        reach = summary.get("repeats_reach_generation")
        one_dim = p.get("dim", 1) == 1  # the reach is worked out for d = 1
        if "replace" in rows and one_dim and reach is not None and reach < p["generations"]:
            self._vline(
                self.p_side, "reach", reach, f"reach of {reps} repeats ≈ (√(2 ln R) − 1)²/ψ′"
            )
