"""A sweep's results as arrays, and their files.

NPZ (a contract): one float array per measure, named as the measure, shaped (len(axis 1),
[len(axis 2),] repeats); ``grid_<param>`` the values of each axis; ``status`` (same shape: 0 done,
1 diverged, 2 failed, 3 not run); ``errors`` (one line per failed point: ``[i, j] r: message``);
``seeds`` (each point's seed); and ``meta`` (JSON: lab, base params, axes in order, seed, repeats,
measures and their units, versions, scheduler, workers, wall time). CSV: one row per point ×
repeat with the grid indices and the axis values as columns, after a ``# physlab {meta}`` line.
Both are written atomically (:func:`~physlab.core.export.atomic_path`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..export import SWEEP_FORMAT, atomic_path, check_target, meta_json, now, read_npz, versions
from .spec import Point, SweepSpec, find_lab

DONE, DIVERGED, FAILED, NOT_RUN = 0, 1, 2, 3
STATUS_NAMES = ("done", "diverged", "failed", "not run")
FORMAT = SWEEP_FORMAT


class SweepFileError(ValueError):
    """A file that is not a physlab sweep, or one that does not fit the sweep asked for."""


@dataclass
class PointResult:
    point: Point
    status: int  # DONE / DIVERGED / FAILED
    values: dict[str, float]  # measure name -> value (NaN where it could not be computed)
    error: str = ""  # message of a failed point (or the divergence sentence)
    seconds: float = 0.0


def measure_names(spec: SweepSpec) -> tuple[str, ...]:
    return spec.measures or tuple(m.name for m in find_lab(spec.lab).measures)


@dataclass
class SweepResult:
    spec: SweepSpec
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    meta: dict = field(default_factory=dict)  # scheduler, workers, wall_time … (set by the run)

    def __post_init__(self):
        shape = self.spec.shape()
        for name in measure_names(self.spec):
            self.arrays.setdefault(name, np.full(shape, np.nan))
        self.arrays.setdefault("status", np.full(shape, NOT_RUN, dtype=np.int8))
        self.arrays.setdefault("seeds", np.zeros(shape, dtype=np.int64))

    @property
    def measures(self) -> tuple[str, ...]:
        return measure_names(self.spec)

    def add(self, r: PointResult) -> None:
        at = r.point.index + (r.point.repeat,)
        self.arrays["status"][at] = r.status
        self.arrays["seeds"][at] = r.point.seed
        for name in self.measures:
            self.arrays[name][at] = r.values.get(name, np.nan)
        if r.status == FAILED:
            self.errors.append(f"{list(r.point.index)} {r.point.repeat}: {r.error}")

    def status_at(self, index: tuple[int, ...], repeat: int) -> int:
        return int(self.arrays["status"][tuple(index) + (repeat,)])

    def done(self) -> int:
        """Points with a result (done or diverged)."""
        return int(np.count_nonzero(self.arrays["status"] <= DIVERGED))

    def total(self) -> int:
        return self.spec.total()

    def failures(self) -> int:
        return int(np.count_nonzero(self.arrays["status"] == FAILED))

    def finished(self) -> int:
        """Points that ran, whatever came out (done, diverged or failed)."""
        return int(np.count_nonzero(self.arrays["status"] != NOT_RUN))

    # -- files ---------------------------------------------------------------------------------
    def file_meta(self) -> dict:
        lab = find_lab(self.spec.lab)
        units = {m.name: m.unit for m in lab.measures if m.name in self.measures}
        categories = {
            m.name: list(m.categories)
            for m in lab.measures
            if m.name in self.measures and m.categories
        }
        meta = {
            "format": FORMAT,
            **self.spec.describe(),
            "measures": list(self.measures),
            "units": units,
            "categories": categories,
            "created": now(),
            "versions": _versions(),
            "status_names": list(STATUS_NAMES),
        }
        meta.update(self.meta)
        return meta

    def save(self, path) -> Path:
        """Write the NPZ or (by suffix) the CSV, atomically."""
        path = check_target(Path(path))
        writer = _write_npz if path.suffix.lower() == ".npz" else _write_csv
        with atomic_path(path) as tmp:
            writer(self, tmp)
        return path

    def to_xarray(self):
        """The result as an ``xarray.Dataset``: one variable per measure and ``status``, on the
        axes' values and ``repeat`` (xarray is an optional extra: ``pip install xarray``)."""
        try:
            import xarray
        except ImportError:
            raise ImportError("to_xarray needs xarray: pip install xarray") from None
        dims = (*[axis.name for axis in self.spec.axes], "repeat")
        coords = {axis.name: axis.numeric() for axis in self.spec.axes}
        coords["repeat"] = np.arange(self.spec.repeats)
        data = {name: (dims, array) for name, array in self.arrays.items()}
        return xarray.Dataset(
            data, coords=coords, attrs={"lab": self.spec.lab, "seed": self.spec.seed}
        )

    @classmethod
    def load(cls, path) -> SweepResult:
        path = Path(path)
        if path.suffix.lower() == ".csv":
            return _read_csv(path)
        try:
            data, meta = read_npz(path)
        except (OSError, ValueError) as err:
            raise SweepFileError(f"cannot read {path}: {err}") from err
        spec = _spec_of(meta, path)
        arrays = {k: v for k, v in data.items() if k in (*measure_names(spec), "status", "seeds")}
        if arrays.get("status") is None or arrays["status"].shape != spec.shape():
            raise SweepFileError(f"{path} is damaged: its status array does not fit its axes")
        arrays = {
            k: v.astype(np.int8 if k == "status" else np.int64 if k == "seeds" else float)
            for k, v in arrays.items()
        }
        errors = [str(e) for e in data.get("errors", [])]
        return cls(spec, arrays, errors, _run_meta(meta))


def _versions() -> dict:
    import dask
    import distributed

    return {**versions(), "dask": dask.__version__, "distributed": distributed.__version__}


RUN_META = ("scheduler", "workers", "wall_time", "stopped")


def _run_meta(meta: dict) -> dict:
    return {k: meta[k] for k in RUN_META if k in meta}


def _spec_of(meta: dict, path: Path) -> SweepSpec:
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise SweepFileError(f"{path} is not a physlab sweep (no sweep metadata)")
    try:
        return SweepSpec.from_description(meta)
    except (KeyError, TypeError, ValueError) as err:
        raise SweepFileError(f"{path} has damaged sweep metadata: {err}") from err


def _write_npz(result: SweepResult, tmp: Path) -> None:
    arrays: dict[str, Any] = dict(result.arrays)
    for axis in result.spec.axes:
        arrays[f"grid_{axis.name}"] = axis.numeric()
    arrays["errors"] = np.array(result.errors, dtype=str)
    with open(tmp, "wb") as f:
        np.savez_compressed(f, meta=np.array(meta_json(result.file_meta())), **arrays)


def _csv_columns(spec: SweepSpec) -> list[str]:
    index = ["i", "j"][: len(spec.axes)]
    return [
        *index,
        "repeat",
        *(a.name for a in spec.axes),
        "seed",
        "status",
        *measure_names(spec),
        "error",
    ]


def _write_csv(result: SweepResult, tmp: Path) -> None:
    spec = result.spec
    errors = {line.split(":", 1)[0]: line.split(":", 1)[1].strip() for line in result.errors}
    buf = io.StringIO()
    buf.write(f"# physlab {meta_json(result.file_meta())}\n")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(_csv_columns(spec))
    grids = [a.numeric() for a in spec.axes]
    for idx in np.ndindex(*spec.shape()):
        index, repeat = idx[:-1], idx[-1]
        status = int(result.arrays["status"][idx])
        row = [
            *index,
            repeat,
            *(g[i] for g, i in zip(grids, index)),
            int(result.arrays["seeds"][idx]),
            STATUS_NAMES[status],
        ]
        row += [repr(float(result.arrays[m][idx])) for m in result.measures]
        row.append(errors.get(f"{list(index)} {repeat}", "") if status == 2 else "")
        writer.writerow(row)
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(buf.getvalue())


def _read_csv(path: Path) -> SweepResult:
    """A sweep's CSV, its metadata line read with the caps every file from elsewhere gets
    (length, nesting: :mod:`physlab.core.bounded`) and the table only when the file's size
    fits the memory limit."""
    from physlab.core import bounded, records
    from physlab.core.params import memory_limit

    try:
        first = bounded.first_line(path)
        if not first.startswith("# physlab "):
            raise SweepFileError(f"{path} is not a physlab sweep (no sweep metadata)")
        meta = records.load_json(first[len("# physlab ") :], "the metadata", bounded.TEXT_LIMIT)
        if path.stat().st_size > memory_limit():
            raise SweepFileError(f"{path} is larger than the memory limit ({memory_limit():,})")
        text = path.read_text(encoding="utf-8")
    except records.RecordError as err:
        raise SweepFileError(f"{path} has damaged sweep metadata: {err}") from err
    except (OSError, UnicodeDecodeError) as err:
        raise SweepFileError(f"cannot read {path}: {err}") from err
    body = text.partition("\n")[2]
    spec = _spec_of(meta, path)
    result = SweepResult(spec, meta=_run_meta(meta))
    n_axes = len(spec.axes)
    for row in csv.DictReader(io.StringIO(body)):
        try:
            at = tuple(int(row[k]) for k in ("i", "j")[:n_axes]) + (int(row["repeat"]),)
            status = STATUS_NAMES.index(row["status"])
            result.arrays["status"][at] = status
            result.arrays["seeds"][at] = int(row["seed"])
            for name in result.measures:
                result.arrays[name][at] = float(row[name])
        except (KeyError, ValueError, IndexError) as err:
            raise SweepFileError(f"{path} has a damaged row: {err}") from err
        if status == FAILED:
            result.errors.append(f"{list(at[:-1])} {at[-1]}: {row.get('error', '')}")
    return result
