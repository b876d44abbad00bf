"""Timing and the result table: medians of repeated runs, ratio reference / physlab, and how far the
results of the two implementations differ."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Row:
    workload: str
    size: str
    physlab_s: float
    reference: str
    reference_s: float | None
    difference: str

    @property
    def ratio(self) -> float | None:
        return None if self.reference_s is None else self.reference_s / self.physlab_s


@dataclass
class Workload:
    """One computation, our way and the reference ways. ``physlab`` and every reference return a
    result; ``compare(ours, theirs)`` says how far apart they are, in words with a number."""

    name: str
    size: str
    physlab: Callable[[], object]
    references: dict[str, Callable[[], object]]
    compare: Callable[[object, object], str]
    quick: bool = True  # part of the --quick smoke run
    notes: list[str] = field(default_factory=list)


def have_torch() -> bool:
    """Whether the optional PyTorch reference can run (``pip install torch==2.13.0``)."""
    try:
        import torch  # noqa: F401

        return True
    except ImportError:
        return False


def median_time(fn: Callable[[], object], repeats: int) -> tuple[float, object]:
    result = fn()  # warm (JIT, caches); not timed
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def run(workloads: list[Workload], repeats: int, timed: bool = True) -> list[Row]:
    rows = []
    for w in workloads:
        ours_t, ours = median_time(w.physlab, repeats) if timed else (float("nan"), w.physlab())
        for ref_name, ref in w.references.items():
            ref_t, theirs = median_time(ref, repeats) if timed else (None, ref())
            rows.append(Row(w.name, w.size, ours_t, ref_name, ref_t, w.compare(ours, theirs)))
        if not w.references:
            rows.append(Row(w.name, w.size, ours_t, "—", None, "—"))
    return rows


def _fmt_time(t: float | None) -> str:
    if t is None or t != t:
        return "—"
    return f"{t * 1e3:.1f} ms" if t < 1 else f"{t:.2f} s"


def table(rows: list[Row]) -> str:
    """A Markdown table (also readable as plain text)."""
    head = (
        "workload",
        "size",
        "physlab",
        "reference",
        "ref. time",
        "ratio ref/physlab",
        "difference",
    )
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        ratio = "—" if r.ratio is None else f"{r.ratio:.1f}×"
        lines.append(
            f"| {r.workload} | {r.size} | {_fmt_time(r.physlab_s)} | {r.reference} | "
            f"{_fmt_time(r.reference_s)} | {ratio} | {r.difference} |"
        )
    return "\n".join(lines)


def max_rel(a, b) -> float:
    import numpy as np

    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))
