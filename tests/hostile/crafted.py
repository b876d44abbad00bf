"""Crafted files for the hostile-input tests, generated here (nothing is checked in)."""

import json
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np

GOOD_META = {"lab": "collapse", "params": {"generations": 3, "repeats": 4}, "seed": 7}


def npz(path: Path, **arrays) -> Path:
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    return path


def meta_npz(path: Path, meta) -> Path:
    text = meta if isinstance(meta, str) else json.dumps(meta)
    return npz(path, meta=np.array(text), x=np.arange(3.0))


def csv(path: Path, meta) -> Path:
    text = meta if isinstance(meta, str) else json.dumps(meta)
    path.write_text(f"# physlab {text}\na\n1\n", encoding="utf-8")
    return path


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


PNG_HEAD = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
PNG_TAIL = _chunk(b"IDAT", zlib.compress(b"\0\0")) + _chunk(b"IEND", b"")


def png(path: Path, kind: bytes, body: bytes) -> Path:
    path.write_bytes(PNG_HEAD + _chunk(kind, body) + PNG_TAIL)
    return path


def png_meta(path: Path, meta, kind: bytes = b"tEXt") -> Path:
    text = (meta if isinstance(meta, str) else json.dumps(meta)).encode()
    if kind == b"tEXt":
        body = b"physlab\0" + text
    elif kind == b"zTXt":
        body = b"physlab\0\0" + zlib.compress(text)
    else:
        body = b"physlab\0\1\0\0\0" + zlib.compress(text)
    return png(path, kind, body)


def svg(path: Path, meta) -> Path:
    text = meta if isinstance(meta, str) else json.dumps(meta)
    text = text.replace("&", "&amp;").replace("<", "&lt;")
    path.write_text(f'<svg xmlns="http://www.w3.org/2000/svg"><desc>physlab {text}</desc></svg>')
    return path


def deep_json(depth: int = 100_000) -> str:
    return '{"lab": "collapse", "params": {}, "seed": 0, "x": ' + "[" * depth + "]" * depth + "}"


def bomb(n_bytes: int) -> bytes:
    """zlib data of ``n_bytes`` spaces (about 1000× smaller)."""
    z = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    out = [z.compress(chunk) for _ in range(n_bytes >> 20)]
    return b"".join(out) + z.flush()


def npy_header(shape, descr="<f8") -> bytes:
    header = repr({"descr": descr, "fortran_order": False, "shape": shape}).encode()
    header += b" " * (63 - (len(header) + 10) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header


def raw_npz(path: Path, members: dict) -> Path:
    """An NPZ whose members are given as raw .npy bytes (headers that lie, say)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name + ".npy", data)
    return path


def meta_bomb_npz(path: Path, n_chars: int) -> Path:
    """An NPZ whose ``meta`` is a 0-d string of ``n_chars`` characters, deflated to almost
    nothing: its declared size is honest, and huge."""
    header = npy_header((), f"<U{n_chars}")
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf,
        zf.open("meta.npy", "w", force_zip64=True) as f,
    ):
        f.write(header)
        block = b"\0" * (1 << 22)
        left = 4 * n_chars
        while left > 0:
            f.write(block[: min(left, len(block))])
            left -= len(block)
    return path
