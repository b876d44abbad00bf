"""Orthonormal bases of size×size images: the rows of U are the components χ = U φ.

pixel (identity), Fourier (real, orthonormal: cosines and sines), PCA (eigenvectors of the data
covariance, largest variance first) and Haar wavelets (size a power of two). Each basis also gives
a spatial frequency |k| per component (for the Fourier and Haar bases; NaN otherwise) so views can
colour components by scale.
"""

from __future__ import annotations

import numpy as np

BASES = ("pixel", "fourier", "pca", "haar")


def _fourier_1d(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows: 1/√n, then √(2/n)cos(2πmx/n), √(2/n)sin(2πmx/n) for m = 1..⌈n/2⌉−1, then the
    Nyquist row (−1)^x/√n for even n; and each row's frequency m."""
    x = np.arange(n)
    rows, freqs = [np.full(n, 1 / np.sqrt(n))], [0]
    for m in range(1, (n + 1) // 2):
        rows += [
            np.sqrt(2 / n) * np.cos(2 * np.pi * m * x / n),
            np.sqrt(2 / n) * np.sin(2 * np.pi * m * x / n),
        ]
        freqs += [m, m]
    if n % 2 == 0:
        rows.append((-1.0) ** x / np.sqrt(n))
        freqs.append(n // 2)
    return np.array(rows), np.array(freqs, dtype=float)


def _haar_1d(n: int) -> tuple[np.ndarray, np.ndarray]:
    """The orthonormal Haar matrix (n a power of two) and each row's scale 2^level."""
    if n == 1:
        return np.ones((1, 1)), np.zeros(1)
    coarse, freqs = _haar_1d(n // 2)
    top = np.kron(coarse, [1.0, 1.0]) / np.sqrt(2)
    bottom = np.kron(np.eye(n // 2), [1.0, -1.0]) / np.sqrt(2)
    return np.vstack([top, bottom]), np.concatenate([freqs, np.full(n // 2, n / 2)])


def fourier_frequencies(size: int) -> np.ndarray:
    """|k| of every FFT mode of a size×size image, in FFT order, flattened."""
    kx, ky = np.meshgrid(np.fft.fftfreq(size) * size, np.fft.fftfreq(size) * size, indexing="ij")
    return np.hypot(kx, ky).ravel()


def make_basis(name: str, size: int, cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(U, |k| per component) with U orthonormal, d×d, d = size²."""
    d = size * size
    if name == "pixel":
        return np.eye(d), np.full(d, np.nan)
    if name == "pca":
        variances, vectors = np.linalg.eigh(cov)
        return vectors[:, ::-1].T.copy(), np.full(d, np.nan)
    one_d = _fourier_1d if name == "fourier" else _haar_1d
    B, f = one_d(size)
    return np.kron(B, B), np.hypot(*np.meshgrid(f, f, indexing="ij")).ravel()
