"""Crafted sessions (issue 14, items 2, 3, 8): read_session raises only SessionError; a lab any
part of which does not check is left out whole with a warning naming what; `--from` a session
reads only its record."""

import json

import numpy as np
import pytest

from physlab.catalog import all_labs, get_lab
from physlab.cli import main
from physlab.core.experiment import drive
from physlab.core.params import MEMORY_ENV
from physlab.core.session import (
    LabState,
    RunRecord,
    SessionError,
    read_session,
    run_from_file,
    write_session,
)
from tests.hostile import crafted as c

LABS = all_labs()
PARAMS = {"generations": 3, "repeats": 4}


@pytest.fixture(scope="module")
def frame():
    exp = get_lab("collapse").build(PARAMS, 2)
    drive(exp)
    return exp.frame()


def _session(tmp_path, frame):
    params = get_lab("collapse").spec.validate(PARAMS)
    run = RunRecord(params, 2, frame, {"lab": "collapse", "steps_done": 3, "total_steps": 3})
    return write_session(tmp_path / "s.physlab", {"collapse": LabState(params, 2, [run])})


def _edit(path, change_doc=None, arrays=None):
    """Rewrite a session: change its record and/or replace arrays (raw .npy bytes allowed)."""
    with np.load(path) as z:
        doc = json.loads(str(z["session"]))
        members = {k: z[k] for k in z.files if k != "session"}
    if change_doc:
        out = change_doc(doc)
        doc = doc if out is None else out
    members.update(arrays or {})
    raw = {k: v for k, v in members.items() if isinstance(v, bytes)}
    arrs = {k: v for k, v in members.items() if not isinstance(v, bytes)}
    text = doc if isinstance(doc, str) else json.dumps(doc)
    with open(path, "wb") as f:
        np.savez_compressed(f, session=np.array(text), **arrs)
    if raw:
        import zipfile

        with zipfile.ZipFile(path, "a") as zf:
            for k, v in raw.items():
                zf.writestr(k + ".npy", v)
    return path


def _lab(doc):
    return doc["labs"]["collapse"]


def _run(doc):
    return _lab(doc)["runs"][0]


def _set(where, key, value):
    def change(doc):
        where(doc)[key] = value

    return change


WHOLE_FILE = {  # the record itself is broken: the file is refused
    "labs-list": lambda d: d.update(labs=[1]),
    "labs-string": lambda d: d.update(labs="collapse"),
    "labs-null": lambda d: d.update(labs=None),
    "no-labs": lambda d: d.pop("labs"),
    "deep-json": lambda d: c.deep_json().replace('"lab"', '"format"'),
    "record-a-list": lambda d: [d],
    "schema-true": lambda d: d.update(schema=True),
}


@pytest.mark.parametrize("name", list(WHOLE_FILE))
def test_a_broken_record_refuses_the_file(name, tmp_path, frame):
    path = _edit(_session(tmp_path, frame), WHOLE_FILE[name])
    with pytest.raises(SessionError) as err:
        read_session(path, LABS)
    assert "s.physlab" in str(err.value) and "\n" not in str(err.value)


def _arr(name, value):
    return {f"collapse/0/{name}": value}


PER_LAB = {  # one lab is wrong: it is left out whole, with a warning saying what
    "params-list": (_set(_lab, "params", [1]), None, "params: [1] is not an object"),
    "params-invalid": (_set(_lab, "params", {"generations": -3}), None, "'generations'"),
    "run-params-invalid": (_set(_run, "params", {"repeats": 0}), None, "run 1: parameter"),
    "seed-infinity": (_set(_lab, "seed", float("inf")), None, "seed: inf is not an integer"),
    "seed-2^70": (_set(_lab, "seed", 2**70), None, "seed: 1180591620717411303424 is not"),
    "run-seed-negative": (_set(_run, "seed", -1), None, "seed: -1 is not"),
    "runs-not-a-list": (_set(_lab, "runs", {}), None, "runs: {} is not a list"),
    "meta-list": (_set(_run, "meta", [1]), None, "meta: [1] is not an object"),
    "meta-null": (_set(_run, "meta", None), None, "meta: None is not an object"),
    "steps_done-string": (
        lambda d: _run(d)["meta"].update(steps_done="abc"),
        None,
        "steps_done: 'abc' is not an integer",
    ),
    "divergence-number": (
        lambda d: _run(d)["meta"].update(divergence=3),
        None,
        "divergence: 3 is not a string",
    ),
    "summary-rows-number": (
        lambda d: _run(d)["meta"].update(summary={"rows": 5}),
        None,
        "summary.rows: 5 is not a list",
    ),
    "arrays-not-a-list": (_set(_run, "arrays", "error_mean"), None, "arrays"),
    "no-arrays": (_set(_run, "arrays", []), None, "is missing"),
    "array-missing": (lambda d: _run(d)["arrays"].append("nope"), None, "no entry"),
    "header-10^15": (None, _arr("error_mean", c.npy_header((3, 10**15))), "claims shape"),
    "array-3d": (None, _arr("error_mean", np.zeros((3, 4, 2))), "'error_mean' has shape"),
    "array-scalar": (None, _arr("generation", np.array(3)), "'generation' has shape ()"),
    "array-string": (None, _arr("error_mean", np.full((3, 4), "a")), "has dtype <U1"),
    "array-complex": (None, _arr("error_mean", np.zeros((3, 4), complex)), "has dtype complex"),
    "array-struct": (None, _arr("error_mean", np.zeros((3, 4), [("a", "f8")])), "dtype"),
    "array-datetime": (None, _arr("generation", np.zeros(4, "datetime64[s]")), "dtype"),
    "array-object": (None, _arr("error_mean", c.npy_header((3,), "|O")), "Python objects"),
    "lengths-differ": (None, _arr("error_std", np.zeros((3, 9))), "axis 1 has length 9"),
    "all-inf": (None, _arr("sweep_error_mean", np.full((4, 16), np.inf)), "no finite value"),
    "step-nan": (None, _arr("generation", np.array([0, 1, np.nan, 3])), "has dtype float64"),
}


@pytest.mark.parametrize("name", list(PER_LAB))
def test_a_bad_lab_is_left_out_whole_with_a_warning(name, tmp_path, frame):
    change, arrays, needle = PER_LAB[name]
    path = _edit(_session(tmp_path, frame), change, arrays)
    states, warnings = read_session(path, LABS)
    assert states == {}
    assert len(warnings) == 1 and warnings[0].startswith("Collapse: not restored: "), warnings
    assert needle in warnings[0] and "allow_pickle" not in warnings[0], warnings[0]


def test_the_good_session_reads(tmp_path, frame):
    states, warnings = read_session(_session(tmp_path, frame), LABS)
    assert warnings == [] and len(states["collapse"].runs) == 1


def test_an_array_bomb_is_refused_by_its_declared_size(tmp_path, frame, monkeypatch):
    n = 1 << 19  # 40 MB of zeros, a few hundred kB deflated, with consistent shapes
    big = {f"collapse/0/{k}": np.zeros((3, n)) for k in ("error_mean", "error_std", "theory")}
    path = _edit(
        _session(tmp_path, frame), None, {"collapse/0/generation": np.zeros(n, np.int64), **big}
    )
    monkeypatch.setenv(MEMORY_ENV, "16M")
    states, warnings = read_session(path, LABS)
    assert states == {} and "limit 16,777,216" in warnings[0]


def test_arrays_larger_than_the_run_could_hold_are_refused(tmp_path, frame):
    """A small file holding 100 MB of zeros, under the memory limit: no run with these
    parameters (3 generations, 4 repeats) holds that much, so it is not read."""
    n = 1 << 22
    big = {f"collapse/0/{k}": np.zeros((3, n)) for k in ("error_mean", "error_std", "theory")}
    path = _edit(
        _session(tmp_path, frame), None, {"collapse/0/generation": np.zeros(n, np.int64), **big}
    )
    states, warnings = read_session(path, LABS)
    assert states == {} and "more than a run with these parameters holds" in warnings[0]


def test_from_a_session_reads_only_the_record(tmp_path, frame, capsys):
    path = _edit(
        _session(tmp_path, frame), None, {"collapse/0/error_mean": c.npy_header((3, 10**15))}
    )
    params, seed = run_from_file(path, get_lab("collapse"))  # the damaged array is never read
    assert seed == 2 and params["generations"] == 3


def test_from_a_session_with_invalid_params_says_what(tmp_path, frame, capsys):
    path = _edit(_session(tmp_path, frame), _set(_run, "params", {"generations": -3}))
    out = tmp_path / "o.npz"
    assert main(["run", "collapse", "--from", str(path), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "holds no" not in err and "run 1: parameter 'generations': -3 is not" in err
    assert len(err.splitlines()) == 1 and not out.exists()
