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
a :class:`SessionError` that says which. Reading checks everything before anything is used: the
record against :data:`~physlab.core.records.SESSION_LAB` (one typed description of the layout),
every parameter against the lab's spec, and every array's header against the lab's
:class:`~physlab.core.frames.FrameSpec` and the memory limit before any data is inflated. A lab
of which anything is wrong is skipped whole, with a warning naming what. Writing is atomic (see
:func:`~physlab.core.export.atomic_path`).
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import bounded, records
from .export import atomic_path, check_target, meta_json, now, read_export_meta, versions
from .params import ParamError, memory_limit
from .records import RecordError
from .registry import Lab
from .sweep_session import SweepRecord, read_sweep, sweep_entry

SCHEMA = 1
SUFFIX = ".physlab"
FORMAT = "physlab-session"
RUN_SLACK = 64 << 20  # bytes a run's saved arrays may exceed its lab's peak-memory estimate by


# what reading a damaged or foreign file can raise, past the checks (told as one line, never a
# traceback)
DAMAGED = (
    OSError,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    EOFError,
    MemoryError,
    RecursionError,
    zipfile.BadZipFile,
    zlib.error,
)


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
    doc: dict[str, Any] = {
        "format": FORMAT,
        "schema": SCHEMA,
        "created": now(),
        "versions": versions(),
        "labs": {},
    }
    arrays: dict[str, Any] = {}
    for name, state in labs.items():
        runs = []
        for i, run in enumerate(state.runs):
            runs.append(
                {
                    "meta": run.meta,
                    "params": run.params,
                    "seed": int(run.seed),
                    "arrays": list(run.frame),
                }
            )
            for key, value in run.frame.items():
                arrays[f"{name}/{i}/{key}"] = np.asarray(value)
        doc["labs"][name] = {
            "params": state.params,
            "seed": int(state.seed),
            "runs": runs,
            **sweep_entry(name, state.sweep, arrays),
        }
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        np.savez_compressed(f, session=np.array(meta_json(doc)), **arrays)
    return path


def read_session(
    path: Path, labs: Mapping[str, Lab], arrays: bool = True
) -> tuple[dict[str, LabState], list[str]]:
    """Open a session: (the state of every lab it holds that ``labs`` knows, warnings).

    Raises :class:`SessionError` (and nothing else) for a file that is missing, not a session,
    damaged, or of another schema. A lab that is unknown, or any of whose parameters, seeds, run
    records or arrays do not check, is left out with a warning saying what. ``arrays=False``
    reads only the record: the runs come back without data (``frame`` empty).
    """
    path = Path(path)
    if not path.is_file():
        raise SessionError(f"cannot open {path}: no such file")
    try:
        with bounded.open_zip(path) as zf:
            if "session.npy" not in zf.namelist():
                raise SessionError(
                    f"cannot open {path.name}: it is not a physlab session "
                    "(no session record inside)"
                )
            doc = records.load_json(
                bounded.read_text_member(zf, "session"), "the session record", bounded.TEXT_LIMIT
            )
            _check_header(path, doc)
            doc = records.SESSION.check(doc, "")
            return _read_labs(zf, doc["labs"], labs, arrays)
    except SessionError:
        raise
    except (RecordError, ParamError) as err:
        raise SessionError(f"cannot open {path.name}: {err}") from None
    except DAMAGED as err:
        raise SessionError(
            f"cannot open {path.name}: the file is damaged or not a physlab "
            f"session ({type(err).__name__}: {records.short(str(err), 80)})"
        ) from None


def _check_header(path: Path, doc: Any) -> None:
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise SessionError(f"cannot open {path.name}: it is not a physlab session")
    schema = doc.get("schema")
    if isinstance(schema, bool) or not isinstance(schema, int):
        raise SessionError(f"cannot open {path.name}: it has no schema number")
    if schema > SCHEMA:
        raise SessionError(
            f"cannot open {path.name}: it was written by a newer physlab "
            f"(schema {schema}; this version reads schema {SCHEMA})"
        )
    if schema < SCHEMA:
        raise SessionError(
            f"cannot open {path.name}: schema {schema} is older than any this "
            f"version reads (schema {SCHEMA})"
        )


def _read_labs(
    zf: zipfile.ZipFile, entries: dict, labs: Mapping[str, Lab], arrays: bool
) -> tuple[dict[str, LabState], list[str]]:
    states: dict[str, LabState] = {}
    warnings: list[str] = []
    budget = [memory_limit()]  # bytes of arrays still allowed, over the whole session
    for name, entry in entries.items():
        lab = labs.get(name)
        if lab is None:
            warnings.append(f"lab {records.short(name)} is not in this version of physlab; skipped")
            continue
        try:
            states[name] = _read_lab(zf, lab, entry, arrays, budget)
        except (RecordError, ParamError) as err:
            warnings.append(f"{lab.title}: not restored: {err}")
    return states, warnings


def _read_lab(
    zf: zipfile.ZipFile, lab: Lab, entry: Any, arrays: bool, budget: list[int]
) -> LabState:
    """One lab's state, every part checked before any array is read."""
    entry = records.SESSION_LAB.check(entry, f"labs.{lab.name}")
    params = _params(lab, entry["params"], "the saved controls")
    runs = []
    for i, run in enumerate(entry["runs"]):
        where = f"run {i + 1}"
        run_params = _params(lab, run["params"], where)
        frame = (
            _read_frame(zf, lab, f"{lab.name}/{i}/", run["arrays"], run_params, where, budget)
            if arrays
            else {}
        )
        runs.append(RunRecord(params=run_params, seed=run["seed"], frame=frame, meta=run["meta"]))
    sweep = None
    if arrays and isinstance(entry.get("sweep"), dict):
        try:  # the Sweep view's sweep: its arrays read with the same size checks as the runs'
            sweep = read_sweep(_ZipArrays(zf, budget), lab.name, entry)
        except (KeyError, TypeError, ValueError) as err:
            raise RecordError(f"the saved sweep: {records.short(str(err), 120)}") from None
    return LabState(params=params, seed=entry["seed"], runs=runs, sweep=sweep)


class _ZipArrays:
    """``name → array`` of a session's members, each read only once its header fits the
    session's remaining memory budget (what :func:`read_sweep` reads a sweep's arrays from)."""

    def __init__(self, zf: zipfile.ZipFile, budget: list[int]):
        self._zf, self._budget = zf, budget

    def __getitem__(self, name: str) -> np.ndarray:
        dtype, shape = bounded.member_header(self._zf, name)
        need = dtype.itemsize * int(np.prod(shape, dtype=object))
        if need > self._budget[0]:
            raise RecordError(
                f"array {name!r} would take {need:,} bytes (limit "
                f"{memory_limit():,} for the whole session)"
            )
        self._budget[0] -= need
        return bounded.read_member(self._zf, name, need)


def _params(lab: Lab, values: dict, where: str) -> dict:
    try:
        return lab.spec.validate(values)
    except ParamError as err:
        raise RecordError(f"{where}: {err}") from None


def _read_frame(
    zf: zipfile.ZipFile,
    lab: Lab,
    prefix: str,
    names: list[str],
    params: dict,
    where: str,
    budget: list[int],
) -> dict[str, np.ndarray]:
    try:
        shapes = {key: bounded.member_header(zf, prefix + key) for key in dict.fromkeys(names)}
        lab.frame_spec.check_header(shapes, params)
        need = sum(
            dtype.itemsize * int(np.prod(shape, dtype=object)) for dtype, shape in shapes.values()
        )
        if lab.memory_estimate is not None and need > lab.memory_estimate(params) + RUN_SLACK:
            raise RecordError(
                f"its arrays would take {need:,} bytes, more than a run with "
                f"these parameters holds (about {lab.memory_estimate(params):,})"
            )
        if need > budget[0]:
            raise RecordError(
                f"its arrays would take {need:,} bytes (limit {memory_limit():,} "
                f"for the whole session, set by PHYSLAB_MEMORY_LIMIT)"
            )
        budget[0] -= need
        frame = {key: bounded.read_member(zf, prefix + key, need) for key in shapes}
        lab.frame_spec.check_values(frame)
    except RecordError as err:
        raise RecordError(f"{where}: {err}") from None
    return frame


def run_from_file(path: Path, lab: Lab) -> tuple[dict, int]:
    """The parameters and seed of a saved run of ``lab``: from an export (NPZ, CSV, or a PNG/SVG
    figure, whose metadata records them) or from a session (the lab's run on screen, else its
    controls; only the session record is read, not the arrays)."""
    path = Path(path)
    if path.suffix.lower() == SUFFIX:
        states, warnings = read_session(path, {lab.name: lab}, arrays=False)
        if lab.name not in states:
            why = "; ".join(w for w in warnings if w.startswith(lab.title + ":"))
            raise SessionError(
                f"{path.name}: {why}" if why else f"{path.name} holds no {lab.name!r} lab"
            )
        state = states[lab.name]
        if state.runs:
            return state.runs[-1].params, state.runs[-1].seed
        return state.params, state.seed
    meta = _export_meta(path)
    if meta["lab"] != lab.name:
        raise SessionError(
            f"{path.name} is a run of lab {records.short(meta['lab'])}, not {lab.name!r}"
        )
    try:
        return lab.spec.validate(meta["params"]), meta["seed"]
    except ParamError as err:
        raise SessionError(f"{path.name}: its parameters are not valid: {err}") from None


def _export_meta(path: Path) -> dict:
    """The metadata written into an exported NPZ or CSV (:func:`~physlab.core.export.write_run`)
    or PNG, SVG or PDF figure (:func:`~physlab.core.export.read_figure_meta`)."""
    if not path.is_file():
        raise SessionError(f"cannot open {path}: no such file")
    try:
        meta = read_export_meta(path)
    except RecordError as err:
        raise SessionError(f"cannot read {path.name}: {err}") from None
    except DAMAGED as err:
        raise SessionError(
            f"cannot read {path.name}: {type(err).__name__}: {records.short(str(err), 80)}"
        ) from None
    if meta is None:
        hint = (
            " (export figures from the app after a run)"
            if path.suffix.lower() in (".png", ".svg", ".pdf")
            else ""
        )
        raise SessionError(f"{path.name} has no physlab metadata{hint}")
    return meta
