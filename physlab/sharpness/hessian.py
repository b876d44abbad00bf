"""Top Hessian eigenvalues by Lanczos with full reorthogonalisation.

Cohen et al. (ICLR 2021) compute the sharpness with ARPACK's Lanczos on Hessian-vector products
(about 20 HVPs per estimate). Here: full reorthogonalisation (stable without restarts), a warm
start from the previous top eigenvector (the sharpness changes little between measurements, so few
iterations are needed), and a residual bound ‖H q − θ q‖ = |β_m s_m| for each Ritz pair to stop as
soon as the top k have converged (checked after every iteration: the tridiagonal problem is tiny
next to a Hessian-vector product, and warm-started estimates on the Chebyshev net converge in 4–5
iterations, which a check every 4th took to 8).

Two implementations of the same recursion:

- :func:`lanczos_top` runs in NumPy around any HVP callback (the batched BLAS network, tests);
- :func:`lanczos_mlp` runs entirely in numba around the per-sample network's HVP
  (:func:`physlab.sharpness.mlp.hvp`), with the tridiagonal eigenproblem solved by implicit QL
  (:func:`tridiagonal_eigh`; numba's ``eigh`` needs SciPy). It is one GIL-free call per estimate.
  In the GUI the NumPy version made ~100 small GIL-taking calls per estimate, each waiting for the
  GUI thread's repaint to hand the GIL back, which cut the Chebyshev run from ~2700 to ~450 steps/s
  (``benchmarks/gui_probe.py``). Tests check that the two agree.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numba import njit

from physlab.core.numba_setup import JIT

from . import hvp_at


@dataclass
class Ritz:
    values: np.ndarray  # top-k eigenvalue estimates, largest first
    top_vector: np.ndarray  # unit Ritz vector of the largest
    iterations: int


MAX_ITER = 60
TOL = 1e-7


def lanczos_top(
    matvec: Callable[[np.ndarray], np.ndarray],
    v0: np.ndarray,
    k: int = 1,
    max_iter: int = MAX_ITER,
    tol: float = TOL,
) -> Ritz:
    """The ``k`` largest (algebraic) eigenvalues of the symmetric operator ``matvec``.

    Converged when the residual of each of the top k Ritz pairs is below ``tol``·max|θ|.
    """
    dim = v0.size
    m_max = min(dim, max_iter)
    Q = np.zeros((m_max + 1, dim))
    alpha = np.zeros(m_max)
    beta = np.zeros(m_max)
    Q[0] = v0 / np.linalg.norm(v0)
    m = 0
    evals = evecs = None
    for j in range(m_max):
        w = matvec(Q[j])
        alpha[j] = Q[j] @ w
        w = w - alpha[j] * Q[j] - (beta[j - 1] * Q[j - 1] if j > 0 else 0.0)
        for _ in range(2):  # full reorthogonalisation, twice is enough (Parlett's rule)
            w -= Q[: j + 1].T @ (Q[: j + 1] @ w)
        beta[j] = np.linalg.norm(w)
        m = j + 1
        if m >= k:
            evals, evecs = _tridiag_eigh(alpha[:m], beta[: m - 1])
            scale = max(np.abs(evals).max(), 1e-300)
            resid = np.abs(beta[j] * evecs[-1, -k:])
            if np.all(resid <= tol * scale):
                break
        if beta[j] <= 1e-12 * max(abs(alpha[: j + 1]).max(), 1e-300):
            break  # invariant subspace found: the Ritz values are exact
        Q[j + 1] = w / beta[j]
    if evals is None or len(evals) != m:
        evals, evecs = _tridiag_eigh(alpha[:m], beta[: m - 1])
    kk = min(k, m)
    top = Q[:m].T @ evecs[:, -1]
    values = np.full(k, np.nan)
    values[:kk] = evals[::-1][:kk]
    return Ritz(values=values, top_vector=top / np.linalg.norm(top), iterations=m)


def _tridiag_eigh(alpha: np.ndarray, beta: np.ndarray):
    T = np.diag(alpha) + np.diag(beta, 1) + np.diag(beta, -1)
    return np.linalg.eigh(T)


@njit(**JIT)
def _dot(a, b):
    """Inner product (numba's np.dot needs SciPy's BLAS, which physlab does not depend on) in
    eight interleaved partial sums: independent additions that the compiler puts in one vector
    register, ~3× faster than one running sum on 701 entries (the reorthogonalisation's dots
    were a third of a Lanczos estimate on the Chebyshev net)."""
    n = a.size
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
    end = n - n % 8
    for i in range(0, end, 8):
        s0 += a[i] * b[i]
        s1 += a[i + 1] * b[i + 1]
        s2 += a[i + 2] * b[i + 2]
        s3 += a[i + 3] * b[i + 3]
        s4 += a[i + 4] * b[i + 4]
        s5 += a[i + 5] * b[i + 5]
        s6 += a[i + 6] * b[i + 6]
        s7 += a[i + 7] * b[i + 7]
    for i in range(end, n):
        s0 += a[i] * b[i]
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))


@njit(**JIT)
def tridiagonal_eigh(alpha, beta):
    """Eigenvalues (ascending) and eigenvectors (columns) of the symmetric tridiagonal matrix with
    diagonal ``alpha`` and off-diagonal ``beta`` (length n − 1), by the implicit QL algorithm with
    Wilkinson shifts (Numerical Recipes §11.4, ``tqli``)."""
    n = alpha.size
    d = alpha.copy()
    e = np.zeros(n)
    e[: n - 1] = beta[: n - 1]
    z = np.eye(n)
    for l in range(n):
        for _ in range(100):
            m = l
            while m < n - 1:
                dd = abs(d[m]) + abs(d[m + 1])
                if abs(e[m]) <= 1e-16 * dd:
                    break
                m += 1
            if m == l:
                break
            g = (d[l + 1] - d[l]) / (2.0 * e[l])
            r = math.hypot(g, 1.0)
            g = d[m] - d[l] + e[l] / (g + math.copysign(r, g))
            s = 1.0
            c = 1.0
            p = 0.0
            i = m - 1
            deflated = False
            while i >= l:
                f = s * e[i]
                b = c * e[i]
                r = math.hypot(f, g)
                e[i + 1] = r
                if r == 0.0:
                    d[i + 1] -= p
                    e[m] = 0.0
                    deflated = True
                    break
                s = f / r
                c = g / r
                g = d[i + 1] - p
                r = (d[i] - g) * s + 2.0 * c * b
                p = s * r
                d[i + 1] = g + p
                g = c * r - b
                for row in range(n):
                    f = z[row, i + 1]
                    z[row, i + 1] = s * z[row, i] + c * f
                    z[row, i] = c * z[row, i] - s * f
                i -= 1
            if deflated:
                continue
            d[l] -= p
            e[l] = g
            e[m] = 0.0
    order = np.argsort(d)
    return d[order], z[:, order]


@njit(**JIT)
def lanczos_mlp(
    theta, X, Y, sizes, w_off, b_off, mult, act, loss_kind, scale, v0, k, max_iter, tol, values, top
):
    """:func:`lanczos_top` for the operator D H D (D = diag(``scale``): ones for the Hessian, the
    Adam preconditioner P^−½ for P⁻¹H's spectrum) of the per-sample network. Writes the top ``k``
    eigenvalues into ``values`` (largest first, NaN beyond the Krylov dimension) and the unit top
    Ritz vector into ``top``; returns the number of iterations."""
    dim = v0.size
    m_max = min(dim, max_iter)
    Q = np.zeros((m_max + 1, dim))
    alpha = np.zeros(m_max)
    beta = np.zeros(m_max)
    Q[0] = v0 / np.sqrt(_dot(v0, v0))
    w = np.empty(dim)
    scaled = np.empty(dim)
    bounds, first, C, S = hvp_at.cache(sizes, X.shape[0])
    hvp_at.prepare(theta, X, Y, sizes, w_off, b_off, mult, act, loss_kind, bounds, first, C, S)
    m = 0
    evals = np.empty(0)
    evecs = np.empty((0, 0))
    for j in range(m_max):
        for i in range(dim):
            scaled[i] = scale[i] * Q[j, i]
        hvp_at.hvp(
            theta, scaled, X, Y, sizes, w_off, b_off, mult, act, loss_kind, bounds, first, C, S, w
        )
        for i in range(dim):
            w[i] *= scale[i]
        alpha[j] = _dot(Q[j], w)
        for i in range(dim):
            w[i] -= alpha[j] * Q[j, i] + (beta[j - 1] * Q[j - 1, i] if j > 0 else 0.0)
        for _ in range(2):  # full reorthogonalisation, twice is enough (Parlett's rule)
            for r in range(j + 1):
                c = _dot(Q[r], w)
                for i in range(dim):
                    w[i] -= c * Q[r, i]
        beta[j] = np.sqrt(_dot(w, w))
        m = j + 1
        if m >= k:
            evals, evecs = tridiagonal_eigh(alpha[:m], beta[: m - 1])
            top_abs = max(np.max(np.abs(evals)), 1e-300)
            converged = True
            for i in range(k):
                if abs(beta[j] * evecs[m - 1, m - 1 - i]) > tol * top_abs:
                    converged = False
            if converged:
                break
        if beta[j] <= 1e-12 * max(np.max(np.abs(alpha[: j + 1])), 1e-300):
            break  # invariant subspace found: the Ritz values are exact
        for i in range(dim):
            Q[j + 1, i] = w[i] / beta[j]
    if evals.size != m:
        evals, evecs = tridiagonal_eigh(alpha[:m], beta[: m - 1])
    values[:] = np.nan
    for i in range(min(k, m)):
        values[i] = evals[m - 1 - i]
    top[:] = 0.0
    for r in range(m):
        for i in range(dim):
            top[i] += evecs[r, m - 1] * Q[r, i]
    top /= np.sqrt(_dot(top, top))
    return m
