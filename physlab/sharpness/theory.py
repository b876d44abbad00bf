"""Closed forms the Sharpness views overlay and the tests check against.

- Stability thresholds: GD is linearly unstable along curvature above 2/η; heavy-ball momentum
  above (2+2β)/η; Adam's preconditioned sharpness above (2+2β1)/(η(1−β1)) (Cohen et al., ICLR 2021,
  §2 and Appendix; Cohen et al. 2022, arXiv:2207.14484). See :func:`optim.stability_factor`.
- The uv model's Hessian spectrum in closed form (Kalra, He & Barkeshli 2023, arXiv:2311.02076).
"""

from __future__ import annotations

import numpy as np


def uv_hessian_eigenvalues(f, lam, x: float, y: float, n: int, k: int) -> np.ndarray:
    """The k largest eigenvalues of the Hessian of L = ½(f − y)² for the uv model, for each state
    (f, λ) given (arrays of m states → m × k; scalars → k).

    With c = x r/√n (r = f − y) the Hessian is (x²/n) w wᵀ + c J, w = (v, u), J the swap of u and v.
    The plane span{w, Jw} is invariant, giving μ± = ½[λ ± √(λ² + 4c(2xf/√n + c))]; on its
    complement H = cJ with eigenvalues ±c, each n − 1 times. For x = 1 the top eigenvalue is
    max(½[λ + √(λ² + 4r(2f + r)/n)], |r|/√n), the form in the paper.
    """
    f, lam = np.asarray(f, dtype=float), np.asarray(lam, dtype=float)
    c = x * (f - y) / np.sqrt(n)
    root = np.sqrt(np.maximum(lam * lam + 4.0 * c * (2.0 * x * f / np.sqrt(n) + c), 0.0))
    repeats = min(n - 1, k)
    spectrum = np.stack([0.5 * (lam + root), 0.5 * (lam - root)] + [c, -c] * repeats, axis=-1)
    return -np.sort(-spectrum, axis=-1)[..., :k]


def uv_attractor_map(g: np.ndarray, a: float) -> np.ndarray:
    """The 1-D map g ↦ g(1 − a(g − 1))² that the uv dynamics reduce to on u = ±v, with g = f/y,
    a = η|xy|/√n. Its fixed point g = 1 loses stability at a = 1 (ηλ = 2), then period-doubles."""
    return g * (1.0 - a * (g - 1.0)) ** 2
