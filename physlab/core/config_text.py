"""A run's configuration as one line of text, to paste into an e-mail, a notebook or an issue::

    physlab:sharpness?lr=0.2&steps=3000&seed=0

The lab is the path, every parameter and the seed are query fields written as the CLI writes them
(``--set NAME=VALUE``: lists as ``30,20``, booleans as ``true``), percent-encoded where needed. The
GUI's Edit ▸ Copy configuration writes every parameter, so a later default change cannot alter the
re-run; a hand-written line may name only some (the others take their defaults).

Reading is as strict as ``--from``: an unknown lab, an unknown parameter (say, from a newer physlab),
a repeated field, a bad value or seed is refused with one line naming it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, quote

from .params import ParamError, ParamSpec
from .records import SEED_LIMIT

SCHEME = "physlab:"


class ConfigError(ValueError):
    """A configuration line that cannot be read; ``str()`` is one line saying why."""


def format_value(value: Any) -> str:
    """A parameter value as ``--set`` writes it; floats by their shortest exact repr, so that a
    pasted configuration re-runs bit for bit."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(format_value(v) for v in value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _seed(text: str) -> int:
    try:
        seed = int(text)
    except ValueError:
        raise ConfigError(f"seed {text[:40]!r} is not an integer in [0, 2^63)") from None
    if not 0 <= seed < SEED_LIMIT:
        raise ConfigError(f"seed {seed} is not an integer in [0, 2^63)")
    return seed


def to_text(lab: str, params: Mapping[str, Any], seed: int) -> str:
    """The one-line form of ``lab`` run with ``params`` (in the spec's order) and ``seed``."""
    fields = [
        f"{quote(name)}={quote(format_value(value), safe=',.-')}" for name, value in params.items()
    ]
    fields.append(f"seed={int(seed)}")
    return f"{SCHEME}{quote(lab)}?{'&'.join(fields)}"


def lab_of(text: str) -> str:
    """The lab a configuration line names (before its parameters are checked)."""
    text = text.strip()
    if not text.startswith(SCHEME):
        raise ConfigError(
            f"a configuration starts with {SCHEME!r}, e.g. '{SCHEME}sharpness?lr=0.2&seed=0'"
        )
    lab, _, _ = text[len(SCHEME) :].partition("?")
    if not lab:
        raise ConfigError("the configuration names no lab")
    return lab


def from_text(text: str, spec: ParamSpec) -> tuple[dict, int]:
    """The validated parameters and seed of a configuration line for the lab whose spec is
    ``spec`` (check :func:`lab_of` first); raises :class:`ConfigError`."""
    _, _, query = text.strip()[len(SCHEME) :].partition("?")
    try:
        pairs = parse_qsl(
            query, keep_blank_values=True, strict_parsing=bool(query), max_num_fields=1000
        )
    except ValueError as err:
        raise ConfigError(f"the configuration's fields cannot be read: {err}") from None
    names = [name for name, _ in pairs]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ConfigError(f"the configuration gives {', '.join(repeated)} more than once")
    known = {p.name for p in spec}
    unknown = [n for n in names if n not in known and n != "seed"]
    if unknown:
        raise ConfigError(
            f"unknown parameter{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(map(repr, unknown))} (written by a newer physlab?); "
            f"known: {', '.join(sorted(known))}"
        )
    seed = 0
    values = {}
    try:
        for name, value in pairs:
            if name == "seed":
                seed = _seed(value)
            else:
                values[name] = spec[name].parse(value)
        return spec.validate(values), seed
    except ParamError as err:
        raise ConfigError(str(err)) from None
