"""The sweep file contract (issue 15): NPZ arrays per measure shaped (n1, [n2,] R), grid_<param>,
status, errors and meta; CSV one row per point × repeat; atomic writes; reading back."""

import csv
import json
import math

import numpy as np
import pytest

from physlab.catalog import get_lab
from physlab.core.export import ExportError
from physlab.core.sweep import (
    DIVERGED,
    DONE,
    FAILED,
    NOT_RUN,
    PointResult,
    SweepFileError,
    SweepResult,
    SweepSpec,
    parse_axis,
)

LAB = get_lab("sharpness")


def filled() -> SweepResult:
    axes = (parse_axis(LAB.spec, "lr=0.1:0.4:4"), parse_axis(LAB.spec, "width=8,16"))
    spec = SweepSpec(
        "sharpness",
        LAB.spec.validate({"steps": 20}),
        axes,
        repeats=2,
        measures=("final_loss", "regime"),
        seed=3,
    )
    result = SweepResult(spec)
    points = spec.points()
    result.add(PointResult(points[0], DONE, {"final_loss": 0.5, "regime": 0.0}))
    result.add(
        PointResult(points[1], DIVERGED, {"final_loss": 1e9, "regime": 2.0}, "diverged at step 3")
    )
    result.add(PointResult(points[2], FAILED, {}, "RuntimeError: boom"))
    result.meta.update(scheduler="local", workers=2, wall_time=1.5)
    return result


def test_npz_contract(tmp_path):
    path = filled().save(tmp_path / "s.npz")
    with np.load(path, allow_pickle=False) as z:
        assert z["final_loss"].shape == z["regime"].shape == z["status"].shape == (4, 2, 2)
        assert list(z["grid_lr"]) == pytest.approx([0.1, 0.2, 0.3, 0.4])
        assert list(z["grid_width"]) == [8, 16]
        status = z["status"]
        assert status[0, 0, 0] == DONE and status[0, 0, 1] == DIVERGED
        assert status[0, 1, 0] == FAILED and (status.ravel()[3:] == NOT_RUN).all()
        assert z["final_loss"][0, 0, 1] == 1e9 and math.isnan(z["final_loss"][0, 1, 0])
        assert list(z["errors"]) == ["[0, 1] 0: RuntimeError: boom"]
        meta = json.loads(str(z["meta"]))
    assert meta["lab"] == "sharpness" and meta["base"]["steps"] == 20 and meta["seed"] == 3
    assert [a["name"] for a in meta["axes"]] == ["lr", "width"] and meta["repeats"] == 2
    assert meta["measures"] == ["final_loss", "regime"] and meta["workers"] == 2
    assert meta["scheduler"] == "local" and meta["wall_time"] == 1.5
    assert {"physlab", "numpy", "numba", "dask", "distributed"} <= set(meta["versions"])
    assert meta["categories"]["regime"] == ["sharpness reduction", "catapult", "divergence"]


def test_csv_one_row_per_point_and_repeat(tmp_path):
    path = filled().save(tmp_path / "s.csv")
    with open(path, newline="", encoding="utf-8") as f:
        header = f.readline()
        rows = list(csv.DictReader(f))
    assert header.startswith("# physlab {")
    assert len(rows) == 4 * 2 * 2
    assert list(rows[0])[:5] == ["i", "j", "repeat", "lr", "width"]
    assert rows[1]["status"] == "diverged" and float(rows[1]["final_loss"]) == 1e9
    assert rows[2]["status"] == "failed" and rows[2]["error"] == "RuntimeError: boom"
    assert rows[5]["lr"] == "0.2" and rows[5]["width"] == "8" and rows[5]["repeat"] == "1"


@pytest.mark.parametrize("suffix", [".npz", ".csv"])
def test_round_trip(tmp_path, suffix):
    original = filled()
    back = SweepResult.load(original.save(tmp_path / f"s{suffix}"))
    assert back.spec == original.spec
    for name, array in original.arrays.items():
        assert np.array_equal(back.arrays[name], array, equal_nan=True), name
    assert back.errors == original.errors and back.meta["workers"] == 2


def test_writes_are_atomic(tmp_path, monkeypatch):
    path = filled().save(tmp_path / "s.npz")
    before = path.read_bytes()

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez_compressed", broken)
    with pytest.raises(ExportError, match="No space left"):
        filled().save(path)
    assert path.read_bytes() == before and len(list(tmp_path.iterdir())) == 1
    with pytest.raises(ExportError, match="must end in"):
        filled().save(tmp_path / "s.txt")


def test_other_files_are_refused(tmp_path):
    from physlab.core.export import write_run

    run = write_run(tmp_path / "run.npz", {"x": np.arange(3)}, {"lab": "sharpness"})
    with pytest.raises(SweepFileError, match="not a physlab sweep"):
        SweepResult.load(run)
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(SweepFileError, match="cannot read"):
        SweepResult.load(tmp_path / "junk.npz")
