"""One experiment per model: how a run of the Collapse lab is split into steps and what its frames
hold; :func:`choose` picks the class for a run's ``model``.

A chain (regression, gaussian) steps through generations, so its curves grow generation after
generation. A sweep (tails, strong, verify) steps through repeats: every step adds repeats at all
points of the sweep, so the curves sharpen and their bands narrow as the run goes.
"""

from __future__ import annotations

from abc import abstractmethod

import numpy as np

from . import gaussian, tails, theory, verify
from .curves import strong_rows
from .experiment import CollapseExperiment
from .regression import STRATEGIES, chain_step, sample_size_sweep, strong_sweep

SWEEP_POINTS = 16


def log_grid(lo: float, hi: float, n: int = SWEEP_POINTS) -> np.ndarray:
    return np.unique(np.geomspace(lo, hi, n).round().astype(np.int64))


def band(samples: np.ndarray, axis: int = -1) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation over repeats (NaN where no repeat is done yet)."""
    count = samples.shape[axis]
    if count == 0:
        shape = samples.shape[: axis % samples.ndim]
        return np.full(shape, np.nan), np.full(shape, np.nan)
    std = samples.std(axis=axis, ddof=1) if count > 1 else np.zeros(samples.shape[:-1])
    return samples.mean(axis=axis), std


class RegressionChain(CollapseExperiment):
    """Test error vs generation for each selected strategy, and the scaling-law view (error vs
    downstream sample size) clean and after the last generation."""

    def __init__(self, params: dict, seed: int):
        super().__init__(params, seed)
        p = self.params
        d, R = p["d"], p["repeats"]
        self.lam = (
            np.ones(d)
            if p["covariance"] == "isotropic"
            else np.arange(1, d + 1, dtype=float) ** -p["cov_exponent"]
        )
        self.scale = np.sqrt(self.lam)
        self.w0 = self.rng.standard_normal((R, d)) / np.sqrt(d)  # ‖w0‖² ≈ 1
        self.active = np.array([s in p["strategy"] for s in STRATEGIES])
        self.W = np.repeat(self.w0[None], 3, axis=0)
        self.P = np.zeros((R, d, d) if self.active[1] else (1, 1, 1))  # pooled Gram matrices
        self.fixed = p["design"] == "fixed"
        self.Cf = np.zeros((R, d, d) if self.fixed else (1, 1, 1))  # the fixed design's factor
        self.errors: list[np.ndarray] = []
        self.chain_theory = [np.zeros(3)]  # e_k per strategy
        self.T_values = log_grid(1.5 * d if p["ridge"] == 0 else max(d / 4, 2), 1000 * d)
        self.sweep = np.full((4, self.T_values.size, R), np.nan)
        # T, σ and λ are fixed for a run: the theory's T-dependent terms are computed once
        self.chain_terms = theory.downstream_terms(self.lam, p["T"], p["sigma"], p["ridge"])
        self.sweep_terms = theory.downstream_terms(self.lam, self.T_values, p["sigma"], p["ridge"])
        self._sweep(rows=[0], W=self.w0[None])

    @property
    def total_steps(self) -> int:
        return self.params["generations"] + 1

    def _n_real(self) -> int:
        return int(round(self.params["real_fraction"] * self.params["T0"]))

    def step(self, n: int) -> None:
        p = self.params
        for _ in range(min(n, self.total_steps - self.done_steps)):
            gen = self.done_steps
            errors = np.empty((3, p["repeats"]))
            n_real = self._n_real()
            chain_step(
                gen,
                self.seed,
                self.active,
                self.w0,
                self.scale,
                p["T0"],
                p["sigma0"],
                n_real,
                p["T"],
                p["sigma"],
                p["ridge"],
                self.W,
                self.P,
                errors,
                self.fixed,
                self.Cf,
                p["measure"] == "chain",
            )
            self.errors.append(errors)
            if gen > 0:
                self.chain_theory.append(self._theory_step(gen, self.chain_theory[-1], n_real))
            self.done_steps += 1
        if self.done_steps == self.total_steps:
            active = np.flatnonzero(self.active)
            self._sweep(rows=list(active + 1), W=self.W[active])

    def _theory_step(self, gen: int, previous: np.ndarray, n_real: int) -> np.ndarray:
        p = self.params
        fixed = p["design"] == "fixed"
        return np.array(
            [
                theory.chain_increment(
                    s, gen, p["d"], p["T0"], p["sigma0"], n_real, previous[i], fixed
                )
                for i, s in enumerate(STRATEGIES)
            ]
        )

    def _sweep(self, rows: list[int], W: np.ndarray) -> None:
        p = self.params
        errors = np.empty((len(rows), self.T_values.size, p["repeats"]))
        sample_size_sweep(
            self.seed,
            (1 << 20) + rows[0] * SWEEP_POINTS,
            W,
            self.w0,
            self.scale,
            self.T_values,
            p["sigma"],
            p["ridge"],
            errors,
        )
        self.sweep[rows] = errors

    def _final_chain_error(self) -> np.ndarray:
        """e_n at the planned last generation, continuing the theory with today's parameters."""
        e = self.chain_theory[-1]
        for gen in range(len(self.chain_theory), self.total_steps):
            e = self._theory_step(gen, e, self._n_real())
        return e

    def _chain_bias(self, n: np.ndarray) -> np.ndarray:
        """b_n per strategy (rows) at generations n: non-zero for minimum-norm generators only."""
        p = self.params
        return np.array(
            [theory.chain_bias(s, n, p["d"], p["T0"], p["design"] == "fixed") for s in STRATEGIES]
        )

    def frame(self) -> dict:
        errors = np.array(self.errors).transpose(1, 0, 2) if self.errors else np.zeros((3, 0, 1))
        mean, std = band(errors)
        chain = np.array(self.chain_theory[: len(self.errors)]).T.reshape(3, -1)
        bias = self._chain_bias(np.arange(chain.shape[1]))
        clean, factor, cross = self.chain_terms
        down = chain if self.params["measure"] == "chain" else clean + factor * chain + cross * bias
        clean, factor, cross = self.sweep_terms
        last = self._chain_bias(np.array([self.total_steps - 1]))[:, 0]
        sweep_theory = (
            clean
            + factor * np.array([0.0, *self._final_chain_error()])[:, None]
            + cross * np.array([0.0, *last])[:, None]
        )
        sweep_mean, sweep_std = band(self.sweep)
        keep = np.flatnonzero(self.active)
        rows = [0, *(keep + 1)]
        return {
            "generation": np.arange(len(self.errors)),
            "error_mean": mean[keep],
            "error_std": std[keep],
            "theory": down[keep],
            "T_values": self.T_values,
            "sweep_error_mean": sweep_mean[rows],
            "sweep_error_std": sweep_std[rows],
            "sweep_theory": sweep_theory[rows],
        }

    def summary(self) -> dict:
        p = self.params
        out = {"repeats": p["repeats"]}
        if p["T0"] < p["d"]:  # minimum-norm generators: the share of the signal each fit keeps
            out["retained_fraction"] = theory.retained(p["d"], p["T0"])
        if self.active[2]:  # mix: the exact finite-d contraction and its large-d limit
            m = p["T0"] - self._n_real()
            out["mix_contraction"] = theory.mix_contraction(p["d"], p["T0"], m)
            out["mix_contraction_proportional_limit"] = theory.mix_contraction_limit(
                p["d"], p["T0"], m
            )
        return out

    def finite(self) -> bool:
        return not self.errors or bool(np.all(np.isfinite(self.errors[-1][self.active])))


class GaussianChain(CollapseExperiment):
    """Refitting a Gaussian to its own samples: log-variance random walk and the mean's wander.

    The chain is drawn exactly in law (:mod:`.gaussian`); only per-generation statistics over the
    repeats and a few single paths are kept, so the memory does not grow with repeats × generations.
    """

    PATHS = 8
    BLOCK = 1 << 21  # (generation, repeat) values per kernel call

    def __init__(self, params: dict, seed: int):
        super().__init__(params, seed)
        R = self.params["repeats"]
        self.mean = np.zeros(R)
        self.log_var = np.zeros(R)
        self.stats: list[np.ndarray] = [self._stats(self.mean[None], self.log_var[None])]

    @property
    def total_steps(self) -> int:
        return self.params["generations"]

    def _stats(self, means: np.ndarray, log_vars: np.ndarray) -> np.ndarray:
        """Per generation (rows): mean, std and median of log σ², mean and std of (μ − μ0)², and
        the first paths' log σ²."""
        lv_mean, lv_std = band(log_vars)
        sq_mean, sq_std = band(means**2)
        return np.column_stack(
            [
                lv_mean,
                lv_std,
                np.median(log_vars, axis=1),
                sq_mean,
                sq_std,
                log_vars[:, : self.PATHS],
            ]
        )

    def step(self, n: int) -> None:
        n = min(n, self.total_steps - self.done_steps)
        R = self.params["repeats"]
        while n > 0:
            block = min(n, max(1, self.BLOCK // R))
            means, log_vars = np.empty((block, R)), np.empty((block, R))
            gaussian.advance(
                self.seed,
                self.done_steps,
                block,
                self.params["M"],
                self.mean,
                self.log_var,
                means,
                log_vars,
            )
            self.stats.append(self._stats(means, log_vars))
            self.done_steps += block
            n -= block

    def frame(self) -> dict:
        M = self.params["M"]
        st = np.concatenate(self.stats)
        n = np.arange(st.shape[0])
        drift, spread = gaussian.log_variance_drift(M), gaussian.log_variance_spread(M)
        return {
            "generation": n,
            "log_variance_paths": st[:, 5:].T.copy(),
            "log_variance_median": st[:, 2],
            "log_variance_mean": st[:, 0],
            "log_variance_std": st[:, 1],
            "theory_log_variance": n * drift,
            "theory_log_variance_std": np.sqrt(n * spread),
            "mean_sq_drift": st[:, 3],
            "mean_sq_drift_std": st[:, 4],
            "theory_mean_drift": n / M,
        }

    def summary(self) -> dict:
        M, R = self.params["M"], self.params["repeats"]
        return {
            "log_variance_drift_per_generation": gaussian.log_variance_drift(M),
            "repeats_reach_generation": gaussian.repeats_reach(M, R),
            "repeats": R,
        }


class Sweep(CollapseExperiment):
    """A sweep over x whose repeats arrive in steps; subclasses compute a batch of repeats."""

    rows: tuple[str, ...] = ()

    def __init__(self, params: dict, seed: int):
        super().__init__(params, seed)
        self.x = self.sweep_values()
        self.samples = np.empty((len(self.rows), self.x.size, 0))

    @property
    def total_steps(self) -> int:
        return self.params["repeats"]

    def step(self, n: int) -> None:
        n = min(n, self.total_steps - self.done_steps)
        if n > 0:
            self.samples = np.concatenate([self.samples, self.run(self.done_steps, n)], axis=2)
            self.done_steps += n

    @abstractmethod
    def sweep_values(self) -> np.ndarray:
        """The points x of the sweep."""

    @abstractmethod
    def run(self, first: int, count: int) -> np.ndarray:
        """Results of repeats first…first+count−1, shape (rows, len(x), count)."""

    def finite(self) -> bool:
        return bool(np.all(np.isfinite(self.samples)))

    def summary(self) -> dict:
        return {"repeats": self.done_steps}


class TailsSweep(Sweep):
    rows = tails.CURVES

    def sweep_values(self) -> np.ndarray:
        return np.array(self.params["T_values"], dtype=np.int64)

    def __init__(self, params: dict, seed: int):
        super().__init__(params, seed)
        p = self.params
        q = tails.generators(p["zipf_exponent"], p["cutoff"], p["narrowed_exponent"])
        self.p_items = q[tails.CLEAN]
        tables = [tails.alias_table(q[c]) for c in (tails.CLEAN, tails.CUT, tails.NARROW)]
        self.prob = np.stack([t[0] for t in tables])
        self.alias = np.stack([t[1] for t in tables])
        pi = p["clean_fraction"]
        mixed = pi * q[tails.CLEAN] + (1.0 - pi) * q[tails.CUT]
        qs = (q[tails.CLEAN], q[tails.CUT], q[tails.NARROW], mixed)
        self.theory = np.array(
            [tails.expected_error(self.p_items, qc, self.x.astype(float)) for qc in qs]
        )
        self.rank = log_grid(1, tails.N_ITEMS, 200)
        self.q_at_rank = np.array([qc[self.rank - 1] for qc in qs])

    def run(self, first: int, count: int) -> np.ndarray:
        out = np.empty((len(self.rows), self.x.size, count))
        tails.simulate(
            self.seed,
            first,
            self.p_items,
            self.prob,
            self.alias,
            tails.CUT,
            self.params["clean_fraction"],
            self.x,
            out,
        )
        return out

    def frame(self) -> dict:
        mean, std = band(self.samples)
        return {
            "T_values": self.x,
            "error_mean": mean,
            "error_std": std,
            "theory": self.theory,
            "plateau": np.array([self.p_items[self.params["cutoff"] :].sum()]),
            "rank": self.rank,
            "generator_probability": self.q_at_rank,
        }

    def summary(self) -> dict:
        beta = self.params["zipf_exponent"]
        return {
            **super().summary(),
            "clean_exponent": 1.0 - 1.0 / beta,
            "narrowed_exponent_theory": (beta - 1.0) / self.params["narrowed_exponent"],
            "tail_mass_plateau": float(self.p_items[self.params["cutoff"] :].sum()),
        }


class StrongSweep(Sweep):
    @property
    def rows(self):
        return strong_rows(self.params)

    def sweep_values(self) -> np.ndarray:
        d = self.params["d"]
        return log_grid(max(2 * d, d + 3), 1000 * d)

    def __init__(self, params: dict, seed: int):
        super().__init__(params, seed)
        p, d = self.params, self.params["d"]
        self.theory = np.array(
            [
                theory.strong_error(self.x, d, p["sigma"], p["shift"], q)
                for q in (p["synthetic_fraction"], 0.0)
            ]
        )

    def run(self, first: int, count: int) -> np.ndarray:
        d = self.params["d"]
        draws = [
            np.random.default_rng([self.seed, r]).standard_normal((2, d))
            for r in range(first, first + count)
        ]  # per repeat: independent of batching
        w1 = np.array([w[0] for w in draws]) / np.sqrt(d)
        shift = np.array([w[1] for w in draws])
        shift *= self.params["shift"] / np.linalg.norm(shift, axis=1, keepdims=True)
        out = np.empty((2, self.x.size, count))
        strong_sweep(
            self.seed,
            first,
            w1,
            shift,
            self.x,
            self.params["synthetic_fraction"],
            self.params["sigma"],
            out,
        )
        return out

    def frame(self) -> dict:
        mean, std = band(self.samples)
        floor = (self.params["synthetic_fraction"] * self.params["shift"]) ** 2
        return {
            "T_values": self.x,
            "error_mean": mean,
            "error_std": std,
            "theory": self.theory,
            "floor": np.array([floor]),
        }

    def summary(self) -> dict:
        return {
            **super().summary(),
            "floor_p2sq_c2": (self.params["synthetic_fraction"] * self.params["shift"]) ** 2,
        }


class VerifySweep(Sweep):
    rows = verify.CURVES

    def sweep_values(self) -> np.ndarray:
        return verify.flip_grid()

    def __init__(self, params: dict, seed: int):
        super().__init__(params, seed)
        p = self.params
        self.keeps = ((p["keep_correct"], p["keep_wrong"]), (1.0, 1.0))
        self.theory = np.array(
            [verify.theory_accuracy(self.x, p["T"], p["d"], p["mu_norm"], *k) for k in self.keeps]
        )

    def run(self, first: int, count: int) -> np.ndarray:
        p = self.params
        out = np.empty((len(self.rows), self.x.size, count))
        for i in range(count):  # one generator per repeat: independent of batching
            rng = np.random.default_rng([self.seed, first + i])
            for row, keep in enumerate(self.keeps):
                out[row, :, i] = verify.simulate(
                    rng, self.x, p["T"], p["d"], p["mu_norm"], *keep, 1
                )[0]
        return out

    def frame(self) -> dict:
        mean, std = band(self.samples)
        p = self.params
        return {
            "flip_values": self.x,
            "accuracy_mean": mean,
            "accuracy_std": std,
            "theory": self.theory,
            "critical_flip": np.array([verify.critical_flip(*k) for k in self.keeps]),
            "kept_noise": np.array([verify.kept_noise(self.x, *k) for k in self.keeps]),
            "bayes_accuracy": verify.normal_cdf(np.array([p["mu_norm"], -p["mu_norm"]])),
        }

    def summary(self) -> dict:
        p_star = verify.critical_flip(*self.keeps[0])
        out = {**super().summary(), "critical_flip": p_star}
        if self.done_steps:
            mean = self.samples[0].mean(axis=1)
            out["accuracy_at_flip"] = float(np.interp(self.params["flip"], self.x, mean))
        return out


MODELS = {
    "regression": RegressionChain,
    "gaussian": GaussianChain,
    "tails": TailsSweep,
    "strong": StrongSweep,
    "verify": VerifySweep,
}


def choose(params: dict) -> type[CollapseExperiment]:
    """The experiment class of a run's ``model`` (the lab's :attr:`Lab.choose` hook)."""
    return MODELS[params["model"]]
