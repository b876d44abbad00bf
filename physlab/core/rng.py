"""Reproducible random numbers inside parallel numba kernels.

numba's own ``np.random`` keeps one hidden state per thread, so a ``prange`` loop that draws from it
gives results that depend on how iterations were scheduled: not reproducible from a seed. Here every
independent unit of work (a repeat, a sample) owns a small explicit state, seeded from
``(seed, stream)`` by hashing, so the numbers depend only on the seed and the unit's index.

The generator is SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators",
OOPSLA 2014), which passes BigCrush; normals by the ziggurat method (Marsaglia & Tsang, "The
Ziggurat Method for Generating Random Variables", J. Stat. Softw. 2000, with the 128-layer table of
Doornik 2005, see :func:`normal`); gamma variates by Marsaglia & Tsang ("A simple method for
generating gamma variables", ACM TOMS 2000).

A state is a ``uint64`` array of length 1: SplitMix64's counter, the generator's whole state (the
ziggurat keeps nothing between calls).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .numba_setup import JIT

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_TWO53 = 1.0 / 9007199254740992.0


@njit(**JIT)
def _mix(z):
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


@njit(**JIT)
def new_state(seed, stream):
    """A fresh state for unit ``stream`` of a run seeded with ``seed`` (both non-negative ints)."""
    s = np.zeros(1, dtype=np.uint64)
    s[0] = _mix(_mix(np.uint64(seed) + _GAMMA) ^ (np.uint64(stream) * _M2 + _GAMMA))
    return s


@njit(**JIT)
def next_u64(s):
    s[0] += _GAMMA
    return _mix(s[0])


@njit(**JIT)
def uniform(s):
    """A float in (0, 1): 53 random bits, never exactly 0."""
    return ((next_u64(s) >> np.uint64(11)) + 0.5) * _TWO53


def _ziggurat_tables(layers: int = 128, r: float = 3.442619855899, v: float = 9.91256303526217e-3):
    """Layer edges x_i of the normal density's ziggurat (Marsaglia & Tsang's layout as written by
    Doornik, "An Improved Ziggurat Method to Generate Normal Random Samples", 2005) and the ratios
    x_{i+1}/x_i below which a point is inside without evaluating the density."""
    x = np.empty(layers + 1)
    x[0] = v / math.exp(-0.5 * r * r)
    x[1] = r
    for i in range(2, layers):
        x[i] = math.sqrt(-2.0 * math.log(v / x[i - 1] + math.exp(-0.5 * x[i - 1] ** 2)))
    x[layers] = 0.0
    return x, x[1:] / x[:-1]


_ZIG_X, _ZIG_RATIO = _ziggurat_tables()
_ZIG_R = float(_ZIG_X[1])  # where the base layer's tail begins


@njit(**JIT)
def normal(s):
    """A standard normal by the ziggurat method (one 64-bit draw in ~98 % of cases: its low 7 bits
    pick the layer, its top 53 bits the abscissa; the tail beyond R by Marsaglia's exponential
    rejection). No logarithm, square root or trigonometric call in the common case, unlike
    Box–Muller: the Bartlett sampler draws d²/2 normals per Wishart matrix."""
    while True:
        bits = next_u64(s)
        i = np.int64(bits & np.uint64(127))
        u = 2.0 * ((bits >> np.uint64(11)) * _TWO53) - 1.0
        if abs(u) < _ZIG_RATIO[i]:
            return u * _ZIG_X[i]
        if i == 0:  # the base layer's tail beyond R
            while True:
                x = -math.log(uniform(s)) / _ZIG_R
                y = -math.log(uniform(s))
                if y + y >= x * x:
                    break
            return -(_ZIG_R + x) if u < 0.0 else _ZIG_R + x
        x = u * _ZIG_X[i]
        f0 = math.exp(-0.5 * (_ZIG_X[i] * _ZIG_X[i] - x * x))
        f1 = math.exp(-0.5 * (_ZIG_X[i + 1] * _ZIG_X[i + 1] - x * x))
        if f1 + uniform(s) * (f0 - f1) < 1.0:
            return x


@njit(**JIT)
def gamma(s, shape):
    """A Gamma(shape, 1) variate, shape > 0 (Marsaglia–Tsang; boosted by U^{1/a} below 1)."""
    boost = 1.0
    if shape < 1.0:
        boost = uniform(s) ** (1.0 / shape)
        shape += 1.0
    d = shape - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        x = normal(s)
        v = 1.0 + c * x
        if v <= 0.0:
            continue
        v = v * v * v
        u = uniform(s)
        if u < 1.0 - 0.0331 * x**4 or math.log(u) < 0.5 * x * x + d * (1.0 - v + math.log(v)):
            return boost * d * v


@njit(**JIT)
def chisquare(s, dof):
    """A χ² variate with ``dof`` > 0 degrees of freedom."""
    return 2.0 * gamma(s, 0.5 * dof)
