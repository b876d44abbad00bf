"""Writing a run's data: NPZ (every array plus a ``meta`` JSON string) and CSV (1-D traces with a
header), always atomically: the data goes to a temporary file in the target folder, which is renamed
over the target only once it is complete. A failed or interrupted export leaves the old file or
none, never half a file; the hidden temporary file of a killed export is removed by the next
export to the same name.
"""
from __future__ import annotations

import contextlib
import glob
import io
import json
import os
import platform
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Mapping

import numpy as np

from . import bounded, records

FORMATS = (".npz", ".csv")
STALE_PARTIAL_SECONDS = 600  # a temporary export file this old was left by a killed writer
CSV_MAX_COLUMNS_2D = 16  # 2-D arrays with at most this many columns are spread over CSV columns
FIGURE_META_KEY = "physlab"  # PNG text chunk / SVG description holding an exported figure's meta


class ExportError(OSError):
    """An export that could not be written; the message says why."""


def versions() -> dict:
    """The versions that produced a file (written into every export and session)."""
    import numba

    from physlab._version import __version__

    return {"physlab": __version__, "numpy": np.__version__, "numba": numba.__version__,
            "python": platform.python_version()}


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def build_meta(lab: str, params: Mapping[str, Any], seed: int, **extra: Any) -> dict:
    """The metadata written with every export: enough to reproduce the run."""
    meta = {"lab": lab, "params": dict(params), "seed": int(seed), "created": now(),
            "versions": versions()}
    meta.update(extra)
    return meta


def check_target(path: Path, formats: tuple[str, ...] = FORMATS) -> Path:
    """Refuse an export target before any work is done: unknown format or unwritable folder."""
    path = Path(path)
    if path.suffix.lower() not in formats:
        raise ExportError(f"cannot write {path.name!r}: the file name must end in "
                          + " or ".join(formats))
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"cannot write {path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise ExportError(f"cannot write {path}: folder {folder} is not writable")
    return path


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` (same suffix); rename it onto ``path`` on success,
    delete it on failure."""
    path = Path(path)
    _remove_stale_partials(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".partial{path.suffix}",
                               dir=path.parent if str(path.parent) else ".")
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp_path, path)
    except BaseException as err:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        if isinstance(err, OSError) and not isinstance(err, ExportError):
            raise ExportError(f"cannot write {path}: {err.strerror or err}") from err
        raise


def _remove_stale_partials(path: Path) -> None:
    """Delete temporary files left beside ``path`` by an export that was killed mid-write (the
    target itself was never touched); recent ones may belong to a write still in progress."""
    folder = path.parent if str(path.parent) else Path(".")
    cutoff = time.time() - STALE_PARTIAL_SECONDS
    for old in folder.glob(f".{glob.escape(path.stem)}.*.partial{glob.escape(path.suffix)}"):
        with contextlib.suppress(OSError):
            if old.stat().st_mtime < cutoff:
                old.unlink()


def write_run(path: Path, data: Mapping[str, np.ndarray], meta: Mapping[str, Any]) -> Path:
    """Write ``data`` and ``meta`` to ``path`` (.npz or .csv), atomically."""
    path = check_target(Path(path))
    writer = _write_npz if path.suffix.lower() == ".npz" else _write_csv
    with atomic_path(path) as tmp:
        writer(tmp, data, meta)
    return path


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"{type(obj).__name__} is not JSON serialisable")


def meta_json(meta: Mapping[str, Any]) -> str:
    return json.dumps(meta, default=_json_default, sort_keys=True)


def _write_npz(tmp: Path, data: Mapping[str, np.ndarray], meta: Mapping[str, Any]) -> None:
    arrays: dict[str, Any] = {k: np.asarray(v) for k, v in data.items()}
    if "meta" in arrays:
        raise ExportError("'meta' is reserved for the metadata")
    with open(tmp, "wb") as f:
        np.savez_compressed(f, meta=np.array(meta_json(meta)), **arrays)


def _write_csv(tmp: Path, data: Mapping[str, np.ndarray], meta: Mapping[str, Any]) -> None:
    """1-D arrays become columns (shorter ones padded with empty cells); 2-D arrays with few columns
    become ``name_0, name_1, …``; larger arrays are listed in a comment (they are in the NPZ)."""
    columns: list[tuple[str, np.ndarray]] = []
    skipped = []
    for name, value in data.items():
        arr = np.asarray(value)
        if arr.ndim == 1:
            columns.append((name, arr))
        elif arr.ndim == 2 and arr.shape[1] <= CSV_MAX_COLUMNS_2D:
            columns.extend((f"{name}_{j}", arr[:, j]) for j in range(arr.shape[1]))
        else:
            skipped.append(f"{name}{list(arr.shape)}")
    buf = io.StringIO()
    buf.write(f"# physlab {meta_json(meta)}\n")
    if skipped:
        buf.write("# not in CSV (write .npz for these): " + ", ".join(skipped) + "\n")
    buf.write(",".join(name for name, _ in columns) + "\n")
    rows = max((len(a) for _, a in columns), default=0)
    for i in range(rows):
        buf.write(",".join(_cell(a, i) for _, a in columns) + "\n")
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(buf.getvalue())


def _cell(arr: np.ndarray, i: int) -> str:
    if i >= len(arr):
        return ""
    value = arr[i]
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    return str(value)


def read_figure_meta(path: Path) -> dict | None:
    """The run metadata inside a PNG or SVG figure written by the app (None if there is none);
    raises :class:`~physlab.core.records.RecordError` for text that is too long or not JSON."""
    path = Path(path)
    if path.suffix.lower() == ".svg":
        text = bounded.svg_text(path, FIGURE_META_KEY + " ")
        return None if text is None else _meta_record(text[len(FIGURE_META_KEY) + 1:])
    text = bounded.png_text(path, FIGURE_META_KEY)
    return None if text is None else _meta_record(text)


def read_export_meta(path: Path) -> dict | None:
    """The metadata of an exported run (NPZ, CSV, PNG or SVG), checked against
    :data:`~physlab.core.records.EXPORT_META`; None if the file has none. Only the metadata is
    read. Raises :class:`~physlab.core.records.RecordError` (one line) for anything else."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".png", ".svg"):
        return read_figure_meta(path)
    if suffix == ".csv":
        first = bounded.first_line(path)
        prefix = f"# {FIGURE_META_KEY} "
        return _meta_record(first[len(prefix):]) if first.startswith(prefix) else None
    with bounded.open_zip(path) as zf:
        if "meta.npy" not in zf.namelist():
            return None
        return _meta_record(bounded.read_text_member(zf, "meta"))


def _meta_record(text: str, record: records.Record = records.EXPORT_META) -> dict:
    return record.check(records.load_json(text, "the metadata", bounded.TEXT_LIMIT), "metadata")


def read_npz(path: Path, limit: int | None = None) -> tuple[dict[str, np.ndarray], dict]:
    """Read an NPZ written by :func:`write_run`: (arrays, meta), refusing (before inflating
    anything) arrays that would hold more than ``limit`` bytes in all (default: the memory limit)
    and metadata whose fields do not have the types of :data:`~physlab.core.records.RUN_META`."""
    from .params import memory_limit

    limit = memory_limit() if limit is None else limit
    with bounded.open_zip(path) as zf:
        names = [n[:-4] for n in zf.namelist() if n.endswith(".npy")]
        arrays = [n for n in names if n != "meta"]
        need = 0
        for name in arrays:
            dtype, shape = bounded.member_header(zf, name)
            need += dtype.itemsize * int(np.prod(shape, dtype=object))
        if need > limit:
            raise records.RecordError(f"its arrays would take {need:,} bytes (limit {limit:,})")
        data = {name: bounded.read_member(zf, name, limit) for name in arrays}
        meta = _meta_record(bounded.read_text_member(zf, "meta"), records.RUN_META) \
            if "meta" in names else {}
    return data, meta
