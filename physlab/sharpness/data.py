"""Training sets of the Sharpness lab (all generated from the run's seed).

- chebyshev: fit T6(x) = cos(6 arccos x) on ``n_samples`` evenly spaced points in [−1, 1] — the
  small set-up on which a 1→30→20→1 tanh net shows progressive sharpening and the edge of stability
  within a few hundred steps.
- teacher: teacher–student regression; x ~ N(0, I_d), y from a random one-hidden-layer tanh teacher
  (width 64), standardised to unit variance.
- gaussmix: synthetic classification: class means μ_c ~ N(0, I_d), x = μ_c + N(0, I_d), targets
  one-hot. Too easy to show the edge of stability (the sharpness stays far below 2/η).
- digits: the first ``n_samples`` of the 1797 8×8 UCI handwritten digits shipped in
  ``resources/data`` (classes interleaved, so any prefix is nearly balanced), 10 classes, one-hot
  targets: a real image set in the role of Cohen et al.'s 5k-example CIFAR-10 subset. Pixels are
  centred per pixel and scaled by their overall standard deviation, as Cohen et al. centre and
  standardise CIFAR-10.
"""

from __future__ import annotations

import numpy as np

from physlab.core.resources import resource

DATASETS = ("chebyshev", "teacher", "gaussmix", "digits")
CLASSIFICATION = ("gaussmix", "digits")  # one-hot targets
DIGITS = 1797  # images in resources/data/digits.npz


def dimensions(p: dict) -> tuple[int, int]:
    """(input, output) dimensions of the MLP on the data set of parameters ``p``."""
    name = p["dataset"]
    if name == "chebyshev":
        return 1, 1
    if name == "digits":
        return 64, 10
    return p["input_dim"], p["n_classes"] if name == "gaussmix" else 1


def make_dataset(
    name: str, n_samples: int, input_dim: int, n_classes: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """(X, Y): X is n × d, Y is n × outputs, both C-contiguous float64."""
    if name == "chebyshev":
        x = np.linspace(-1.0, 1.0, n_samples)
        X, Y = x[:, None], np.cos(6.0 * np.arccos(x))[:, None]
    elif name == "teacher":
        X = rng.standard_normal((n_samples, input_dim))
        W = rng.standard_normal((64, input_dim)) / np.sqrt(input_dim)
        a = rng.standard_normal(64) / np.sqrt(64)
        y = np.tanh(X @ W.T) @ a
        Y = ((y - y.mean()) / (y.std() + 1e-12))[:, None]
    elif name == "gaussmix":
        means = rng.standard_normal((n_classes, input_dim))
        labels = np.arange(n_samples) % n_classes
        X = means[labels] + rng.standard_normal((n_samples, input_dim))
        Y = np.eye(n_classes)[labels]
    elif name == "digits":
        X, Y = digits(n_samples)
    else:
        raise ValueError(f"unknown dataset {name!r}")
    return np.ascontiguousarray(X, dtype=float), np.ascontiguousarray(Y, dtype=float)


def digits(n_samples: int) -> tuple[np.ndarray, np.ndarray]:
    """The first ``n_samples`` digits: X (n × 64) centred per pixel over the whole set and divided
    by its overall standard deviation; Y one-hot (n × 10)."""
    data = np.load(resource("data", "digits.npz"))
    images = data["images"].reshape(DIGITS, 64).astype(float)
    X = (images - images.mean(axis=0)) / images.std()
    return X[:n_samples], np.eye(10)[data["labels"][:n_samples]]
