"""The fused training-and-sharpness loop (one numba call per advance) gives bitwise the run of
the chunked loop it replaces, however advance() is cut into pieces."""

import numpy as np
import pytest

from physlab.sharpness.experiment import SharpnessExperiment

EOS = {"dataset": "chebyshev", "width": [30, 20], "depth": 2, "lr": 0.2, "steps": 230}


def run(pieces, fused=True, **params):
    exp = SharpnessExperiment({**EOS, **params}, seed=4)
    assert exp._measured_loop
    exp._measured_loop = fused
    for n in pieces:
        exp.advance(n)
    return exp


@pytest.mark.parametrize(
    "params", [{"eig_every": 10}, {"eig_every": 7, "k_eigs": 2, "optimizer": "momentum"}]
)
def test_fused_loop_is_the_chunked_loop_bit_for_bit(params):
    chunked = run([230], fused=False, **params).frame()
    for pieces in ([230], [3, 50, 1, 176]):
        fused = run(pieces, **params).frame()
        assert fused.keys() == chunked.keys()
        for key in chunked:
            np.testing.assert_array_equal(fused[key], chunked[key], err_msg=key)
    assert len(chunked["sharpness_step"]) == 1 + 230 // params["eig_every"]


def test_fused_loop_stops_at_divergence_like_the_chunked_loop():
    fused, chunked = run([300], lr=4.0), run([300], fused=False, lr=4.0)
    assert fused.diverged is not None and fused.diverged == chunked.diverged
    assert fused.step == chunked.step < 230
    np.testing.assert_array_equal(fused.frame()["loss"], chunked.frame()["loss"])
    np.testing.assert_array_equal(fused.frame()["sharpness"], chunked.frame()["sharpness"])
