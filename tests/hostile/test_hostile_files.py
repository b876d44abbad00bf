"""Crafted exports read by `physlab run --from` (issue 14, items 1, 2, 8): each one is refused
with status 2 and one line on stderr, nothing is written, and no size a file claims is paid for
before it is checked."""

import subprocess
import sys

import numpy as np
import pytest

from physlab.cli import main
from physlab.core.export import read_export_meta
from tests.hostile import crafted as c

META = c.GOOD_META


def _meta(**change):
    return dict(META, **change)


CASES = {
    # meta that is not an object, in every kind of export
    **{
        f"{kind}-meta-{name}": (kind, value)
        for kind in ("npz", "csv", "png", "svg")
        for name, value in (("list", [1, 2]), ("number", 3), ("null", None), ("string", "x"))
    },
    "params-list": ("npz", _meta(params=[1, 2])),
    "params-string": ("csv", _meta(params="generations=3")),
    "seed-infinity": ("npz", '{"lab": "collapse", "params": {}, "seed": Infinity}'),
    "seed-nan": ("csv", '{"lab": "collapse", "params": {}, "seed": NaN}'),
    "seed-string": ("png", _meta(seed="abc")),
    "seed-negative": ("svg", _meta(seed=-1)),
    "seed-2^70": ("npz", _meta(seed=2**70)),
    "steps_done-string": ("npz", _meta(steps_done="abc")),
    "summary-list": ("npz", _meta(summary=[1])),
    "deep-json-npz": ("npz", c.deep_json()),
    "deep-json-csv": ("csv", c.deep_json()),
    "deep-json-png": ("png", c.deep_json()),
    "deep-json-svg": ("svg", c.deep_json()),
    "not-json": ("csv", "{lab: collapse"),
    "invalid-params": ("npz", _meta(params={"generations": -3})),
    "unknown-param": ("csv", _meta(params={"nonsense": 1})),
    "other-lab": ("npz", _meta(lab="sharpness")),
    "lab-not-a-string": ("npz", _meta(lab=["collapse"])),
}


def _write(kind, meta, tmp_path):
    path = tmp_path / f"in.{kind}"
    return {"npz": c.meta_npz, "csv": c.csv, "png": c.png_meta, "svg": c.svg}[kind](path, meta)


def _refused(source, tmp_path, capsys, needle=""):
    out = tmp_path / "out.npz"
    assert main(["run", "collapse", "--from", str(source), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("physlab: "), err
    assert needle in err and "allow_pickle" not in err and len(err) < 400, err
    assert not out.exists()
    return err


@pytest.mark.parametrize("name", list(CASES))
def test_crafted_metadata_is_refused_in_one_line(name, tmp_path, capsys):
    kind, meta = CASES[name]
    _refused(_write(kind, meta, tmp_path), tmp_path, capsys)


def test_each_kind_names_what_is_wrong(tmp_path, capsys):
    assert "metadata: [1, 2] is not an object" in _refused(
        _write("npz", [1, 2], tmp_path), tmp_path, capsys
    )
    assert "metadata.seed: inf is not an integer in [0, 9223372036854775807]" in _refused(
        _write("csv", '{"lab": "collapse", "params": {}, "seed": Infinity}', tmp_path),
        tmp_path,
        capsys,
    )
    assert "nests deeper than 64 levels" in _refused(
        _write("png", c.deep_json(), tmp_path), tmp_path, capsys
    )
    assert "parameters are not valid: parameter 'generations'" in _refused(
        _write("svg", _meta(params={"generations": -3}), tmp_path), tmp_path, capsys
    )


@pytest.mark.parametrize(
    "make,needle",
    [
        (lambda p: c.png(p, b"iTXt", b"physlab\0\1"), "iTXt chunk is cut short"),
        (lambda p: c.png(p, b"iTXt", b"physlab\0\1\0lang"), "iTXt chunk is cut short"),
        (lambda p: c.png(p, b"zTXt", b"physlab\0"), "zTXt chunk is cut short"),
        (lambda p: c.png(p, b"zTXt", b"physlab\0\0not zlib"), "damaged"),
        (lambda p: p.write_bytes(c.PNG_HEAD + b"\xff\xff\xff\xfftEXtphyslab"), "larger than any"),
        (lambda p: p.write_bytes(c.PNG_HEAD + b"\x00\x00\x01\x00tEXtphyslab\0{"), "cut short"),
        (lambda p: p.write_bytes(b"GIF89a"), "not a PNG"),
        (lambda p: p.write_bytes(c.PNG_HEAD + c.PNG_TAIL), "no physlab metadata"),
    ],
    ids=[
        "itxt-flag-only",
        "itxt-no-text",
        "ztxt-empty",
        "ztxt-garbage",
        "chunk-4GB",
        "chunk-truncated",
        "not-png",
        "no-chunk",
    ],
)
def test_damaged_png_chunks(make, needle, tmp_path, capsys):
    path = tmp_path / "in.png"
    make(path)
    _refused(path, tmp_path, capsys, needle)


@pytest.mark.parametrize(
    "members,needle",
    [
        ({"meta": c.npy_header((10**15,))}, "claims shape (1000000000000000,)"),
        ({"meta": c.npy_header((), "<U100000000")}, "claims shape"),
        ({"meta": c.npy_header((), "|O") + b"\x80\x04N."}, "Python objects, which physlab never"),
        ({"meta": b"\x93NUMPY\x01\x00\x05\x00{'de"}, "damaged header"),
        ({"meta": np.lib.format.magic(1, 0) + b"junk"}, "damaged header"),
        ({"meta": c.npy_header((3,)) + b"\0" * 24}, "not a text record"),
    ],
    ids=["meta-10^15", "meta-U10^8", "meta-object", "header-cut", "header-junk", "meta-floats"],
)
def test_lying_npz_headers_are_refused_before_reading(members, needle, tmp_path, capsys):
    _refused(c.raw_npz(tmp_path / "in.npz", members), tmp_path, capsys, needle)


@pytest.mark.parametrize(
    "content", [b"", b"PK\x05\x06" + b"\0" * 18, b"garbage"], ids=["empty", "empty-zip", "garbage"]
)
def test_empty_and_garbage_npz(content, tmp_path, capsys):
    path = tmp_path / "in.npz"
    path.write_bytes(content)
    _refused(path, tmp_path, capsys)


def test_decompression_bombs_are_capped(tmp_path, capsys):
    """The caps are at 4 Mi characters; inflating stops there (zlib max_length, the zip entry's
    declared size), so these cost no more than the cap whatever they would inflate to."""
    _refused(
        c.meta_bomb_npz(tmp_path / "in.npz", 5 << 20),
        tmp_path,
        capsys,
        "characters long (limit 4,194,304)",
    )
    bomb = c.bomb(64 << 20)
    assert len(bomb) < 100_000
    _refused(
        c.png(tmp_path / "in.png", b"zTXt", b"physlab\0\0" + bomb),
        tmp_path,
        capsys,
        "inflates to more than",
    )
    _refused(
        c.png(tmp_path / "in.png", b"iTXt", b"physlab\0\1\0\0\0" + bomb),
        tmp_path,
        capsys,
        "inflates to more than",
    )
    (tmp_path / "in.csv").write_text("# physlab " + " " * (5 << 20) + "\n")
    _refused(tmp_path / "in.csv", tmp_path, capsys, "first line is longer than")


def test_svg_entity_expansion_is_refused(tmp_path, capsys):
    lol = (
        '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
        + ']><svg xmlns="http://www.w3.org/2000/svg"><desc>physlab &j;</desc></svg>'
    )
    (tmp_path / "in.svg").write_text(lol)
    _refused(tmp_path / "in.svg", tmp_path, capsys, "not a valid SVG")


def test_a_good_export_still_reads(tmp_path):
    for kind in ("npz", "csv", "png", "svg"):
        assert read_export_meta(_write(kind, META, tmp_path)) == META


def test_no_traceback_from_the_command(tmp_path):
    """The installed command, as users run it, on a few of the cases above."""
    sources = [
        _write("npz", c.deep_json(), tmp_path),
        c.png(tmp_path / "in.png", b"iTXt", b"physlab\0\1"),
        c.raw_npz(tmp_path / "h.npz", {"meta": c.npy_header((10**15,))}),
    ]
    for source in sources:
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "physlab",
                "run",
                "collapse",
                "--from",
                str(source),
                "--out",
                str(tmp_path / "o.npz"),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 2 and "Traceback" not in out.stderr
        assert len(out.stderr.splitlines()) == 1
