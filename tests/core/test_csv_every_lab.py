"""Every lab's CSV export holds every array of the run, one row per value (issue 13, item 4: the
Collapse CSV dropped its main plot), and re-runs with ``physlab run --from x.csv``."""

import numpy as np
import pytest

from physlab.catalog import all_labs
from physlab.cli import main as cli
from physlab.core.export import read_npz
from physlab.core.headless import run_to_completion, save
from tests.core.test_export import _read_tidy_csv

SMALL = {
    "collapse": {"repeats": 4, "d": 10, "T": 30, "T0": 30, "generations": 3},
    "diffusion": {"size": 8, "steps": 10, "n_samples": 4},
    "kernels": {"width": 50, "steps": 10, "particles": 200},
    "sharpness": {"steps": 50},
    "scaling": {"widths": [16, 32], "steps": 200, "features": 200},
}


@pytest.mark.parametrize("name", sorted(all_labs()))
def test_csv_holds_every_array_of_the_lab_and_reruns(tmp_path, name):
    lab = all_labs()[name]
    params = lab.spec.validate(SMALL.get(name, {}))
    exp, wall = run_to_completion(lab, params, 2)
    path = save(lab, exp, tmp_path / "run.csv", wall)
    arrays, meta, _ = _read_tidy_csv(path)
    frame = exp.frame()
    assert set(arrays) == set(frame), "every array the plots draw is in the CSV"
    for key, value in frame.items():
        expected = np.asarray(value, dtype=float)
        np.testing.assert_array_equal(arrays[key].reshape(expected.shape), expected, err_msg=key)
    again = tmp_path / "again.npz"
    assert cli(["run", name, "--from", str(path), "--out", str(again), "--quiet"]) == 0
    data, meta_again = read_npz(again)
    assert meta_again["seed"] == 2 and meta_again["params"] == meta["params"]
