"""Denoisers that need no training: they map the noisy components z_t (whitened or not, see
:mod:`.sampler`) at log-SNR γ to an estimate x̂0 of the clean ones, component by component α, σ².

- :class:`GaussianDenoiser` — exact for Gaussian data N(0, K): x̂0 = K A (A K A + S)⁻¹ z with
  A = diag α, S = diag σ²; per component when K is diagonal in the basis (x̂0 = αK/(α²K + σ²) z,
  posterior variance Kσ²/(α²K + σ²)). Posterior samples by Matheron's rule (a prior draw corrected
  by the same solve), so the reverse process is exact for any number of steps.
- :func:`empirical_denoise` — the optimal denoiser of the training set (it memorises):
  x̂0 = Σ_μ w_μ x^μ, w = softmax_μ(−Σ_i (z_i − α_i x^μ_i)²/(2σ_i²)).
- :func:`els_denoise` — the equivariant local score (ELS) machine of Kamb & Ganguli, "An analytic
  theory of creativity in convolutional diffusion models" (2024), eq. for the ELS machine: for each
  pixel, a softmax over the k×k patches of all training images at all allowed positions of
  −‖z|Ω_x − αψ‖²/(2σ²), and x̂0(pixel) = the weighted mean of the patch centres; the border
  variants (bbELS, circular) are in :mod:`.els_boundary`.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numba import njit, prange

from physlab.core.experiment import Interrupted
from physlab.core.numba_setup import JIT

from .els_boundary import allowed_positions, query_mode, windows

SIGMA2_FLOOR = 1e-20  # σ² below this (a component long generated) counts as this, for the weights
NEGLIGIBLE = -46.0  # log-weights this far below the largest are skipped (relative weight < 1e-20)


class GaussianDenoiser:
    def __init__(self, K: np.ndarray):
        off = K - np.diag(np.diag(K))
        self.diagonal = np.max(np.abs(off)) <= 1e-10 * np.max(np.abs(np.diag(K)))
        self.K = K
        self.var = np.diag(K).copy()
        self.root = None if self.diagonal else np.linalg.cholesky(K + 1e-12 * np.eye(len(K)))

    def posterior_variance(self, alpha: np.ndarray, sigma2: np.ndarray) -> np.ndarray:
        """Per-component posterior variance Kσ²/(α²K + σ²) (diagonal K only)."""
        return self.var * sigma2 / (alpha**2 * self.var + sigma2)

    def gain(self, alpha: np.ndarray, sigma2: np.ndarray) -> np.ndarray:
        """Per-component αK/(α²K + σ²), so that x̂0 = E[x0 | z] = gain·z (diagonal K only)."""
        return alpha * self.var / (alpha**2 * self.var + sigma2)

    def posterior(
        self, z: np.ndarray, alpha: np.ndarray, sigma2: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """(x̂0, a posterior sample of x0) for noisy components z (samples × d)."""
        if self.diagonal:
            mean = z * self.gain(alpha, sigma2)
            spread = np.sqrt(self.posterior_variance(alpha, sigma2))
            return mean, mean + spread * rng.standard_normal(z.shape)
        n, d = z.shape
        M = np.outer(alpha, alpha) * self.K + np.diag(sigma2)
        prior = rng.standard_normal((n, d)) @ self.root.T
        fake = prior * alpha + np.sqrt(sigma2) * rng.standard_normal((n, d))
        solved = np.linalg.solve(M, np.concatenate([z, z - fake]).T).T  # M⁻¹z, M⁻¹(z − z')
        gain = (solved * alpha) @ self.K  # K A M⁻¹ (rows: samples; K symmetric)
        mean = gain[:n]
        return mean, prior + gain[n:]


@njit(parallel=True, **JIT)
def empirical_denoise(z, train, alpha, sigma2):
    n, d = z.shape
    m = train.shape[0]
    out = np.empty((n, d))
    inv = np.empty(d)
    for i in range(d):
        inv[i] = 0.5 / max(sigma2[i], SIGMA2_FLOOR)
    for s in prange(n):
        logw = np.empty(m)
        top = -np.inf
        for mu in range(m):
            acc = 0.0
            for i in range(d):
                r = z[s, i] - alpha[i] * train[mu, i]
                acc -= r * r * inv[i]
            logw[mu] = acc
            top = max(top, acc)
        total = 0.0
        for i in range(d):
            out[s, i] = 0.0
        for mu in range(m):
            w = math.exp(logw[mu] - top)
            total += w
            for i in range(d):
                out[s, i] += w * train[mu, i]
        for i in range(d):
            out[s, i] /= total
    return out


def patches(images: np.ndarray, patch: int) -> np.ndarray:
    """All patch×patch windows of zero-padded images (m, s, s), centred on every pixel:
    (m·s², patch²)."""
    return windows(images, patch, "constant")


@njit(parallel=True, **JIT)
def _softmax_mean(logw, values, allowed, m):
    """Row i: Σ e^{l} v / Σ e^{l} over the columns (μ, p) with allowed[i, p], l = logw[i]
    (log-sum-exp safe); columns are ordered μ-major over m training images."""
    rows, cols = logw.shape
    positions = cols // m
    out = np.empty(rows)
    for i in prange(rows):
        top = -np.inf
        for mu in range(m):
            for p in range(positions):
                if allowed[i, p] and logw[i, mu * positions + p] > top:
                    top = logw[i, mu * positions + p]
        num = 0.0
        den = 0.0
        for mu in range(m):
            for p in range(positions):
                if allowed[i, p]:
                    j = mu * positions + p
                    gap = logw[i, j] - top
                    if gap > NEGLIGIBLE:  # e^-46 < 1e-20: below the sums' float64 resolution
                        w = math.exp(gap)
                        num += w * values[j]
                        den += w
        out[i] = num / den
    return out


def els_denoise(
    z: np.ndarray,
    train: np.ndarray,
    alpha: np.ndarray,
    sigma2: np.ndarray,
    patch: int,
    boundary: str = "bbels",
    should_stop: Callable[[], bool] = lambda: False,
) -> np.ndarray:
    """z: (n, size, size) noisy images; train: (m, size, size) raw training images (no mean
    subtracted: the machine is translation equivariant); alpha, sigma2: (size, size); ``patch``
    odd; ``boundary`` one of :data:`.els_boundary.BOUNDARIES` (which training patches each pixel
    may match and how the query is padded).

    The log-weights −Σ_o w(q − aψ)² = 2 Σ (w a q) ψ − Σ (w a²) ψ² − Σ w q² (w = 1/(2σ²) per query
    pixel, 0 at zero-padded offsets outside the image) are one matrix product per sample against
    all training patches (BLAS; the last term is the same for every patch of a pixel and cancels
    in the softmax); the softmax-weighted mean of the patch centres is a parallel kernel. One call
    takes seconds for a digit grid, so it checks ``should_stop`` between samples and raises
    :class:`~physlab.core.experiment.Interrupted` when the run is being stopped.
    """
    n, size, _ = z.shape
    m = len(train)
    mode = query_mode(boundary)
    train_patches = patches(train, patch)  # (m·s², k²), zero outside the image
    basis = np.concatenate([2.0 * train_patches, train_patches**2], axis=1).T.copy()
    centres = train.reshape(-1)  # the centre pixel of each training patch, same order
    inside = windows(np.ones((1, size, size)), patch, mode)  # query offsets that count
    w = windows((0.5 / np.maximum(sigma2, SIGMA2_FLOOR))[None], patch, mode) * inside
    a = windows(alpha[None], patch, mode)
    allowed = allowed_positions(size, patch, boundary)
    out = np.empty((n, size * size))
    for s in range(n):
        if should_stop():
            raise Interrupted
        q = windows(z[s][None], patch, mode)
        logw = np.concatenate([w * a * q, -(w * a * a)], axis=1) @ basis
        out[s] = _softmax_mean(logw, centres, allowed, m)
    return out.reshape(n, size, size)


# Kamb & Ganguli's calibrated MNIST patch sizes at their times t = i/20 (i = 0…19, 28×28 images):
# Kambm/convolutional_diffusion files/scales_MNIST_ResNet_zeros.pt (zero padding, as bbELS), read
# by ScheduledScoreMachine at step i, t = i/nsteps (utils/idealscore.py)
KAMB_MNIST_PATCHES = (3, 3, 5, 5, 5, 7, 7, 7, 9, 9, 11, 11, 11, 11, 13, 15, 15, 15, 15, 15)


def kamb_time(alpha: float) -> float:
    """The time of Kamb & Ganguli's (legacy cosine) schedule with signal scale α:
    α(t) = cos(π t / 2.016) (their ``cosine_noise_schedule``), so t = 2.016·arccos(α)/π."""
    return 2.016 * math.acos(min(max(alpha, 0.0), 1.0)) / math.pi


def els_patch_schedule(size: int, alpha: float) -> int:
    """The patch size Kamb & Ganguli calibrated on MNIST at the noise level with signal scale α:
    their schedule is read at their own time t(α) (step i = round(20t)) and scaled from 28×28 to
    the image size (odd, at least 3)."""
    i = min(
        max(int(round(kamb_time(alpha) * len(KAMB_MNIST_PATCHES))), 0), len(KAMB_MNIST_PATCHES) - 1
    )
    k = KAMB_MNIST_PATCHES[i] * size / 28.0
    return max(3, int(round((k - 1) / 2)) * 2 + 1)
