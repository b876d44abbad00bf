"""One experiment per model: how a run of the Collapse lab is split into steps and what its frames
hold; :func:`choose` picks the class for a run's ``model``.

A chain (regression, gaussian) steps through generations, so its curves grow generation after
generation. A sweep (tails, strong, verify) steps through repeats: every step adds repeats at all
points of the sweep, so the curves sharpen and their bands narrow as the run goes.
"""

from __future__ import annotations

import math
from abc import abstractmethod

import numpy as np

from . import (
    discrete_fits,
    gaussian,
    gaussian_fits,
    gaussian_theory,
    tail_chain,
    tails,
    theory,
    verify,
)
from .curves import strong_rows, tail_chain_rows
from .experiment import SWEEP_POINTS, CollapseExperiment, band, log_grid
from .regression import STRATEGIES, chain_step, sample_size_sweep, strong_sweep
from .ridge_scaling import RidgeScalingChain


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
            np.full(self.T_values.size, p["ridge"]),
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
    """Refitting a Gaussian to its own samples under each selected strategy: the log-variance
    random walk, the mean's wander and the variance itself, against their closed forms.

    The chains are drawn exactly in law where sufficient statistics allow (:mod:`.gaussian`,
    :mod:`.gaussian_fits`); only per-generation statistics over the repeats and a few single
    paths (of the first strategy) are kept, so the memory does not grow with repeats ×
    generations — except for accumulate-subsample, which keeps its pool of points.
    """

    PATHS = 8
    BLOCK = 1 << 21  # (generation, repeat) values per kernel call

    def __init__(self, params: dict, seed: int):
        super().__init__(params, seed)
        p = self.params
        R, d = p["repeats"], p["dim"]
        self.rows = list(p["gaussian_strategy"])
        self.b = 1.0 if p["variance_fit"] == "unbiased" else 0.0
        self.n_real = int(round(p["original_fraction"] * p["M"]))
        self.mean = np.zeros((len(self.rows), R, d))
        self.chol = np.repeat(np.eye(d)[None, None], R, axis=1).repeat(len(self.rows), axis=0)
        self.log_scale = np.zeros((len(self.rows), R))
        self.pool = np.empty((R, 0, d))
        start = np.zeros((1, R, 3))
        start[..., 2] = 1.0
        self.stats = [[self._stats(start, i == 0)] for i in range(len(self.rows))]

    @property
    def total_steps(self) -> int:
        return self.params["generations"]

    def _legacy(self, strategy: str) -> bool:
        """The one-dimensional unbiased replace chain of :func:`gaussian.advance` (the default)."""
        return strategy == "replace" and self.params["dim"] == 1 and self.b == 1.0

    def _stats(self, out: np.ndarray, paths: bool) -> np.ndarray:
        """Per generation (rows of ``out[k, r, :]`` = log σ², ‖μ‖², tr Σ/d): mean, std and median
        of log σ², mean and std of ‖μ − μ0‖², mean and std of σ², then the first paths' log σ²."""
        lv, sq, var = out[..., 0], out[..., 1], out[..., 2]
        lv_mean, lv_std = band(lv)
        sq_mean, sq_std = band(sq)
        var_mean, var_std = band(var)
        cols = [lv_mean, lv_std, np.median(lv, axis=1), sq_mean, sq_std, var_mean, var_std]
        return np.column_stack(cols + ([lv[:, : self.PATHS]] if paths else []))

    def step(self, n: int) -> None:
        n = min(n, self.total_steps - self.done_steps)
        R = self.params["repeats"]
        while n > 0:
            block = min(n, max(1, self.BLOCK // R))
            for i, strategy in enumerate(self.rows):
                self.stats[i].append(self._stats(self._advance(i, strategy, block), i == 0))
            self.done_steps += block
            n -= block

    def _advance(self, i: int, strategy: str, block: int) -> np.ndarray:
        """``block`` more generations of strategy ``strategy`` (row ``i``): (block, R, 3)."""
        p, R = self.params, self.params["repeats"]
        out = np.empty((block, R, 3))
        if self._legacy(strategy):
            mean, log_var = self.mean[i, :, 0], self.log_scale[i]
            means, log_vars = np.empty((block, R)), np.empty((block, R))
            gaussian.advance(
                self.seed, self.done_steps, block, p["M"], mean, log_var, means, log_vars
            )
            self.mean[i, :, 0] = mean
            out[..., 0], out[..., 1], out[..., 2] = log_vars, means**2, np.exp(log_vars)
            return out
        salt = (1 + gaussian_fits.STRATEGIES.index(strategy)) << 44
        if strategy == "accumulate-subsample":
            need = p["generations"] * p["M"]
            if self.pool.shape[1] < need:  # generations may be raised while running
                grow = np.empty((R, need - self.pool.shape[1], p["dim"]))
                self.pool = np.concatenate([self.pool, grow], axis=1)
            gaussian_fits.advance_subsample(
                self.seed, salt, self.done_steps, block, p["M"], self.b, self.pool, out
            )
            return out
        gaussian_fits.advance_exact(
            self.seed,
            salt,
            gaussian_fits.STRATEGIES.index(strategy),
            self.done_steps,
            block,
            p["M"],
            self.b,
            self.n_real,
            self.mean[i],
            self.chol[i],
            self.log_scale[i],
            out,
        )
        return out

    def frame(self) -> dict:
        p = self.params
        M, d = p["M"], p["dim"]
        st = [np.concatenate(rows) for rows in self.stats]
        n = np.arange(st[0].shape[0])
        G = n.size - 1
        unbiased = self.b == 1.0
        theory = [
            gaussian_theory.moments(s, M, G, unbiased, self.n_real if s == "mix" else 0)
            for s in self.rows
        ]
        spread = gaussian.log_variance_spread(M)
        return {
            "generation": n,
            "log_variance_paths": st[0][:, 7:].T.copy(),
            "log_variance_median": np.array([x[:, 2] for x in st]),
            "log_variance_mean": np.array([x[:, 0] for x in st]),
            "log_variance_std": np.array([x[:, 1] for x in st]),
            "theory_log_variance": np.array(
                [gaussian_theory.log_variance(s, M, d, G, unbiased) for s in self.rows]
            ),
            "theory_log_variance_std": np.array(
                [
                    np.sqrt(n * spread)
                    if self._legacy(s)
                    else gaussian_theory.log_variance_sd(s, M, d, G)
                    for s in self.rows
                ]
            ),
            "mean_sq_drift": np.array([x[:, 3] for x in st]),
            "mean_sq_drift_std": np.array([x[:, 4] for x in st]),
            "theory_mean_drift": np.array(
                [n / M if self._legacy(s) else d * u for s, (_, u) in zip(self.rows, theory)]
            ),
            "variance_mean": np.array([x[:, 5] for x in st]),
            "variance_std": np.array([x[:, 6] for x in st]),
            "theory_variance": np.array([v for v, _ in theory]),
        }

    def summary(self) -> dict:
        M, R = self.params["M"], self.params["repeats"]
        out = {
            "log_variance_drift_per_generation": gaussian.log_variance_drift(M),
            "repeats_reach_generation": gaussian.repeats_reach(M, R),
            "repeats": R,
        }
        if "accumulate" in self.rows and self.b == 0.0:
            out["accumulate_variance_limit"] = gaussian_theory.accumulate_limit(M)
        return out


class DiscreteChain(CollapseExperiment):
    """Refitting a discrete distribution to its own samples (:mod:`.discrete_fits`): diversity,
    entropy, lost outcomes and the distance from the truth per strategy, per generation."""

    BLOCK = 1 << 20  # (generation, repeat) values per kernel call

    def __init__(self, params: dict, seed: int):
        super().__init__(params, seed)
        p = self.params
        self.rows = list(p["discrete_strategy"])
        K = p["outcomes"]
        self.pools = [np.empty((p["repeats"], 0), dtype=np.int32) for _ in self.rows]
        start = np.array([[[1.0 - 1.0 / K, math.log(K), 0.0, 0.0]]])
        self.stats = [[self._stats(start)] for _ in self.rows]

    @property
    def total_steps(self) -> int:
        return self.params["generations"]

    @staticmethod
    def _stats(out: np.ndarray) -> np.ndarray:
        """Per generation: mean and std over repeats of H, entropy, zero fraction, ‖q − q0‖²."""
        bands = [band(out[..., c]) for c in range(out.shape[-1])]
        return np.column_stack([x for pair in bands for x in pair])

    def step(self, n: int) -> None:
        n = min(n, self.total_steps - self.done_steps)
        p, R = self.params, self.params["repeats"]
        need = p["generations"] * p["M"]
        while n > 0:
            block = min(n, max(1, self.BLOCK // R))
            for i, strategy in enumerate(self.rows):
                if self.pools[i].shape[1] < need:  # generations may be raised while running
                    grow = np.empty((R, need - self.pools[i].shape[1]), dtype=np.int32)
                    self.pools[i] = np.concatenate([self.pools[i], grow], axis=1)
                out = np.empty((block, R, 4))
                salt = (1 + discrete_fits.STRATEGIES.index(strategy)) << 44
                discrete_fits.advance(
                    self.seed,
                    salt,
                    discrete_fits.STRATEGIES.index(strategy),
                    self.done_steps,
                    block,
                    p["M"],
                    p["outcomes"],
                    self.pools[i],
                    out,
                )
                self.stats[i].append(self._stats(out))
            self.done_steps += block
            n -= block

    def frame(self) -> dict:
        p = self.params
        st = [np.concatenate(rows) for rows in self.stats]
        n = np.arange(st[0].shape[0])
        h0 = 1.0 - 1.0 / p["outcomes"]
        theory = [gaussian_theory.moments(s, p["M"], n.size - 1, unbiased=False) for s in self.rows]
        column = lambda c: np.array([x[:, c] for x in st])  # noqa: E731
        return {
            "generation": n,
            "diversity_mean": column(0) / h0,
            "diversity_std": column(1) / h0,
            "theory_diversity": np.array([v for v, _ in theory]),
            "entropy_mean": column(2),
            "entropy_std": column(3),
            "zero_fraction_mean": column(4),
            "zero_fraction_std": column(5),
            "distance_mean": column(6),
            "distance_std": column(7),
            "theory_distance": np.array([h0 * u for _, u in theory]),
        }

    def summary(self) -> dict:
        return {
            "repeats": self.params["repeats"],
            "accumulate_diversity_limit": (gaussian_theory.accumulate_limit(self.params["M"])),
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


class TailChainSweep(Sweep):
    """Hutter's model over generations of memorisers (:mod:`.tail_chain`): the test error of a
    model trained on T draws of each generation, and the tail mass each generation has lost."""

    def sweep_values(self) -> np.ndarray:
        return np.array(self.params["T_values"], dtype=np.int64)

    @property
    def rows(self):
        return tail_chain_rows(self.params)

    def __init__(self, params: dict, seed: int):
        super().__init__(params, seed)
        p = self.params
        self.p_items = tails.zipf(p["zipf_exponent"])
        q_bar, self.survive = tail_chain.expected_chain(
            self.p_items, p["tail_T0"], p["tail_generations"], p["temperature"], p["top_p"]
        )
        self.theory = tail_chain.expected_error(self.p_items, q_bar, self.survive, self.x)
        self.paper, self.plateau_law = self._laws()
        self.rank = log_grid(1, tails.N_ITEMS, 200)
        self.q_at_rank = (q_bar * self.survive)[:, self.rank - 1]
        self.lost = np.empty((len(self.rows), 0))

    def _laws(self) -> tuple[np.ndarray, np.ndarray]:
        """The paper's law C_β(T^−c + g·T0^−c) and our plateau C_β·S_g·T0^−c, for plain sampling
        (τ = 1, top-p = 1: the set-up they are stated for; NaN otherwise)."""
        p, n = self.params, self.params["tail_generations"]
        beta, T0 = p["zipf_exponent"], p["tail_T0"]
        if p["temperature"] != 1.0 or p["top_p"] < 1.0:
            return np.full((n + 1, self.x.size), np.nan), np.full(n + 1, np.nan)
        return (
            tail_chain.paper_law(beta, T0, n, self.x, tails.N_ITEMS),
            tail_chain.plateau_law(beta, T0, n, tails.N_ITEMS),
        )

    def run(self, first: int, count: int) -> np.ndarray:
        p = self.params
        out = np.empty((len(self.rows), self.x.size, count))
        lost = np.empty((len(self.rows), count))
        tail_chain.simulate(
            self.seed,
            first,
            self.p_items,
            p["tail_T0"],
            p["tail_generations"],
            p["temperature"],
            p["top_p"],
            self.x,
            out,
            lost,
        )
        self.lost = np.concatenate([self.lost, lost], axis=1)
        return out

    def frame(self) -> dict:
        mean, std = band(self.samples)
        lost_mean, lost_std = band(self.lost)
        return {
            "T_values": self.x,
            "error_mean": mean,
            "error_std": std,
            "theory": self.theory,
            "plateau_mean": lost_mean,
            "plateau_std": lost_std,
            "theory_plateau": np.maximum(1.0 - self.survive @ self.p_items, 0.0),
            "paper_law": self.paper,
            "plateau_law": self.plateau_law,
            "cutoff_rank": tail_chain.cutoff_rank(self.survive),
            "rank": self.rank,
            "generator_probability": self.q_at_rank,
        }

    def summary(self) -> dict:
        beta, tau = self.params["zipf_exponent"], self.params["temperature"]
        n = self.params["tail_generations"]
        return {
            **super().summary(),
            "clean_exponent": 1.0 - 1.0 / beta,
            "one_generation_cutoff_T0_power": self.params["tail_T0"] ** (1.0 / beta),
            "narrowed_exponent_after_n": (beta - 1.0) * tau**n / beta,
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
    "tails-chain": TailChainSweep,
    "discrete": DiscreteChain,
    "ridge-scaling": RidgeScalingChain,
}


def choose(params: dict) -> type[CollapseExperiment]:
    """The experiment class of a run's ``model`` (the lab's :attr:`Lab.choose` hook)."""
    return MODELS[params["model"]]
