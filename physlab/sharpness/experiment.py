"""SharpnessExperiment: full-batch or minibatch training with the top Hessian eigenvalues (of the
full-batch loss) tracked as it goes.

What it shows (see ``docs/physics/sharpness.md``):
- progressive sharpening and the edge of stability: the sharpness λ rises to the threshold 2/η and
  hovers there while the loss keeps falling non-monotonically (Cohen et al., "Gradient Descent on
  Neural Networks Typically Occurs at the Edge of Stability", ICLR 2021);
- catapults: with 2 < ηλ0 < ~4 the loss spikes and training settles where λ < 2/η (Lewkowycz et al.,
  "The large learning rate phase of deep learning: the catapult mechanism", 2020);
- warm-up from the critical η_c (Kalra & Barkeshli, "Why Warmup the Learning Rate?", NeurIPS 2024);
- the edge of stochastic stability: under minibatch SGD the batch sharpness, not λ_max, settles at
  2/η (Andreyev & Beneventano, "Edge of Stochastic Stability", 2024; :mod:`.minibatch`);
- the uv model's closed dynamics and its route to chaos (Kalra, He & Barkeshli 2023);
- self-stabilisation: with ``reference=central_flow`` the central flow of GD is integrated
  alongside it (:mod:`.central_flow`; Damian, Nichani & Lee, ICLR 2023; Cohen et al. 2024), with
  its prediction of GD's time-averaged loss and GD's displacement from it along u1.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from physlab.core.experiment import Frame, SteppedExperiment
from physlab.core.params import ParamError
from physlab.core.traces import TraceTable

from .central_flow import CentralFlow
from .hessian import MAX_ITER, TOL
from .measured_training import gradient_overlap, measurement_count, train_measured
from .minibatch import BatchSampler, batch_sharpness
from .models import MLPModel, UVModel
from .optim import (
    ADAM_LIKE,
    FULL_BATCH,
    OPTIMIZERS,
    adam_preconditioner,
    lr_schedule,
    stability_factor,
)
from .params import SPEC

FLOW_TRACES = (
    "flow_loss",
    "flow_predicted_loss",
    "flow_sharpness",
    "flow_variance",
    "displacement",
)
PARALLEL_WORK = 100_000  # samples × parameters from which the per-sample kernels run in parallel
LOSS_LIMIT_FACTOR = 1e8  # a loss this many times its initial value counts as diverged


def estimate_critical_lr(
    loss,
    theta: np.ndarray,
    direction: np.ndarray,
    delta: float = 0.1,
    eta_min: float = 1e-4,
    eta_max: float = 1e4,
) -> float:
    """The largest η for which one step along ``-direction`` does not raise the loss by more than
    a factor 1 + δ, by forward passes only: double η from ``eta_min`` until it does, then bisect
    (Kalra & Barkeshli 2024, §3: η_c estimated before warm-up)."""
    base = loss(theta)

    def rises(eta: float) -> bool:
        value = loss(theta - eta * direction)
        return not value < base * (1.0 + delta)

    eta = eta_min
    while not rises(eta) and eta < eta_max:
        eta *= 2.0
    lo, hi = eta / 2.0, eta
    for _ in range(20):
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if rises(mid) else (mid, hi)
    return lo


class SharpnessExperiment(SteppedExperiment):
    spec = SPEC

    def __init__(self, params: Mapping[str, Any], seed: int):
        super().__init__(params, seed)
        p = self.params
        rng = np.random.default_rng(self.seed)
        self.model = MLPModel(p, rng) if p["model"] == "mlp" else UVModel(p, rng)
        self.theta = self.model.init(rng)
        self._probe_rng = np.random.default_rng(rng.integers(2**63))
        self.sampler = self._sampler(p, rng)
        self.flow = None
        if p["model"] == "mlp" and p["reference"] == "central_flow":
            flow_rng = np.random.default_rng(rng.integers(2**63))
            self.flow = CentralFlow(self.model, self.theta, flow_rng)
        self.opt = OPTIMIZERS[p["optimizer"]]
        self.buf1 = np.zeros_like(self.theta)
        self.buf2 = np.zeros_like(self.theta)
        self.step = 0
        self.loss0 = self.model.loss(self.theta)
        self.loss_limit = LOSS_LIMIT_FACTOR * max(self.loss0, 1e-6)
        self.eta_c = self._critical_lr() if p["schedule"] != "constant" else None
        self._top: np.ndarray | None = None
        # steps and sharpness estimates in one numba call: per-sample kernels, the Hessian only
        self._measured_loop = (
            isinstance(self.model, MLPModel)
            and not self.model.batched
            and p["optimizer"] not in ADAM_LIKE
            and self.model.X_test is None
            and self.model.plain
            and self.sampler is None
            and self.flow is None
        )
        self._top_pre: np.ndarray | None = None
        extra = self.model.traces + (FLOW_TRACES if self.flow else ())
        self.trace = TraceTable(("step", "loss", "lr", "threshold") + extra)
        k = p["k_eigs"]
        self.eigs = TraceTable(
            (
                "sharpness_step",
                "eigenvalues",
                "precond_sharpness",
                "test_loss",
                "batch_sharpness",
                "full_loss",
                "grad_overlap",
            ),
            widths={"eigenvalues": k},
        )
        self.bifurcation = None
        if isinstance(self.model, UVModel):
            f0, lam0 = self.model.observables(self.theta)
            self.bifurcation = self.model.bifurcation(f0, lam0)
            self.lambda0 = float(lam0)
        else:
            self._measure()
            self.lambda0 = float(self.eigs.column("eigenvalues")[0, 0])
        if p["lr_mode"] == "normalized" and not self.lambda0 > 0:
            raise ParamError(
                "lr_mode",
                f"the sharpness at initialisation is {self.lambda0:.3g}, "
                "so c/λ0 is no learning rate; use lr_mode=absolute",
            )

    # -- protocol ------------------------------------------------------------------------------
    def advance(self, n: int) -> None:
        if self._measured_loop:
            self._advance_measured(n)
            return
        p = self.params
        is_mlp = isinstance(self.model, MLPModel)
        end = min(self.step + n, self.total_steps)
        while self.step < end and self.diverged is None:
            chunk = end - self.step
            if is_mlp:
                every = p["eig_every"]
                chunk = min(chunk, every - self.step % every)
            if self.flow:
                chunk = 1  # the flow's displacement needs GD's θ at every step
            lrs = self._lrs(self.step, chunk)
            rows = {name: np.full(chunk, np.nan) for name in ("loss",) + self.model.traces}
            if self.flow:
                rows.update(self._flow_row(lrs[0]))
            hyper = (p["momentum"], p["beta1"], p["beta2"], p["eps"])
            batches = {} if self.sampler is None else {"batches": self.sampler.draw(chunk)}
            taken = self.model.train(
                self.theta,
                self.opt,
                lrs,
                hyper,
                self.buf1,
                self.buf2,
                self.step,
                self.loss_limit,
                rows,
                **batches,
            )
            recorded = taken + 1 if taken < chunk and np.isfinite(rows["loss"][taken]) else taken
            self._record(lrs[:recorded], {k: v[:recorded] for k, v in rows.items()})
            self.step += taken
            if taken < chunk:
                self.diverged = self._divergence_message(rows["loss"][taken], lrs[taken])
            elif is_mlp and self.step % p["eig_every"] == 0:
                self._measure()

    def _advance_measured(self, n: int) -> None:
        """:meth:`advance` as one call of :func:`.measured_training.train_measured`: the same
        steps, warm starts and estimates as the chunked loop, bitwise."""
        p = self.params
        end = min(self.step + n, self.total_steps)
        if self.step >= end or self.diverged is not None:
            return
        every, count = p["eig_every"], end - self.step
        lrs = self._lrs(self.step, count)
        noise = self._probe_rng.standard_normal(
            (measurement_count(self.step, end, every), self.theta.size)
        )
        kicks = np.array([1e-3 * row / np.linalg.norm(row) for row in noise]).reshape(noise.shape)
        values = np.full((len(noise), p["k_eigs"]), np.nan)
        overlaps = np.full(len(noise), np.nan)
        losses = np.full(count, np.nan)
        m = self.model
        taken = train_measured(
            self.theta,
            m.X,
            m.Y,
            *m._arch,
            self.opt,
            lrs,
            p["momentum"],
            p["beta1"],
            p["beta2"],
            p["eps"],
            self.buf1,
            self.buf2,
            self.step,
            self.loss_limit,
            losses,
            every,
            kicks,
            self._top,
            values,
            overlaps,
            MAX_ITER,
            TOL,
        )
        recorded = taken + 1 if taken < count and np.isfinite(losses[taken]) else taken
        self._record(lrs[:recorded], {"loss": losses[:recorded]})
        measured = measurement_count(self.step, self.step + taken, every)
        no_value = np.full(measured, np.nan)
        self.eigs.extend(
            sharpness_step=(self.step // every + 1 + np.arange(measured)) * every,
            eigenvalues=values[:measured],
            precond_sharpness=no_value,
            test_loss=no_value,
            batch_sharpness=no_value,
            full_loss=no_value,
            grad_overlap=overlaps[:measured],
        )
        self.step += taken
        if taken < count:
            self.diverged = self._divergence_message(losses[taken], lrs[taken])

    def frame(self) -> Frame:
        t = self.trace
        out = {name: t.column(name) for name in t.columns}
        out["step"] = out["step"].astype(np.int64)
        if isinstance(self.model, UVModel):
            out["sharpness_step"] = out["step"].copy()
            out["eigenvalues"] = self.model.hessian_eigenvalues(
                out["f"], out["ntk"], self.params["k_eigs"]
            )
        else:
            out["sharpness_step"] = self.eigs.column("sharpness_step").astype(np.int64)
            out["eigenvalues"] = self.eigs.column("eigenvalues")
            if self.params["optimizer"] in ADAM_LIKE:
                out["precond_sharpness"] = self.eigs.column("precond_sharpness")
            if self.model.X_test is not None:  # held-out loss at the sharpness steps
                out["test_loss"] = self.eigs.column("test_loss")
            if self.sampler is not None:
                out["batch_sharpness"] = self.eigs.column("batch_sharpness")
                out["full_loss"] = self.eigs.column("full_loss")
            out["grad_overlap"] = self.eigs.column("grad_overlap")
        out["sharpness"] = out["eigenvalues"][:, 0].copy()
        if self.bifurcation is not None:
            out["bifurcation_lr"] = self.bifurcation[0].copy()
            out["bifurcation_sharpness"] = self.bifurcation[1].copy()
        return out

    def threads(self) -> int | None:
        """The batched BLAS kernels (large gradients) use no numba threads: one, so an idle
        OpenMP team does not compete with OpenBLAS's; the per-sample kernels run in parallel
        only when a gradient is big enough (samples × parameters ≥ 10⁵) to pay for waking a
        thread team on each of the several launches per step."""
        if (
            isinstance(self.model, MLPModel)
            and not self.model.batched
            and self.model.X.shape[0] * self.model.n_params >= PARALLEL_WORK
        ):
            return None
        return 1

    def summary(self) -> dict:
        """Scalars for the export metadata."""
        out = {
            "n_params": self.model.n_params,
            "initial_loss": float(self.loss0),
            "lambda0": self.lambda0,
        }
        if isinstance(self.model, MLPModel) and self.model.n_trained != self.model.n_params:
            out["n_trained"] = self.model.n_trained  # without the absent biases (init = he)
        if self.eta_c is not None:
            out["eta_c"] = float(self.eta_c)
        return out

    # -- internals -----------------------------------------------------------------------------
    @staticmethod
    def _sampler(p: dict, rng: np.random.Generator) -> BatchSampler | None:
        """The minibatches of an MLP run whose optimiser steps on ``batch`` < n examples (None:
        full-batch steps). Its generator is drawn after every other one, so full-batch runs
        draw what they drew before minibatches existed."""
        n = p["n_samples"]
        if p["model"] != "mlp" or p["optimizer"] in FULL_BATCH or p["batch"] in (0, n):
            return None
        return BatchSampler(
            n, p["batch"], p["batching"], np.random.default_rng(rng.integers(2**63))
        )

    @property
    def eta(self) -> float:
        """The (peak) learning rate η: lr itself, or c/λ0 with lr_mode = normalized (the
        normalised learning rate c = η·λ0 of Kalra & Barkeshli, "Phase diagram of early training
        dynamics in deep neural networks", NeurIPS 2023)."""
        p = self.params
        return p["lr"] / self.lambda0 if p["lr_mode"] == "normalized" else p["lr"]

    def _lrs(self, start: int, count: int) -> np.ndarray:
        p = self.params
        lr_start = (
            self.eta_c
            if p["warmup_from"] == "critical" and self.eta_c
            else self.eta / max(p["warmup_steps"], 1)
        )
        return lr_schedule(
            np.arange(start, start + count),
            p["schedule"],
            self.eta,
            p["steps"],
            p["warmup_steps"],
            lr_start,
        )

    def _record(self, lrs: np.ndarray, rows: dict) -> None:
        p = self.params
        factor = stability_factor(p["optimizer"], p["momentum"], p["beta1"])
        steps = np.arange(self.step, self.step + len(lrs))
        self.trace.extend(step=steps, lr=lrs, threshold=factor / lrs, **rows)

    def _critical_lr(self) -> float:
        grad = self._gradient()
        if self.params["optimizer"] in ADAM_LIKE:
            direction = grad / (np.abs(grad) + self.params["eps"])  # Adam's first step
        else:
            direction = grad
        return estimate_critical_lr(self.model.loss, self.theta, direction)

    def _gradient(self) -> np.ndarray:
        grad = np.zeros_like(self.theta)
        self.model.loss_grad(self.theta, grad)
        return grad

    def _flow_row(self, lr: float) -> dict:
        """The central flow at this step (then advanced by one step at η = ``lr``) and GD's
        displacement x = u1·(θ − w) from it (Damian et al.'s x_t)."""
        point = self.flow.step(lr, self.theta)
        return {
            "flow_loss": np.array([point.loss]),
            "flow_predicted_loss": np.array([point.predicted_loss]),
            "flow_sharpness": np.array([point.sharpness]),
            "flow_variance": np.array([point.variance]),
            "displacement": np.array([point.displacement]),
        }

    def _measure(self) -> None:
        """Top-k eigenvalues of the Hessian (and of P⁻¹H for Adam) by warm-started Lanczos."""
        k = self.params["k_eigs"]
        theta = self.theta.copy()
        ritz = self.model.top_eigenvalues(theta, self._start(self._top), k)
        self._top = ritz.top_vector
        pre = np.nan
        if self.params["optimizer"] in ADAM_LIKE and self.step > 0:
            p = self.params
            d = 1.0 / np.sqrt(
                adam_preconditioner(self.buf2, self.step, p["beta1"], p["beta2"], p["eps"])
            )
            pre_ritz = self.model.top_eigenvalues(theta, self._start(self._top_pre), 1, d)
            self._top_pre = pre_ritz.top_vector
            pre = pre_ritz.values[0]
        stochastic = {"batch_sharpness": np.nan, "full_loss": np.nan}
        if self.sampler is not None:  # the batch sharpness, and the full loss SGD never sees
            probes = self.sampler.probes(self.params["batch_probes"], self._probe_rng)
            stochastic = {
                "batch_sharpness": batch_sharpness(self.model, theta, probes),
                "full_loss": self.model.loss(theta),
            }
        grad = self._gradient()
        self.eigs.append(
            sharpness_step=self.step,
            eigenvalues=ritz.values,
            precond_sharpness=pre,
            test_loss=self.model.test_loss(theta),
            **stochastic,
            grad_overlap=gradient_overlap(grad, ritz.top_vector),
        )

    def _start(self, previous: np.ndarray | None) -> np.ndarray:
        noise = self._probe_rng.standard_normal(self.theta.size)
        if previous is None:
            return noise
        return previous + 1e-3 * noise / np.linalg.norm(noise)

    def _divergence_message(self, loss: float, lr: float) -> str:
        what = (
            "became non-finite"
            if not np.isfinite(loss)
            else f"exceeded {LOSS_LIMIT_FACTOR:.0e}× its initial value ({loss:.3g})"
        )
        return (
            f"diverged at step {self.step}: the loss {what} at η = {lr:.4g}. "
            f"Lower η, or warm it up (schedule = warmup)."
        )
