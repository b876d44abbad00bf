"""The experiment protocol every lab implements: build from (params, seed) → advance in chunks →
frames (dicts of numpy arrays) → final result.

The GUI runner and the CLI drive the same objects through :func:`drive`, so what the GUI shows and
what ``physlab run`` writes come from one code path. A run is reproducible from its parameters and
seed: an experiment draws all randomness from ``numpy.random.default_rng(seed)`` at build time or
from generators derived from it, never from global state.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import numpy as np

from .numba_setup import use_threads
from .params import ParamError, ParamSpec, check_seed

Frame = dict[str, np.ndarray]


class Interrupted(Exception):
    """Raised inside one long step (seconds) when the run has been asked to stop: the step is
    abandoned and the experiment's state is left as it was before it."""


def _never() -> bool:
    return False


class Experiment(ABC):
    """One run of one lab.

    Subclasses set ``spec`` (their :class:`ParamSpec`), build their state in ``__init__`` from the
    validated ``params`` and ``seed``, and implement :meth:`advance` and :meth:`frame`.
    """

    spec: ClassVar[ParamSpec]
    # whether the run has been asked to stop (set by :func:`drive`); a step that takes seconds
    # checks it and raises :class:`Interrupted` so that stopping never waits for the step
    should_stop: Callable[[], bool] = staticmethod(_never)

    def __init__(self, params: Mapping[str, Any], seed: int):
        self.params = self.spec.validate(params)
        self.seed = check_seed(seed)
        self.diverged: str | None = None  # a sentence saying how the run diverged, once it has

    @property
    @abstractmethod
    def total_steps(self) -> int:
        """How many steps a complete run takes (for progress)."""

    @property
    @abstractmethod
    def steps_done(self) -> int:
        """How many steps have been taken."""

    @property
    def done(self) -> bool:
        return self.diverged is not None or self.steps_done >= self.total_steps

    @abstractmethod
    def advance(self, n: int) -> None:
        """Take up to ``n`` more steps (fewer at the end of the run or when it diverges)."""

    @abstractmethod
    def frame(self) -> Frame:
        """A snapshot of everything the views show and the export writes; arrays are copies."""

    def summary(self) -> dict:
        """Scalars worth keeping with the data (written into the export metadata)."""
        return {}

    def threads(self) -> int | None:
        """How many threads the parallel kernels should use (None: all). Labs return 1 when each
        kernel launch is too small to amortise waking a thread team (see :func:`drive`)."""
        return None

    def update(self, name: str, value: Any) -> None:
        """Change a live parameter; takes effect from the next step. Subclasses extend
        :meth:`apply_update` for the physics; this validates and records the value."""
        param = self.spec[name]
        if not param.live:
            raise ParamError(name, "cannot change while a run streams; stop the run first")
        candidate = dict(self.params, **{name: param.check(value)})
        self.params = self.spec.validate(candidate)
        self.apply_update(name, self.params[name])

    def apply_update(self, name: str, value: Any) -> None:  # noqa: B027 (a hook: no-op by default)
        """React to a live parameter change (``self.params`` already holds the new value)."""


class SteppedExperiment(Experiment):
    """An experiment whose progress is training steps: ``self.step`` of ``params["steps"]``."""

    step = 0

    @property
    def total_steps(self) -> int:
        return self.params["steps"]

    @property
    def steps_done(self) -> int:
        return self.step


def drive(
    exp: Experiment,
    *,
    should_stop: Callable[[], bool] = lambda: False,
    on_chunk: Callable[[Experiment], None] = lambda e: None,
    before_chunk: Callable[[Experiment], None] = lambda e: None,
    target_seconds: float = 0.03,
    first_chunk: int = 1,
) -> None:
    """Advance ``exp`` to the end in chunks of about ``target_seconds`` each.

    The chunk length adapts to the measured speed, so that stop requests and live parameter changes
    (applied by ``before_chunk``) take effect within about one chunk and frames come at a steady
    rate whatever the size of the model. The kernels use ``exp.threads()`` threads in the calling
    thread: an OpenMP team started from a worker thread (the GUI's runner) wakes its threads through
    the kernel on every launch, which costs more than a tiny launch's work, so tiny launches run
    single-threaded (measured in ``benchmarks/gui_probe.py``).
    """
    use_threads(exp.threads())
    exp.should_stop = should_stop
    n = max(1, first_chunk)
    while not exp.done and not should_stop():
        before_chunk(exp)
        if should_stop():
            break
        t0 = time.perf_counter()
        try:
            exp.advance(n)
        except Interrupted:
            break
        elapsed = time.perf_counter() - t0
        on_chunk(exp)
        scale = target_seconds / max(elapsed, 1e-6)
        n = int(min(max(n * min(scale, 4.0), 1), 1 << 24))
