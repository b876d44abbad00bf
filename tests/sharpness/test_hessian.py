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


@pytest.mark.parametrize("n", [1, 2, 7, 40])
def test_tridiagonal_eigh_matches_numpy(n):
    from physlab.sharpness.hessian import tridiagonal_eigh

    rng = np.random.default_rng(n)
    alpha, beta = rng.standard_normal(n), rng.standard_normal(max(n - 1, 0))
    values, vectors = tridiagonal_eigh(alpha, beta)
    T = np.diag(alpha) + np.diag(beta, 1) + np.diag(beta, -1)
    np.testing.assert_allclose(values, np.linalg.eigvalsh(T), atol=1e-12)
    np.testing.assert_allclose(T @ vectors, vectors * values, atol=1e-11)
    np.testing.assert_allclose(vectors.T @ vectors, np.eye(n), atol=1e-12)


@pytest.mark.parametrize("k,preconditioned", [(1, False), (3, False), (1, True)])
def test_numba_lanczos_agrees_with_the_numpy_one_and_dense_eigh(k, preconditioned):
    p = SPEC.validate({"width": [6, 5], "n_samples": 10})
    rng = np.random.default_rng(1)
    m = MLPModel(p, rng)
    assert not m.batched
    theta = m.init(rng)
    scale = rng.uniform(0.5, 2.0, theta.size) if preconditioned else np.ones(theta.size)
    D = np.diag(scale)
    exact = np.sort(np.linalg.eigvalsh(D @ dense_hessian(m, theta) @ D))[::-1][:k]
    v0 = rng.standard_normal(theta.size)
    fast = m.top_eigenvalues(theta, v0, k, scale if preconditioned else None)
    slow = lanczos_top(lambda v: scale * m.hvp(theta, scale * v), v0, k=k)
    np.testing.assert_allclose(fast.values, exact, rtol=1e-6)
    np.testing.assert_allclose(fast.values, slow.values, rtol=1e-9)
    assert fast.iterations == slow.iterations
    assert abs(abs(fast.top_vector @ slow.top_vector) - 1) < 1e-6
