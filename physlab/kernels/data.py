"""The training set of the Kernels lab: P inputs on the sphere of radius √D and their labels.

Inputs are Gaussian, normalised to ‖x‖² = D so that the input kernel K_x = XᵀX/D has a unit
diagonal (every activation then sees unit-variance pre-activations at t = 0). Samples are sorted by
label, so kernels that align with the task show the block structure of yyᵀ.
"""

from __future__ import annotations

import numpy as np

TASKS = ("random", "teacher")


def make_dataset(n_samples: int, input_dim: int, task: str, rng: np.random.Generator):
    """Return ``(X, Kx, y)``: inputs (P×D), input kernel K_x = XXᵀ/D (P×P) and labels y (P).

    ``random``: random ±1 labels, half of each sign. ``teacher``: a linear teacher
    y = β·x/√D with β ~ N(0, I), rescaled to mean y² = 1.
    """
    X = rng.standard_normal((n_samples, input_dim))
    X *= np.sqrt(input_dim) / np.linalg.norm(X, axis=1, keepdims=True)
    if task == "random":
        y = np.where(np.arange(n_samples) < (n_samples + 1) // 2, 1.0, -1.0)
        rng.shuffle(y)
    elif task == "teacher":
        y = X @ rng.standard_normal(input_dim) / np.sqrt(input_dim)
        y /= np.sqrt(np.mean(y**2))
    else:
        raise ValueError(f"unknown task {task!r}")
    order = np.argsort(-y, kind="stable")
    X, y = X[order], y[order]
    return X, X @ X.T / input_dim, y
