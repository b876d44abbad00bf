import os

import numpy as np
import pytest

from physlab.core import export
from physlab.core.export import ExportError, build_meta, read_npz, write_run

DATA = {"step": np.arange(5), "loss": np.linspace(1, 0, 5), "eig": np.ones((3, 2)),
        "big": np.zeros((2, 40))}


def test_npz_roundtrip_with_meta(tmp_path):
    meta = build_meta("demo", {"lr": 0.1}, 7, wall_time=1.5)
    path = write_run(tmp_path / "run.npz", DATA, meta)
    data, back = read_npz(path)
    np.testing.assert_array_equal(data["loss"], DATA["loss"])
    assert back["lab"] == "demo" and back["seed"] == 7 and back["params"] == {"lr": 0.1}
    assert {"physlab", "numpy", "numba"} <= set(back["versions"])


def test_csv_has_header_and_padded_columns(tmp_path):
    path = write_run(tmp_path / "run.csv", DATA, build_meta("demo", {}, 0))
    lines = path.read_text().splitlines()
    assert lines[0].startswith("# physlab {")
    assert "big[2, 40]" in lines[1]
    assert lines[2] == "step,loss,eig_0,eig_1"
    assert lines[3].split(",")[:2] == ["0", "1.0"]
    assert lines[-1].endswith(",,")  # the 3-row columns are padded
    assert len(lines) == 3 + 5


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
    proc = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(target)],
                            stdout=subprocess.PIPE, text=True)
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
