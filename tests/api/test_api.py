"""physlab as a library: the documented names, their validation, and re-runs from a saved run or a
one-line configuration giving identical arrays."""

import numpy as np
import pytest

import physlab
from physlab.catalog import get_lab
from physlab.core.config_text import ConfigError, from_text, lab_of, to_text

SMALL = dict(generations=4, repeats=8)


def same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k], equal_nan=True) for k in a)


def test_labs_and_params_list_what_the_cli_lists():
    assert {"sharpness", "kernels", "scaling", "diffusion", "collapse"} <= set(physlab.labs())
    lr = physlab.params("sharpness")["lr"]
    assert lr.default == 0.2 and "float" in lr.allowed()


def test_run_validates_like_the_cli():
    with pytest.raises(physlab.ParamError, match="'lr'.*1e-06"):
        physlab.run("sharpness", lr=-1)
    with pytest.raises(physlab.ParamError, match="unknown parameter"):
        physlab.run("collapse", not_a_param=1)
    with pytest.raises(ValueError, match="unknown lab 'nope'"):
        physlab.run("nope")
    with pytest.raises(ValueError, match="no preset 'nope'"):
        physlab.run("collapse", preset="nope")


def test_run_save_load_rerun_identical(tmp_path):
    run = physlab.run("collapse", seed=3, **SMALL)
    assert run.params["generations"] == 4 and run.seed == 3
    assert run["error_mean"].shape[1] == 5
    with pytest.raises(KeyError, match="has no array 'nope'"):
        run["nope"]
    loaded = physlab.load(run.save(tmp_path / "run.npz"))
    assert loaded.params == run.params and loaded.seed == 3 and same(loaded.frame(), run.frame())
    assert same(loaded.rerun().frame(), run.frame())


def test_configuration_round_trip_reruns_identically():
    run = physlab.run("collapse", seed=5, **SMALL)
    text = run.config()
    assert text.startswith("physlab:collapse?") and text.endswith("&seed=5") and "\n" not in text
    assert same(physlab.from_config(text).frame(), run.frame())


def test_configuration_keeps_floats_exactly():
    spec = get_lab("sharpness").spec
    params = spec.validate({"lr": 0.1 + 0.2, "init_scale": 1e-4, "width": [7, 3]})
    values, seed = from_text(to_text("sharpness", params, 2**63 - 1), spec)
    assert values == params and seed == 2**63 - 1


@pytest.mark.parametrize(
    "text, message",
    [
        ("sharpness?lr=1", "starts with 'physlab:'"),
        ("physlab:?lr=1", "names no lab"),
        ("physlab:sharpness?lr=1&lr=2", "lr more than once"),
        ("physlab:sharpness?lr=1&future_knob=3", "unknown parameter 'future_knob'.*newer physlab"),
        ("physlab:sharpness?lr=-1", "parameter 'lr'"),
        ("physlab:sharpness?seed=-1", r"seed -1 is not an integer in \[0, 2\^63\)"),
        ("physlab:sharpness?seed=abc", "seed 'abc'"),
        ("physlab:sharpness?lr", "cannot be read"),
    ],
)
def test_bad_configurations_are_refused_in_one_line(text, message):
    spec = get_lab("sharpness").spec
    with pytest.raises(ConfigError, match=message) as info:
        lab_of(text)
        from_text(text, spec)
    assert "\n" not in str(info.value)
