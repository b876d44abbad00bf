"""Writing a run's data: NPZ (every array plus a ``meta`` JSON string) and CSV (every array in
long form, one row per value, under a metadata line), always atomically: the data goes to a
temporary file in the target folder, which is renamed over the target only once it is complete. A
failed or interrupted export leaves the old file or none, never half a file; the hidden temporary
file of a killed export is removed by the next export to the same name. New files get the mode the
umask gives, a replaced file keeps its mode, and a symbolic link is written through (its target
is replaced, the link stays).
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import platform
import secrets
import stat
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from . import bounded, records

FORMATS = (".npz", ".csv")
STALE_PARTIAL_SECONDS = 600  # a temporary export file this old was left by a killed writer
NAME_MAX = 255  # bytes in a file name on every common file system (ext4, XFS, Btrfs, APFS, NTFS)
FIGURE_META_KEY = "physlab"  # PNG text chunk / SVG description holding an exported figure's meta
PDF_META_TAG = "physlab:meta"  # the XMP property holding an exported PDF figure's meta


class ExportError(OSError):
    """An export that could not be written; the message says why."""


def versions() -> dict:
    """The versions that produced a file (written into every export and session)."""
    import numba

    from physlab._version import __version__

    return {
        "physlab": __version__,
        "numpy": np.__version__,
        "numba": numba.__version__,
        "python": platform.python_version(),
    }


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def build_meta(lab: str, params: Mapping[str, Any], seed: int, **extra: Any) -> dict:
    """The metadata written with every export: enough to reproduce the run."""
    meta = {
        "lab": lab,
        "params": dict(params),
        "seed": int(seed),
        "created": now(),
        "versions": versions(),
    }
    meta.update(extra)
    return meta


def check_target(path: Path, formats: tuple[str, ...] = FORMATS) -> Path:
    """Refuse an export target before any work is done (``physlab run`` and ``sweep`` call it
    before computing): an unknown format, a name too long for the file system, a directory or
    device in the way, or a folder that is missing or where no file can be created (read-only,
    ``/proc``, ``/sys``; tried with a hidden probe file that is removed at once). Returns the path;
    raises :class:`ExportError` with a one-line message."""
    path = Path(path)
    shown = _short(path)
    if path.suffix.lower() not in formats:
        raise ExportError(
            f"cannot write {_short(Path(path.name))}: the file name must end in "
            + " or ".join(formats)
        )
    if len(os.fsencode(path.name)) > NAME_MAX:
        raise ExportError(
            f"cannot write {shown}: the file name is {len(os.fsencode(path.name))} "
            f"bytes long, at most {NAME_MAX} are allowed"
        )
    real = _real(path)
    if real.is_dir():
        raise ExportError(f"cannot write {shown}: it is a directory")
    if real.exists() and not real.is_file():
        raise ExportError(f"cannot write {shown}: it exists and is not a regular file")
    folder = real.parent
    if not folder.is_dir():
        raise ExportError(f"cannot write {shown}: folder {_short(folder)} does not exist")
    if not os.access(folder, os.W_OK):
        raise ExportError(f"cannot write {shown}: folder {_short(folder)} is not writable")
    try:
        probe = _create_partial(real)
    except OSError as err:
        raise ExportError(
            f"cannot write {shown}: no file can be created in {_short(folder)} "
            f"({err.strerror or err})"
        ) from err
    with contextlib.suppress(OSError):
        probe.unlink()
    return path


def _short(path: Path, limit: int = 80) -> str:
    """A path cut for a one-line message."""
    text = str(path)
    return text if len(text) <= limit else text[: limit // 2 - 1] + "…" + text[-(limit // 2) :]


def _real(path: Path) -> Path:
    """The file a write to ``path`` lands in: the end of its chain of symbolic links."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _partial_prefix(path: Path) -> str:
    return f".{path.stem[:64]}."  # short enough that a long target name leaves room for it


def _create_partial(path: Path) -> Path:
    """Create an empty hidden temporary file beside ``path`` with the mode the umask gives a new
    file (``mkstemp`` would make it 0600)."""
    folder = path.parent if str(path.parent) else Path(".")
    for _ in range(100):
        tmp = folder / f"{_partial_prefix(path)}{secrets.token_hex(4)}.partial{path.suffix}"
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return tmp
    raise FileExistsError(f"no free temporary name beside {path}")


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` (same suffix); rename it onto ``path`` on success,
    delete it on failure. Through a symbolic link the link's target is replaced; a replaced file
    keeps its permission bits, a new one gets those of the umask."""
    path = Path(path)
    target = _real(path)
    _remove_stale_partials(target)
    tmp_path: Path | None = None
    try:
        tmp_path = _create_partial(target)
        yield tmp_path
        with open(tmp_path, "rb+") as f:
            os.fsync(f.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp_path, stat.S_IMODE(os.stat(target).st_mode))
        os.replace(tmp_path, target)
    except BaseException as err:
        if tmp_path is not None:
            with contextlib.suppress(OSError):
                tmp_path.unlink()
        if isinstance(err, OSError) and not isinstance(err, ExportError):
            raise ExportError(f"cannot write {_short(path)}: {err.strerror or err}") from err
        raise


def _remove_stale_partials(path: Path) -> None:
    """Delete temporary files left beside ``path`` by an export that was killed mid-write (the
    target itself was never touched); recent ones may belong to a write still in progress."""
    folder = path.parent if str(path.parent) else Path(".")
    cutoff = time.time() - STALE_PARTIAL_SECONDS
    pattern = f"{glob.escape(_partial_prefix(path))}*.partial{glob.escape(path.suffix)}"
    for old in folder.glob(pattern):
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
    """Every array in long ("tidy") form: one row per value, ``array,i0,i1,…,value``, where
    ``i0, i1, …`` are the value's indices along the array's axes (empty past its rank; a scalar
    has none), under a ``# physlab {meta}`` line. Arrays of any rank and length share one table, so
    ``pandas.read_csv(f, comment="#")`` or R's ``read.csv(f, comment.char="#")`` read it whole."""
    arrays = {name: np.asarray(value) for name, value in data.items()}
    rank = max((a.ndim for a in arrays.values()), default=0)
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(f"# physlab {meta_json(meta)}\n")
        f.write(",".join(["array", *(f"i{d}" for d in range(rank)), "value"]) + "\n")
        for name, arr in arrays.items():
            if "," in name or '"' in name or "\n" in name:
                raise ExportError(f"array name {name[:40]!r} cannot be a CSV cell")
            _write_csv_rows(f, name, arr, rank)


def _write_csv_rows(f, name: str, arr: np.ndarray, rank: int, chunk: int = 65536) -> None:
    if arr.dtype.kind == "b":
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in "iuf":
        raise ExportError(f"array {name!r} ({arr.dtype}) cannot be written as CSV numbers")
    cell = repr if arr.dtype.kind == "f" else str  # repr: the shortest text that reads back exact
    pad = "," * (rank - arr.ndim)
    flat = arr.ravel()
    if arr.ndim == 0:
        f.write(f"{name},{pad}{cell(flat.tolist()[0])}\n")
        return
    for start in range(0, flat.size, chunk):  # a bounded slice of rows in memory at a time
        stop = min(start + chunk, flat.size)
        index = np.column_stack(np.unravel_index(np.arange(start, stop), arr.shape)).tolist()
        f.writelines(
            f"{name},{','.join(map(str, i))},{pad}{cell(v)}\n"
            for i, v in zip(index, flat[start:stop].tolist())
        )


def read_figure_meta(path: Path) -> dict | None:
    """The run metadata inside a PNG, SVG or PDF figure written by the app (None if there is
    none); raises :class:`~physlab.core.records.RecordError` for text that is too long or not
    JSON."""
    path = Path(path)
    if path.suffix.lower() == ".pdf":
        return _pdf_meta(path)
    if path.suffix.lower() == ".svg":
        text = bounded.svg_text(path, FIGURE_META_KEY + " ")
        return None if text is None else _meta_record(text[len(FIGURE_META_KEY) + 1 :])
    text = bounded.png_text(path, FIGURE_META_KEY)
    return None if text is None else _meta_record(text)


def read_export_meta(path: Path) -> dict | None:
    """The metadata of an exported run (NPZ, CSV, PNG, SVG or PDF), checked against
    :data:`~physlab.core.records.EXPORT_META`; None if the file has none. Only the metadata is
    read. Raises :class:`~physlab.core.records.RecordError` (one line) for anything else."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".png", ".svg", ".pdf"):
        return read_figure_meta(path)
    if suffix == ".csv":
        first = bounded.first_line(path)
        prefix = f"# {FIGURE_META_KEY} "
        return _meta_record(first[len(prefix) :]) if first.startswith(prefix) else None
    with bounded.open_zip(path) as zf:
        if "meta.npy" not in zf.namelist():
            return None
        return _meta_record(bounded.read_text_member(zf, "meta"))


SWEEP_FORMAT = "physlab-sweep"  # a sweep's files and figures (physlab.core.sweep) carry this


def _meta_record(text: str, record: records.Record = records.EXPORT_META) -> dict:
    """Parsed metadata, checked against ``record``; a sweep's (``format: physlab-sweep``) is
    returned as it is, for the sweep reader checks it against the sweep's own description."""
    value = records.load_json(text, "the metadata", bounded.TEXT_LIMIT)
    if isinstance(value, dict) and value.get("format") == SWEEP_FORMAT:
        return value
    return record.check(value, "metadata")


PDF_LIMIT = 64 << 20  # bytes of a PDF figure read to find its metadata (ours are ~100 KB)


def _pdf_meta(path: Path) -> dict | None:
    """Our XMP property in a PDF figure (the XMP packet is stored uncompressed, see
    :mod:`physlab.gui.figure_export`); a file larger than :data:`PDF_LIMIT` is refused unread."""
    import html
    import re

    size = path.stat().st_size
    if size > PDF_LIMIT:
        raise records.RecordError(
            f"{path.name} is {size:,} bytes, more than a physlab figure (limit {PDF_LIMIT:,})"
        )
    data = path.read_bytes()
    if not data.startswith(b"%PDF-"):
        raise records.RecordError(f"{path.name} is not a PDF file")
    tag = PDF_META_TAG.encode()
    match = re.search(rb"<" + tag + rb">([^<]*)</" + tag + rb">", data)
    if match is None:
        return None
    return _meta_record(html.unescape(match.group(1).decode("utf-8", errors="replace")))


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
        meta = (
            _meta_record(bounded.read_text_member(zf, "meta"), records.RUN_META)
            if "meta" in names
            else {}
        )
    return data, meta
