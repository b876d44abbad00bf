"""Measures: named scalar read-outs of a finished (or diverged) run, the values a sweep records per
point and a phase diagram colours by. Each lab declares its own in ``physlab/<lab>/measures.py``;
the names are a contract like the NPZ keys (``physlab measures LAB`` lists them).

A measure reads the experiment object after the run; most read its :meth:`Experiment.frame`,
which :func:`final_frame` computes once per run and shares between the measures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .experiment import Experiment, Frame


@dataclass(frozen=True)
class Measure:
    name: str
    description: str
    unit: str = ""  # "" for dimensionless
    categories: tuple[str, ...] = ()  # labels of the values 0, 1, … of a categorical measure
    read: Callable[[Experiment], float] = lambda exp: float("nan")

    def value(self, exp: Experiment) -> float:
        """The read-out as a float; NaN where the run does not define it (never raises for a
        missing curve: a measure of another model of the lab is simply not defined)."""
        try:
            value = self.read(exp)
        except (KeyError, IndexError):
            return float("nan")
        return float(value) if value is not None else float("nan")


@dataclass(frozen=True)
class Overlay:
    """A theory curve on a sweep's map, in the axes' value coordinates (x: axis 1, y: axis 2)."""

    label: str
    x: np.ndarray
    y: np.ndarray


def final_frame(exp: Experiment) -> Frame:
    """The run's frame, computed once after the run and shared by all its measures."""
    cached = getattr(exp, "_measures_frame", None)
    if cached is None or cached[0] != exp.steps_done:
        cached = (exp.steps_done, exp.frame())
        exp._measures_frame = cached  # type: ignore[attr-defined]  # a cache the run carries
    return cached[1]


def last(values) -> float:
    """The last finite value of a 1-D array (NaN if none)."""
    arr = np.asarray(values, dtype=float).ravel()
    finite = arr[np.isfinite(arr)]
    return float(finite[-1]) if finite.size else float("nan")
