"""What one sweep is: a lab, validated base parameters, one or two axes (parameters of the lab's
spec and their values), repeats, measures and a seed — and the points it expands to.

A point's seed is derived from (sweep seed, flat grid index, repeat) alone, so its numbers do not
depend on which worker runs it, in what order, or whether it ran before an interruption.
"""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..params import Param, ParamError, ParamSpec

MAX_AXIS_POINTS = 10_000


@dataclass(frozen=True)
class Axis:
    name: str  # a parameter of the lab's spec
    values: tuple  # checked by the parameter, in order
    log: bool = False

    def __len__(self) -> int:
        return len(self.values)

    def numeric(self) -> np.ndarray:
        """The values as an array (``grid_<name>`` in the NPZ): numbers, or strings for choices;
        a one-element list of an ``ints`` parameter is its integer."""
        flat = [v[0] if isinstance(v, list) and len(v) == 1 else v for v in self.values]
        if all(isinstance(v, str) for v in flat):
            return np.array(flat, dtype=str)
        if any(isinstance(v, list) for v in flat):
            return np.array([",".join(map(str, v)) for v in self.values], dtype=str)
        return np.array(flat)

    def describe(self) -> dict:
        return {"name": self.name, "values": list(self.values), "log": self.log}


def parse_axis(spec: ParamSpec, text: str) -> Axis:
    """``NAME=start:stop:count[:log]`` (evenly or log-spaced numbers, rounded for integers) or
    ``NAME=v1,v2,…`` (each value checked by the parameter); raises :class:`ParamError`."""
    name, sep, values = text.partition("=")
    name = name.strip()
    if not sep or not values.strip():
        raise ParamError(text, "a grid is NAME=start:stop:count[:log] or NAME=v1,v2,…")
    param = spec[name]
    if ":" in values:
        return _range_axis(param, values.strip())
    parts = [part for part in values.split(",") if part.strip()]
    if param.kind in ("multi",):
        raise ParamError(name, "a selection cannot be a sweep axis")
    checked = tuple(param.parse(part) for part in parts)
    _check_count(name, len(checked))
    if len(set(map(repr, checked))) != len(checked):
        raise ParamError(name, f"the grid {values!r} repeats a value")
    return Axis(name, checked, log=param.log and _positive(checked))


def _range_axis(param: Param, text: str) -> Axis:
    fields = text.split(":")
    usage = f"{text!r} is not start:stop:count[:log]"
    if len(fields) not in (3, 4) or (len(fields) == 4 and fields[3].strip() != "log"):
        raise ParamError(param.name, usage)
    if param.kind not in ("int", "float", "ints"):
        raise ParamError(
            param.name, f"a range needs a numeric parameter; list the values ({param.allowed()})"
        )
    try:
        start, stop, count = float(fields[0]), float(fields[1]), int(fields[2])
    except ValueError:
        raise ParamError(param.name, usage) from None
    log = len(fields) == 4
    _check_count(param.name, count)
    if log and (start <= 0 or stop <= 0):
        raise ParamError(param.name, f"a log grid needs positive ends, not {start:g}:{stop:g}")
    grid = np.geomspace(start, stop, count) if log else np.linspace(start, stop, count)
    if param.kind == "float":
        values = tuple(param.check(float(v)) for v in grid)
    else:
        ints = list(dict.fromkeys(int(round(v)) for v in grid))
        if len(ints) != count:
            raise ParamError(
                param.name,
                f"{count} integers between {start:g} and {stop:g} "
                f"repeat after rounding; use fewer points",
            )
        values = tuple(param.check([v] if param.kind == "ints" else v) for v in ints)
    return Axis(param.name, values, log=log)


def _check_count(name: str, count: int) -> None:
    if not 1 <= count <= MAX_AXIS_POINTS:
        raise ParamError(name, f"a grid has 1 to {MAX_AXIS_POINTS} values, not {count}")


def _positive(values: tuple) -> bool:
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in values)


def point_seed(sweep_seed: int, flat_index: int, repeat: int) -> int:
    """A 32-bit seed for one (point, repeat), mixed from the three numbers by NumPy's
    SeedSequence (statistically independent streams for neighbouring indices)."""
    entropy = [int(sweep_seed), int(flat_index), int(repeat)]
    return int(np.random.SeedSequence(entropy).generate_state(1, np.uint32)[0])


@dataclass(frozen=True)
class Point:
    index: tuple[int, ...]  # grid index (i,) or (i, j)
    repeat: int
    params: dict  # base + axis values
    seed: int


@dataclass(frozen=True)
class SweepSpec:
    lab: str
    base: dict  # validated base parameters (preset + --set)
    axes: tuple[Axis, ...]  # 1 or 2
    repeats: int = 1
    measures: tuple[str, ...] = ()  # () = all the lab's measures
    seed: int = 0

    def __post_init__(self):
        if len(self.axes) not in (1, 2):
            raise ParamError("grid", f"a sweep has one or two axes, not {len(self.axes)}")
        if len({a.name for a in self.axes}) != len(self.axes):
            raise ParamError("grid", f"both axes sweep {self.axes[0].name}")
        if not 1 <= self.repeats <= 1000:
            raise ParamError("repeats", f"{self.repeats} is not an integer in [1, 1000]")

    def shape(self) -> tuple[int, ...]:
        return tuple(len(a) for a in self.axes) + (self.repeats,)

    def grid_shape(self) -> tuple[int, ...]:
        return tuple(len(a) for a in self.axes)

    def total(self) -> int:
        return math.prod(self.shape())

    def params_at(self, index: tuple[int, ...]) -> dict:
        params = dict(self.base)
        for axis, i in zip(self.axes, index):
            params[axis.name] = axis.values[i]
        return params

    def point(self, index: tuple[int, ...], repeat: int) -> Point:
        flat = int(np.ravel_multi_index(index, self.grid_shape()))
        return Point(
            tuple(int(i) for i in index),
            int(repeat),
            self.params_at(index),
            point_seed(self.seed, flat, repeat),
        )

    def points(self) -> list[Point]:
        """Every (grid index, repeat), row-major with the repeat last."""
        return [self.point(idx[:-1], idx[-1]) for idx in np.ndindex(*self.shape())]

    def validate(self, lab_spec: ParamSpec | None = None) -> None:
        """Every grid point's parameters pass the lab's spec (cross-checks included), and the
        measures are the lab's."""
        lab = find_lab(self.lab)
        lab_spec = lab_spec or lab.spec
        for name in self.measures:
            lab.measure(name)
        for index in np.ndindex(*self.grid_shape()):
            params = self.params_at(index)
            try:
                lab_spec.validate(params)
            except ParamError as err:
                where = ", ".join(f"{a.name} = {_show(params[a.name])}" for a in self.axes)
                raise ParamError(err.name, f"{err.message} (at {where})") from None

    def describe(self) -> dict:
        return {
            "lab": self.lab,
            "base": dict(self.base),
            "axes": [a.describe() for a in self.axes],
            "repeats": self.repeats,
            "measures": list(self.measures),
            "seed": self.seed,
        }

    @classmethod
    def from_description(cls, doc: dict) -> SweepSpec:
        axes = tuple(
            Axis(a["name"], tuple(a["values"]), bool(a.get("log", False))) for a in doc["axes"]
        )
        return cls(
            doc["lab"],
            dict(doc["base"]),
            axes,
            int(doc["repeats"]),
            tuple(doc["measures"]),
            int(doc["seed"]),
        )


def find_lab(name: str):
    """The :class:`~physlab.core.registry.Lab` called ``name``. The list of labs sits above core
    (``physlab.catalog``), so it is looked up at run time by name, like a lab's tab class."""
    return importlib.import_module("physlab.catalog").get_lab(name)


def _show(value: Any) -> str:
    return (
        ",".join(map(str, value))
        if isinstance(value, list)
        else f"{value:g}"
        if isinstance(value, float)
        else str(value)
    )
