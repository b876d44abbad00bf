"""KernelsExperiment: a wide network trains in the mean-field parameterisation while its kernels
are measured, beside the infinite-width (DMFT) theory of the same run.

Bordelon & Pehlevan, "Self-Consistent Dynamical Field Theory of Kernel Evolution in Wide Neural
Networks" (NeurIPS 2022): at richness γ0 → 0 the kernels stay at their initial values (lazy / NTK
regime); at γ0 ~ 1 they move by O(1) and align with the task (yyᵀ); at finite width N they
fluctuate around the DMFT curve with error ∝ N^{-1/2}. See ``docs/physics/kernels.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from physlab.core.experiment import Frame, SteppedExperiment
from physlab.core.traces import TraceTable

from .data import make_dataset
from .network import Network
from .params import SPEC
from .theory import alignment, make_theory

LOSS_LIMIT = 1e6  # a loss this many times its initial value counts as diverged
PARALLEL_WORK = 200_000  # width × samples above which the activation kernels use all threads


class KernelsExperiment(SteppedExperiment):
    spec = SPEC

    def __init__(self, params: Mapping[str, Any], seed: int):
        super().__init__(params, seed)
        p = self.params
        rng = np.random.default_rng(self.seed)
        _, self.Kx, self.y = make_dataset(p["n_samples"], p["input_dim"], p["task"], rng)
        self.net = Network(
            self.Kx,
            self.y,
            p["depth"],
            p["width"],
            p["activation"],
            p["gamma0"],
            p["lr"],
            np.random.default_rng(rng.integers(2**63)),
        )
        self.theory, self.horizon, self.theory_note = make_theory(
            p, self.Kx, self.y, np.random.default_rng(rng.integers(2**63))
        )
        self.snap_steps = np.unique(
            np.linspace(0, p["steps"], p["snapshots"]).round().astype(np.int64)
        )
        self.trace = TraceTable(("step", "loss", "alignment", "theory_loss", "theory_alignment"))
        self.snaps: dict[str, list] = {
            k: [] for k in ("ntk", "phi", "g", "theory_ntk", "theory_phi", "theory_g", "step")
        }
        self.step = 0
        self.loss0 = self.net.loss()
        self._record()

    def advance(self, n: int) -> None:
        end = min(self.step + n, self.total_steps)
        while self.step < end and self.diverged is None:
            self.net.step()
            if self.theory is not None and self.step < self.horizon:
                self.theory.step()
            self.step += 1
            loss = self.net.loss()
            if not np.isfinite(loss) or loss > LOSS_LIMIT * max(self.loss0, 1e-12):
                self.diverged = (
                    f"the training loss reached {loss:.3g} at step {self.step}: "
                    f"the learning rate η = {self.params['lr']:g} is too large for "
                    f"this kernel (stability needs η·λ_max(K)/P < 2); lower lr or γ0."
                )
                return
            self._record()

    def _record(self) -> None:
        ntk, phis, gs = self.net.kernels()
        row = {
            "step": self.step,
            "loss": self.net.loss(),
            "alignment": alignment(ntk, self.y),
            "theory_loss": np.nan,
            "theory_alignment": np.nan,
        }
        has_theory = self.theory is not None and self.step <= self.horizon
        if has_theory:
            t_ntk, t_phis, t_gs = self.theory.kernels
            row["theory_loss"] = 0.5 * float(np.mean(self.theory.delta**2))
            row["theory_alignment"] = alignment(t_ntk, self.y)
        self.trace.append(**row)
        if self.step in self.snap_steps:
            s = self.snaps
            s["step"].append(self.step)
            s["ntk"].append(ntk)
            s["phi"].append(np.stack(phis))
            s["g"].append(np.stack(gs))
            if has_theory:
                s["theory_ntk"].append(t_ntk)
                s["theory_phi"].append(np.stack(t_phis))
                s["theory_g"].append(np.stack(t_gs))

    def frame(self) -> Frame:
        t = self.trace
        out = {name: t.column(name) for name in t.columns}
        out["step"] = out["step"].astype(np.int64)
        s = self.snaps
        P, L = len(self.y), self.params["depth"]
        out["ntk_step"] = np.array(s["step"], dtype=np.int64)
        out["ntk"] = np.array(s["ntk"]).reshape(-1, P, P)
        # per layer: (layers, snapshots, P, P)
        out["phi"] = np.array(s["phi"]).reshape(-1, L, P, P).transpose(1, 0, 2, 3).copy()
        out["g_kernel"] = np.array(s["g"]).reshape(-1, L, P, P).transpose(1, 0, 2, 3).copy()
        if self.theory is not None:
            out["theory_step"] = out["ntk_step"][: len(s["theory_ntk"])].copy()
            out["theory_ntk"] = np.array(s["theory_ntk"]).reshape(-1, P, P)
            out["theory_phi"] = (
                np.array(s["theory_phi"]).reshape(-1, L, P, P).transpose(1, 0, 2, 3).copy()
            )
            out["theory_g"] = (
                np.array(s["theory_g"]).reshape(-1, L, P, P).transpose(1, 0, 2, 3).copy()
            )
        out["y"] = self.y.copy()
        out["input_kernel"] = self.Kx.copy()
        return out

    def summary(self) -> dict:
        out = {
            "initial_loss": float(self.loss0),
            "theory": self.theory.label if self.theory else "none",
            "theory_horizon": int(self.horizon),
        }
        if self.theory_note:
            out["theory_note"] = self.theory_note
        return out

    def threads(self) -> int | None:
        """All threads only when the activation kernels are large enough to pay for waking them."""
        p = self.params
        work = max(p["width"], p["particles"] if self.theory is not None else 0) * p["n_samples"]
        return None if work >= PARALLEL_WORK else 1
