"""How long a run still takes, from the speed of its chunks so far (the CLI's progress bar; the
GUI's progress can show the same from its snapshots' ``steps_done`` and ``elapsed``).

The first chunk is one step and pays for start-up (caches, first allocations), so the speed is
measured from the end of the first chunk on once there is a second; before that, from the start.
"""

from __future__ import annotations

LONG_RUN_SECONDS = 180.0  # a run projected to take longer than this gets a warning


class Eta:
    def __init__(self) -> None:
        self._first: tuple[int, float] | None = None  # (steps, seconds) at the end of chunk 1
        self.steps_per_second = 0.0
        self.seconds_left: float | None = None
        self.seconds_total: float | None = None
        self.chunks = 0

    def update(self, steps_done: int, total_steps: int, elapsed: float) -> None:
        """Record progress (``elapsed`` seconds since the run started)."""
        if steps_done <= 0:
            return
        self.chunks += 1
        if self._first is None:
            self._first = (steps_done, elapsed)
        s0, t0 = self._first
        steps, seconds = (
            (steps_done - s0, elapsed - t0)
            if steps_done > s0 and elapsed > t0
            else (steps_done, elapsed)
        )
        self.steps_per_second = steps / max(seconds, 1e-9)
        self.seconds_left = max(total_steps - steps_done, 0) / self.steps_per_second
        self.seconds_total = elapsed + self.seconds_left


def duration(seconds: float) -> str:
    """``42 s``, ``7.5 min``, ``1.4 h``, ``3.2 days``."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.1f} min"
    if seconds < 172_800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86_400:.1f} days"


def rate(steps_per_second: float) -> str:
    """A speed that stays readable below one step a second (``0.36 steps/s``)."""
    if steps_per_second >= 100:
        return f"{steps_per_second:,.0f} steps/s"
    return f"{steps_per_second:.2g} steps/s"


def settled(eta: Eta) -> bool:
    """Whether the projection is worth acting on: the speed of a second chunk is known. The
    first chunk alone is one step that pays for a cold compile: projected from it, a Sharpness
    run whose first step compiled for long said "about 9.7 days" and finished in seconds (a run
    of slow steps is told one step later)."""
    return eta.chunks >= 2
