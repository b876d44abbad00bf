"""The Diffusion lab's sweep measures (names are a contract) and cost estimate.

``spectral_error`` compares the radially averaged power spectrum of the generated samples with the
data's, the quantity whose scale-by-scale emergence GUD's component-wise schedule controls (Gerdes,
Welling & Cheng, "GUD: Generation with Unified Diffusion", 2024, §4). ``nearest_train_distance``
measures memorisation: the optimal empirical denoiser reproduces training images (distance → 0),
the ELS machine makes new patch mosaics (Kamb & Ganguli, "An analytic theory of creativity in
convolutional diffusion models", 2024). ``median_r2_els`` / ``median_r2_ideal``: with the CNN
denoiser, the median per-sample r² of the ELS machine's / the ideal denoiser's samples with the
CNN's (their Fig. 3).
"""

from __future__ import annotations

import numpy as np

from physlab.core.measures import Measure, final_frame

from .params import cnn_work, els_work, image_size

FLOP_RATE = 1e9  # flop/s of one core (rough, for refusing huge sweeps)


def _spectral_error(exp) -> float:
    """Median over |k| of |log(samples' spectrum / data's spectrum)| at the end."""
    frame = final_frame(exp)
    ratio = frame["spectrum_samples"] / frame["spectrum_data"]
    ratio = ratio[np.isfinite(ratio) & (ratio > 0)]
    return float(np.median(np.abs(np.log(ratio)))) if ratio.size else np.nan


def _training_images(exp) -> np.ndarray | None:
    train = getattr(exp.proc, "train_pixels", None)
    return train if train is not None else exp.data.train


def _nearest_train_distance(exp) -> float:
    """Median over samples of the RMS pixel distance to the nearest training image (NaN when
    the run has no training set: Gaussian fields with the exact denoiser)."""
    train = _training_images(exp)
    if train is None:
        return np.nan
    samples = final_frame(exp)["samples"].reshape(-1, train.shape[1])
    d2 = (samples**2).sum(1)[:, None] - 2.0 * samples @ train.T + (train**2).sum(1)[None]
    return float(np.median(np.sqrt(np.maximum(d2.min(axis=1), 0.0) / train.shape[1])))


def _median_r2(key: str):
    def read(exp) -> float:
        """Median over samples of the r² with the CNN's samples (NaN without the CNN)."""
        frame = final_frame(exp)
        return float(np.nanmedian(frame[key])) if key in frame else np.nan

    return read


MEASURES = (
    Measure(
        "spectral_error",
        "median over |k| of |log(samples' / data's power spectrum)|",
        read=_spectral_error,
    ),
    Measure(
        "nearest_train_distance",
        "median RMS pixel distance of a sample to its nearest "
        "training image (NaN without a training set)",
        read=_nearest_train_distance,
    ),
    Measure(
        "median_r2_els",
        "denoiser=cnn: median r² of the ELS machine's samples with the CNN's (NaN otherwise)",
        read=_median_r2("r2_els"),
    ),
    Measure(
        "median_r2_ideal",
        "denoiser=cnn: median r² of the ideal denoiser's samples with the CNN's (NaN otherwise)",
        read=_median_r2("r2_ideal"),
    ),
)


def point_cost(p: dict) -> tuple[float, float]:
    """(bytes, seconds): the denoiser's work per step (ELS: its patch comparisons)."""
    d = image_size(p) ** 2
    if p["denoiser"] == "cnn":  # training, then the ELS machine and the empirical denoiser
        flops = (
            cnn_work(p)
            + 2.0 * els_work(p)
            + 6.0 * p["n_samples"] * p["train_size"] * d * p["steps"]
        )
    elif p["denoiser"] == "els":
        flops = 2.0 * els_work(p)
    elif p["denoiser"] == "empirical":
        flops = 6.0 * p["n_samples"] * p["train_size"] * d * p["steps"]
    else:
        flops = (4.0 * p["n_samples"] * d * d + d**3 / 3) * p["steps"]
    memory = 8.0 * (4 * d * d + 6 * p["n_samples"] * d + 2 * p["frames"] * 16 * d)
    return memory, flops / FLOP_RATE
