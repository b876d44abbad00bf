import os
from pathlib import Path

import numpy as np
import pytest

from physlab.core import export
from physlab.core.export import ExportError, build_meta, read_npz, write_run

DATA = {
    "step": np.arange(5),
    "loss": np.linspace(1, 0, 5),
    "eig": np.ones((3, 2)),
    "big": np.zeros((2, 40)),
}


def test_npz_roundtrip_with_meta(tmp_path):
    meta = build_meta("demo", {"lr": 0.1}, 7, wall_time=1.5)
    path = write_run(tmp_path / "run.npz", DATA, meta)
    data, back = read_npz(path)
    np.testing.assert_array_equal(data["loss"], DATA["loss"])
    assert back["lab"] == "demo" and back["seed"] == 7 and back["params"] == {"lr": 0.1}
    assert {"physlab", "numpy", "numba"} <= set(back["versions"])


def _read_tidy_csv(path):
    """The arrays of a tidy CSV, rebuilt with the csv module from its index columns."""
    import csv
    import json

    with open(path, newline="", encoding="utf-8") as f:
        meta = json.loads(f.readline()[len("# physlab ") :])
        rows = list(csv.DictReader(f))
    index_columns = [c for c in rows[0] if c.startswith("i")] if rows else []
    cells: dict[str, list] = {}
    for row in rows:
        index = tuple(int(row[c]) for c in index_columns if row[c] != "")
        cells.setdefault(row["array"], []).append((index, float(row["value"])))
    arrays = {}
    for name, values in cells.items():
        shape = tuple(max(i[d] for i, _ in values) + 1 for d in range(len(values[0][0])))
        arr = np.full(shape, np.nan)
        for index, value in values:
            arr[index] = value
        assert arr.size == len(values), name  # one row per value, none twice
        arrays[name] = arr
    return arrays, meta, list(rows[0]) if rows else []


def test_csv_is_tidy_one_row_per_value_of_every_array(tmp_path):
    data = {
        **DATA,
        "scalar": np.float64(0.25),
        "cube": np.arange(24.0).reshape(2, 3, 4) / 7,
        "flags": np.array([True, False]),
        "odd": np.array([np.nan, np.inf, -0.1]),
    }
    path = write_run(tmp_path / "run.csv", data, build_meta("demo", {"lr": 0.1}, 3))
    arrays, meta, columns = _read_tidy_csv(path)
    assert meta["seed"] == 3 and meta["params"] == {"lr": 0.1}
    assert columns == ["array", "i0", "i1", "i2", "value"]
    assert set(arrays) == set(data)
    for name, value in data.items():
        expected = np.asarray(value, dtype=float)
        np.testing.assert_array_equal(arrays[name].reshape(expected.shape), expected)
    loaded = np.genfromtxt(
        path, delimiter=",", skip_header=1, names=True, dtype=None, encoding="utf-8"
    )  # numpy reads it as one table too
    assert len(loaded) == sum(np.asarray(v).size for v in data.values())


@pytest.mark.parametrize("name", ["run.txt", "missing/run.npz"])
def test_bad_targets_are_refused_before_writing(tmp_path, name):
    with pytest.raises(ExportError):
        write_run(tmp_path / name, DATA, {})
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into read-only folders")
def test_read_only_folder_is_refused(tmp_path):
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(ExportError, match="not writable"):
            write_run(tmp_path / "run.npz", DATA, {})
    finally:
        tmp_path.chmod(0o700)


def test_failed_write_keeps_the_old_file_and_leaves_no_partial(tmp_path, monkeypatch):
    target = tmp_path / "run.npz"
    target.write_bytes(b"old")

    def boom(tmp, data, meta):
        tmp.write_bytes(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export, "_write_npz", boom)
    with pytest.raises(ExportError, match="No space left"):
        write_run(target, DATA, {})
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["run.npz"]


KILLED_WRITER = """
import sys, numpy as np
from physlab.core import export
real = export._write_npz
def slow(tmp, data, meta):
    real(tmp, data, meta)           # the temporary file is complete on disk …
    print("written", flush=True)
    import time; time.sleep(60)     # … and the writer is killed before the rename
export._write_npz = slow
export.write_run(sys.argv[1], {"x": np.arange(200000.0)}, {})
"""


@pytest.mark.parametrize("old_file", [True, False])
def test_an_export_killed_mid_write_leaves_the_old_file_or_none(tmp_path, old_file):
    import subprocess
    import sys
    import time

    target = tmp_path / "run.npz"
    if old_file:
        target.write_bytes(b"old")
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(target)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "written"
    proc.kill()
    proc.wait()
    if old_file:
        assert target.read_bytes() == b"old"
    else:
        assert not target.exists()
    partials = [p for p in tmp_path.iterdir() if ".partial" in p.name]
    assert len(partials) == 1  # the killed writer could not clean up after itself …
    stale = time.time() - export.STALE_PARTIAL_SECONDS - 1
    os.utime(partials[0], (stale, stale))
    write_run(target, DATA, {})  # … the next export to the same name does
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.npz"]
    assert set(read_npz(target)[0]) == set(DATA)


def test_unwritable_folder_is_refused_even_when_running_as_root(tmp_path, monkeypatch):
    """The read-only check, simulated (CI runs as root, who may write anywhere)."""
    monkeypatch.setattr(export.os, "access", lambda path, mode: False)
    with pytest.raises(ExportError, match="not writable"):
        write_run(tmp_path / "run.npz", DATA, {})
    assert list(tmp_path.iterdir()) == []


# -- file modes, symbolic links ------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".npz", ".csv"])
@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_follows_the_umask(tmp_path, suffix, umask, mode):
    old = os.umask(umask)
    try:
        path = write_run(tmp_path / f"run{suffix}", DATA, {})
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == mode


def test_overwriting_keeps_the_old_files_mode(tmp_path):
    target = tmp_path / "run.npz"
    target.write_bytes(b"old")
    target.chmod(0o640)
    write_run(target, DATA, {})
    assert target.stat().st_mode & 0o777 == 0o640
    assert set(read_npz(target)[0]) == set(DATA)


def test_writing_through_a_symlink_replaces_its_target_not_the_link(tmp_path):
    (tmp_path / "data").mkdir()
    real = tmp_path / "data" / "run.npz"
    real.write_bytes(b"old")
    real.chmod(0o600)
    link = tmp_path / "latest.npz"
    link.symlink_to(real)
    write_run(link, DATA, {})
    assert link.is_symlink() and link.resolve() == real
    assert set(read_npz(real)[0]) == set(DATA) and real.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["run.npz"]


# -- targets refused before any work --------------------------------------------------------------
def _targets(tmp_path):
    (tmp_path / "x.npz").mkdir()
    return {
        "proc": Path("/proc/x.npz"),
        "sys": Path("/sys/x.npz"),
        "long name": tmp_path / ("x" * 296 + ".npz"),
        "directory": tmp_path / "x.npz",
        "missing folder": tmp_path / "missing" / "x.npz",
    }


@pytest.mark.parametrize("case", ["proc", "sys", "long name", "directory", "missing folder"])
def test_unwritable_targets_are_refused_in_one_line(tmp_path, case):
    target = _targets(tmp_path)[case]
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises(ExportError) as err:
        export.check_target(target)
    message = str(err.value)
    assert "\n" not in message and len(message) < 200, message
    assert sorted(tmp_path.rglob("*")) == before  # the probe file is gone too


def test_a_link_to_a_device_is_refused_not_replaced(tmp_path):
    link = tmp_path / "out.npz"
    link.symlink_to("/dev/null")
    with pytest.raises(ExportError, match="not a regular file"):
        write_run(link, DATA, {})
    assert link.is_symlink() and Path("/dev/null").exists()


def test_check_target_accepts_a_writable_target_and_leaves_nothing(tmp_path):
    assert export.check_target(tmp_path / "run.csv") == tmp_path / "run.csv"
    assert list(tmp_path.iterdir()) == []


# -- the CLI: checked before the run, a late failure is one line ----------------------------------
def _no_run(*args, **kwargs):
    raise AssertionError("the run started although its output cannot be written")


@pytest.mark.parametrize("case", ["proc", "sys", "long name", "directory", "missing folder"])
def test_cli_refuses_an_unwritable_out_before_computing(tmp_path, monkeypatch, capsys, case):
    from physlab import cli
    from physlab.core import headless

    target = _targets(tmp_path)[case]
    monkeypatch.setattr(headless, "run_to_completion", _no_run)
    assert cli.main(["run", "collapse", "--out", str(target), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("physlab: ") and "Traceback" not in err


def test_cli_disk_full_at_the_end_is_one_line_and_status_1(tmp_path, monkeypatch, capsys):
    from physlab import cli

    def full(tmp, data, meta):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export, "_write_npz", full)
    target = tmp_path / "run.npz"
    assert (
        cli.main(
            [
                "run",
                "collapse",
                "--set",
                "repeats=2",
                "--set",
                "generations=2",
                "--out",
                str(target),
                "--quiet",
            ]
        )
        == 1
    )
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No space left on device" in err
    assert list(tmp_path.iterdir()) == []
