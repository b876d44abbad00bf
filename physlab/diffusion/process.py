"""The reverse diffusion process of GUD in a chosen basis, prior and schedule (Gerdes, Welling &
Cheng 2024): the state z (samples × components) in diffusion coordinates z = C⁻¹U(φ − μ), where the
rows of U are the basis, μ the data mean (0 for the ELS machine, which works on raw images) and
C = diag(c) with c = 1 (white prior) or the
components' standard deviations (data prior: diffusion on whitened components). It starts from the
prior N(0, I) at t = 1 and steps to t = 0 with the exact per-component reverse kernel.

Conditioning (GUD's soft conditioning, §3.3 of the paper): observed components of a held-out image
keep a log-SNR of :data:`OBSERVED_GAMMA` at every time, so the reverse kernel leaves them exactly
where they start (the observation) and the exact Gaussian denoiser draws the others from the
conditional law given them — super-resolution from coarse Fourier modes, inpainting in pixels."""

from __future__ import annotations

import numpy as np
from numba import njit

from physlab.core.numba_setup import JIT

from .bases import make_basis
from .cnn import ConvDenoiser
from .data import Dataset
from .denoisers import GaussianDenoiser, els_denoise, els_patch_schedule, empirical_denoise
from .schedule import (
    alpha_sigma2,
    gud_softness,
    log_snr,
    normalised_labels,
    raw_labels,
    reverse_coefficients,
    sequential_log_snr,
)

OBSERVED_GAMMA = -30.0  # log(σ²/α²) of an observed component: σ² ≈ 1e-13, i.e. known exactly


@njit(**JIT)
def _gaussian_step(z, noise, gain, a, b, spread, x0):
    """In place, one pass: x̂0 = gain·z, then z ← a x̂0 + b z + spread·noise (per component)."""
    n, d = z.shape
    for i in range(n):
        for j in range(d):
            x0[i, j] = gain[j] * z[i, j]
            z[i, j] = a[j] * x0[i, j] + b[j] * z[i, j] + spread[j] * noise[i, j]


class ReverseProcess:
    def __init__(
        self,
        p: dict,
        data: Dataset,
        rng: np.random.Generator,
        denoiser: str | None = None,
        cnn: ConvDenoiser | None = None,
    ):
        """``denoiser`` overrides ``p["denoiser"]`` (the ELS machine and the empirical denoiser
        run beside a CNN from the same noise); ``cnn`` is the trained network of
        ``denoiser="cnn"`` (it may be set later, before the first step)."""
        self.p, self.data, self.rng = p, data, rng
        self.size = data.size
        # the ELS machine (and the CNN it models) diffuses raw images, as Kamb & Ganguli do:
        # subtracting the mean image (position-dependent) would break the translation
        # equivariance it is built on
        raw = p["denoiser"] in ("els", "cnn")
        self.centre = np.zeros_like(data.mean) if raw else data.mean
        self.U, self.freq = make_basis(p["basis"], data.size, data.cov)
        comp_cov = self.U @ data.cov @ self.U.T
        self.variances = np.clip(np.diag(comp_cov).copy(), 1e-12, None)
        self.scale = np.sqrt(self.variances) if p["prior"] == "data" else np.ones(len(self.U))
        self.K = comp_cov / np.outer(self.scale, self.scale)  # covariance of the clean z
        raw = raw_labels(p["ordering"], self.variances, rng)
        self.labels = normalised_labels(raw)
        self.softness_gud = gud_softness(p["softness"], raw, p["schedule"])
        self.t = np.linspace(1.0, 0.0, p["steps"] + 1)
        self.gamma = self._schedule(p)
        self.observed = self._observed(p)
        if self.observed.any():
            self.gamma[self.observed] = OBSERVED_GAMMA
        self.denoiser = denoiser or p["denoiser"]
        self.cnn = cnn
        self.patch_by_step: np.ndarray | None = None  # ELS patch per reverse step, if calibrated
        if self.denoiser == "gaussian":
            self.gaussian = GaussianDenoiser(self.K)
        else:
            train = (
                data.train
                if data.train is not None
                else rng.multivariate_normal(data.mean, data.cov, size=p["train_size"])
            )
            picked = rng.choice(len(train), size=min(p["train_size"], len(train)), replace=False)
            self.train_pixels = train[picked]
            self.train = ((self.train_pixels - self.centre) @ self.U.T) / self.scale
        self.z = rng.standard_normal((p["n_samples"], len(self.U)))
        self.observation = None
        if self.observed.any():
            self.observation = (
                rng.multivariate_normal(data.mean, data.cov)
                if data.train is None
                else data.train[rng.integers(len(data.train))]
            )
            clean = ((self.observation - data.mean) @ self.U.T) / self.scale
            alpha, sigma2 = alpha_sigma2(np.array([OBSERVED_GAMMA]))
            noise = rng.standard_normal((p["n_samples"], len(self.U)))
            self.z[:, self.observed] = (
                alpha * clean[self.observed] + np.sqrt(sigma2) * noise[:, self.observed]
            )
        self.x0 = np.zeros_like(self.z)
        self.step = 0

    def observed_part(self) -> np.ndarray:
        """The observation's diffusion coordinates with the unobserved components at 0 (its
        low-pass image, or the image outside the hole, once mapped to pixels)."""
        clean = ((self.observation - self.data.mean) @ self.U.T) / self.scale
        return np.where(self.observed, clean, 0.0)

    def _schedule(self, p: dict) -> np.ndarray:
        """γ (components × times) of the chosen schedule."""
        ends = {"gamma_min": p["gamma_min"], "gamma_max": p["gamma_max"]}
        if p["schedule"] == "sequential":
            return sequential_log_snr(self.labels, p["softness"], self.t, **ends)
        log_variance = np.log(self.variances) if p["schedule"] == "variance_adjusted" else None
        return log_snr(self.labels, p["softness"], self.t, log_variance=log_variance, **ends)

    def _observed(self, p: dict) -> np.ndarray:
        """Which components are observed: Fourier modes with |k| ≤ observed_k, or the pixels
        outside the centred hole."""
        d = len(self.U)
        if p["condition"] == "coarse":
            return self.freq <= p["observed_k"]
        if p["condition"] == "inpaint":
            side, hole = self.size, p["hole"]
            start = (side - hole) // 2
            inside = np.zeros((side, side), dtype=bool)
            inside[start : start + hole, start : start + hole] = True
            return ~inside.ravel()
        return np.zeros(d, dtype=bool)

    def to_pixels(self, z: np.ndarray) -> np.ndarray:
        """Images (samples × d, row-major) of diffusion coordinates."""
        return self.centre + (z * self.scale) @ self.U

    def denoise(self, alpha: np.ndarray, sigma2: np.ndarray, should_stop=lambda: False):
        """(x̂0, the clean estimate the reverse kernel uses: a posterior sample for the exact
        Gaussian denoiser, x̂0 itself otherwise). The slow ELS denoiser gives up (raising
        ``Interrupted``, nothing changed) once ``should_stop()``."""
        if self.denoiser == "gaussian":
            return self.gaussian.posterior(self.z, alpha, sigma2, self.rng)
        if self.denoiser == "empirical":
            x0 = empirical_denoise(self.z, self.train, alpha, sigma2)
            return x0, x0
        s = self.size
        if self.denoiser == "cnn":  # one noise level for all pixels (checked in params)
            gamma = float(np.log(sigma2[0]) - 2.0 * np.log(alpha[0]))
            x0 = self.cnn.denoise(self.z.reshape(-1, s, s), gamma).reshape(-1, s * s)
            return x0, x0
        if self.patch_by_step is not None:  # calibrated to a CNN, step by step
            patch = int(self.patch_by_step[self.step])
        else:
            patch = self.p["patch"] or els_patch_schedule(s, float(np.median(alpha)))
        self.patch_used = patch
        x0 = els_denoise(
            self.z.reshape(-1, s, s),
            self.train.reshape(-1, s, s),
            alpha.reshape(s, s),
            sigma2.reshape(s, s),
            patch,
            self.p["boundary"],
            should_stop,
        ).reshape(-1, s * s)
        return x0, x0

    def advance(self, should_stop=lambda: False) -> None:
        """One reverse step t_j → t_{j+1}; at the last step the state becomes the clean estimate.
        The state changes only once the denoiser has returned, so an interrupted step leaves it
        as it was."""
        j = self.step
        alpha, sigma2 = alpha_sigma2(self.gamma[:, j])
        if j + 1 == len(self.t) - 1:
            # t = 0: output the denoised sample, not a residual e^{γ_min} of noise
            self.x0, self.z = self.denoise(alpha, sigma2, should_stop)
        else:
            a, b, tau2 = reverse_coefficients(self.gamma[:, j], self.gamma[:, j + 1])
            if self.denoiser == "gaussian" and self.gaussian.diagonal:
                # per component the exact kernel is N(a x̂0 + b z, τ² + a²P): one normal draw
                spread = np.sqrt(tau2 + a * a * self.gaussian.posterior_variance(alpha, sigma2))
                _gaussian_step(
                    self.z,
                    self.rng.standard_normal(self.z.shape),
                    self.gaussian.gain(alpha, sigma2),
                    a,
                    b,
                    spread,
                    self.x0,
                )
            else:
                self.x0, clean = self.denoise(alpha, sigma2, should_stop)
                self.z = (
                    a * clean + b * self.z + np.sqrt(tau2) * self.rng.standard_normal(self.z.shape)
                )
        self.step += 1

    @property
    def done(self) -> bool:
        return self.step >= len(self.t) - 1
