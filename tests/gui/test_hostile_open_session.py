"""Open session on crafted files (issue 14, item 3): MainWindow.open_session never raises, says
what was wrong, and leaves a lab it cannot restore exactly as it was."""

import json

import numpy as np
import pytest
from PySide6 import QtWidgets

from physlab.catalog import get_lab
from physlab.core.experiment import drive
from physlab.core.session import LabState, RunRecord, write_session
from tests.hostile import crafted as c


def _session(tmp_path, change=None, arrays=None):
    lab = get_lab("collapse")
    params = lab.spec.validate({"generations": 3, "repeats": 4})
    exp = lab.build(params, 2)
    drive(exp)
    frame = exp.frame()
    frame.update(arrays or {})
    run = RunRecord(params, 2, frame, {"lab": "collapse", "steps_done": 3, "total_steps": 3})
    path = write_session(tmp_path / "s.physlab", {"collapse": LabState(params, 2, [run])})
    if change:
        with np.load(path) as z:
            doc = json.loads(str(z["session"]))
            members = {k: z[k] for k in z.files if k != "session"}
        doc = change(doc) or doc
        with open(path, "wb") as f:
            np.savez(
                f, session=np.array(doc if isinstance(doc, str) else json.dumps(doc)), **members
            )
    return path


CASES = {
    "labs-list": (lambda d: d.update(labs=[1]), None),
    "deep-json": (lambda d: c.deep_json(), None),
    "params-list": (lambda d: d["labs"]["collapse"].update(params=[1]), None),
    "seed-infinity": (lambda d: d["labs"]["collapse"].update(seed=float("inf")), None),
    "meta-null": (lambda d: d["labs"]["collapse"]["runs"][0].update(meta=None), None),
    "array-3d": (None, {"error_mean": np.zeros((3, 4, 2))}),
    "all-inf": (None, {"sweep_error_mean": np.full((4, 16), np.inf)}),
}


@pytest.mark.parametrize("name", list(CASES))
def test_open_session_never_raises_and_changes_nothing_it_cannot_restore(
    name, window, tmp_path, monkeypatch
):
    shown = []
    for kind in ("warning", "information"):
        monkeypatch.setattr(
            QtWidgets.QMessageBox,
            kind,
            lambda parent, title, text, kind=kind: shown.append((kind, text)),
        )
    tab = window.lab_tabs.get_or_build("collapse")
    tab.panel.set_values({"generations": 6})
    tab.seed.setValue(9)
    change, arrays = CASES[name]
    window.open_session(_session(tmp_path, change, arrays))
    assert len(shown) == 1 and ("s.physlab" in shown[0][1] or "Collapse" in shown[0][1]), shown
    assert tab.panel.values()["generations"] == 6 and tab.seed.value() == 9
    assert tab.snapshot is None


def test_a_session_with_a_large_valid_seed_opens(window, tmp_path, monkeypatch):
    monkeypatch.setattr(QtWidgets.QMessageBox, "warning", lambda *args: None)
    path = _session(tmp_path, lambda d: d["labs"]["collapse"].update(seed=2**40))
    assert window.open_session(path)
    assert window.lab_tabs.get_or_build("collapse").seed.value() == 2**40
