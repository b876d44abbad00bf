"""What changed in a frame since the last one sent: the message a lab's worker process sends.

A frame is a dict of arrays (:mod:`.experiment`); most of it is traces that only grow by a few rows
between frames, so sending the whole frame 30 times a second would copy megabytes for nothing.
:class:`FrameEncoder` (in the worker) compares each array with the one it sent last, byte for byte,
and sends only its new trailing rows when the old ones are unchanged, nothing when the whole array
is unchanged, and the whole array otherwise (a heatmap, a trace that halved its resolution).
:class:`FrameDecoder` (in the GUI process) rebuilds the frame: growing arrays live in buffers that
double, and each frame holds read-only views of their first rows, which appending never rewrites.
"""

from __future__ import annotations

from typing import Any

import numpy as np

SAME, TAIL, FULL = "same", "tail", "full"


def _grows_from(old: Any, new: Any) -> bool:
    """Whether ``new`` is ``old`` with rows appended (or ``old`` itself), byte for byte."""
    if not (isinstance(old, np.ndarray) and isinstance(new, np.ndarray)):
        return False
    if old.ndim == 0 or old.dtype != new.dtype or old.shape[1:] != new.shape[1:]:
        return False
    if len(new) < len(old) or old.dtype.hasobject:
        return False
    head = np.ascontiguousarray(new[: len(old)])
    return np.array_equal(head.view(np.uint8), np.ascontiguousarray(old).view(np.uint8))


class FrameEncoder:
    """Turns a run's frames into deltas against the previous one encoded (start a new encoder,
    or :meth:`reset`, for every run)."""

    def __init__(self) -> None:
        self._sent: dict[str, Any] = {}

    def reset(self) -> None:
        self._sent = {}

    def encode(self, frame: dict[str, Any]) -> dict[str, tuple]:
        delta = {}
        for key, new in frame.items():
            old = self._sent.get(key)
            if old is not None and _grows_from(old, new):
                delta[key] = (SAME,) if len(new) == len(old) else (TAIL, new[len(old) :])
            else:
                delta[key] = (FULL, new)
        self._sent = dict(frame)
        return delta


class FrameDecoder:
    """Rebuilds frames from :class:`FrameEncoder` deltas, in the order they were encoded."""

    def __init__(self) -> None:
        self._buffers: dict[str, tuple[Any, int]] = {}  # key → (buffer, rows in use)

    def decode(self, delta: dict[str, tuple]) -> dict[str, Any]:
        frame = {}
        buffers = {}
        for key, (kind, *data) in delta.items():
            if kind == FULL:
                buffers[key] = (data[0], len(data[0]) if _is_rows(data[0]) else 0)
            elif kind == SAME:
                buffers[key] = self._buffers[key]
            else:
                buffers[key] = _append(*self._buffers[key], data[0])
            buffer, rows = buffers[key]
            frame[key] = _view(buffer, rows) if _is_rows(buffer) else buffer
        self._buffers = buffers
        return frame


def _is_rows(value: Any) -> bool:
    return isinstance(value, np.ndarray) and value.ndim > 0


def _view(buffer: np.ndarray, rows: int) -> np.ndarray:
    view = buffer[:rows]
    view.flags.writeable = False
    return view


def _append(buffer: np.ndarray, rows: int, tail: np.ndarray) -> tuple[np.ndarray, int]:
    """``tail`` written after the first ``rows`` rows of ``buffer`` (grown by doubling if full)."""
    needed = rows + len(tail)
    if needed > len(buffer) or not buffer.flags.owndata:
        grown = np.empty((max(needed, 2 * len(buffer)),) + buffer.shape[1:], buffer.dtype)
        grown[:rows] = buffer[:rows]
        buffer = grown
    buffer[rows:needed] = tail
    return buffer, needed
