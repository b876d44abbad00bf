"""ScalingExperiment: loss curves of the random-feature model for a family of model sizes N (or
data sizes P), the compute-optimal frontier, and fitted exponents beside the theory's
(Bordelon, Atanasov & Pehlevan, ICML 2024 and ICLR 2025; see :mod:`.scaling_model`,
:mod:`.scaling_theory` and, for rich runs, :mod:`.scaling_rich_theory`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from physlab.core.experiment import Experiment, Frame
from physlab.core.params import Param, ParamError, ParamSpec, check_increasing, check_memory

from . import scaling_theory as th
from .scaling_model import FeatureSpace, RichRun, lazy_readouts
from .scaling_rich_theory import RichInfiniteWidth

RECORDS = 120  # recorded steps per curve, log-spaced


def _check(p: dict) -> None:
    for name in ("widths", "sample_sizes"):
        check_increasing(name, p[name])
    if max(p["widths"]) >= p["features"]:
        raise ParamError(
            "widths",
            f"the largest width {max(p['widths'])} must stay below the "
            f"number of features M = {p['features']} (the model is a "
            f"projection of M features onto N)",
        )
    check_memory(memory_estimate(p), "features", "lower features, widths or sample sizes")


def memory_estimate(p: dict) -> int:
    """Bytes at the peak: the N×M projection (with its gradient and update when rich), the
    readout Gram matrices' eigenpairs (N×N), and the P×M sampled features with their products.
    Measured in tests/hostile/test_memory.py."""
    M, N = p["features"], max(p["widths"])
    P = max(p["sample_sizes"]) if p["family"] == "samples" else p["n_samples"]
    projection = (2.5 if p["rich"] else 1.2) * N * M
    return int(8 * (projection + 3 * N * N + 2.5 * M * P))


SPEC = ParamSpec(
    [
        Param(
            "alpha",
            "float",
            1.5,
            "capacity α: feature eigenvalues λ_k = k^−α",
            low=1.05,
            high=4.0,
            group="Task",
            label="alpha α",
        ),
        Param(
            "beta",
            "float",
            0.5,
            "source β: target power λ_k v*_k² = k^−(1+αβ); β < 1 is a hard "
            "task (outside the initial kernel's RKHS)",
            low=0.05,
            high=4.0,
            group="Task",
            label="beta β",
        ),
        Param(
            "features",
            "int",
            4000,
            "features M (M ≫ N stands in for the infinite feature space)",
            low=16,
            high=50_000,
            log=True,
            group="Task",
            label="features M",
        ),
        Param(
            "family",
            "choice",
            "widths",
            "which curves: one per model size N (with P = "
            "n_samples), or one per data size P (with N = the largest width)",
            choices=("widths", "samples"),
            group="Family",
        ),
        Param(
            "widths",
            "ints",
            [16, 32, 64, 128, 256, 512],
            "model sizes N",
            low=1,
            high=4096,
            max_len=10,
            group="Family",
        ),
        Param(
            "n_samples",
            "int",
            0,
            "training samples P of the widths family (0 = the population "
            "gradient, i.e. unlimited data)",
            low=0,
            high=100_000,
            group="Family",
            label="n_samples P",
            when={"family": ("widths",)},
        ),
        Param(
            "sample_sizes",
            "ints",
            [32, 64, 128, 256, 512, 1024],
            "data sizes P of the samples family",
            low=1,
            high=100_000,
            max_len=10,
            group="Family",
            when={"family": ("samples",)},
        ),
        Param(
            "steps", "int", 10_000, "GD steps t", low=10, high=1_000_000, log=True, group="Training"
        ),
        Param(
            "lr",
            "float",
            0.5,
            "learning rate η (stable below 2/λ_max ≈ 2)",
            low=1e-4,
            high=1.9,
            log=True,
            group="Training",
            label="lr η",
        ),
        Param(
            "rich",
            "bool",
            False,
            "train the features too (projected GD, arXiv:2409.17858): the "
            "time exponent improves on hard tasks",
            group="Training",
        ),
        Param(
            "gamma0",
            "float",
            0.1,
            "richness γ: learning rate of the features relative to the readout",
            low=1e-3,
            high=100.0,
            log=True,
            group="Training",
            label="γ0",
            when={"rich": (True,)},
        ),
    ],
    check=_check,
)


class ScalingExperiment(Experiment):
    spec = SPEC

    def __init__(self, params: Mapping[str, Any], seed: int):
        super().__init__(params, seed)
        p = self.params
        rng = np.random.default_rng(self.seed)
        if p["family"] == "widths":
            self.configs = [(n, p["n_samples"]) for n in p["widths"]]
        else:
            self.configs = [(max(p["widths"]), s) for s in p["sample_sizes"]]
        samples = max(s for _, s in self.configs)
        self.space = FeatureSpace(
            p["alpha"], p["beta"], p["features"], max(p["widths"]), samples, rng
        )
        self.record = np.unique(
            np.concatenate([[0], np.geomspace(1, p["steps"], RECORDS).round()])
        ).astype(np.int64)
        self.loss = np.full((len(self.configs), len(self.record)), np.nan)
        self.curve = 0
        self.position = 0  # records done in the current curve
        self._run = None
        self._problem = None  # (K_A, b, K̂, b̂) of the current curve
        # the rich model's N → ∞ curve, stepped along with the first rich curve (O(M) per step)
        self.rich_theory = (
            RichInfiniteWidth(self.space.lam, self.space.target, p["lr"], p["gamma0"], self.record)
            if p["rich"]
            else None
        )

    @property
    def total_steps(self) -> int:
        """GD steps of every curve (a lazy curve's closed form covers all its steps at once)."""
        return len(self.configs) * int(self.record[-1])

    @property
    def steps_done(self) -> int:
        done = self._run.t if self._run is not None else 0
        last = int(self.record[-1])
        return self.curve * last + (
            done if self.params["rich"] else (last if self.position == len(self.record) else 0)
        )

    def advance(self, n: int) -> None:
        """Take up to ``n`` work units: a lazy curve is closed-form (all its points at once), a
        rich one is stepped at most ``n`` GD steps at a time, so a stop request or a frame is
        never more than one chunk away however far apart its recorded points are."""
        p = self.params
        while n > 0 and self.curve < len(self.configs) and self.diverged is None:
            index = self.curve
            if self._problem is None:
                self._problem = self.space.readout_problem(*self.configs[index])
            K, b, K_hat, b_hat = self._problem
            if not p["rich"]:
                u = lazy_readouts(K_hat, b_hat, p["lr"], self.record)
                self.loss[index] = self.space.test_loss(K, b, u)
                n -= int(self.record[-1])
                self.position = len(self.record)
            else:
                if self._run is None:
                    self._run = RichRun(K_hat, b_hat, p["lr"], p["gamma0"])
                while n > 0 and self.position < len(self.record):
                    target = int(self.record[self.position])
                    stop = min(target, self._run.t + n)
                    n -= stop - self._run.t
                    u = self._run.advance_to(stop)
                    self.rich_theory.advance_to(stop)
                    if stop < target:
                        break
                    self.loss[index, self.position] = self.space.test_loss(K, b, u[:, None])[0]
                    self.position += 1
            if not np.all(np.isfinite(self.loss[index, : self.position])):
                self.diverged = (
                    f"the loss became non-finite for N = {self.configs[index][0]}: "
                    f"feature learning at γ = {p['gamma0']:g} with η = {p['lr']:g} "
                    f"is unstable; lower gamma0 or lr."
                )
            elif self.position == len(self.record):
                self._next_curve()

    def _next_curve(self) -> None:
        self.curve += 1
        self.position = 0
        self._run = None
        self._problem = None

    def frame(self) -> Frame:
        """Curves, fits with their standard errors, and the theory's exponents. ``window_fitted_exponent``
        is the slope of the N → ∞ theory curve (the rich one for rich runs) over each curve's own
        fit window (what theory gives at those finite times); ``late_exponent`` the exponent a
        finite-N curve of an easy task turns to (see :mod:`.scaling_theory`)."""
        p = self.params
        steps = self.record
        theory_loss = self.space.infinite_width_loss(p["lr"], steps.astype(float))
        reference = theory_loss if self.rich_theory is None else self.rich_theory.loss
        done = np.all(np.isfinite(self.loss), axis=1)
        fits = np.array(
            [
                th.fit_time_exponent(steps, loss, p["lr"]) if ok else (np.nan, np.nan)
                for loss, ok in zip(self.loss, done)
            ]
        ).reshape(-1, 2)
        window = np.array(
            [
                th.window_fitted_exponent(steps, loss, reference, p["lr"]) if ok else np.nan
                for loss, ok in zip(self.loss, done)
            ]
        )
        out = {
            "step": steps.copy(),
            "widths": np.array([c[0] for c in self.configs]),
            "samples": np.array([c[1] for c in self.configs]),
            "loss": self.loss.copy(),
            "fitted_exponent": fits[:, 0],
            "fitted_exponent_error": fits[:, 1],
            "theory_exponent": np.full(len(self.configs), th.time_exponent(p["beta"], p["rich"])),
            "window_fitted_exponent": window,
            "late_exponent": np.array(th.late_time_exponent(p["alpha"], p["beta"])),
            "theory_loss": theory_loss,
        }
        if self.rich_theory is not None:
            out["rich_theory_loss"] = self.rich_theory.loss.copy()
            fit, error = th.late_theory_exponent(steps, self.rich_theory.loss, p["lr"])
            out["rich_theory_late_exponent"] = np.array(fit)
            out["rich_theory_late_exponent_error"] = np.array(error)
            out["rich_theory_horizon"] = np.array(self.rich_theory.horizon, dtype=np.int64)
        final = self.loss[:, -1]
        size = out["widths"] if p["family"] == "widths" else out["samples"]
        fit, error = th.fit_slope_error(size.astype(float)[done], final[done], min_points=3)
        out["size_fitted_exponent"], out["size_fitted_exponent_error"] = (
            np.array(fit),
            np.array(error),
        )
        out["size_theory_exponent"] = np.array(
            th.width_exponent(p["alpha"], p["beta"])
            if p["family"] == "widths"
            else th.data_exponent(p["alpha"], p["beta"])
        )
        if p["family"] == "widths" and done.sum() >= 2:
            c, best, which = th.frontier(steps, out["widths"][done], self.loss[done])
            out["frontier_compute"], out["frontier_loss"] = c, best
            keep = th.interior(which, int(done.sum()))
            fit, error = th.fit_slope_error(c[keep], best[keep], min_points=3)
            out["frontier_fitted_exponent"] = np.array(fit)
            out["frontier_fitted_exponent_error"] = np.array(error)
            out["frontier_fitted_range"] = c[keep][[0, -1]] if keep.any() else np.full(2, np.nan)
            out["frontier_theory_exponent"] = np.array(
                th.compute_exponent(p["alpha"], p["beta"], p["rich"])
            )
        return out

    def summary(self) -> dict:
        """Which curves have no fitted exponent (NaN in ``fitted_exponent``) and why; for rich runs
        where the N → ∞ curve stops short (``theory_note``)."""
        out = {}
        theory = self.rich_theory
        if theory is not None and theory.diverged:
            out["theory_note"] = (
                f"the rich N → ∞ curve stops at step {theory.horizon}: GD on it is unstable beyond "
                f"(η·λ1·(1 + γ|w|²) ≥ 2 at η = {self.params['lr']:g}, γ = "
                f"{self.params['gamma0']:g}); its late exponent is fitted up to there, or not at "
                f"all if that is before t = 20/η"
            )
        done = np.all(np.isfinite(self.loss), axis=1)
        if done.all():
            return out
        by_width = self.params["family"] == "widths"
        missing = [str(c[0] if by_width else c[1]) for c, ok in zip(self.configs, done) if not ok]
        why = "the run diverged" if self.diverged else "the run ended before them"
        out["fit_note"] = (
            f"no time exponent fitted for {'N' if by_width else 'P'} = "
            f"{', '.join(missing)}: {why}; the size and frontier fits use the "
            f"finished curves only"
        )
        return out

    def threads(self) -> int | None:
        return None if self.params["rich"] and max(self.params["widths"]) >= 128 else 1
