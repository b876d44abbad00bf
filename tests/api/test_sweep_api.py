"""physlab.sweep: the sweep engine from a script — blocking and streamed, the same arrays as a
point-by-point serial run, saved and loaded back, and as an xarray Dataset (issue 19)."""

import numpy as np
import pytest

import physlab

BASE = dict(generations=2, d=10, T=20, T0=20, base={"repeats": 4})


@pytest.fixture(scope="module")
def result():
    return physlab.sweep(
        "collapse", grid={"real_fraction": [0.0, 0.5, 1.0]}, repeats=2, workers=2, seed=3, **BASE
    )


def test_a_blocking_sweep_holds_every_point(result):
    assert result.arrays["status"].shape == (3, 2) and (result.arrays["status"] == 0).all()
    assert result.arrays["error_mix"].shape == (3, 2)
    # mixing in more real data lowers the error of the mix strategy (Dohmatob et al. 2024)
    mix = result.arrays["error_mix"].mean(axis=1)
    assert mix[0] > mix[2]


def test_a_point_is_the_run_with_its_seed(result):
    point = result.spec.point((1,), 1)
    run = physlab.run("collapse", seed=point.seed, **point.params)
    assert point.params["repeats"] == 4
    assert result.arrays["error_mix"][1, 1] == pytest.approx(run["error_mean"][-1, -1])


def test_streamed_points_arrive_one_by_one_with_the_same_numbers(result):
    points = list(
        physlab.sweep(
            "collapse",
            grid={"real_fraction": [0.0, 0.5, 1.0]},
            repeats=2,
            workers=2,
            seed=3,
            stream=True,
            **BASE,
        )
    )
    assert len(points) == 6
    for p in points:
        assert (
            p.values["error_mix"] == result.arrays["error_mix"][p.point.index + (p.point.repeat,)]
        )


def test_saved_sweeps_load_back_and_become_datasets(result, tmp_path):
    for suffix in (".npz", ".csv"):
        again = physlab.load(result.save(tmp_path / f"s{suffix}"))
        assert np.array_equal(again.arrays["status"], result.arrays["status"])
        np.testing.assert_allclose(again.arrays["error_mix"], result.arrays["error_mix"])
    pytest.importorskip("xarray")
    ds = result.to_xarray()
    assert ds["error_mix"].dims == ("real_fraction", "repeat")
    assert list(ds["real_fraction"].values) == [0.0, 0.5, 1.0]


def test_bad_grids_are_refused_like_the_cli():
    with pytest.raises(physlab.ParamError, match="real_fraction"):
        physlab.sweep("collapse", grid={"real_fraction": [0.5, 2.0]}, **BASE)
    with pytest.raises(physlab.ParamError, match="grid"):
        physlab.sweep("collapse", grid={"real_fraction": 0.5}, **BASE)
