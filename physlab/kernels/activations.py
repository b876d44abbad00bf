"""Activations φ and their derivatives φ', computed together in one pass (numba).

Serial on purpose: the pass is memory-bound and short (N·P elements), and an OpenMP team woken
between the BLAS calls around it fights OpenBLAS's own threads for the cores, which made the
parallel version much slower than the serial one (benchmarks/kernels.py times this workload,
N = 2000, P = 32)."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from physlab.core.numba_setup import JIT

ACTIVATIONS = ("linear", "relu", "tanh")
_CODES = {name: i for i, name in enumerate(ACTIVATIONS)}


@njit(**JIT)
def _activate(h, code, phi, dphi):
    n, p = h.shape
    for i in range(n):
        for m in range(p):
            x = h[i, m]
            if code == 0:
                phi[i, m] = x
                dphi[i, m] = 1.0
            elif code == 1:
                phi[i, m] = x if x > 0.0 else 0.0
                dphi[i, m] = 1.0 if x > 0.0 else 0.0
            else:
                t = math.tanh(x)
                phi[i, m] = t
                dphi[i, m] = 1.0 - t * t


def activate(h: np.ndarray, activation: str, phi: np.ndarray, dphi: np.ndarray) -> None:
    """Fill ``phi`` = φ(h) and ``dphi`` = φ'(h) (arrays shaped like ``h``)."""
    _activate(h, _CODES[activation], phi, dphi)
