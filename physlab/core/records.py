"""Typed records for what physlab reads back from files it did not necessarily write: each file
kind's JSON metadata is described once here (:data:`EXPORT_META`, :data:`SESSION`) and checked
against that description before anything uses it, so a crafted or damaged file is refused in one
line naming the field, instead of failing wherever the value is first touched.

A :class:`Kind` checks one JSON value and returns it (normalised); :class:`Record` is an object
with typed fields. :func:`load_json` parses text with a cap on its length and nesting depth (JSON
nested 100,000 deep would otherwise exhaust the interpreter's recursion limit).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

SEED_LIMIT = 1 << 63  # seeds are integers in [0, 2⁶³) in every lab
MAX_JSON_DEPTH = 64  # our files nest about 6 deep
SHOWN_CHARS = 60  # rejected values are shown cut to this many characters


class RecordError(ValueError):
    """A value that does not fit its record; ``str()`` names where it is and what is wrong."""


def short(value: Any, limit: int = SHOWN_CHARS) -> str:
    """``repr(value)`` cut to ``limit`` characters (a rejected value may be megabytes long)."""
    text = repr(value) if not isinstance(value, str) else repr(value[: limit + 1])
    return text if len(text) <= limit else text[:limit] + "…"


_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


def load_json(text: str, what: str, max_chars: int) -> Any:
    """Parse ``text`` (the JSON of ``what``), refusing more than ``max_chars`` characters or
    nesting deeper than :data:`MAX_JSON_DEPTH`; raises :class:`RecordError`."""
    if len(text) > max_chars:
        raise RecordError(f"{what} is {len(text):,} characters long (limit {max_chars:,})")
    bare = _STRINGS.sub("", text).encode("utf-8", "replace")
    codes = np.frombuffer(bare, dtype=np.uint8)
    steps = np.isin(codes, (ord("["), ord("{"))).astype(np.int32) - np.isin(
        codes, (ord("]"), ord("}"))
    )
    if steps.size and int(np.cumsum(steps).max()) > MAX_JSON_DEPTH:
        raise RecordError(f"{what} nests deeper than {MAX_JSON_DEPTH} levels")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as err:
        raise RecordError(f"{what} is not valid JSON ({short(str(err), 80)})") from None


class Kind:
    """The type of one JSON value."""

    name = "a value"

    def check(self, value: Any, where: str) -> Any:
        return value

    def fail(self, value: Any, where: str) -> RecordError:
        return RecordError(f"{where}: {short(value)} is not {self.name}")


class Str(Kind):
    name = "a string"

    def check(self, value, where):
        if not isinstance(value, str):
            raise self.fail(value, where)
        return value


class Bool(Kind):
    name = "true or false"

    def check(self, value, where):
        if not isinstance(value, bool):
            raise self.fail(value, where)
        return value


@dataclass(frozen=True)
class Int(Kind):
    low: int = 0
    high: int = SEED_LIMIT - 1

    @property
    def name(self) -> str:  # type: ignore[override]  # a class attribute in Kind, computed here
        return f"an integer in [{self.low}, {self.high}]"

    def check(self, value, where):
        if isinstance(value, float) and math.isfinite(value) and value == int(value):
            value = int(value)
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not self.low <= value <= self.high
        ):
            raise self.fail(value, where)
        return value


class Number(Kind):
    name = "a number"

    def check(self, value, where):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(value, where)
        return value


class Object(Kind):
    """Any JSON object (its values are checked elsewhere, e.g. parameters by the lab's spec)."""

    name = "an object"

    def check(self, value, where):
        if not isinstance(value, dict):
            raise self.fail(value, where)
        return value


@dataclass(frozen=True)
class ListOf(Kind):
    item: Kind
    max_len: int = 10_000

    @property
    def name(self) -> str:  # type: ignore[override]  # a class attribute in Kind, computed here
        return f"a list of at most {self.max_len} items"

    def check(self, value, where):
        if not isinstance(value, list) or len(value) > self.max_len:
            raise self.fail(value, where)
        return [self.item.check(v, f"{where}[{i}]") for i, v in enumerate(value)]


@dataclass(frozen=True)
class Record(Kind):
    """An object with typed fields; ``required`` ones must be present, the others are checked when
    present. Unknown fields are kept as they are (a newer physlab may add some)."""

    fields: Mapping[str, Kind]
    required: tuple[str, ...] = ()
    name = "an object"

    def check(self, value, where):
        if not isinstance(value, dict):
            raise self.fail(value, where)
        out = dict(value)
        for key in self.required:
            if key not in value:
                raise RecordError(f"{where}: the field {key!r} is missing")
        for key, kind in self.fields.items():
            if key in value:
                out[key] = kind.check(value[key], f"{where}.{key}" if where else key)
        return out


SEED = Int(0, SEED_LIMIT - 1)
COUNT = Int(0, SEED_LIMIT - 1)

# what the tabs read from a run's summary (everything else in it is only carried along)
SUMMARY = Record(
    {
        "rows": ListOf(Str()),
        "sweep_rows": ListOf(Str()),
        "repeats": Int(1),
        "theory": Str(),
        "theory_note": Str(),
        "fit_note": Str(),
    }
)

# the metadata of an exported run (NPZ ``meta``, CSV header line, PNG text chunk, SVG <desc>)
# and of every run a session keeps; see :func:`physlab.core.headless.run_meta`
EXPORT_META = Record(
    {
        "lab": Str(),
        "params": Object(),
        "seed": SEED,
        "created": Str(),
        "versions": Object(),
        "wall_time": Number(),
        "steps_done": COUNT,
        "total_steps": COUNT,
        "diverged": Bool(),
        "divergence": Str(),
        "stopped": Bool(),
        "summary": SUMMARY,
    },
    required=("lab", "params", "seed"),
)
RUN_META = Record(EXPORT_META.fields)  # a session's run: its params and seed are beside it

# a session's ``session`` entry (see :mod:`physlab.core.session`)
SESSION_RUN = Record(
    {"meta": RUN_META, "params": Object(), "seed": SEED, "arrays": ListOf(Str(), max_len=1000)},
    required=("meta", "params", "seed", "arrays"),
)
SESSION_LAB = Record(
    {"params": Object(), "seed": SEED, "runs": ListOf(SESSION_RUN, 100)},
    required=("params", "seed", "runs"),
)
SESSION_HEADER = Record({"format": Str(), "schema": Int(0, 1 << 31)})
SESSION = Record({"labs": Object()}, required=("labs",))  # each lab: SESSION_LAB, apart
