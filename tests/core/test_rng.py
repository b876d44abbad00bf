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
        assert u.min() > 0 and u.max() < 1 and abs(u.mean() - 0.5) < 5 * se


def test_streams_are_reproducible_and_distinct():
    a = _draw(5, 0, 100, 3.0)
    assert np.array_equal(a, _draw(5, 0, 100, 3.0))
    assert not np.allclose(a, _draw(5, 1, 100, 3.0))
    assert not np.allclose(a, _draw(6, 0, 100, 3.0))
    # neighbouring streams are uncorrelated
    x, y = _draw(5, 0, 20_000, 3.0)[0], _draw(5, 1, 20_000, 3.0)[0]
    assert abs(np.corrcoef(x, y)[0, 1]) < 0.03


def test_ziggurat_normals_follow_the_normal_law_into_the_tail():
    """Binned counts of 2·10⁶ draws against Φ (χ² over 17 bins, including the ziggurat's base
    layer |z| > 3.44 and beyond 4, where the tail algorithm takes over)."""
    import math

    z = _draw(3, 0, 2_000_000, 1.0)[0]
    edges = np.array(
        [
            -np.inf,
            -4,
            -3.44,
            -3,
            -2.5,
            -2,
            -1.5,
            -1,
            -0.5,
            0,
            0.5,
            1,
            1.5,
            2,
            2.5,
            3,
            3.44,
            4,
            np.inf,
        ]
    )
    cdf = np.array(
        [
            0.0 if e == -np.inf else 1.0 if e == np.inf else 0.5 * (1 + math.erf(e / math.sqrt(2)))
            for e in edges
        ]
    )
    expected = np.diff(cdf) * len(z)
    observed = np.histogram(z, edges)[0]
    chi2 = np.sum((observed - expected) ** 2 / expected)
    assert chi2 < 45.0  # 17 degrees of freedom: p ≈ 3e-4
    assert abs(np.mean(np.abs(z) > 3.44) - 2 * (1 - cdf[16])) < 5 * np.sqrt(5.8e-4 / len(z))
