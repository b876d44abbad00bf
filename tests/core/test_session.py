"""Session files: a round trip restores parameters, seeds and runs; bad files get a clear
SessionError, never a traceback; `physlab run --from` reproduces a saved run's numbers."""

import json
import zipfile

import numpy as np
import pytest

from physlab.catalog import all_labs, get_lab
from physlab.cli import main
from physlab.core import session
from physlab.core.experiment import drive
from physlab.core.export import read_npz
from physlab.core.session import (
    LabState,
    RunRecord,
    SessionError,
    read_session,
    run_from_file,
    write_session,
)

LABS = all_labs()


def _frame(params, seed):
    exp = get_lab("collapse").build(params, seed)
    drive(exp)
    return exp.frame()


def _state():
    collapse = get_lab("collapse").spec
    params = collapse.validate({"generations": 4, "repeats": 4})
    run = RunRecord(
        params=params, seed=5, frame=_frame(params, 5), meta={"lab": "collapse", "steps_done": 4}
    )
    return {
        "collapse": LabState(params=params, seed=5, runs=[run, run]),
        "sharpness": LabState(params=get_lab("sharpness").spec.defaults(), seed=0),
    }


def test_round_trip(tmp_path):
    path = write_session(tmp_path / "s.physlab", _state())
    states, warnings = read_session(path, LABS)
    assert warnings == []
    assert set(states) == {"collapse", "sharpness"}
    c = states["collapse"]
    assert c.seed == 5 and c.params["generations"] == 4 and len(c.runs) == 2
    np.testing.assert_array_equal(c.runs[1].frame["error_mean"], _frame(c.params, 5)["error_mean"])
    assert c.runs[0].meta == {"lab": "collapse", "steps_done": 4}
    assert states["sharpness"].runs == []


def _rewrite(path, doc):
    """Replace the session record of a written file (to fake other versions)."""
    with np.load(path) as z:
        arrays = {k: z[k] for k in z.files if k != "session"}
    with open(path, "wb") as f:
        np.savez(f, session=np.array(json.dumps(doc)), **arrays)


@pytest.mark.parametrize(
    "change,needle",
    [
        (lambda d: d.update(schema=99), "newer physlab"),
        (lambda d: d.update(schema=0), "older than"),
        (lambda d: d.pop("schema"), "no schema"),
        (lambda d: d.update(format="other"), "not a physlab session"),
    ],
)
def test_other_versions_are_refused_clearly(tmp_path, change, needle):
    path = write_session(tmp_path / "s.physlab", _state())
    with np.load(path) as z:
        doc = json.loads(str(z["session"]))
    change(doc)
    _rewrite(path, doc)
    with pytest.raises(SessionError, match=needle):
        read_session(path, LABS)


def test_a_lab_with_a_missing_array_is_skipped_whole_with_a_warning(tmp_path):
    path = write_session(tmp_path / "s.physlab", _state())
    with np.load(path) as z:
        doc = json.loads(str(z["session"]))
    doc["labs"]["collapse"]["runs"][1]["arrays"].append("missing")
    _rewrite(path, doc)
    states, warnings = read_session(path, LABS)
    assert set(states) == {"sharpness"}
    assert warnings == ["Collapse: not restored: run 2: it has no entry 'collapse/1/missing'"]


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x03\x04broken"])
def test_damaged_files_are_refused_clearly(tmp_path, content):
    path = tmp_path / "s.physlab"
    path.write_bytes(content)
    with pytest.raises(SessionError, match="damaged|not a physlab"):
        read_session(path, LABS)


def test_truncated_file_is_refused(tmp_path):
    path = write_session(tmp_path / "s.physlab", _state())
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(SessionError):
        read_session(path, LABS)


def test_unknown_lab_and_stale_params_warn_and_skip(tmp_path):
    path = write_session(tmp_path / "s.physlab", _state())
    with np.load(path) as z:
        doc = json.loads(str(z["session"]))
    doc["labs"]["gone"] = doc["labs"].pop("sharpness")
    doc["labs"]["collapse"]["params"]["generations"] = -3
    _rewrite(path, doc)
    states, warnings = read_session(path, LABS)
    assert states == {}
    assert any("'gone'" in w for w in warnings)
    assert any("generations" in w for w in warnings)


def test_a_failed_write_keeps_the_old_session(tmp_path, monkeypatch):
    path = write_session(tmp_path / "s.physlab", _state())
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(session.np, "savez_compressed", boom)
    with pytest.raises(OSError, match="No space left"):
        write_session(path, _state())
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["s.physlab"]


@pytest.mark.parametrize("suffix", [".npz", ".csv"])
def test_run_from_an_export_gives_the_same_numbers(tmp_path, suffix):
    first = tmp_path / f"first{suffix}"
    again = tmp_path / "again.npz"
    assert (
        main(
            [
                "run",
                "collapse",
                "--set",
                "generations=5",
                "--set",
                "repeats=20",
                "--seed",
                "11",
                "--out",
                str(first),
                "--quiet",
            ]
        )
        == 0
    )
    assert main(["run", "collapse", "--from", str(first), "--out", str(again), "--quiet"]) == 0
    reference = tmp_path / "reference.npz"
    main(
        [
            "run",
            "collapse",
            "--set",
            "generations=5",
            "--set",
            "repeats=20",
            "--seed",
            "11",
            "--out",
            str(reference),
            "--quiet",
        ]
    )
    a, meta_a = read_npz(reference)
    b, meta_b = read_npz(again)
    assert meta_b["seed"] == 11 and meta_b["params"] == meta_a["params"]
    assert set(a) == set(b)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])


def test_run_from_a_session(tmp_path):
    path = write_session(tmp_path / "s.physlab", _state())
    params, seed = run_from_file(path, get_lab("collapse"))
    assert seed == 5 and params["generations"] == 4


@pytest.mark.parametrize(
    "make,needle",
    [
        (lambda p: None, "no such file"),
        (lambda p: p.write_text("a,b\n1,2\n"), "no physlab metadata"),
        (
            lambda p: p.write_text('# physlab {"lab": "sharpness", "params": {}, "seed": 0}\n'),
            "run of lab 'sharpness'",
        ),
    ],
)
def test_run_from_a_bad_file_exits_2(tmp_path, capsys, make, needle):
    source = tmp_path / "in.csv"
    make(source)
    out = tmp_path / "out.npz"
    assert main(["run", "collapse", "--from", str(source), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0]
    assert not out.exists()


def test_zip_without_session_record(tmp_path):
    path = tmp_path / "s.physlab"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("x.npy", b"")
    with pytest.raises(SessionError, match="not a physlab session|damaged"):
        read_session(path, LABS)
