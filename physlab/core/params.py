"""Typed parameter specs: one declaration per parameter gives validation, GUI controls, CLI parsing
and the metadata written on export.

A lab declares a :class:`ParamSpec` (an ordered list of :class:`Param`). Everything else reads it:
``ParamSpec.validate`` checks a whole parameter set, ``Param.parse`` turns CLI text into a value,
the GUI builds one control per ``Param`` (``kind`` picks the widget, ``low``/``high``/``choices`` its
range, ``help``/``unit`` its tooltip, ``live`` whether it stays enabled while a run streams), and
``ParamSpec.describe`` is what ``physlab params LAB --json`` prints.
"""

from __future__ import annotations

import difflib
import math
import operator
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .records import SEED_LIMIT, short


class Kind(StrEnum):
    """What a parameter holds. The values are the names specs, presets and JSON use (a ``Kind``
    compares equal to its string): ``Param("lr", "float", …)`` has the kind ``Kind.FLOAT``."""

    INT = "int"
    FLOAT = "float"
    CHOICE = "choice"
    BOOL = "bool"
    INTS = "ints"
    MULTI = "multi"


MEMORY_ENV = "PHYSLAB_MEMORY_LIMIT"  # bytes a run may hold, e.g. 2G or 512M (binary units)
MEMORY_FRACTION = 0.25  # default limit: this fraction of the machine's memory


class ParamError(ValueError):
    """A parameter value that is not allowed; ``str()`` is one line naming the parameter and the rule."""

    def __init__(self, name: str, message: str):
        super().__init__(f"parameter '{name}': {message}")
        self.name = name
        self.message = message


@dataclass(frozen=True)
class Param:
    """One parameter of a lab.

    kind: ``int``, ``float``, ``choice`` (one of ``choices``), ``bool``, ``ints`` (a list of ints,
    written ``30,20`` on the command line; ``low``/``high`` bound each element, ``max_len`` the length),
    or ``multi`` (a non-empty subset of ``choices``, written ``replace,mix``; kept in declared order).
    live: the value can change while a run streams (applied at the next chunk).
    restart: changing the value re-runs the lab with it (for parameters that cannot change mid-run
    but that users sweep by dragging, like a richness γ0); the control stays enabled while a run
    streams.
    log: the natural scale of the value is logarithmic (the GUI steps it multiplicatively).
    when: the parameter only matters when other parameters take given values, e.g.
    ``{"optimizer": ("momentum",)}``; the GUI hides it otherwise.
    """

    name: str
    kind: Kind
    default: Any
    help: str
    unit: str = ""
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    live: bool = False
    restart: bool = False
    log: bool = False
    group: str = "Parameters"
    label: str = ""
    max_len: int = 8
    when: Mapping[str, tuple] = field(default_factory=dict)

    def __post_init__(self):
        if self.kind not in list(Kind):
            raise ValueError(f"{self.name}: unknown kind {self.kind!r}")
        object.__setattr__(self, "kind", Kind(self.kind))  # a spec may name the kind as text
        if self.kind in (Kind.CHOICE, Kind.MULTI) and not self.choices:
            raise ValueError(f"{self.name}: a choice needs choices")
        self.check(self.default)  # a spec whose default is invalid is a programming error

    @property
    def title(self) -> str:
        return self.label or self.name

    def allowed(self) -> str:
        """The rule in words, e.g. ``a float in [1e-06, 100]`` or ``one of gd, momentum, adam``."""
        if self.kind == Kind.CHOICE:
            return "one of " + ", ".join(self.choices)
        if self.kind == Kind.BOOL:
            return "true or false"
        if self.kind == Kind.MULTI:
            return "a comma-separated selection of " + ", ".join(self.choices)
        rng = ""
        if self.low is not None or self.high is not None:
            lo = "-inf" if self.low is None else _fmt(self.low)
            hi = "inf" if self.high is None else _fmt(self.high)
            rng = f" in [{lo}, {hi}]"
        if self.kind == Kind.INTS:
            return f"a comma-separated list of 1 to {self.max_len} integers, each{rng}"
        return f"{'an integer' if self.kind == Kind.INT else 'a finite float'}{rng}"

    def parse(self, text: str) -> Any:
        """Turn command-line text into a checked value; raises :class:`ParamError`."""
        text = text.strip()
        try:
            if self.kind == Kind.INT:
                value: Any = _parse_int(text)
            elif self.kind == Kind.FLOAT:
                value = float(text)
            elif self.kind == Kind.BOOL:
                low = text.lower()
                if low not in _BOOLS:
                    raise ValueError
                value = _BOOLS[low]
            elif self.kind == Kind.INTS:
                value = [_parse_int(part) for part in text.split(",")]
            elif self.kind == Kind.MULTI:
                value = [part.strip() for part in text.split(",")]
            else:
                value = text
        except ValueError:
            raise ParamError(self.name, f"{short(text)} is not {self.allowed()}") from None
        return self.check(value)

    def check(self, value: Any) -> Any:
        """Return ``value`` normalised to the parameter's type, or raise :class:`ParamError`."""
        bad = ParamError(self.name, f"{short(value)} is not {self.allowed()}")
        if self.kind == Kind.INT:
            value = _as_int(value, bad)
            self._check_range(value, bad)
        elif self.kind == Kind.FLOAT:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise bad
            value = float(value)
            if not math.isfinite(value):
                raise bad
            self._check_range(value, bad)
        elif self.kind == Kind.BOOL:
            if not isinstance(value, bool):
                raise bad
        elif self.kind == Kind.CHOICE:
            if not isinstance(value, str) or value not in self.choices:
                raise bad
        elif self.kind == Kind.MULTI:
            if isinstance(value, str):
                value = [value]
            if (
                not isinstance(value, (list, tuple))
                or not value
                or not all(isinstance(v, str) and v in self.choices for v in value)
            ):
                raise bad
            value = [c for c in self.choices if c in value]
        elif self.kind == Kind.INTS:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                value = [value]
            if not isinstance(value, (list, tuple)) or not 1 <= len(value) <= self.max_len:
                raise bad
            value = [_as_int(v, bad) for v in value]
            for v in value:
                self._check_range(v, bad)
        return value

    def _check_range(self, value: float, bad: ParamError) -> None:
        if (self.low is not None and value < self.low) or (
            self.high is not None and value > self.high
        ):
            raise bad

    def describe(self) -> dict:
        """A JSON-ready description (``physlab params LAB --json``)."""
        out = {
            "name": self.name,
            "kind": self.kind.value,
            "default": self.default,
            "help": self.help,
            "unit": self.unit,
            "live": self.live,
            "restart": self.restart,
            "group": self.group,
            "allowed": self.allowed(),
        }
        if self.kind in (Kind.CHOICE, Kind.MULTI):
            out["choices"] = list(self.choices)
        if self.low is not None:
            out["low"] = self.low
        if self.high is not None:
            out["high"] = self.high
        if self.when:
            out["when"] = {k: list(v) for k, v in self.when.items()}
        return out


_BOOLS = {
    "true": True,
    "1": True,
    "yes": True,
    "on": True,
    "false": False,
    "0": False,
    "no": False,
    "off": False,
}


def _parse_int(text: str) -> int:
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        number = float(text)  # accept 1e3 when it is a whole number
        if not math.isfinite(number) or number != int(number):
            raise
        return int(number)


def _as_int(value: Any, bad: ParamError) -> int:
    if isinstance(value, bool):
        raise bad
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        return int(value)
    raise bad


def _fmt(x: float) -> str:
    return f"{x:g}"


def check_seed(value: Any) -> int:
    """A seed: an integer in [0, 2⁶³), the same for every lab; raises :class:`ParamError`."""
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        value = int(value)
    elif not isinstance(value, bool) and hasattr(value, "__index__"):
        value = operator.index(value)  # NumPy integers
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < SEED_LIMIT:
        raise ParamError("seed", f"{short(value)} is not an integer in [0, 2^63 - 1]")
    return value


def parse_seed(text: str) -> int:
    """A seed from command-line text (``1e3`` is accepted when whole, like integer parameters)."""
    try:
        return check_seed(_parse_int(text))
    except (ValueError, OverflowError):
        raise ParamError("seed", f"{short(text)} is not an integer in [0, 2^63 - 1]") from None


class SettingError(ParamError):
    """A setting (an environment variable) that is not allowed."""

    def __init__(self, name: str, message: str):
        ValueError.__init__(self, f"setting {name}: {message}")
        self.name = name
        self.message = message


_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def memory_limit() -> int:
    """Bytes one run may hold: ``$PHYSLAB_MEMORY_LIMIT`` (``2G``, ``512M``, ``1073741824``) or
    by default a quarter of the machine's memory. Raises :class:`SettingError` for a bad value."""
    text = os.environ.get(MEMORY_ENV, "").strip()
    if not text:
        return int(MEMORY_FRACTION * os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    number, unit = text.rstrip("bB"), ""
    if number[-1:].upper() in _UNITS:
        number, unit = number[:-1], number[-1].upper()
    try:
        value = float(number) * _UNITS[unit]
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 1 << 20:
        raise SettingError(
            MEMORY_ENV,
            f"{short(text)} is not a size of at least 1M (write e.g. "
            "2G, 512M or a number of bytes)",
        )
    return int(value)


def gib(n: float) -> str:
    return f"{n / 2**30:.2f} GiB"


def check_memory(need: int, name: str, advice: str) -> None:
    """Refuse a run whose state would exceed :func:`memory_limit`, naming the estimate; ``advice``
    says what to lower (e.g. "lower width or depth")."""
    limit = memory_limit()
    if need > limit:
        raise ParamError(
            name,
            f"this run would hold about {gib(need)} (limit {gib(limit)}, "
            f"set by {MEMORY_ENV}); {advice}",
        )


def check_increasing(name: str, values: Sequence[int]) -> None:
    """Refuse a list (of sizes, say) that does not increase strictly."""
    if any(b <= a for a, b in zip(values, values[1:])):
        raise ParamError(name, f"{values} must increase strictly")


class ParamSpec:
    """The ordered parameters of one lab, plus an optional cross-parameter check.

    ``check(params)`` receives a complete, individually valid parameter dict and raises
    :class:`ParamError` for combinations that are not allowed (e.g. warm-up longer than the run).
    """

    def __init__(self, params: Sequence[Param], check: Callable[[dict], None] | None = None):
        self.params = {p.name: p for p in params}
        if len(self.params) != len(params):
            raise ValueError("duplicate parameter names")
        self._check = check

    def __iter__(self):
        return iter(self.params.values())

    def __getitem__(self, name: str) -> Param:
        try:
            return self.params[name]
        except KeyError:
            raise ParamError(name, self._unknown(name)) from None

    def _unknown(self, name: str) -> str:
        """The message for an unknown name: every known one while the list is short (a message
        stays one readable line), else the closest few."""
        known = ", ".join(self.params)
        if len(known) <= 200:
            return "unknown parameter; known: " + known
        close = difflib.get_close_matches(name, list(self.params), n=3)
        hint = f"; closest: {', '.join(close)}" if close else ""
        return (
            f"unknown parameter ({len(self.params)} are known: `physlab params` lists them){hint}"
        )

    def defaults(self) -> dict:
        return {p.name: p.default for p in self}

    def validate(self, values: Mapping[str, Any]) -> dict:
        """Defaults overlaid with ``values``, every value checked; raises :class:`ParamError`."""
        out = self.defaults()
        for name, value in values.items():
            out[name] = self[name].check(value)
        if self._check is not None:
            self._check(out)
        return out

    def parse_assignments(self, assignments: Sequence[str]) -> dict:
        """Parse CLI ``NAME=VALUE`` strings into checked values (not yet cross-checked)."""
        out = {}
        for item in assignments:
            name, sep, text = item.partition("=")
            if not sep:
                raise ParamError(item, "expected NAME=VALUE")
            out[name.strip()] = self[name.strip()].parse(text)
        return out

    def active(self, name: str, values: Mapping[str, Any]) -> bool:
        """Whether ``name`` matters given the other values (its ``when`` conditions hold)."""
        return all(values.get(k) in allowed for k, allowed in self[name].when.items())

    def describe(self) -> list[dict]:
        return [p.describe() for p in self]
