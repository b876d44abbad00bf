"""What a lab's frame holds, declared once per lab: the arrays its tab draws, each with its dtype,
rank, lengths and finiteness. A run read back from a file (a session) is checked against its lab's
:class:`FrameSchema` before any control or plot changes, so a crafted array is refused with a
message naming it instead of failing to paint.

Lengths are named (``("T",)`` for a trace, ``("S", "k")`` for k eigenvalues per measurement): every
array using a name must agree on it, and ``dims(params)`` fixes the names the run's parameters
determine (the kernels' P = ``n_samples``, say). The check runs in two parts: :meth:`check_header`
on the dtype and shape alone (before the data is read, so a header claiming 10¹⁵ elements costs
nothing), and :meth:`check_values` on finiteness.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping

import numpy as np

from .records import RecordError

REAL_KINDS = {"float": "iuf", "int": "iu"}  # numpy dtype kinds each array kind accepts


@dataclass(frozen=True)
class Array:
    """One array of a frame.

    dims: its shape, as names shared across the frame's arrays or fixed integers.
    kind: ``float`` (real numbers) or ``int`` (steps, sizes).
    finite: ``all`` (every value finite), ``some`` (at least one finite value unless empty: a
    trace that diverged ends in inf/NaN, one that is all inf cannot be drawn), ``any`` (may be all
    NaN: a theory where it does not reach).
    """

    dims: tuple[str | int, ...]
    kind: str = "float"
    finite: str = "some"


@dataclass(frozen=True)
class FrameSchema:
    arrays: Mapping[str, Array]
    # the arrays the tab cannot draw without, given the run's parameters (default: all)
    required: Callable[[dict], Iterable[str]] | None = None
    # the lengths the parameters fix, e.g. {"P": params["n_samples"]}
    dims: Callable[[dict], Mapping[str, int]] = field(default=lambda params: {})

    def check_header(self, shapes: Mapping[str, tuple[np.dtype, tuple[int, ...]]],
                     params: dict) -> None:
        """Check names, dtypes and shapes (``{name: (dtype, shape)}``); raises
        :class:`RecordError` naming the first array that does not fit."""
        needed = set(self.arrays if self.required is None else self.required(params))
        missing = sorted(needed - set(shapes))
        if missing:
            raise RecordError(f"the run lacks the array(s) {', '.join(missing)}")
        sizes = dict(self.dims(params))
        fixed = set(sizes)
        for name, (dtype, shape) in shapes.items():
            spec = self.arrays.get(name)
            if spec is None:
                raise RecordError(f"array {name!r} is not one this lab writes")
            dtype = np.dtype(dtype)
            if dtype.kind not in REAL_KINDS[spec.kind] or dtype.fields is not None:
                raise RecordError(f"array {name!r} has dtype {dtype} (expected {spec.kind})")
            if len(shape) != len(spec.dims):
                raise RecordError(f"array {name!r} has {len(shape)} dimension(s) "
                                  f"(expected {len(spec.dims)})")
            for axis, (dim, n) in enumerate(zip(spec.dims, shape)):
                want = dim if isinstance(dim, int) else sizes.setdefault(dim, n)
                if n != want:
                    why = "the parameters" if dim in fixed else "the other arrays"
                    raise RecordError(f"array {name!r} has length {n} along axis {axis} "
                                      f"({why} give {want})")

    def check_values(self, frame: Mapping[str, np.ndarray]) -> None:
        """Check finiteness; raises :class:`RecordError`."""
        for name, value in frame.items():
            rule = self.arrays[name].finite
            if rule == "any" or value.size == 0 or value.dtype.kind in "iu":
                continue
            ok = np.isfinite(value)
            if (rule == "all" and not ok.all()) or (rule == "some" and not ok.any()):
                what = "every value" if rule == "all" else "at least one value"
                raise RecordError(f"array {name!r}: {what} must be finite")

    def check(self, frame: Mapping[str, np.ndarray], params: dict) -> None:
        self.check_header({k: (v.dtype, v.shape) for k, v in frame.items()}, params)
        self.check_values(frame)
