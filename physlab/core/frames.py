"""What a lab's frame holds, declared once per lab: the arrays its tab draws, each with its dtype
kind, rank and lengths. A run read back from a file (a session) is checked against its lab's
``frame_spec`` before any control or plot changes, so a crafted array is refused with a message
naming it instead of failing to paint.

Lengths are named (``("T",)`` for a trace, ``("S", "k")`` for k eigenvalues per measurement): every
array using a name must agree on it, and ``dims(params)`` fixes the names the run's parameters
determine (the kernels' P = ``n_samples``, say). :meth:`FrameSchema.check` looks at dtypes and
shapes only, so it can be run on stand-ins built from ``.npy`` headers before any data is read
(see :mod:`physlab.core.session`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

import numpy as np

REAL_KINDS = {"float": "iuf", "int": "iu"}  # numpy dtype kinds each array kind accepts


@dataclass(frozen=True)
class Array:
    """One array of a frame: its shape (names shared across the frame's arrays, or fixed
    integers) and kind, ``float`` (real numbers) or ``int`` (steps, sizes)."""

    dims: tuple[str | int, ...]
    kind: str = "float"


@dataclass(frozen=True)
class FrameSchema:
    arrays: Mapping[str, Array]
    # the arrays the tab cannot draw without, given the run's parameters (default: all)
    required: Callable[[dict], Iterable[str]] | None = None
    # the lengths the parameters fix, e.g. {"P": params["n_samples"]}
    dims: Callable[[dict], Mapping[str, int]] = field(default=lambda params: {})

    def check(self, frame: Mapping[str, np.ndarray], params: Mapping[str, Any]) -> list[str]:
        """Every way ``frame`` breaks the declaration (an empty list when it keeps it)."""
        needed = self.arrays if self.required is None else self.required(dict(params))
        problems = [f"{name!r} is missing" for name in needed if name not in frame]
        sizes = dict(self.dims(dict(params)))
        for name, value in frame.items():
            spec = self.arrays.get(name)
            if spec is None:
                problems.append(f"{name!r} is not declared")
                continue
            dtype = value.dtype
            if dtype.kind not in REAL_KINDS[spec.kind] or dtype.fields is not None:
                problems.append(f"{name!r} has dtype {dtype}, declared {spec.kind}")
            if value.ndim != len(spec.dims):
                problems.append(f"{name!r} has shape {_shape(value.shape)}, declared {spec.dims}")
                continue
            for axis, (dim, n) in enumerate(zip(spec.dims, value.shape)):
                want = dim if isinstance(dim, int) else sizes.setdefault(dim, n)
                if n != want:
                    problems.append(f"{name!r} axis {axis} has length {n}, declared "
                                    f"{dim} = {want}")
        return problems


@dataclass(frozen=True)
class FrameSchemas:
    """One :class:`FrameSchema` per value of a parameter (Collapse's models)."""

    param: str
    schemas: Mapping[str, FrameSchema]

    def check(self, frame: Mapping[str, np.ndarray], params: Mapping[str, Any]) -> list[str]:
        return self.schemas[params[self.param]].check(frame, params)


def _shape(shape: tuple[int, ...]) -> str:
    text = str(shape)
    return text if len(text) <= 60 else text[:60] + "…"
