"""Bounded, growing storage for per-step traces.

A :class:`TraceTable` keeps rows (one per recorded step) of several named columns. Storage grows by
doubling, so appending is amortised O(1). To keep memory bounded on long runs it decimates: once
``max_rows`` rows are held it keeps every second row and from then on records only every
``stride``-th offered row (the stride doubles each time). The ``step`` column tells which steps were
kept, so a decimated trace is still exact where it has points.
"""

from __future__ import annotations

import numpy as np


class TraceTable:
    def __init__(
        self,
        columns: tuple[str, ...],
        *,
        widths: dict[str, int] | None = None,
        max_rows: int = 1 << 17,
        capacity: int = 256,
    ):
        widths = widths or {}
        self.columns = columns
        self._data = {
            c: np.full((capacity,) + ((widths[c],) if c in widths else ()), np.nan) for c in columns
        }
        self._n = 0
        self._offered = 0
        self.stride = 1
        self.max_rows = max_rows

    def __len__(self) -> int:
        return self._n

    def append(self, **row) -> None:
        """Offer one row; it is stored unless decimation skips it."""
        self.extend(**{c: np.asarray(row[c])[None] for c in self.columns})

    def extend(self, **cols: np.ndarray) -> None:
        """Offer several rows at once (equal-length arrays, one per column)."""
        count = len(cols[self.columns[0]])
        offered = np.arange(self._offered, self._offered + count)
        self._offered += count
        keep = offered % self.stride == 0
        rows = int(keep.sum())
        if not rows:
            return
        while self._n + rows > len(self._data[self.columns[0]]):
            for c, arr in self._data.items():
                grown = np.full((2 * len(arr),) + arr.shape[1:], np.nan)
                grown[: self._n] = arr[: self._n]
                self._data[c] = grown
        for c in self.columns:
            self._data[c][self._n : self._n + rows] = np.asarray(cols[c])[keep]
        self._n += rows
        while self._n >= self.max_rows:
            for arr in self._data.values():
                kept = arr[: self._n : 2].copy()
                arr[: len(kept)] = kept
            self._n = len(kept)
            self.stride *= 2

    def column(self, name: str) -> np.ndarray:
        """A copy of the stored values of one column."""
        return self._data[name][: self._n].copy()
