"""Sweeps: any lab over a grid of one or two of its parameters, with repeats, on a Dask cluster
(an embedded local one by default, a remote scheduler by address). Qt-free; the CLI
(``physlab sweep``) and the GUI's Sweep view drive :class:`SweepRun`. The names here are the
interface agreed in ``SWEEP-API.md``."""

from .cluster import shutdown_local_cluster
from .result import (
    DIVERGED,
    DONE,
    FAILED,
    NOT_RUN,
    PointResult,
    SweepFileError,
    SweepResult,
    measure_names,
)
from .run import SweepRun
from .spec import Axis, Point, SweepSpec, parse_axis, point_seed

__all__ = [
    "Axis",
    "DIVERGED",
    "DONE",
    "FAILED",
    "NOT_RUN",
    "Point",
    "PointResult",
    "SweepFileError",
    "SweepResult",
    "SweepRun",
    "SweepSpec",
    "measure_names",
    "parse_axis",
    "point_seed",
    "shutdown_local_cluster",
]
