"""The Collapse lab's experiments: one :class:`~physlab.core.experiment.Experiment` per model,
chosen by the ``model`` parameter when the lab builds a run (:func:`choose`).

Model collapse under recursive training on synthetic data — regression chains with replace,
accumulate and mix strategies (Dohmatob, Feng & Kempe 2024; Gerstgrasser et al. 2024), Hutter's
tails model (Dohmatob et al., "A Tale of Tails", 2024), strong collapse (Dohmatob et al. 2025),
verification (Feng et al. 2024) and Gaussian refitting (Shumailov et al., Nature 2024); the models
are in :mod:`.studies`, the physics in the modules they call (``docs/physics/collapse.md``).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from typing import Any

import numpy as np

from physlab.core.experiment import Experiment

from .params import SPEC

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


class CollapseExperiment(Experiment):
    """What every Collapse model shares: a generator seeded from the run's seed, progress counted
    in steps (generations or repeats), and a divergence check after every chunk. Live parameters
    are read from ``self.params`` at every step, so :meth:`Experiment.update` needs no hook."""

    spec = SPEC

    def __init__(self, params: Mapping[str, Any], seed: int):
        super().__init__(params, seed)
        self.rng = np.random.default_rng(self.seed)
        self.done_steps = 0

    @property
    def steps_done(self) -> int:
        return self.done_steps

    def advance(self, n: int) -> None:
        self.step(n)
        if not self.finite():
            self.diverged = (
                f"the simulated errors became non-finite after step "
                f"{self.steps_done}; the parameters are outside the range where the "
                f"fits are well defined (try fewer generations or larger T0)."
            )

    @abstractmethod
    def step(self, n: int) -> None:
        """Take up to ``n`` more steps."""

    def finite(self) -> bool:
        """False once the simulated numbers have become non-finite."""
        return True
