"""The data of the Diffusion lab: Gaussian random fields with power spectrum P(k) ∝ k^{−n}, or
the 8×8 handwritten digits shipped in ``resources/data`` — each as a mean image μ and pixel
covariance Σ (exact for the fields, empirical for the digits), plus training images for the
empirical and ELS denoisers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from physlab.core.resources import resource

from .bases import fourier_frequencies

DATA = ("grf", "digits")
DIGIT_SIZE = 8


@dataclass
class Dataset:
    size: int
    mean: np.ndarray  # (d,) pixel-space mean image, flattened row-major
    cov: np.ndarray  # (d, d) pixel covariance
    train: np.ndarray | None  # (n, d) training images, or None (the fields are known exactly)


def grf_power(size: int, spectral_index: float) -> np.ndarray:
    """P(|k|) ∝ |k|^{−n} per Fourier mode of a size×size periodic lattice (|k| in units of the
    fundamental wavenumber; the k = 0 mode gets P(1)), normalised to unit pixel variance."""
    kx, ky = np.meshgrid(np.fft.fftfreq(size) * size, np.fft.fftfreq(size) * size, indexing="ij")
    k = np.hypot(kx, ky)
    power = np.where(k > 0, np.maximum(k, 1.0) ** -spectral_index, 1.0)
    return power / power.mean()


def gaussian_field(size: int, spectral_index: float) -> Dataset:
    """A stationary Gaussian field: Σ is circulant, Σ_xy = (1/d) Σ_k P(k) e^{2πi k·(x−y)/size}."""
    power = grf_power(size, spectral_index)
    kernel = np.real(np.fft.ifft2(power))  # covariance as a function of the separation x − y
    idx = np.arange(size)
    dx = (idx[:, None] - idx[None, :]) % size
    cov = kernel[dx[:, None, :, None], dx[None, :, None, :]].reshape(size * size, size * size)
    return Dataset(size, np.zeros(size * size), cov, None)


def digits() -> Dataset:
    """The 1797 UCI digits scaled to [−1, 1]; their mean and covariance (plus a 1e-4 ridge, so
    that every component has a positive variance)."""
    images = np.load(resource("data", "digits.npz"))["images"].reshape(-1, 64) / 8.0 - 1.0
    mean = images.mean(axis=0)
    cov = np.cov(images, rowvar=False) + 1e-4 * np.eye(64)
    return Dataset(DIGIT_SIZE, mean, cov, images)


def load(p: dict) -> Dataset:
    if p["data"] == "grf":
        return gaussian_field(p["size"], p["spectral_index"])
    return digits()


def radial_spectrum(power2d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Average a (…, size, size) power map over shells of integer |k|; returns (k, spectrum)."""
    size = power2d.shape[-1]
    k = np.rint(fourier_frequencies(size)).astype(int).reshape(size, size)
    counts = np.bincount(k.ravel())
    flat = power2d.reshape(-1, size * size)
    sums = np.stack([np.bincount(k.ravel(), weights=row) for row in flat])
    keep = counts > 0
    spectrum = (sums[:, keep] / counts[keep]).reshape(power2d.shape[:-2] + (-1,))
    return np.nonzero(keep)[0].astype(float), spectrum


def sample_power(images: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Mean |FFT(φ − μ)|²/d over images (n, d): the power map the spectra are averaged from."""
    n, d = images.shape
    size = int(round(np.sqrt(d)))
    ft = np.fft.fft2((images - mean).reshape(n, size, size))
    return np.mean(np.abs(ft) ** 2, axis=0) / d


def covariance_power(cov: np.ndarray) -> np.ndarray:
    """E|FFT(φ − μ)|²/d for φ ~ N(μ, Σ): diag(F Σ Fᴴ)/d, by 2-D FFTs of Σ's rows and columns."""
    d = cov.shape[0]
    size = int(round(np.sqrt(d)))
    rows = np.fft.fft2(cov.reshape(d, size, size)).reshape(d, d)  # Σ Fᵀ
    both = np.fft.fft2(np.conj(rows).T.reshape(d, size, size)).reshape(d, d)  # F (Σ Fᵀ)* ...
    return np.real(np.diag(both)).reshape(size, size) / d


def conditional_power(
    mean: np.ndarray, cov: np.ndarray, rows: np.ndarray, observation: np.ndarray
) -> np.ndarray:
    """E|FFT(φ − μ)|²/d for φ ~ N(μ, Σ) conditioned on A φ = A x (A: the observed components'
    basis ``rows``; GUD's soft conditioning, Gerdes, Welling & Cheng 2024, §3.3): the law is
    N(m, Σ_c) with m = μ + ΣAᵀ(AΣAᵀ)⁻¹A(x − μ) and Σ_c = Σ − ΣAᵀ(AΣAᵀ)⁻¹AΣ, so the power is
    |FFT(m − μ)|²/d plus the power of Σ_c."""
    gain = np.linalg.solve(rows @ cov @ rows.T, rows @ cov).T  # ΣAᵀ(AΣAᵀ)⁻¹
    shift = gain @ (rows @ (observation - mean))
    conditional = cov - gain @ (rows @ cov)
    return sample_power((mean + shift)[None], mean) + covariance_power(conditional)
