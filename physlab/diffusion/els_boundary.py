"""How the ELS machine treats the image border, as in Kamb & Ganguli, "An analytic theory of
creativity in convolutional diffusion models" (2024) and their code (``utils/idealscore.py``):

- ``bbels`` (boundary-broken ELS, the machine of a zero-padded CNN; their
  ``LocalEquivBordersScoreModule``): the query patch is zero-padded; an interior pixel (at least
  k//2 from every edge) matches every fully-inside k×k patch of every training image, while a
  pixel within k//2 of an edge matches only patches at the same offset from that edge (along that
  axis; free along the other if it is interior there). A patch as large as the image leaves every
  pixel at its own position: the empirical (memorising) denoiser.
- ``circular`` (ELS of a circularly padded CNN; their ``LocalEquivScoreModule``): the query patch
  wraps around the image (a torus) and matches every fully-inside training patch, at every pixel.

Both are exactly translation equivariant on raw images (the machine must not see a
position-dependent mean). Positions are given per axis and combined for the two axes.
"""

from __future__ import annotations

import numpy as np

BOUNDARIES = ("bbels", "circular")


def windows(images: np.ndarray, patch: int, mode: str) -> np.ndarray:
    """All patch×patch windows of images (m, s, s) centred on every pixel, padded with zeros
    (``constant``) or wrapped (``wrap``): (m·s², patch²)."""
    r = patch // 2
    m, size, _ = images.shape
    padded = np.pad(images, ((0, 0), (r, r), (r, r)), mode=mode)
    view = np.lib.stride_tricks.sliding_window_view(padded, (patch, patch), axis=(1, 2))
    return view.reshape(m * size * size, patch * patch)


def axis_positions(size: int, patch: int, boundary: str) -> np.ndarray:
    """allowed[c, c'] along one axis: may a pixel at coordinate c match a training patch centred at
    c'? Interior centres are those whose patch lies inside the image."""
    r = patch // 2
    c = np.arange(size)
    interior = (c >= r) & (c <= size - 1 - r)
    if boundary == "circular":
        return np.broadcast_to(interior[None, :], (size, size)).copy()
    border = ~interior
    return np.where(border[:, None], c[:, None] == c[None, :], interior[None, :])


def allowed_positions(size: int, patch: int, boundary: str) -> np.ndarray:
    """(s², s²): pixel (y, x) may match training patches centred at (y', x')."""
    a = axis_positions(size, patch, boundary)
    return (a[:, None, :, None] & a[None, :, None, :]).reshape(size * size, size * size)


def query_mode(boundary: str) -> str:
    """How the query patch is padded: wrapped (circular) or zero-padded with its outside offsets
    left out of the distance (bbels: the training patches it may match are zero there too)."""
    return "wrap" if boundary == "circular" else "constant"
