"""The counter-based random streams used inside parallel kernels."""
import numpy as np
from numba import njit

from physlab.core.numba_setup import JIT
from physlab.core.rng import chisquare, new_state, normal, uniform


@njit(**JIT)
def _draw(seed, stream, n, dof):
    s = new_state(seed, stream)
    out = np.empty((3, n))
    for i in range(n):
        out[0, i] = normal(s)
        out[1, i] = chisquare(s, dof)
        out[2, i] = uniform(s)
    return out


def test_moments_of_normal_chisquare_and_uniform():
    n = 200_000
    for dof in (0.5, 1.0, 7.0, 300.0):
        z, chi, u = _draw(1, 2, n, dof)
        se = 1 / np.sqrt(n)
        assert abs(z.mean()) < 5 * se and abs(z.var() - 1) < 5 * np.sqrt(2) * se
        assert abs(chi.mean() - dof) < 5 * np.sqrt(2 * dof) * se
        assert abs(chi.var() / (2 * dof) - 1) < 0.05
        assert 0 < u.min() and u.max() < 1 and abs(u.mean() - 0.5) < 5 * se


def test_streams_are_reproducible_and_distinct():
    a = _draw(5, 0, 100, 3.0)
    assert np.array_equal(a, _draw(5, 0, 100, 3.0))
    assert not np.allclose(a, _draw(5, 1, 100, 3.0))
    assert not np.allclose(a, _draw(6, 0, 100, 3.0))
    # neighbouring streams are uncorrelated
    x, y = _draw(5, 0, 20_000, 3.0)[0], _draw(5, 1, 20_000, 3.0)[0]
    assert abs(np.corrcoef(x, y)[0, 1]) < 0.03
