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
when). :meth:`FrameSpec.check` lists every way a frame breaks the declaration; the contract test
(``tests/test_frame_contract.py``) runs it on each lab, and ``docs/labs.md`` describes it.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Dim = int | str
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
        keys = self.applicable(params)
        declared = set(self.names())
        problems = [f"{name!r} is not declared" if name not in declared else
                    f"{name!r} is declared only for other parameters"
                    for name in frame if name not in keys]
        symbols: dict[str, int] = {}
        for key in keys.values():
            if key.name not in frame:
                if not key.optional:
                    problems.append(f"{key.name!r} is missing")
                continue
            problems.extend(self._check_array(key, frame[key.name], params, symbols))
        return problems

    @staticmethod
    def _check_array(key: FrameKey, value: Any, params: Mapping[str, Any],
                     symbols: dict[str, int]) -> list[str]:
        if not isinstance(value, np.ndarray):
            return [f"{key.name!r} is a {type(value).__name__}, not a numpy array"]
        problems = []
        if value.dtype != np.dtype(key.dtype):
            problems.append(f"{key.name!r} has dtype {value.dtype}, declared {key.dtype}")
        if value.ndim != len(key.shape):
            return problems + [f"{key.name!r} has shape {value.shape}, declared {key.shape}"]
        for axis, (dim, length) in enumerate(zip(key.shape, value.shape)):
            if isinstance(dim, str) and dim.isidentifier() and dim not in params:
                expected = symbols.setdefault(dim, length)  # a free symbol: bound on first use
            elif isinstance(dim, str):
                # an expression from the lab's own declaration (never user input), over the params
                expected = int(eval(dim, _EVAL_GLOBALS, dict(params)))
            else:
                expected = dim
            if length != expected:
                problems.append(f"{key.name!r} axis {axis} has length {length}, declared "
                                f"{dim} = {expected}")
        return problems

    def describe(self) -> list[dict]:
        """The declaration as plain data (for documentation and tools)."""
        return [{"name": k.name, "shape": list(k.shape), "dtype": k.dtype, "meaning": k.meaning,
                 "when": {n: list(v) for n, v in k.when.items()}, "optional": k.optional}
                for k in self]
