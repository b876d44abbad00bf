"""Reading files physlab did not necessarily write, with every size checked before it is paid
for: a 1.5 MB archive may inflate to gigabytes, and an array header may claim 10¹⁵ elements.

- NPZ members (:func:`member_header`, :func:`read_member`, :func:`read_text_member`): the zip
  entry's declared size and the ``.npy`` header (dtype, shape) are checked before any data is
  inflated; a declared size is also what :mod:`zipfile` stops inflating at, so it bounds the work.
  Object arrays are refused from the header (pickles are never loaded).
- PNG text chunks (:func:`png_text`): chunks are walked by their length fields without reading
  the image data, and compressed text is inflated with a cap (``zlib.decompressobj`` with
  ``max_length``).
- SVG (:func:`svg_text`) is parsed incrementally and stops at the first matching ``<desc>``;
  a CSV's header (:func:`first_line`) is read up to a cap.

Everything that does not fit raises :class:`~physlab.core.records.RecordError`, one line.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np
import numpy.lib.format as npy

from .records import RecordError

TEXT_LIMIT = 4 << 20  # characters of JSON metadata read from any file
SVG_LIMIT = 256 << 20  # bytes of an SVG figure (one with 10⁶ points is about 40 MB)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError, ValueError) as err:
        raise RecordError(f"it is damaged or not a NumPy archive ({err})") from None


def member_header(zf: zipfile.ZipFile, name: str) -> tuple[np.dtype, tuple[int, ...]]:
    """The dtype and shape of array ``name`` of an NPZ, from its header alone."""
    info = _info(zf, name)
    with zf.open(info) as f:
        dtype, shape, header = _read_header(f, name)
    need = dtype.itemsize * _count(shape)
    if header + need > info.file_size:
        raise RecordError(
            f"array {name!r} claims shape {_shape(shape)} ({need:,} bytes) but "
            f"its entry holds {info.file_size:,} bytes"
        )
    return dtype, shape


def read_member(zf: zipfile.ZipFile, name: str, limit: int) -> np.ndarray:
    """Array ``name`` of an NPZ, refused before it is read if it would take more than ``limit``
    bytes."""
    dtype, shape = member_header(zf, name)
    need = dtype.itemsize * _count(shape)
    if need > limit:
        raise RecordError(f"array {name!r} would take {need:,} bytes (limit {limit:,})")
    with zf.open(_info(zf, name)) as f:
        try:
            return npy.read_array(f, allow_pickle=False)
        except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error) as err:
            raise RecordError(f"array {name!r} is damaged ({type(err).__name__})") from None


def read_text_member(zf: zipfile.ZipFile, name: str, max_chars: int = TEXT_LIMIT) -> str:
    """The string stored as 0-d array ``name`` (our JSON records), capped at ``max_chars``."""
    dtype, shape = member_header(zf, name)
    if dtype.kind != "U" or shape != ():
        raise RecordError(
            f"{name!r} is not a text record (it is an array of {dtype}, shape {_shape(shape)})"
        )
    if dtype.itemsize // 4 > max_chars:
        raise RecordError(
            f"{name!r} is {dtype.itemsize // 4:,} characters long (limit {max_chars:,})"
        )
    return str(read_member(zf, name, 4 * max_chars))


def _info(zf: zipfile.ZipFile, name: str) -> zipfile.ZipInfo:
    try:
        return zf.getinfo(name + ".npy")
    except KeyError:
        raise RecordError(f"it has no entry {name!r}") from None


def _read_header(f, name: str) -> tuple[np.dtype, tuple[int, ...], int]:
    try:
        version = npy.read_magic(f)
        if version == (1, 0):
            shape, _, dtype = npy.read_array_header_1_0(f)
        elif version == (2, 0):
            shape, _, dtype = npy.read_array_header_2_0(f)
        else:
            raise ValueError(f"unsupported .npy version {version}")
    except (ValueError, OSError, EOFError, SyntaxError, zipfile.BadZipFile, zlib.error) as err:
        raise RecordError(f"array {name!r} has a damaged header ({str(err)[:80]})") from None
    if dtype.hasobject:
        raise RecordError(f"array {name!r} holds Python objects, which physlab never loads")
    return dtype, tuple(int(n) for n in shape), f.tell()


def _count(shape: tuple[int, ...]) -> int:
    count = 1
    for n in shape:
        count *= n
    return count


def _shape(shape: tuple[int, ...]) -> str:
    text = str(shape)
    return text if len(text) <= 60 else text[:60] + "…"


def inflate(data: bytes, limit: int) -> bytes:
    """zlib-decompress ``data``, refusing output longer than ``limit`` bytes."""
    try:
        out = zlib.decompressobj().decompress(data, limit + 1)
    except zlib.error as err:
        raise RecordError(f"compressed text is damaged ({err})") from None
    if len(out) > limit:
        raise RecordError(f"compressed text inflates to more than {limit:,} bytes")
    return out


def png_text(path: Path, key: str, limit: int = TEXT_LIMIT) -> str | None:
    """The text of the first tEXt/zTXt/iTXt chunk named ``key`` in a PNG (None if none)."""
    with open(path, "rb") as f:
        if f.read(8) != PNG_SIGNATURE:
            raise RecordError("it is not a PNG file")
        while True:
            head = f.read(8)
            if len(head) < 8:
                return None
            length, kind = struct.unpack(">I4s", head)
            if kind not in (b"tEXt", b"zTXt", b"iTXt"):
                f.seek(length + 4, 1)  # data and CRC
                continue
            if length > limit + 1024:
                raise RecordError(
                    f"a {kind.decode()} chunk of {length:,} bytes is larger than any physlab writes"
                )
            body = f.read(length)
            f.seek(4, 1)
            if len(body) < length:
                raise RecordError(f"its {kind.decode()} chunk is cut short")
            name, sep, rest = body.partition(b"\0")
            if not sep or name != key.encode():
                continue
            return _chunk_text(kind, rest, limit).decode("utf-8", "replace")


def _chunk_text(kind: bytes, rest: bytes, limit: int) -> bytes:
    """The text of a chunk (after its keyword), per the PNG specification §11.3.4."""
    if kind == b"tEXt":
        return rest
    if kind == b"zTXt":
        if len(rest) < 1:
            raise RecordError("its zTXt chunk is cut short")
        return inflate(rest[1:], limit)
    # iTXt: compression flag, method, language tag \0, translated keyword \0, text
    if len(rest) < 2:
        raise RecordError("its iTXt chunk is cut short")
    compressed, fields = rest[0], rest[2:].split(b"\0", 2)
    if len(fields) < 3:
        raise RecordError("its iTXt chunk is cut short")
    return inflate(fields[2], limit) if compressed else fields[2]


def svg_text(path: Path, prefix: str, limit: int = TEXT_LIMIT) -> str | None:
    """The text of the first ``<desc>`` of an SVG that starts with ``prefix`` (None if none)."""
    import xml.etree.ElementTree as ET

    size = Path(path).stat().st_size
    if size > SVG_LIMIT:
        raise RecordError(f"it is {size:,} bytes long, larger than any figure physlab writes")
    try:
        for _, element in ET.iterparse(path, events=("end",)):
            if element.tag.endswith("desc"):
                text = (element.text or "").strip()
                if text.startswith(prefix):
                    if len(text) > limit:
                        raise RecordError(
                            f"its description is {len(text):,} characters long (limit {limit:,})"
                        )
                    return text
            element.clear()
    except ET.ParseError as err:
        raise RecordError(f"it is not a valid SVG file ({err})") from None
    return None


def first_line(path: Path, limit: int = TEXT_LIMIT) -> str:
    """The first line of a text file, read up to ``limit`` characters."""
    with open(path, encoding="utf-8", errors="replace", newline="") as f:
        line = f.readline(limit + 1)
    if len(line) > limit:
        raise RecordError(f"its first line is longer than {limit:,} characters")
    return line
