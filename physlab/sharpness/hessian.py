"""Top Hessian eigenvalues by Lanczos with full reorthogonalisation over an HVP callback.

Cohen et al. (ICLR 2021) compute the sharpness with ARPACK's Lanczos on Hessian-vector products
(about 20 HVPs per estimate). Here the Lanczos recursion runs in NumPy around the numba HVP, with
full reorthogonalisation (stable without restarts), a warm start from the previous top eigenvector
(the sharpness changes little between measurements, so few iterations are needed), and a residual
bound ‖H q − θ q‖ = |β_m s_m| for each Ritz pair to stop as soon as the top k have converged.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass
class Ritz:
    values: np.ndarray  # top-k eigenvalue estimates, largest first
    top_vector: np.ndarray  # unit Ritz vector of the largest
    iterations: int


def lanczos_top(matvec: Callable[[np.ndarray], np.ndarray], v0: np.ndarray, k: int = 1,
                max_iter: int = 60, tol: float = 1e-7) -> Ritz:
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
        if m >= k and (m % 4 == 0 or m == m_max or beta[j] == 0.0):
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
