"""Least squares on Gaussian data without materialising the data: the sufficient statistics
(XᵀX, Xᵀε) drawn exactly from their joint law, and the small dense linear algebra on them.

For X with T rows x ~ N(0, Σ), Σ = diag(λ), and noise ε ~ N(0, σ²I_T), an OLS or ridge fit depends on
the data only through G = XᵀX and h = Xᵀε. By Bartlett's decomposition (M. S. Bartlett, "On the theory
of statistical regression", Proc. R. Soc. Edinburgh, 1933) G = C Cᵀ with C = Σ^{1/2}A, A lower
triangular, A_ii² ~ χ²_{T−i} (i = 0…d−1), A_ij ~ N(0, 1) below the diagonal; and h | G ~ N(0, σ²G),
so h = σ C z with z ~ N(0, I). When T < d the same holds with A lower-trapezoidal (only its first T
columns are non-zero: the LQ factor of a Gaussian matrix). This costs O(d²) random numbers per fit
whatever T is, so sample sizes up to 10⁷ are as cheap as 200 — the T-sweeps of the scaling-law
views depend on it. C is already the Cholesky factor of G, so an OLS solve is two triangular solves.
When T < d the minimum-norm (pseudo-inverse) fit G⁺(Gw + h) is a T×T solve in the first T columns
C₁ of C (:func:`min_norm_fit`).

The linear algebra is written out (numba's ``np.linalg`` needs SciPy, which physlab does not ship).
"""

from __future__ import annotations

import math

from numba import njit

from physlab.core.numba_setup import JIT
from physlab.core.rng import chisquare, normal


@njit(**JIT)
def bartlett(dof, scale, s, C):
    """Fill ``C`` (d×d) with a lower-triangular factor of G ~ Wishart(diag(scale²), dof)."""
    d = C.shape[0]
    for i in range(d):
        for j in range(d):
            C[i, j] = 0.0
        for j in range(min(i, dof)):
            C[i, j] = scale[i] * normal(s)
        if i < dof:
            C[i, i] = scale[i] * math.sqrt(chisquare(s, dof - i))


@njit(**JIT)
def fill_normal(s, z):
    for i in range(z.size):
        z[i] = normal(s)


@njit(**JIT)
def lower_matvec(C, x, out):
    """out = C x for lower-triangular C."""
    d = C.shape[0]
    for i in range(d):
        acc = 0.0
        for j in range(i + 1):
            acc += C[i, j] * x[j]
        out[i] = acc


@njit(**JIT)
def lower_t_matvec(C, x, out):
    """out = Cᵀ x for lower-triangular C."""
    d = C.shape[0]
    for j in range(d):
        out[j] = 0.0
    for i in range(d):
        xi = x[i]
        for j in range(i + 1):
            out[j] += C[i, j] * xi


@njit(**JIT)
def solve_lower(L, b, out):
    """Solve L x = b (forward substitution)."""
    d = L.shape[0]
    for i in range(d):
        acc = b[i]
        for j in range(i):
            acc -= L[i, j] * out[j]
        out[i] = acc / L[i, i]


@njit(**JIT)
def solve_upper_t(L, b, out):
    """Solve Lᵀ x = b for lower-triangular L (back substitution)."""
    d = L.shape[0]
    for i in range(d):
        out[i] = b[i]
    for i in range(d - 1, -1, -1):
        out[i] /= L[i, i]
        xi = out[i]
        for j in range(i):
            out[j] -= L[i, j] * xi


@njit(**JIT)
def add_gram(C, G):
    """G += C Cᵀ for lower-triangular C (both triangles of G are written)."""
    d = C.shape[0]
    for i in range(d):
        for j in range(i + 1):
            acc = 0.0
            for k in range(j + 1):
                acc += C[i, k] * C[j, k]
            G[i, j] += acc
            if i != j:
                G[j, i] += acc


@njit(**JIT)
def cholesky(A, L):
    """L = the lower Cholesky factor of the symmetric positive-definite A; False if A is not."""
    d = A.shape[0]
    for j in range(d):
        acc = A[j, j]
        for k in range(j):
            acc -= L[j, k] * L[j, k]
        if not acc > 0.0:
            return False
        ljj = math.sqrt(acc)
        L[j, j] = ljj
        for i in range(j + 1, d):
            acc = A[i, j]
            for k in range(j):
                acc -= L[i, k] * L[j, k]
            L[i, j] = acc / ljj
        for i in range(j):
            L[i, j] = 0.0
    return True


@njit(**JIT)
def cholesky_solve(L, b, tmp, out):
    """Solve (L Lᵀ) x = b."""
    solve_lower(L, b, tmp)
    solve_upper_t(L, tmp, out)


@njit(**JIT)
def min_norm_fit(C, dof, w, noise, z, M, L, a, b, out):
    """out = G⁺(G w + noise·C z): the minimum-norm least-squares fit on dof < d samples labelled by
    w, with G = C Cᵀ of rank dof (C from :func:`bartlett`, non-zero in its first dof columns C₁).
    Since G⁺ = C₁(C₁ᵀC₁)⁻²C₁ᵀ, out = C₁(C₁ᵀC₁)⁻¹(C₁ᵀw + noise·z₁): the projection of w onto the
    samples' span plus the fit's noise. M, L: dof×dof scratch; a, b: dof-vectors; ``out`` may be
    ``w``."""
    d, m = C.shape[0], dof
    for i in range(m):  # M = C₁ᵀC₁ (column i of C is zero above row i)
        for j in range(i + 1):
            acc = 0.0
            for k in range(i, d):
                acc += C[k, i] * C[k, j]
            M[i, j] = acc
            M[j, i] = acc
    for j in range(m):
        acc = noise * z[j]
        for k in range(j, d):
            acc += C[k, j] * w[k]
        a[j] = acc
    cholesky(M, L)
    cholesky_solve(L, a, b, a)
    for i in range(d):
        acc = 0.0
        for j in range(min(i + 1, m)):
            acc += C[i, j] * a[j]
        out[i] = acc
