"""Minibatch training of the MLP and the batch sharpness of the stochastic edge of stability.

Minibatch SGD (and momentum, Nesterov, Adam on minibatches) steps on the gradient of the loss of
``batch`` examples. Two ways to pick them (``batching``):

- ``replacement``: every example of every batch is drawn uniformly and independently (indices
  i.i.d., duplicates allowed) — the sampling the SGD theory usually assumes;
- ``epochs``: the training set is reshuffled at the start of each epoch and cut into ⌊n/b⌋
  batches of b distinct examples (the last n mod b examples of each shuffle are left out, so every
  step sees b examples), as PyTorch's ``DataLoader(shuffle=True, drop_last=True)``.

The indices come from a generator derived from the run's seed, drawn a chunk of steps at a time;
the sequence does not depend on how the run is chunked.

The **batch sharpness** (Andreyev & Beneventano, "Edge of Stochastic Stability: Revisiting the
Edge of Stability for SGD", 2024, arXiv:2412.20553, §3; the stochastic edge of stability is also
analysed by Agarwala & Pennington, "High dimensional analysis reveals conservative sharpening and
a stochastic edge of stability", 2024, arXiv:2404.19261) is the mean over batches B of the
curvature of the batch loss L_B along its own gradient, E_B[g_Bᵀ H_B g_B / ‖g_B‖²]: one SGD step along g_B raises L_B when it
exceeds 2/η, and under SGD it is this quantity, not the full-batch λ_max, that rises to 2/η and
hovers there (λ_max settles below). Estimated at each sharpness measurement as a Monte Carlo mean
over ``batch_probes`` batches drawn like the training ones but from their own generator (the
authors' ``calculate_averaged_grad_H_grad`` takes the same mean of ratios).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from physlab.core.numba_setup import JIT

from . import mlp_blas
from .mlp import loss_grad
from .mlp_blas import _interpreted
from .optim import optimizer_step

BATCHING = ("replacement", "epochs")


class BatchSampler:
    """The batches of a run: ``draw(steps)`` gives the next ``steps`` × ``batch`` indices."""

    def __init__(self, n: int, batch: int, mode: str, rng: np.random.Generator):
        if mode not in BATCHING:
            raise ValueError(f"unknown batching {mode!r}")
        self.n, self.batch, self.mode = n, batch, mode
        self.rng = rng
        self._order = np.empty(0, dtype=np.int64)  # epochs: the batches left of this shuffle
        self._at = 0

    def draw(self, steps: int) -> np.ndarray:
        if self.mode == "replacement":
            return self.rng.integers(0, self.n, size=(steps, self.batch), dtype=np.int64)
        out = np.empty((steps, self.batch), dtype=np.int64)
        per_epoch = self.n // self.batch
        for k in range(steps):
            if self._at == 0:
                self._order = self.rng.permutation(self.n)[: per_epoch * self.batch]
            out[k] = self._order[self._at * self.batch : (self._at + 1) * self.batch]
            self._at = (self._at + 1) % per_epoch
        return out

    def probes(self, count: int, rng: np.random.Generator) -> np.ndarray:
        """``count`` independent batches from ``rng``, drawn as one training batch is (i.i.d.
        indices; distinct ones for ``epochs``)."""
        if self.mode == "replacement":
            return rng.integers(0, self.n, size=(count, self.batch), dtype=np.int64)
        return np.stack([rng.permutation(self.n)[: self.batch] for _ in range(count)])


@njit(**JIT)
def train_batches(
    theta,
    X,
    Y,
    sizes,
    w_off,
    b_off,
    mult,
    act,
    loss_kind,
    batches,
    loss_scale,
    mask,
    opt,
    lrs,
    beta,
    beta1,
    beta2,
    eps,
    buf1,
    buf2,
    t0,
    loss_limit,
    losses,
):
    """:func:`physlab.sharpness.mlp.train` on minibatches: step k uses the examples
    ``batches[k]`` (all of them when ``batches`` has no columns) and η = lrs[k], on the loss
    ``loss_scale``·L with the gradient entries where ``mask`` is 0 (absent biases) held at 0.
    ``losses[k]`` gets that step's batch loss before the step; stops early, without applying the
    step, when it is not finite or exceeds ``loss_limit``; returns the number of steps taken."""
    grad = np.zeros_like(theta)
    full = batches.shape[1] == 0
    for k in range(lrs.size):
        if full:
            value = loss_grad(theta, X, Y, sizes, w_off, b_off, mult, act, loss_kind, grad)
        else:
            rows = batches[k]
            value = loss_grad(
                theta, X[rows], Y[rows], sizes, w_off, b_off, mult, act, loss_kind, grad
            )
        value *= loss_scale
        losses[k] = value
        if not np.isfinite(value) or value > loss_limit:
            return k
        grad *= loss_scale * mask
        optimizer_step(theta, grad, opt, lrs[k], beta, beta1, beta2, eps, buf1, buf2, t0 + k + 1)
    return lrs.size


def batch_sharpness(model, theta: np.ndarray, batches: np.ndarray) -> float:
    """E_B[g_Bᵀ H_B g_B / ‖g_B‖²] over the rows of ``batches`` (NaN when every g_B vanishes)."""
    ratios = []
    for rows in batches:
        g = model.grad_on(theta, rows)
        gg = float(g @ g)
        if gg > 0.0:
            ratios.append(float(g @ model.hvp_on(theta, g, rows)) / gg)
    return float(np.mean(ratios)) if ratios else np.nan


# the same loop around the batched BLAS products (wide networks), as mlp_blas.train is mlp.train's
train_batches_blas = _interpreted(train_batches, loss_grad=mlp_blas.loss_grad)
