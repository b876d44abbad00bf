"""Sweep presets: ``resources/presets/<lab>/sweeps/<name>.toml``, each named after the published
figure it follows::

    title = "Early-training phase diagram"
    figure = "Kalra & Barkeshli 2023, Fig. 1"
    description = "…"
    seed = 0
    [params]              # the base parameters, as in a run preset
    lr_mode = "normalized"
    [sweep]
    grid = ["lr=0.5:8:16:log", "depth=1:4:4"]
    repeats = 1
    measures = ["regime"]  # optional; default all the lab's measures

``physlab sweep LAB --preset NAME`` starts from it; ``--set``, ``--grid``, ``--repeats``,
``--measure`` and ``--seed`` override its fields.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass

from ..params import ParamError, ParamSpec
from ..presets import PresetError, preset_dir


@dataclass(frozen=True)
class SweepPreset:
    name: str
    title: str
    figure: str
    description: str
    params: dict
    grid: tuple[str, ...]
    repeats: int = 1
    measures: tuple[str, ...] = ()
    seed: int = 0


def list_sweep_presets(lab: str) -> list[str]:
    folder = preset_dir(lab) / "sweeps"
    return sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else []


def load_sweep_preset(lab: str, name: str, spec: ParamSpec) -> SweepPreset:
    """Read a sweep preset; its base parameters are validated (the grid when the sweep is)."""
    path = preset_dir(lab) / "sweeps" / f"{name}.toml"
    if not path.is_file():
        known = ", ".join(list_sweep_presets(lab)) or "none"
        raise PresetError(f"no sweep preset {name!r} for lab {lab!r}; known: {known}")
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        sweep = doc["sweep"]
        grid = tuple(sweep["grid"])
    except (tomllib.TOMLDecodeError, OSError, KeyError, TypeError) as err:
        raise PresetError(f"sweep preset {name!r} ({path}) cannot be read: {err}") from err
    params = doc.get("params", {})
    try:
        spec.validate(params)
    except ParamError as err:
        raise PresetError(f"sweep preset {name!r}: {err}") from err
    return SweepPreset(
        name=name,
        title=doc.get("title", name),
        figure=doc.get("figure", ""),
        description=doc.get("description", ""),
        params=dict(params),
        grid=grid,
        repeats=int(sweep.get("repeats", 1)),
        measures=tuple(sweep.get("measures", ())),
        seed=int(doc.get("seed", 0)),
    )
