"""The scaling-law crossover of Dohmatob, Feng & Kempe ("Model Collapse Demystified: The Case of
Regression", NeurIPS 2024, §5 and Fig. 1b): a ridge fit, tuned to its sample size T, on labels
from n generations of OLS generators, with a power-law spectrum and a source condition on w0
(the physics and both theories are in :mod:`.ridge_scaling_theory`).

A run first steps through the generations (replace, fresh design: the kernels of
:mod:`.regression`), keeping the generator at n = 0, 1, 2, 4, … and the last one, then through
the sample sizes T of the scaling law: each step measures every kept generation at one more T
with one shared design and noise (common random numbers, so the curves differ by the
generations only).
"""

from __future__ import annotations

import numpy as np

from . import ridge_scaling_theory as rst
from .experiment import CollapseExperiment, band, log_grid
from .regression import chain_step, sample_size_sweep

T_POINTS = 21
T_MIN = 10


def shown_generations(generations: int) -> np.ndarray:
    """n = 0, 1, 2, 4, 8, … up to ``generations``, and ``generations`` itself."""
    powers = [2**k for k in range(int(np.log2(generations)) + 1)]
    return np.unique([0, *powers, generations]).astype(np.int64)


def sample_sizes(d: int) -> np.ndarray:
    """The T grid of the scaling law: T_MIN … 10⁴·d, log-spaced."""
    return log_grid(T_MIN, 1e4 * d, T_POINTS)


class RidgeScalingChain(CollapseExperiment):
    """Test error vs downstream sample size T for several generations n, with the ridge tuned as
    T^−ℓ_crit (or fixed), against the deterministic equivalent and the paper's rates; the slopes
    on both sides of the crossover against the paper's exponents. ``generations`` is read when
    the run starts."""

    def __init__(self, params: dict, seed: int):
        super().__init__(params, seed)
        p = self.params
        d, R = p["d"], p["repeats"]
        self.G = p["generations"]
        self.n_values = shown_generations(self.G)
        self.lam = rst.spectrum(d, p["beta"])
        self.scale = np.sqrt(self.lam)
        self.w0 = self.rng.standard_normal((R, d)) * np.sqrt(
            rst.source_signal(d, p["beta"], p["source_exponent"])
        )
        self.W = np.repeat(self.w0[None], 3, axis=0)  # chain_step's layout: replace is row 0
        self.kept = np.empty((self.n_values.size, R, d))
        self.kept[0] = self.w0
        self.T_values = sample_sizes(d)
        self.ridges = rst.ridge_values(self.T_values, p)
        self.errors = np.full((self.n_values.size, self.T_values.size, R), np.nan)
        self.theory = rst.deterministic_error(self.T_values, self.n_values, p)
        self.rates = rst.paper_rates(self.T_values, self.n_values, p)
        clean, through = rst.deterministic_terms(self.T_values, p)
        self.T_star = np.array(
            [rst.crossover(self.T_values, clean, n * through) for n in self.n_values]
        )
        self.theory_exponents = self.exponents(self.theory)
        ell = rst.ridge_exponent(p)
        self.paper_exponents = rst.paper_exponents(p["beta"], p["source_exponent"], ell)

    @property
    def total_steps(self) -> int:
        return self.G + self.T_values.size

    def step(self, n: int) -> None:
        for _ in range(min(n, self.total_steps - self.done_steps)):
            if self.done_steps < self.G:
                self._generation(self.done_steps + 1)
            else:
                self._measure(self.done_steps - self.G)
            self.done_steps += 1

    def _generation(self, gen: int) -> None:
        """One more OLS generator on T0 fresh samples labelled by the previous one (replace)."""
        p = self.params
        R = p["repeats"]
        chain_step(
            gen,
            self.seed,
            np.array([True, False, False]),
            self.w0,
            self.scale,
            p["T0"],
            p["sigma0"],
            0,
            p["T0"],
            p["sigma"],
            0.0,
            self.W,
            np.zeros((1, 1, 1)),
            np.empty((3, R)),
            False,
            np.zeros((1, 1, 1)),
            True,  # measure the generator only: the scaling law is measured afterwards
        )
        hit = np.flatnonzero(self.n_values == gen)
        if hit.size:
            self.kept[hit[0]] = self.W[0]

    def _measure(self, j: int) -> None:
        """Every kept generator's downstream ridge fit at the j-th sample size."""
        p = self.params
        out = np.empty((self.n_values.size, 1, p["repeats"]))
        sample_size_sweep(
            self.seed,
            (1 << 20) + j,
            self.kept,
            self.w0,
            self.scale,
            self.T_values[j : j + 1],
            p["sigma"],
            self.ridges[j : j + 1],
            out,
        )
        self.errors[:, j] = out[:, 0]

    def exponents(self, curves: np.ndarray) -> np.ndarray:
        """(rows, 2): the slope of log E vs log T before (T ≤ T*/10) and after (T ≥ 10·T*) each
        generation's crossover T*; NaN where a side has fewer than three points."""
        out = np.full((self.n_values.size, 2), np.nan)
        for i, T_star in enumerate(self.T_star):
            for k, mask in enumerate(rst.windows(self.T_values, T_star)):
                out[i, k] = rst.slope(self.T_values, curves[i], mask)
        return out

    def frame(self) -> dict:
        mean, std = band(self.errors)
        return {
            "n_values": self.n_values,
            "T_values": self.T_values,
            "ridge_values": self.ridges,
            "error_mean": mean,
            "error_std": std,
            "theory": self.theory,
            "rate_theory": self.rates,
            "crossover_T": self.T_star,
            "exponent_measured": self.exponents(mean),
            "exponent_theory": self.theory_exponents,
            "exponent_paper": np.array(self.paper_exponents),
        }

    def summary(self) -> dict:
        before, after = self.paper_exponents
        return {
            "repeats": self.params["repeats"],
            "ridge_exponent": rst.ridge_exponent(self.params),
            "paper_exponent_before": before,
            "paper_exponent_after": after,
        }

    def finite(self) -> bool:
        done = self.errors[:, : max(self.done_steps - self.G, 0)]
        return bool(np.all(np.isfinite(done)))
