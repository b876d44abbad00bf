"""The frame contract: what a lab's :meth:`Experiment.frame` holds, declared once.

A lab declares ``FRAME = FrameSpec([FrameKey(...), ...])``: for every key its shape, dtype and
meaning. A dimension of a shape is

- an int (a fixed length),
- a parameter name or an expression over the parameters (``"n_samples"``,
  ``"len(strategy) + 1"``, ``"min(16, n_samples)"``), evaluated with the run's validated params, or
- a free symbol (a name that is not a parameter, like ``"T"`` for the recorded steps): it can take
  any length, but the same length everywhere it appears in one frame.

A key with ``when`` (``{"model": ("uv",)}``, as :class:`~physlab.core.params.Param` uses) is in
the frame exactly when the params match; an ``optional`` key may be missing (its meaning says
when). ``finite`` says which values must be finite: ``all``, ``some`` (at least one, unless
empty: a trace that diverged ends in inf/NaN, one that is all inf cannot be drawn) or ``any`` (may
be all NaN: a theory where it does not reach).

One declaration serves two readers. :meth:`FrameSpec.check` lists every way a frame breaks it; the
contract test (``tests/test_frame_contract.py``) runs it on each lab, and ``docs/labs.md``
describes it. A run read back from a file someone else wrote (a session) is checked in two parts
before any control or plot changes: :meth:`FrameSpec.check_header` on dtypes and shapes alone
(before the data is read, so a header claiming 10¹⁵ elements costs nothing), then
:meth:`FrameSpec.check_values` on finiteness; both raise
:class:`~physlab.core.records.RecordError` naming the first array that does not fit.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .records import RecordError

Dim = int | str
FINITE = ("all", "some", "any")
_EVAL_GLOBALS = {"__builtins__": {}, "len": len, "min": min, "max": max}


@dataclass(frozen=True)
class FrameKey:
    """One array of a frame."""

    name: str
    shape: tuple[Dim, ...]
    dtype: str  # a numpy dtype name: "float64", "int64", "float32"
    meaning: str
    when: Mapping[str, tuple] = field(default_factory=dict)
    optional: bool = False
    finite: str = "some"

    def __post_init__(self):
        if self.finite not in FINITE:
            raise ValueError(f"{self.name}: finite must be one of {FINITE}")

    def applies(self, params: Mapping[str, Any]) -> bool:
        return all(params.get(name) in values for name, values in self.when.items())


class FrameSpec:
    """The declared keys of a lab's frames, in order. A name may be declared more than once with
    different ``when`` (a key whose shape depends on the model, say); for one set of params at
    most one declaration of a name applies."""

    def __init__(self, keys: Sequence[FrameKey]):
        self.keys = tuple(keys)
        for key in self.keys:
            np.dtype(key.dtype)  # an unknown dtype name fails at import, not in a test

    def __iter__(self) -> Iterator[FrameKey]:
        return iter(self.keys)

    def names(self) -> list[str]:
        return list(dict.fromkeys(key.name for key in self.keys))

    def applicable(self, params: Mapping[str, Any]) -> dict[str, FrameKey]:
        """The declarations that hold for runs with ``params``, by name."""
        out: dict[str, FrameKey] = {}
        for key in self.keys:
            if key.applies(params):
                if key.name in out:
                    raise ValueError(f"frame key {key.name!r} is declared twice for {params}")
                out[key.name] = key
        return out

    def check(self, frame: Mapping[str, Any], params: Mapping[str, Any]) -> list[str]:
        """Every way ``frame`` breaks the declaration (an empty list when it keeps it)."""
        arrays = [name for name, value in frame.items() if isinstance(value, np.ndarray)]
        problems = [
            f"{name!r} is a {type(value).__name__}, not a numpy array"
            for name, value in frame.items()
            if not isinstance(value, np.ndarray)
        ]
        problems += self.header_problems(
            {name: (frame[name].dtype, frame[name].shape) for name in arrays}, params
        )
        return problems

    def header_problems(
        self, shapes: Mapping[str, tuple[Any, tuple[int, ...]]], params: Mapping[str, Any]
    ) -> list[str]:
        """Every way arrays of these ``{name: (dtype, shape)}`` break the declaration."""
        keys = self.applicable(params)
        declared = set(self.names())
        problems = [
            f"{name!r} is not declared"
            if name not in declared
            else f"{name!r} is declared only for other parameters"
            for name in shapes
            if name not in keys
        ]
        symbols: dict[str, int] = {}
        for key in keys.values():
            if key.name not in shapes:
                if not key.optional:
                    problems.append(f"{key.name!r} is missing")
                continue
            dtype, shape = shapes[key.name]
            problems.extend(self._check_shape(key, np.dtype(dtype), tuple(shape), params, symbols))
        return problems

    def check_header(
        self, shapes: Mapping[str, tuple[Any, tuple[int, ...]]], params: Mapping[str, Any]
    ) -> None:
        """Refuse arrays (``{name: (dtype, shape)}``, read from file headers before the data)
        that break the declaration: raises :class:`RecordError` with the first problem."""
        problems = self.header_problems(shapes, params)
        if problems:
            raise RecordError(f"array {problems[0]}")

    def check_values(self, frame: Mapping[str, np.ndarray]) -> None:
        """Refuse values a view cannot draw, by each key's ``finite`` rule (after
        :meth:`check_header`); raises :class:`RecordError`."""
        rules = {key.name: key.finite for key in self.keys}
        for name, value in frame.items():
            rule = rules.get(name, "any")
            if rule == "any" or value.size == 0 or value.dtype.kind in "iub":
                continue
            ok = np.isfinite(value)
            if rule == "all" and not ok.all():
                raise RecordError(f"array {name!r} has a value that is not finite")
            if rule == "some" and not ok.any():
                raise RecordError(f"array {name!r} has no finite value")

    def validate(self, frame: Mapping[str, np.ndarray], params: Mapping[str, Any]) -> None:
        """:meth:`check_header` and :meth:`check_values` of arrays already in memory."""
        self.check_header(
            {name: (value.dtype, value.shape) for name, value in frame.items()}, params
        )
        self.check_values(frame)

    @staticmethod
    def _check_shape(
        key: FrameKey,
        dtype: np.dtype,
        shape: tuple[int, ...],
        params: Mapping[str, Any],
        symbols: dict[str, int],
    ) -> list[str]:
        problems = []
        if dtype != np.dtype(key.dtype):
            problems.append(f"{key.name!r} has dtype {dtype}, declared {key.dtype}")
        if len(shape) != len(key.shape):
            return problems + [f"{key.name!r} has shape {shape}, declared {key.shape}"]
        for axis, (dim, length) in enumerate(zip(key.shape, shape)):
            if isinstance(dim, str) and dim.isidentifier() and dim not in params:
                expected = symbols.setdefault(dim, length)  # a free symbol: bound on first use
            elif isinstance(dim, str):
                # an expression from the lab's own declaration (never user input), over the params
                expected = int(eval(dim, _EVAL_GLOBALS, dict(params)))
            else:
                expected = dim
            if length != expected:
                problems.append(
                    f"{key.name!r} axis {axis} has length {length}, declared {dim} = {expected}"
                )
        return problems

    def describe(self) -> list[dict]:
        """The declaration as plain data (for documentation and tools)."""
        return [
            {
                "name": k.name,
                "shape": list(k.shape),
                "dtype": k.dtype,
                "meaning": k.meaning,
                "when": {n: list(v) for n, v in k.when.items()},
                "optional": k.optional,
                "finite": k.finite,
            }
            for k in self
        ]
