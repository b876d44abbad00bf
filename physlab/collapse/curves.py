"""The names of the curves (rows) of each Collapse model's frame, from the run's params: what the
tab's legends say, kept out of ``summary()`` (the frame contract is in :mod:`.frame_keys`)."""

from __future__ import annotations

from . import tails, verify


def regression_rows(p: dict) -> list[str]:
    """Rows of error_mean/theory: the selected strategies (``strategy`` is in declared order)."""
    return list(p["strategy"])


def sweep_rows(p: dict) -> list[str]:
    """Rows of the scaling-law view: clean, then each strategy after the last generation."""
    return ["clean"] + [f"{s}, n = {p['generations']}" for s in regression_rows(p)]


def strong_rows(p: dict) -> tuple[str, str]:
    return (f"synthetic fraction p2 = {p['synthetic_fraction']:g}", "clean (p2 = 0)")


def tail_chain_rows(p: dict) -> list[str]:
    """Rows of the tails chain: the real data, then each generation of memorisers."""
    return ["real data (generation 0)"] + [
        f"generation {g}" for g in range(1, p["tail_generations"] + 1)
    ]


TAIL_ROWS = tails.CURVES
VERIFY_ROWS = verify.CURVES
