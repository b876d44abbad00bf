"""Presets: named parameter sets stored as TOML under ``resources/presets/<lab>/<name>.toml``::

    title = "Edge of stability on the Chebyshev net"
    figure = "Cohen et al. 2021 (…), Fig. 1 in miniature"   # the published figure it reproduces
    description = "…what the preset shows and which paper/figure it follows…"
    seed = 0            # optional
    [params]
    lr = 0.2

Presets are validated against the lab's spec when loaded, so a stale preset is reported by name
instead of producing a strange run.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .params import ParamError, ParamSpec
from .resources import resource


class PresetError(ValueError):
    pass


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    description: str
    params: dict
    seed: int | None = None
    figure: str = ""
    path: Path = field(default=Path(), compare=False)


def preset_dir(lab: str) -> Path:
    return resource("presets", lab)


def list_presets(lab: str) -> list[str]:
    folder = preset_dir(lab)
    return sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else []


def load_preset(lab: str, name: str, spec: ParamSpec) -> Preset:
    """Read and validate a preset; raises :class:`PresetError` with a clear message."""
    path = preset_dir(lab) / f"{name}.toml"
    if not path.is_file():
        known = ", ".join(list_presets(lab)) or "none"
        raise PresetError(f"no preset {name!r} for lab {lab!r}; known: {known}")
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, OSError) as err:
        raise PresetError(f"preset {name!r} ({path}) cannot be read: {err}") from err
    params = doc.get("params", {})
    try:
        spec.validate(params)
    except ParamError as err:
        raise PresetError(f"preset {name!r}: {err}") from err
    seed = doc.get("seed")
    return Preset(name=name, title=doc.get("title", name), description=doc.get("description", ""),
                  params=dict(params), seed=int(seed) if seed is not None else None,
                  figure=doc.get("figure", ""), path=path)
