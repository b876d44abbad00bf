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

from .params import ParamError, ParamSpec, check_seed
from .records import short
from .resources import resource

MAX_PRESET_BYTES = 1 << 20


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
    """Read and validate the preset ``name``, one of :func:`list_presets` (a name, never a path);
    raises :class:`PresetError` with a clear message."""
    known = list_presets(lab)
    if name not in known:
        raise PresetError(
            f"no preset {short(name)} for lab {lab!r}; known: "
            f"{', '.join(known) or 'none'} (a file of your own: --preset-file)"
        )
    return load_preset_file(preset_dir(lab) / f"{name}.toml", spec, name)


def load_preset_file(path: Path, spec: ParamSpec, name: str | None = None) -> Preset:
    """Read and validate a preset from a TOML file of the layout above (``--preset-file``)."""
    path = Path(path)
    name = name or path.stem
    try:
        if path.stat().st_size > MAX_PRESET_BYTES:
            raise PresetError(
                f"preset file {path.name} is larger than {MAX_PRESET_BYTES:,} "
                "bytes; presets are a few lines"
            )
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError, RecursionError) as err:
        why = err.strerror if isinstance(err, OSError) and err.strerror else short(str(err), 100)
        raise PresetError(f"preset {short(name)} ({path}) cannot be read: {why}") from None
    params = doc.get("params", {})
    if not isinstance(params, dict):
        raise PresetError(f"preset {short(name)}: [params] must be a table of NAME = VALUE")
    try:
        spec.validate(params)
        seed = doc.get("seed")
        seed = check_seed(seed) if seed is not None else None
    except ParamError as err:
        raise PresetError(f"preset {short(name)}: {err}") from None
    texts = {
        key: doc.get(key, default)
        for key, default in (("title", name), ("description", ""), ("figure", ""))
    }
    if not all(isinstance(v, str) for v in texts.values()):
        raise PresetError(f"preset {short(name)}: title, description and figure must be text")
    return Preset(name=name, params=dict(params), seed=seed, path=path, **texts)
