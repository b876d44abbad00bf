"""Lanczos against a dense eigendecomposition of the Hessian of a small net."""
import numpy as np
import pytest

from physlab.sharpness.hessian import lanczos_top
from physlab.sharpness.models import MLPModel
from physlab.sharpness.params import SPEC


def dense_hessian(m, theta):
    eye = np.eye(theta.size)
    H = np.array([m.hvp(theta, e) for e in eye])
    return 0.5 * (H + H.T)


@pytest.mark.parametrize("k", [1, 3])
def test_lanczos_matches_dense_eigh(k):
    p = SPEC.validate({"width": [6, 5], "n_samples": 10})
    rng = np.random.default_rng(0)
    m = MLPModel(p, rng)
    theta = m.init(rng)
    H = dense_hessian(m, theta)
    exact = np.sort(np.linalg.eigvalsh(H))[::-1][:k]
    ritz = lanczos_top(lambda v: m.hvp(theta, v), rng.standard_normal(theta.size), k=k)
    np.testing.assert_allclose(ritz.values, exact, rtol=1e-6)
    assert np.linalg.norm(H @ ritz.top_vector - exact[0] * ritz.top_vector) < 1e-4 * exact[0]


def test_lanczos_on_diagonal_operator_finds_top_eigenvalues():
    d = np.linspace(-3, 10, 200)
    ritz = lanczos_top(lambda v: d * v, np.ones(200), k=2, max_iter=200)
    np.testing.assert_allclose(ritz.values, [10, d[-2]], rtol=1e-8)
