"""Session files: every lab's parameters and seed, and the runs it keeps (the one on screen and the
earlier runs it overlays), in one file that opens back into the same app state.

A session is a NumPy ``.npz`` archive with the suffix ``.physlab``: one ``session`` entry holds a
JSON document ::

    {"format": "physlab-session", "schema": 1, "created": …, "versions": {…},
     "labs": {"sharpness": {"params": {…}, "seed": 0,
                            "runs": [{"meta": {…run metadata, as in exports…},
                                      "arrays": ["step", "loss", …]}, …]}, …}}

and the arrays of run ``i`` of lab ``L`` are the entries ``L/i/<name>``. ``schema`` is raised whenever
the layout changes; a file from a newer physlab, an unknown schema, or a damaged file is refused with
a :class:`SessionError` that says which, and a lab whose saved parameters no longer validate is
skipped with a warning rather than failing the whole file. Writing is atomic (see
:func:`~physlab.core.export.atomic_path`).
"""
from __future__ import annotations

import json
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from .export import atomic_path, check_target, meta_json, now, read_figure_meta, versions
from .params import ParamError
from .registry import Lab
from .sweep_session import SweepRecord, read_sweep, sweep_entry

SCHEMA = 1
SUFFIX = ".physlab"
FORMAT = "physlab-session"


class SessionError(ValueError):
    """A session file that cannot be opened; the message says why."""


@dataclass
class RunRecord:
    """One finished (or stopped, or diverged) run: its parameters, seed, data and metadata."""

    params: dict
    seed: int
    frame: dict[str, np.ndarray]
    meta: dict = field(default_factory=dict)


@dataclass
class LabState:
    """What a session keeps of one lab: the controls' parameters and seed, and its runs (oldest
    first; the last is the one on screen)."""

    params: dict
    seed: int
    runs: list[RunRecord] = field(default_factory=list)
    sweep: SweepRecord | None = None  # the Sweep view's sweep (see core/sweep_session.py)


def write_session(path: Path, labs: Mapping[str, LabState]) -> Path:
    """Write ``labs`` to ``path`` (must end in ``.physlab``), atomically."""
    path = check_target(Path(path), (SUFFIX,))
    doc = {"format": FORMAT, "schema": SCHEMA, "created": now(), "versions": versions(),
           "labs": {}}
    arrays: dict[str, np.ndarray] = {}
    for name, state in labs.items():
        runs = []
        for i, run in enumerate(state.runs):
            runs.append({"meta": run.meta, "params": run.params, "seed": int(run.seed),
                         "arrays": list(run.frame)})
            for key, value in run.frame.items():
                arrays[f"{name}/{i}/{key}"] = np.asarray(value)
        doc["labs"][name] = {"params": state.params, "seed": int(state.seed), "runs": runs,
                             **sweep_entry(name, state.sweep, arrays)}
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            np.savez_compressed(f, session=np.array(meta_json(doc)), **arrays)
    return path


def read_session(path: Path, labs: Mapping[str, Lab]) -> tuple[dict[str, LabState], list[str]]:
    """Open a session: (the state of every lab it holds that ``labs`` knows, warnings).

    Raises :class:`SessionError` for a file that is missing, not a session, damaged, or of another
    schema. Labs it does not know and parameters that no longer validate give warnings instead.
    """
    path = Path(path)
    if not path.is_file():
        raise SessionError(f"cannot open {path}: no such file")
    try:
        with np.load(path, allow_pickle=False) as z:
            if "session" not in z.files:
                raise SessionError(f"cannot open {path.name}: it is not a physlab session "
                                   "(no session record inside)")
            doc = json.loads(str(z["session"]))
            _check_header(path, doc)
            return _read_labs(z, doc, labs)
    except SessionError:
        raise
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError, TypeError) as err:
        raise SessionError(f"cannot open {path.name}: the file is damaged or not a physlab "
                           f"session ({type(err).__name__}: {err})") from err


def _check_header(path: Path, doc: Any) -> None:
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise SessionError(f"cannot open {path.name}: it is not a physlab session")
    schema = doc.get("schema")
    if not isinstance(schema, int):
        raise SessionError(f"cannot open {path.name}: it has no schema number")
    if schema > SCHEMA:
        raise SessionError(f"cannot open {path.name}: it was written by a newer physlab "
                           f"(schema {schema}; this version reads schema {SCHEMA})")
    if schema < SCHEMA:
        raise SessionError(f"cannot open {path.name}: schema {schema} is older than any this "
                           f"version reads (schema {SCHEMA})")


def _read_labs(z, doc: dict, labs: Mapping[str, Lab]) -> tuple[dict[str, LabState], list[str]]:
    states: dict[str, LabState] = {}
    warnings: list[str] = []
    for name, entry in doc["labs"].items():
        lab = labs.get(name)
        if lab is None:
            warnings.append(f"lab {name!r} is not in this version of physlab; skipped")
            continue
        try:
            params = lab.spec.validate(entry["params"])
            runs = [RunRecord(params=lab.spec.validate(run["params"]), seed=int(run["seed"]),
                              frame={key: z[f"{name}/{i}/{key}"] for key in run["arrays"]},
                              meta=run["meta"])
                    for i, run in enumerate(entry["runs"])]
            sweep = read_sweep(z, name, entry)
        except ParamError as err:
            warnings.append(f"{lab.title}: saved parameters no longer valid ({err}); skipped")
            continue
        states[name] = LabState(params=params, seed=int(entry["seed"]), runs=runs, sweep=sweep)
    return states, warnings


def run_from_file(path: Path, lab: Lab) -> tuple[dict, int]:
    """The parameters and seed of a saved run of ``lab``: from an export (NPZ, CSV, or a PNG/SVG
    figure, whose metadata records them) or from a session (the lab's run on screen, else its
    controls)."""
    path = Path(path)
    if path.suffix.lower() == SUFFIX:
        states, _ = read_session(path, {lab.name: lab})
        if lab.name not in states:
            raise SessionError(f"{path.name} holds no {lab.name!r} lab")
        state = states[lab.name]
        if state.runs:
            return state.runs[-1].params, state.runs[-1].seed
        return state.params, state.seed
    meta = _export_meta(path)
    if meta.get("lab") != lab.name:
        raise SessionError(f"{path.name} is a run of lab {meta.get('lab')!r}, not {lab.name!r}")
    try:
        return lab.spec.validate(meta["params"]), int(meta["seed"])
    except (KeyError, TypeError) as err:
        raise SessionError(f"{path.name}: its metadata lacks parameters or seed") from err


def _export_meta(path: Path) -> dict:
    """The metadata written into an exported NPZ or CSV (:func:`~physlab.core.export.write_run`)
    or PNG or SVG figure (:func:`~physlab.core.export.read_figure_meta`)."""
    if not path.is_file():
        raise SessionError(f"cannot open {path}: no such file")
    try:
        if path.suffix.lower() in (".png", ".svg"):
            meta = read_figure_meta(path)
            if meta is None:
                raise SessionError(f"{path.name} has no physlab metadata (export figures from "
                                   "the app after a run)")
            return meta
        if path.suffix.lower() == ".csv":
            with open(path, encoding="utf-8") as f:
                first = f.readline()
            if not first.startswith("# physlab "):
                raise SessionError(f"{path.name} has no physlab metadata line")
            return json.loads(first[len("# physlab "):])
        with np.load(path, allow_pickle=False) as z:
            if "meta" not in z.files:
                raise SessionError(f"{path.name} has no physlab metadata")
            return json.loads(str(z["meta"]))
    except SessionError:
        raise
    except (OSError, ValueError, zipfile.BadZipFile, UnicodeDecodeError, SyntaxError,
            zlib.error) as err:
        raise SessionError(f"cannot read {path.name}: {type(err).__name__}: {err}") from err
